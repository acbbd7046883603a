# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_uplink's commands from what `ip -j` shows (made-up devices in iproute2's JSON shape)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.host.iproute import IprouteError
from ansible_collections.nestedcloud.openstack.plugins.module_utils.host.uplink import commands

WANTED = {"bridge": "br-vxlan10", "linux_end": "ovx-lnx", "ovs_end": "ovx-ovs", "mtu": 1400}
WITH_ADDRESS = dict(WANTED, ovs_bridge="br-ex", address="10.66.0.12/16")


def fake(devices, addrs=None):
    """`ip -j -d link show dev X` and `ip -j addr show dev X` over a dict of devices."""
    def run(argv):
        name = argv[-1]
        if name not in devices:
            return 1, "", 'Device "%s" does not exist.\n' % name
        if argv[:3] == ["ip", "-j", "addr"]:
            info = [{"family": "inet", "local": a.split("/")[0], "prefixlen": int(a.split("/")[1]), "scope": "global"}
                    for a in (addrs or {}).get(name, [])]
            info.append({"family": "inet6", "local": "fe80::1", "prefixlen": 64, "scope": "link"})
            return 0, json.dumps([{"ifname": name, "addr_info": info}]), ""
        return 0, json.dumps([dict(devices[name], ifname=name)]), ""
    return run


def veth(master=None, up=True, mtu=1400):
    dev = {"mtu": mtu, "flags": ["BROADCAST", "UP"] if up else ["BROADCAST"], "linkinfo": {"info_kind": "veth"}}
    if master:
        dev["master"] = master
    return dev


BRIDGE = {"mtu": 1400, "flags": ["UP"], "linkinfo": {"info_kind": "bridge"}}


def test_a_fresh_host_gets_the_pair_on_the_bridge_and_up():
    assert commands(fake({"br-vxlan10": BRIDGE}), WANTED) == [
        ["ip", "link", "add", "ovx-lnx", "mtu", "1400", "type", "veth", "peer", "name", "ovx-ovs", "mtu", "1400"],
        ["ip", "link", "set", "dev", "ovx-lnx", "master", "br-vxlan10"],
        ["ip", "link", "set", "dev", "ovx-lnx", "up"],
        ["ip", "link", "set", "dev", "ovx-ovs", "up"],
    ]


def test_a_converged_host_needs_nothing():
    devices = {"br-vxlan10": BRIDGE, "ovx-lnx": veth("br-vxlan10"), "ovx-ovs": veth("ovs-system"),
               "br-ex": {"mtu": 1400, "flags": ["UP"], "linkinfo": {"info_kind": "tun"}}}
    assert commands(fake(devices, {"br-ex": ["10.66.0.12/16"]}), WITH_ADDRESS) == []


def test_drift_is_repaired_and_a_lone_end_is_made_again():
    devices = {"br-vxlan10": BRIDGE, "ovx-lnx": veth(None, up=False, mtu=1500), "ovx-ovs": veth()}
    assert commands(fake(devices), WANTED) == [
        ["ip", "link", "set", "dev", "ovx-lnx", "mtu", "1400"],
        ["ip", "link", "set", "dev", "ovx-lnx", "master", "br-vxlan10"],
        ["ip", "link", "set", "dev", "ovx-lnx", "up"],
    ]
    lone = {"br-vxlan10": BRIDGE, "ovx-lnx": veth("br-vxlan10")}
    assert commands(fake(lone), WANTED)[:2] == [
        ["ip", "link", "del", "dev", "ovx-lnx"],
        ["ip", "link", "add", "ovx-lnx", "mtu", "1400", "type", "veth", "peer", "name", "ovx-ovs", "mtu", "1400"]]


def test_the_address_replaces_another_ipv4_one_and_the_device_comes_up():
    devices = {"br-vxlan10": BRIDGE, "ovx-lnx": veth("br-vxlan10"), "ovx-ovs": veth("ovs-system"),
               "br-ex": {"mtu": 1400, "flags": []}}
    assert commands(fake(devices, {"br-ex": ["10.66.0.99/16"]}), WITH_ADDRESS) == [
        ["ip", "addr", "del", "10.66.0.99/16", "dev", "br-ex"],
        ["ip", "addr", "add", "10.66.0.12/16", "dev", "br-ex"],
        ["ip", "link", "set", "dev", "br-ex", "up"],
    ]


@pytest.mark.parametrize("wanted,devices,field", [
    (WANTED, {}, "bridge"),
    (WITH_ADDRESS, {"br-vxlan10": BRIDGE, "ovx-lnx": veth("br-vxlan10"), "ovx-ovs": veth()}, "ovs_bridge"),
    (dict(WITH_ADDRESS, address="10.66.0.12"), {"br-vxlan10": BRIDGE, "ovx-lnx": veth("br-vxlan10"),
                                                "ovx-ovs": veth()}, "address"),
    (dict(WITH_ADDRESS, address="not-an-address/16"), {"br-vxlan10": BRIDGE, "ovx-lnx": veth("br-vxlan10"),
                                                       "ovx-ovs": veth()}, "address"),
])
def test_what_cannot_be_done_names_the_option(wanted, devices, field):
    with pytest.raises(IprouteError) as err:
        commands(fake(devices), wanted)
    assert err.value.field == field
