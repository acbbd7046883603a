#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ovs_config
short_description: Settings of the local Open vSwitch - external_ids, other_config, managers, bridges and ports
version_added: 0.1.0
description:
  - Brings the local Open vSwitch database to the keys of its C(Open_vSwitch) record given in O(external_ids) and
    O(other_config) (what an OVN chassis reads - C(ovn-remote), C(ovn-encap-ip), C(ovn-bridge-mappings)...), to the
    targets its database listens on given in O(managers), and to the bridges given in O(bridges) with their datapath
    type and ports. Keys, bridges and ports not named are left alone.
  - Everything missing is changed in one C(ovs-vsctl) transaction; a second run with the same options changes
    nothing.
  - Some C(other_config) keys (C(userspace-tso-enable)) are read by ovs-vswitchd only when it starts; restarting it
    is the caller's (a handler's) job.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports what would change and changes nothing.
  diff_mode:
    support: full
    details: The keys, managers, bridges and ports before and after.
  platform:
    platforms: posix
requirements:
  - ovs-vsctl (Open vSwitch) on the host, its database running
options:
  external_ids:
    description: Keys of the switch's C(external_ids) and their values; a null value removes the key.
    type: dict
    default: {}
  other_config:
    description: Keys of the switch's C(other_config) and their values; a null value removes the key.
    type: dict
    default: {}
  managers:
    description:
      - The targets Open vSwitch's database listens on besides its unix socket (C(ovs-vsctl set-manager)), for
        example C(ptcp:6640:127.0.0.1) for services that run as their own users (os-vif, the OVN metadata agent).
      - Exactly these when given (an empty list removes every one); not given leaves them alone.
    type: list
    elements: str
  bridges:
    description: Bridges that must exist.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The bridge's name.
        type: str
        required: true
      datapath_type:
        description: C(system) (the kernel datapath) or C(netdev) (the userspace one); empty leaves an existing
          bridge's alone and makes a new one C(system).
        type: str
        choices: ["", system, netdev]
        default: ""
      ports:
        description: Ports (existing network devices) that must be on the bridge.
        type: list
        elements: str
        default: []
"""

EXAMPLES = r"""
- name: An OVN chassis on the userspace datapath, and its provider bridge
  nestedcloud.openstack.ovs_config:
    other_config:
      userspace-tso-enable: "true"
    managers: [ptcp:6640:127.0.0.1]
    external_ids:
      system-id: uc-0002
      hostname: uc-0002
      ovn-remote: tcp:10.22.0.11:6642
      ovn-encap-type: geneve
      ovn-encap-ip: 10.66.0.12
      ovn-bridge-mappings: external:br-ex
      ovn-bridge-datapath-type: netdev
    bridges:
      - name: br-ex
        datapath_type: netdev
        ports: [ovx-ovs]
  register: ovs
"""

RETURN = r"""
changes:
  description: What changed (or would change in check mode), one line each.
  returned: always
  type: list
  elements: str
  sample: ["managers ptcp:6640:127.0.0.1 (was none)", "other_config:userspace-tso-enable=true (was None)",
           "bridge br-ex added (netdev)"]
other_config_changed:
  description: Whether a C(other_config) key changed (ovs-vswitchd reads some only when it starts).
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestedcloud.openstack.plugins.module_utils.host.ovs_vsctl import (
    OvsError, apply, check_targets, commands, read, view)


def main():
    module = AnsibleModule(argument_spec=dict(
        external_ids=dict(type="dict", default={}),
        other_config=dict(type="dict", default={}),
        managers=dict(type="list", elements="str"),
        bridges=dict(type="list", elements="dict", default=[], options=dict(
            name=dict(type="str", required=True),
            datapath_type=dict(type="str", choices=["", "system", "netdev"], default=""),
            ports=dict(type="list", elements="str", default=[]),
        )),
    ), supports_check_mode=True)
    try:
        check_targets(module.params["managers"])
    except OvsError as err:
        module.fail_json(msg=str(err), field="managers")
    if not module.get_bin_path("ovs-vsctl"):
        module.fail_json(msg="ovs-vsctl is not installed on this host (package openvswitch-switch)")

    def run(argv):
        return module.run_command(argv)

    p = module.params
    before, todo, changes = None, [], []
    try:
        before = read(run)
        todo, changes = commands(before, p["external_ids"], p["other_config"], p["bridges"], p["managers"])
        if todo and not module.check_mode:
            apply(run, todo)
    except OvsError as err:
        module.fail_json(msg=str(err))
    result = dict(changed=bool(todo), changes=changes,
                  other_config_changed=any(c.startswith("other_config:") for c in changes))
    if module._diff:
        asked = (p["external_ids"], p["other_config"], p["bridges"], p["managers"])
        result["diff"] = {"before": view(before, *asked), "after": view(before, *asked, wanted=True)}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
