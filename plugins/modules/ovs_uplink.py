#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ovs_uplink
short_description: A veth pair from a Linux bridge to an Open vSwitch bridge, and an address on the OVS bridge
version_added: 0.1.0
description:
  - Makes a veth pair whose end O(linux_end) is a port of the Linux bridge O(bridge) (the lab's overlay bridge), at
    O(mtu), both ends up; the other end, O(ovs_end), is for the caller to add to an Open vSwitch bridge
    (M(nestedcloud.openstack.ovs_config)).
  - With O(address), puts that address (and no other IPv4 one) on the device of the Open vSwitch bridge
    O(ovs_bridge) and sets it up - where an OVN chassis has its Geneve endpoint on the userspace datapath, which
    must be on a port of a netdev bridge, not on a kernel device.
  - A second run with the same options changes nothing. A veth end left without its peer is made again.
  - The devices live until the host restarts; the role that calls this makes them again on every run.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports the commands it would run (RV(commands)) and runs none.
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - iproute2 (C(ip) with JSON output)
options:
  bridge:
    description: The Linux bridge the veth pair starts on; it must exist.
    type: str
    required: true
  linux_end:
    description: The veth end on O(bridge).
    type: str
    required: true
  ovs_end:
    description: The other veth end, for an Open vSwitch bridge.
    type: str
    required: true
  mtu:
    description: The MTU of both ends (the overlay's).
    type: int
    required: true
  ovs_bridge:
    description: The Open vSwitch bridge whose device gets O(address).
    type: str
  address:
    description: An address with prefix length for O(ovs_bridge)'s device; other IPv4 addresses there are removed.
    type: str
"""

EXAMPLES = r"""
- name: The overlay bridge joined to br-ex, br-ex with the chassis' Geneve endpoint
  nestedcloud.openstack.ovs_uplink:
    bridge: br-vxlan10
    linux_end: ovx-lnx
    ovs_end: ovx-ovs
    mtu: 1400
    ovs_bridge: br-ex
    address: 10.66.0.12/16
"""

RETURN = r"""
commands:
  description: The commands run (or, in check mode, that would run).
  returned: always
  type: list
  elements: list
  sample: [["ip", "addr", "add", "10.66.0.12/16", "dev", "br-ex"]]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestedcloud.openstack.plugins.module_utils.host.iproute import IprouteError
from ansible_collections.nestedcloud.openstack.plugins.module_utils.host.uplink import commands


def main():
    module = AnsibleModule(argument_spec=dict(
        bridge=dict(type="str", required=True),
        linux_end=dict(type="str", required=True),
        ovs_end=dict(type="str", required=True),
        mtu=dict(type="int", required=True),
        ovs_bridge=dict(type="str"),
        address=dict(type="str"),
    ), required_together=[("ovs_bridge", "address")], supports_check_mode=True)
    p = module.params
    if not 576 <= p["mtu"] <= 65000:
        module.fail_json(msg="mtu: %d is not a usable MTU (576-65000)" % p["mtu"])

    def run(argv):
        return module.run_command(argv)

    try:
        todo = commands(run, p)
    except IprouteError as err:
        module.fail_json(msg=str(err))
    if not module.check_mode:
        for argv in todo:
            rc, out, err = module.run_command(argv)
            if rc != 0:
                module.fail_json(msg="%s: %s" % (" ".join(argv), (err or out).strip()), commands=todo)
    module.exit_json(changed=bool(todo), commands=todo)


if __name__ == "__main__":
    main()
