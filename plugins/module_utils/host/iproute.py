# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A VXLAN device on a bridge, with one all-zero FDB entry per peer: iproute2 JSON in, argv out.

``current(run)`` reads the state with ``ip -j -d link``, ``ip -j addr`` and ``bridge -j fdb``;
``normalise`` puts the wanted state in the same shape; ``commands(current, wanted)`` returns the
argv lists that take one to the other (none when they agree). Pure functions except ``current``,
which takes the command runner, so unit tests feed it recorded JSON.
"""

from __future__ import annotations

import ipaddress
import json
import shlex

ZERO_MAC = "00:00:00:00:00:00"


class IprouteError(Exception):
    def __init__(self, field, message):
        super().__init__("%s: %s" % (field, message))
        self.field = field


def _link(run, name):
    rc, out, err = run(["ip", "-j", "-d", "link", "show", "dev", name])
    if rc != 0:
        if "does not exist" in err or "Cannot find device" in err:
            return None
        raise IprouteError(name, "ip link show failed: %s" % err.strip())
    found = json.loads(out or "[]")
    return found[0] if found else None


def _addresses(run, name):
    rc, out, err = run(["ip", "-j", "addr", "show", "dev", name])
    if rc != 0:
        raise IprouteError(name, "ip addr show failed: %s" % err.strip())
    result = []
    for link in json.loads(out or "[]"):
        for addr in link.get("addr_info", []):
            if addr.get("scope") == "link" and addr.get("family") == "inet6":
                continue  # the kernel's own fe80:: address is not ours to manage
            result.append(str(ipaddress.ip_interface("%s/%s" % (addr["local"], addr["prefixlen"]))))
    return sorted(result)


def _peers(run, name):
    rc, out, err = run(["bridge", "-j", "fdb", "show", "dev", name])
    if rc != 0:
        raise IprouteError(name, "bridge fdb show failed: %s" % err.strip())
    peers = [e["dst"] for e in json.loads(out or "[]") if e.get("mac") == ZERO_MAC and e.get("dst")]
    return sorted(set(peers), key=ipaddress.ip_address)


def link(run, name):
    """``ip -j -d link show`` of one device, None when it does not exist."""
    return _link(run, name)


def addresses(run, name):
    """The device's addresses with prefix length, sorted (the kernel's fe80:: left out)."""
    return _addresses(run, name)


def current(run, device, bridge):
    """The state of ``device`` and ``bridge`` now, in the shape of ``normalise``; None for what is missing."""
    vx, br = _link(run, device), _link(run, bridge)
    state = {"device": None, "bridge": None}
    if vx is not None:
        info = vx.get("linkinfo", {})
        data = info.get("info_data", {})
        state["device"] = dict(
            kind=info.get("info_kind"), vni=data.get("id"), local=data.get("local"), port=data.get("port"),
            dev=data.get("link"), learning=bool(data.get("learning", True)), mtu=vx.get("mtu"),
            master=vx.get("master"), up="UP" in vx.get("flags", []),
            peers=_peers(run, device) if info.get("info_kind") == "vxlan" else [])
    if br is not None:
        state["bridge"] = dict(kind=br.get("linkinfo", {}).get("info_kind"), mtu=br.get("mtu"),
                               up="UP" in br.get("flags", []), addresses=_addresses(run, bridge))
    return state


def normalise(params):
    """The wanted state from the module's parameters; IprouteError names the bad field."""
    try:
        local = str(ipaddress.ip_address(params["local"]))
    except ValueError:
        raise IprouteError("local", "%r is not an IP address" % params["local"])
    peers = []
    for value in params["peers"]:
        try:
            peer = ipaddress.ip_address(value)
        except ValueError:
            raise IprouteError("peers", "%r is not an IP address" % value)
        if str(peer) != local and str(peer) not in peers:  # our own address is never a peer
            peers.append(str(peer))
    addresses = []
    for value in params["addresses"]:
        try:
            addresses.append(str(ipaddress.ip_interface(value)))
        except ValueError:
            raise IprouteError("addresses", "%r is not an address with a prefix length (like 10.33.0.1/16)" % value)
        if "/" not in value:
            raise IprouteError("addresses", "%r has no prefix length (like 10.33.0.1/16)" % value)
    if not 1 <= params["vni"] <= 16777215:
        raise IprouteError("vni", "%d is out of range 1-16777215" % params["vni"])
    if not 1 <= params["port"] <= 65535:
        raise IprouteError("port", "%d is not a UDP port" % params["port"])
    if params["mtu"] is not None and not 576 <= params["mtu"] <= 65000:
        raise IprouteError("mtu", "%d is not a usable MTU (576-65000)" % params["mtu"])
    return {
        "device": dict(kind="vxlan", vni=params["vni"], local=local, port=params["port"], dev=params["dev"],
                       learning=params["learning"], mtu=params["mtu"], master=params["bridge"], up=True,
                       peers=sorted(peers, key=ipaddress.ip_address)),
        "bridge": dict(kind="bridge", mtu=params["mtu"], up=True,
                       addresses=sorted(addresses)),
    }


