#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vxlan
short_description: A VXLAN device on a bridge with unicast head-end replication to a list of peers
version_added: 0.1.0
description:
  - Makes a VXLAN device (default C(vxlan10)) enslaved to a Linux bridge (default C(br-vxlan10)), with the
    given MTU on both, the given addresses on the bridge, and one all-zero FDB entry per peer, so that
    broadcast and unknown traffic is copied to every peer by unicast (clouds carry no multicast).
  - Reads the state as JSON (C(ip -j -d link), C(ip -j addr), C(bridge -j fdb)), compares it with the wanted
    state and runs only the C(ip)/C(bridge) commands that differ. Removing a peer from O(peers) removes
    exactly its FDB entry; addresses on the bridge that are not in O(addresses) are removed.
  - VNI, local address, UDP port, underlay device and learning cannot change on a live device; when they
    differ, the device is deleted and made again.
  - With O(boot_script), also writes a shell script that builds the same state from nothing; a boot-time unit
    (the C(overlay) role installs C(nestedcloud-overlay.service)) runs it, so the overlay comes back after a
    reboot. The script is made from the same commands as the live change, so the two cannot drift apart.
  - If a command fails, the devices this run created are deleted again and the error names the option.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Runs no command that changes anything; RV(actions) lists the commands that would run.
  diff_mode:
    support: full
    details: The devices' state before and after, and the boot script when it would change.
  platform:
    platforms: posix
requirements:
  - iproute2 with JSON output (C(ip -j), C(bridge -j)) on the managed host
options:
  name:
    description: The VXLAN device.
    type: str
    default: vxlan10
  bridge:
    description: The bridge the VXLAN device is a port of; the nested VMs' NICs join it too.
    type: str
    default: br-vxlan10
  state:
    description: C(present) makes or corrects both devices; C(absent) deletes both (and the boot script).
    type: str
    choices: [present, absent]
    default: present
  vni:
    description: The VXLAN network identifier (1-16777215).
    type: int
    default: 10
  port:
    description: The UDP destination port.
    type: int
    default: 4789
  local:
    description: This host's underlay address, the source of the encapsulated packets. Required when present.
    type: str
  dev:
    description: The underlay device. The kernel then keeps the VXLAN MTU at most the underlay's minus 50.
    type: str
  learning:
    description: Whether the device learns remote MACs from the packets it receives.
    type: bool
    default: true
  mtu:
    description: MTU of the VXLAN device and the bridge (the underlay MTU minus 50). Left as it is when unset.
    type: int
  addresses:
    description: Addresses with prefix length on the bridge (like C(10.33.0.11/16)); others are removed.
    type: list
    elements: str
    default: []
  peers:
    description:
      - Underlay addresses of the other members of the mesh; each gets one all-zero FDB entry.
      - This host's own O(local) address may be in the list (the whole mesh, as the plan gives it); it is skipped.
    type: list
    elements: str
    default: []
  boot_script:
    description:
      - Path of a shell script (mode 0755) that rebuilds this state from nothing, for a unit run at boot.
      - Unset changes the live state only.
    type: path
"""

EXAMPLES = r"""
- name: The overlay of uc-0001, meshed with r0 and uc-0002
  nestedcloud.openstack.vxlan:
    local: 10.22.0.11
    dev: eth0
    mtu: 1400
    addresses: [10.33.0.11/16]
    peers: [10.22.0.10, 10.22.0.12]

- name: Take the overlay down
  nestedcloud.openstack.vxlan:
    state: absent
"""

RETURN = r"""
actions:
  description: The commands run (or, in check mode, that would run), one string each.
  returned: always
  type: list
  elements: str
  sample: ["ip link add name br-vxlan10 type bridge", "bridge fdb append 00:00:00:00:00:00 dev vxlan10 dst 10.22.0.12"]
