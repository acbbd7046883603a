#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: juju_inputs
short_description: Write every file Juju reads for the lab's OpenStack - cloud, credential, proxies, bundle, overlay
version_added: 0.1.0
description:
  - Makes, from the plan, the files the C(juju) client is given on the command line, in O(dest) - C(clouds.yaml)
    (C(juju add-cloud --client)), C(credentials.yaml) (C(juju add-credential --client -f), mode 0600, holding the MAAS
    API key), C(bootstrap-config.yaml) (the controller model's legacy proxy keys, which bootstrap needs),
    C(model-defaults.yaml) (C(juju-*) proxy keys with the overlay's CIDR for every other model), C(bundle.yaml) (the
    base bundle as given) and C(overlay.yaml) (made from the plan and the hypervisors' virt_info).
  - Before writing anything it checks the bundle with the overlay applied as Juju applies it - every relation end
    an application, placements on defined machines, every channel pinned to a track, virt-type and cpu-mode as the
    hypervisors allow, the overlay's MTU, a data port for every OpenStack machine, Ceph on the planned disk and no
    more replicas than OSDs - and fails listing every problem. Files are written whole and only when they differ.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.plan
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  bundle:
    description: The base bundle (the role ships C(files/openstack-bundle.yaml)), as a mapping.
    type: dict
    required: true
  virt:
    description: The virt_info results of the hypervisors that carry the OpenStack machines (C(inner_virt_type) decides).
    type: list
    elements: dict
    required: true
  api_key:
    description: The MAAS admin's API key for the credential.
    type: str
    required: true
  proxy:
    description: r0's proxy URL for the models.
    type: str
    required: true
  dest:
    description: Directory of the files (created, mode 0700).
    type: path
    required: true
"""

EXAMPLES = r"""
- name: Juju's input files on the client host
  nestedcloud.openstack.juju_inputs:
    plan: "{{ nestedcloud_plan }}"
    bundle: "{{ lookup('ansible.builtin.file', 'openstack-bundle.yaml') | from_yaml }}"
    virt: "{{ groups.hypervisors | map('extract', hostvars, '_hypervisor_virt') | list }}"
    api_key: "{{ maas_api_key }}"
    proxy: http://10.33.0.1:3128/
    dest: /root/.nestedcloud-juju
"""

RETURN = r"""
files:
  description: Every file and whether it was (or in check mode would be) written.
  returned: always
  type: dict
  sample: {"overlay.yaml": true, "credentials.yaml": false}
machines:
  description: How many OpenStack machines the bundle is spread on.
  returned: always
  type: int
  sample: 3
problems:
  description: What is wrong with bundle + overlay (the task fails when this is not empty).
  returned: always
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.nestedcloud.openstack.plugins.module_utils.juju import bundle as juju_bundle
from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.files import write_whole

try:
    import yaml
    HAS_YAML = True
except ImportError:  # pragma: no cover - PyYAML comes with ansible-core
    HAS_YAML = False

SECRET = "credentials.yaml"


def documents(params):
    """{file name: document} from the module's parameters; ValueError names a bad field."""
    plan = params["plan"]
    if not isinstance(plan.get("maas_juju"), dict):
        raise ValueError("plan: lab %s has no maas_juju section; set nestedcloud_lab.overcloud.kind to maas_juju"
                         % plan.get("name", "?"))
    if not params["virt"]:
        raise ValueError("virt: give the virt_info result of at least one hypervisor")
    bundle = params["bundle"]
    if not isinstance(bundle.get("applications"), dict):
        raise ValueError("bundle: not a Juju bundle (no 'applications' mapping)")
    overlay = juju_bundle.overlay(bundle, plan, params["virt"])
    clouds, credentials = juju_bundle.cloud_files(plan, params["api_key"])
    proxies = juju_bundle.proxy_settings(plan, params["proxy"])
    merged = juju_bundle.merge(bundle, overlay)
    return ({"clouds.yaml": clouds, SECRET: credentials, "bootstrap-config.yaml": proxies["bootstrap"],
             "model-defaults.yaml": proxies["model"], "bundle.yaml": bundle, "overlay.yaml": overlay},
            juju_bundle.problems(merged, plan, params["virt"]), len(plan["maas_juju"]["juju"]["openstack_machines"]))


def write(module, path, text, mode):
    """Write ``text`` to ``path`` when it differs; return whether it did (or would)."""
    current = None
    if os.path.exists(path):
        with open(path) as handle:
            current = handle.read()
    changed = current != text
    if changed and not module.check_mode:
        write_whole(path, text, mode)
    if not changed and not module.check_mode and (os.stat(path).st_mode & 0o777) != mode:
        os.chmod(path, mode)
        changed = True
    return changed


def main():
    module = AnsibleModule(
        argument_spec=dict(
            plan=dict(type="dict", required=True),
            bundle=dict(type="dict", required=True),
            virt=dict(type="list", elements="dict", required=True),
            api_key=dict(type="str", required=True, no_log=True),
            proxy=dict(type="str", required=True),
            dest=dict(type="path", required=True),
        ),
        supports_check_mode=True,
    )
    if not HAS_YAML:
        module.fail_json(msg=missing_required_lib("PyYAML (python3-yaml)"))
    try:
        docs, problems, machines = documents(module.params)
    except ValueError as err:
        module.fail_json(msg=str(err))
    if problems:
        module.fail_json(msg="the bundle with the lab's overlay is not consistent: " + "; ".join(problems),
                         problems=problems, files={}, machines=machines)
    dest = module.params["dest"]
    if not os.path.isdir(dest) and not module.check_mode:
        os.makedirs(dest, mode=0o700)
    header = "# Written by nestedcloud.openstack.juju_inputs from the plan of lab %s; changes are overwritten.\n" % (
        module.params["plan"].get("name"))
    files = {}
    for name, doc in docs.items():
        text = header + yaml.safe_dump(doc, default_flow_style=False, sort_keys=True)
        path = os.path.join(dest, name)
        files[name] = (write(module, path, text, 0o600 if name == SECRET else 0o644) if os.path.isdir(dest)
                       else True)
    module.exit_json(changed=any(files.values()), files=files, machines=machines, problems=[])


if __name__ == "__main__":
    main()