# attributes the kernel cannot change on a live VXLAN device: a difference means delete and add again
FIXED = ("kind", "vni", "local", "port", "dev", "learning")


def _differs(have, want, key):
    return want.get(key) is not None and have.get(key) != want[key]


def commands(have, want, device, bridge):
    """argv lists that take ``have`` to ``want`` (present), in an order the kernel accepts."""
    cmds = []
    br, vx = have["bridge"], have["device"]
    wbr, wvx = want["bridge"], want["device"]
    if br is not None and br["kind"] != "bridge":
        cmds.append(["ip", "link", "del", "dev", bridge])
        br = None
    if br is None:
        cmds.append(["ip", "link", "add", "name", bridge, "type", "bridge"])
        br = dict(kind="bridge", mtu=None, up=False, addresses=[])
    if vx is not None and any(_differs(vx, wvx, k) for k in FIXED):
        cmds.append(["ip", "link", "del", "dev", device])
        vx = None
    if vx is None:
        add = ["ip", "link", "add", "name", device, "type", "vxlan", "id", str(wvx["vni"]), "local", wvx["local"],
               "dstport", str(wvx["port"])]
        add += ["dev", wvx["dev"]] if wvx["dev"] else []
        add += [] if wvx["learning"] else ["nolearning"]
        cmds.append(add)
        vx = dict(mtu=None, master=None, up=False, peers=[])
    if _differs(vx, wvx, "mtu"):
        cmds.append(["ip", "link", "set", "dev", device, "mtu", str(wvx["mtu"])])
    if _differs(br, wbr, "mtu"):
        cmds.append(["ip", "link", "set", "dev", bridge, "mtu", str(wbr["mtu"])])
    if vx["master"] != bridge:
        cmds.append(["ip", "link", "set", "dev", device, "master", bridge])
    for addr in br["addresses"]:
        if addr not in wbr["addresses"]:
            cmds.append(["ip", "addr", "del", addr, "dev", bridge])
    for addr in wbr["addresses"]:
        if addr not in br["addresses"]:
            cmds.append(["ip", "addr", "add", addr, "dev", bridge])
    for peer in vx["peers"]:
        if peer not in wvx["peers"]:
            cmds.append(["bridge", "fdb", "del", ZERO_MAC, "dev", device, "dst", peer])
    for peer in wvx["peers"]:
        if peer not in vx["peers"]:
            cmds.append(["bridge", "fdb", "append", ZERO_MAC, "dev", device, "dst", peer])
    if not vx["up"]:
        cmds.append(["ip", "link", "set", "dev", device, "up"])
    if not br["up"]:
        cmds.append(["ip", "link", "set", "dev", bridge, "up"])
    return cmds


def removal(have, device, bridge):
    """argv lists that remove both devices (their FDB entries and addresses go with them)."""
    cmds = []
    if have["device"] is not None:
        cmds.append(["ip", "link", "del", "dev", device])
    if have["bridge"] is not None:
        cmds.append(["ip", "link", "del", "dev", bridge])
    return cmds


SCRIPT_HEADER = "#!/bin/sh\n# Managed by nestedcloud.openstack.vxlan: changes made here are overwritten.\n"


def boot_script(want, device, bridge):
    """A shell script that builds the wanted state from nothing (what a boot starts from).

    It first removes the two devices if they exist, so running it again rebuilds rather than fails.
    """
    vx = want["device"]
    lines = [SCRIPT_HEADER.rstrip("\n"), "set -e",
             "# %s on %s: VNI %s, local %s, %d peer(s)" % (device, bridge, vx["vni"], vx["local"], len(vx["peers"])),
             "ip link del dev %s 2>/dev/null || true" % device,
             "ip link del dev %s 2>/dev/null || true" % bridge]
    empty = {"device": None, "bridge": None}
    lines.extend(" ".join(shlex.quote(c) for c in cmd) for cmd in commands(empty, want, device, bridge))
    return "\n".join(lines) + "\n"