state:
  description: The devices' state after the run (in check mode, the state before), C(null) for a missing device.
  returned: always
  type: dict
  contains:
    device:
      description: The VXLAN device (kind, vni, local, port, dev, learning, mtu, master, up, peers).
      type: dict
    bridge:
      description: The bridge (kind, mtu, up, addresses).
      type: dict
script_changed:
  description: Whether the boot script was written or removed (or, in check mode, would be).
  returned: always
  type: bool
"""

import os
import shlex

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestedcloud.openstack.plugins.module_utils.host import iproute


def _field(cmd):
    """The option a failed command comes from, to name it in the error."""
    text = " ".join(cmd)
    if " mtu " in text:
        return "mtu"
    if cmd[:3] == ["ip", "addr", "add"]:
        return "addresses"
    if cmd[0] == "bridge":
        return "peers"
    if "type vxlan" in text:
        return "dev" if " dev " in text else "local"
    return "name"


class Vxlan:
    def __init__(self, module):
        self.module, self.params = module, module.params
        self.actions, self.created = [], []

    def run(self, cmd):
        return self.module.run_command(cmd)

    def act(self, cmds):
        for cmd in cmds:
            self.actions.append(" ".join(shlex.quote(c) for c in cmd))
            if self.module.check_mode:
                continue
            rc, _out, err = self.run(cmd)
            if rc != 0:
                self.undo()
                self.module.fail_json(msg="%s: '%s' failed: %s" % (_field(cmd), " ".join(cmd), err.strip()),
                                      actions=self.actions)
            if cmd[:3] == ["ip", "link", "add"]:
                self.created.append(cmd[4])

    def undo(self):
        for name in reversed(self.created):
            self.run(["ip", "link", "del", "dev", name])

    def script(self, want):
        """Write (or with want=None remove) the boot script; returns (before, after) when it changes."""
        path = self.params["boot_script"]
        before = open(path).read() if os.path.exists(path) else None
        after = iproute.boot_script(want, self.params["name"], self.params["bridge"]) if want is not None else None
        if before == after:
            return None
        if not self.module.check_mode:
            if after is None:
                os.unlink(path)
            else:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                tmp = path + ".nestedcloud-tmp"
                with open(tmp, "w") as handle:
                    handle.write(after)
                os.chmod(tmp, 0o755)
                self.module.atomic_move(tmp, path)
        return before, after


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", default="vxlan10"),
            bridge=dict(type="str", default="br-vxlan10"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            vni=dict(type="int", default=10),
            port=dict(type="int", default=4789),
            local=dict(type="str"),
            dev=dict(type="str"),
            learning=dict(type="bool", default=True),
            mtu=dict(type="int"),
            addresses=dict(type="list", elements="str", default=[]),
            peers=dict(type="list", elements="str", default=[]),
            boot_script=dict(type="path"),
        ),
        required_if=[("state", "present", ["local"])],
        supports_check_mode=True,
    )
    p = module.params
    if p["name"] == p["bridge"]:
        module.fail_json(msg="bridge: must differ from name (%s)" % p["name"])
    vx = Vxlan(module)
    try:
        want = iproute.normalise(p) if p["state"] == "present" else None
        have = iproute.current(vx.run, p["name"], p["bridge"])
    except iproute.IprouteError as err:
        module.fail_json(msg=str(err))
    if want is None:
        vx.act(iproute.removal(have, p["name"], p["bridge"]))
    else:
        vx.act(iproute.commands(have, want, p["name"], p["bridge"]))
    script = vx.script(want) if p["boot_script"] else None
    after = have if module.check_mode or not vx.actions else iproute.current(vx.run, p["name"], p["bridge"])
    result = dict(changed=bool(vx.actions or script), actions=vx.actions, state=after, script_changed=bool(script))
    if module._diff:
        result["diff"] = [dict(before=have, after=want if want is not None else {"device": None, "bridge": None})]
        if script:
            result["diff"].append(dict(before_header=p["boot_script"], after_header=p["boot_script"],
                                       before=script[0] or "", after=script[1] or ""))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
