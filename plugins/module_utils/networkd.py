# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""systemd-networkd units that bring a VXLAN device and its bridge back after a reboot.

``units(want, device, bridge)`` returns ``{file name: content}`` from the wanted state of
``iproute.normalise``; the caller writes what differs. Only the two devices are matched by name,
so networkd leaves every other interface of the host (eth0, cloud-init's config) alone.
"""

from __future__ import annotations

HEADER = "# Managed by nestedcloud.openstack.vxlan: changes made here are overwritten.\n"
PREFIX = "50-nestedcloud-"


def _ini(sections):
    lines = [HEADER.rstrip("\n")]
    for title, items in sections:
        lines.append("")
        lines.append("[%s]" % title)
        lines.extend("%s=%s" % (key, value) for key, value in items)
    return "\n".join(lines) + "\n"


def _mtu(want):
    return [("MTUBytes", want["mtu"])] if want.get("mtu") else []


def units(want, device, bridge):
    vx, br = want["device"], want["bridge"]
    vxlan = [("VNI", vx["vni"]), ("Local", vx["local"]), ("DestinationPort", vx["port"]),
             ("MacLearning", "yes" if vx["learning"] else "no"),
             # not tied to the underlay's own .network file, which networkd does not manage here
             ("Independent", "yes")]
    fdb = [("BridgeFDB", [("MACAddress", "00:00:00:00:00:00"), ("Destination", peer)]) for peer in vx["peers"]]
    return {
        PREFIX + bridge + ".netdev": _ini([("NetDev", [("Name", bridge), ("Kind", "bridge")] + _mtu(br)),
                                          ("Bridge", [("STP", "no")])]),
        PREFIX + bridge + ".network": _ini(
            [("Match", [("Name", bridge)]),
             ("Link", [("RequiredForOnline", "no")]),
             ("Network", [("Address", a) for a in br["addresses"]] + [
                 ("ConfigureWithoutCarrier", "yes"), ("LinkLocalAddressing", "no"), ("IPv6AcceptRA", "no")])]),
        PREFIX + device + ".netdev": _ini([("NetDev", [("Name", device), ("Kind", "vxlan")] + _mtu(vx)),
                                          ("VXLAN", vxlan)]),
        PREFIX + device + ".network": _ini(
            [("Match", [("Name", device)]),
             ("Link", [("RequiredForOnline", "no")]),
             ("Network", [("Bridge", bridge), ("LinkLocalAddressing", "no"), ("IPv6AcceptRA", "no")])] + fdb),
    }


def unit_names(device, bridge):
    return [PREFIX + n for n in (bridge + ".netdev", bridge + ".network", device + ".netdev", device + ".network")]
