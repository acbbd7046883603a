#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: juju_cloud
short_description: The lab's MAAS cloud and its credential known to the Juju client, from files
version_added: 0.1.0
description:
  - Makes the Juju client (C(--client), never the controller) know the cloud O(cloud) as O(clouds_file) defines it and
    the credential O(credential) as O(credentials_file) holds it - the files M(nestedcloud.openstack.juju_inputs)
    writes. A missing cloud is added (C(juju add-cloud --client)), a different one updated (C(juju update-cloud
    --client -f)); the same for the credential (C(juju add-credential --client -f) or C(juju update-credential
    --client -f)). Nothing is asked on a terminal.
  - What the client holds is read with C(juju clouds --client) and C(juju credentials --client --show-secrets), so a
    second run changes nothing. The credential's secret never leaves the host in the result.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.juju
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  cloud:
    description: The cloud's name, a key of O(clouds_file)'s C(clouds).
    type: str
    required: true
  clouds_file:
    description: A Juju clouds file (C(clouds -> name -> type, auth-types, endpoint)).
    type: path
    required: true
  credentials_file:
    description: A Juju credentials file (C(credentials -> cloud -> name -> auth-type, attributes)).
    type: path
    required: true
  credential:
    description: The credential's name in O(credentials_file).
    type: str
    default: admin
"""

EXAMPLES = r"""
- name: The MAAS cloud and the admin's credential on the Juju client
  nestedcloud.openstack.juju_cloud:
    cloud: lab1-maas
    clouds_file: /root/.nestedcloud-juju/clouds.yaml
    credentials_file: /root/.nestedcloud-juju/credentials.yaml
"""

RETURN = r"""
cloud:
  description: What was done to the cloud - C(added), C(updated) (with the fields that differed) or C(unchanged).
  returned: success
  type: str
  sample: updated (endpoint)
credential:
  description: What was done to the credential - C(added), C(updated) or C(unchanged).
  returned: success
  type: str
  sample: unchanged
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.nestedcloud.openstack.plugins.module_utils.juju import cli as juju_cli

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - PyYAML comes with ansible-core
    HAS_YAML = False


def wanted(params):
    """(cloud definition, credential) from the files; ValueError names the file and what is missing."""
    with open(params["clouds_file"]) as handle:
        clouds = (yaml.safe_load(handle) or {}).get("clouds") or {}
    if params["cloud"] not in clouds:
        raise ValueError("clouds_file: %s defines no cloud %s (it has: %s)"
                         % (params["clouds_file"], params["cloud"], ", ".join(sorted(clouds)) or "none"))
    with open(params["credentials_file"]) as handle:
        credentials = (yaml.safe_load(handle) or {}).get("credentials") or {}
    credential = (credentials.get(params["cloud"]) or {}).get(params["credential"])
    if not isinstance(credential, dict) or "auth-type" not in credential:
        raise ValueError("credentials_file: %s has no credential %s with an auth-type for cloud %s"
                         % (params["credentials_file"], params["credential"], params["cloud"]))
    return clouds[params["cloud"]], credential


def main():
    module = AnsibleModule(
        argument_spec=dict(
            cloud=dict(type="str", required=True),
            clouds_file=dict(type="path", required=True),
            credentials_file=dict(type="path", required=True),
            credential=dict(type="str", default="admin", no_log=False),
            juju=dict(type="path", default="juju"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not HAS_YAML:
        module.fail_json(msg=missing_required_lib("PyYAML (python3-yaml)"))
    try:
        cloud, credential = wanted(params)
    except (OSError, ValueError) as err:
        module.fail_json(msg=str(err))
    name = params["cloud"]
    try:
        current = juju_cli.client_cloud(juju_cli.run_json(module, ["clouds", "--client"]), name)
        if current is None:
            cloud_done = "added"
            command = ["add-cloud", "--client", name, params["clouds_file"]]
        else:
            fields = juju_cli.cloud_differs(current, cloud)
            cloud_done = "updated (%s)" % ", ".join(fields) if fields else "unchanged"
            command = ["update-cloud", "--client", name, "-f", params["clouds_file"]] if fields else None
        if command and not module.check_mode:
            juju_cli.run(module, command)
        stored = juju_cli.client_credential(
            juju_cli.run_json(module, ["credentials", "--client", "--show-secrets", name]), name, params["credential"])
        if stored is None:
            credential_done = "added"
            command = ["add-credential", "--client", name, "-f", params["credentials_file"]]
        elif juju_cli.credential_differs(stored, credential):
            credential_done = "updated"
            command = ["update-credential", "--client", name, params["credential"], "-f", params["credentials_file"]]
        else:
            credential_done, command = "unchanged", None
        if command and not module.check_mode:
            juju_cli.run(module, command)
    except juju_cli.JujuError as err:
        module.fail_json(msg=str(err))
    module.exit_json(changed=(cloud_done, credential_done) != ("unchanged", "unchanged"),
                     cloud=cloud_done, credential=credential_done)


if __name__ == "__main__":
    main()
