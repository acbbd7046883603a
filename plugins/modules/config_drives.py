#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: config_drives
short_description: Build the OpenStack config drives of a host's oc- VMs in one step
version_added: 0.1.0
description:
  - Builds for each VM of O(drives) an OpenStack config drive, an ISO 9660 image labelled O(label) holding
    C(openstack/latest/meta_data.json), C(network_data.json) and C(user_data), at
    O(dir)C(/<name>/config-drive.iso), the way Nova builds one; cloud-init or the lab's tiny guest read it at boot.
  - The documents are kept beside the ISO (O(dir)C(/<name>/config-drive/openstack/latest/), root only), and a drive
    is built again only when a document changed or the ISO is missing; one call covers every VM of the host instead
    of a task per VM and file.
  - The ISO is built from a staging copy and renamed into place before the kept documents are replaced, so that a
    run killed or failed half way is built again by the next run. Every drive's input is checked before any drive
    is built.
  - A running VM reads its drive at boot; this module does not restart it.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports which drives would be built and why; writes nothing.
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - genisoimage on the host
options:
  dir:
    description: The directory of the VMs, one subdirectory per VM (created 0755 when missing).
    type: path
    required: true
  drives:
    description: The drives, one per VM; the filter P(nestedcloud.openstack.config_drives#filter) gives them from the
      plan.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The VM's name, its subdirectory of O(dir).
        type: str
        required: true
      meta_data:
        description: The document C(meta_data.json) (uuid, hostname, public_keys...).
        type: dict
        required: true
      network_data:
        description: The document C(network_data.json) (links, networks, services).
        type: dict
        required: true
      user_data:
        description: The document C(user_data), for example a C(#cloud-config).
        type: str
        required: true
  label:
    description: The volume label, C(config-2) as Nova's and as cloud-init looks for.
    type: str
    default: config-2
seealso:
  - plugin: nestedcloud.openstack.config_drives
    plugin_type: filter
"""

EXAMPLES = r"""
- name: The config drives of this host's oc- VMs, from the plan
  nestedcloud.openstack.config_drives:
    dir: /var/lib/nestedcloud/vms
    drives: "{{ nestedcloud_plan | nestedcloud.openstack.config_drives(['oc-0001', 'oc-0002'], public_keys=_keys) }}"
  vars:
    _keys: ["{{ lookup('ansible.builtin.file', '~/.ssh/id_ed25519.pub') }}"]

- name: One VM's drive, given whole
  nestedcloud.openstack.config_drives:
    dir: /var/lib/nestedcloud/vms
    drives:
      - name: oc-0001
        meta_data: {uuid: 5d1b4c1e-0000-4000-8000-000000000001, hostname: oc-0001.lab.internal, public_keys: {}}
        network_data: {links: [], networks: [], services: []}
        user_data: "#cloud-config\nfqdn: oc-0001.lab.internal\n"
"""

RETURN = r"""
built:
  description: The drives built (or that would be, in check mode), in the order of O(drives), with why - C(missing)
    (no ISO yet) or C(changed) (a document differs).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "oc-0001", "reason": "missing"}]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.host import config_drive

DRIVE_OPTIONS = dict(
    name=dict(type="str", required=True),
    meta_data=dict(type="dict", required=True),
    network_data=dict(type="dict", required=True),
    user_data=dict(type="str", required=True),
)


def main():
    module = AnsibleModule(argument_spec=dict(
        dir=dict(type="path", required=True),
        drives=dict(type="list", elements="dict", required=True, options=DRIVE_OPTIONS),
        label=dict(type="str", default="config-2"),
    ), supports_check_mode=True)
    p = module.params
    tool = "genisoimage"
    if not module.check_mode and p["drives"]:
        tool = module.get_bin_path("genisoimage", required=True)
    try:
        built = config_drive.reconcile(p["dir"], p["drives"], p["label"], module.run_command, tool=tool,
                                       check_mode=module.check_mode)
    except (config_drive.ConfigDriveError, OSError) as err:
        module.fail_json(msg=str(err))
    module.exit_json(changed=bool(built), built=built)


if __name__ == "__main__":
    main()
