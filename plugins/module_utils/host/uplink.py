# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A veth pair from a Linux bridge to an Open vSwitch bridge, and an address on the OVS bridge's own device.

``commands(run, wanted)`` reads the devices with ``ip -j`` and returns the argv lists that bring them to ``wanted``
(none when they agree), so unit tests feed it recorded JSON.
"""

from __future__ import annotations

import ipaddress

from ansible_collections.nestedcloud.openstack.plugins.module_utils.host.iproute import IprouteError, addresses, link


def _up(dev):
    return "UP" in dev.get("flags", [])


def commands(run, wanted):
    """``wanted``: bridge, linux_end, ovs_end, mtu, and optionally ovs_bridge with address (CIDR)."""
    cmds = []
    mtu = wanted["mtu"]
    bridge = link(run, wanted["bridge"])
    if bridge is None:
        raise IprouteError("bridge", "%s does not exist (the overlay layer makes it)" % wanted["bridge"])
    linux, ovs = link(run, wanted["linux_end"]), link(run, wanted["ovs_end"])
    kind = ((linux or {}).get("linkinfo") or {}).get("info_kind")
    if linux is not None and (kind != "veth" or ovs is None):
        cmds.append(["ip", "link", "del", "dev", wanted["linux_end"]])
        linux = None
    if linux is None:
        cmds.append(["ip", "link", "add", wanted["linux_end"], "mtu", str(mtu), "type", "veth", "peer", "name",
                     wanted["ovs_end"], "mtu", str(mtu)])
        linux, ovs = {"mtu": mtu}, {"mtu": mtu}
    for name, dev in ((wanted["linux_end"], linux), (wanted["ovs_end"], ovs)):
        if dev.get("mtu") != mtu:
            cmds.append(["ip", "link", "set", "dev", name, "mtu", str(mtu)])
    if linux.get("master") != wanted["bridge"]:
        cmds.append(["ip", "link", "set", "dev", wanted["linux_end"], "master", wanted["bridge"]])
    for name, dev in ((wanted["linux_end"], linux), (wanted["ovs_end"], ovs)):
        if not _up(dev):
            cmds.append(["ip", "link", "set", "dev", name, "up"])
    if wanted.get("address"):
        try:
            address = str(ipaddress.ip_interface(wanted["address"]))
        except ValueError:
            raise IprouteError("address", "%r is not an address with a prefix length" % wanted["address"])
        if "/" not in wanted["address"]:
            raise IprouteError("address", "%r has no prefix length (like 10.66.0.12/16)" % wanted["address"])
        dev = link(run, wanted["ovs_bridge"])
        if dev is None:
            raise IprouteError("ovs_bridge", "%s has no device: is it an Open vSwitch bridge that exists?"
                               % wanted["ovs_bridge"])
        have = addresses(run, wanted["ovs_bridge"])
        for other in have:
            if other != address and ipaddress.ip_interface(other).version == 4:
                cmds.append(["ip", "addr", "del", other, "dev", wanted["ovs_bridge"]])
        if address not in have:
            cmds.append(["ip", "addr", "add", address, "dev", wanted["ovs_bridge"]])
        # its MTU is Open vSwitch's to set (the smallest of the bridge's ports): never fought over here
        if not _up(dev):
            cmds.append(["ip", "link", "set", "dev", wanted["ovs_bridge"], "up"])
    return cmds
