# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vxlan module's core: recorded iproute2 JSON in (fixtures/iproute), argv out."""

from __future__ import annotations

import os

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.host import iproute

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "iproute")
PARAMS = dict(name="vxlan10", bridge="br-vxlan10", vni=10, port=4789, local="10.22.0.11", dev="eth0", learning=True,
              mtu=1400, addresses=["10.33.0.11/16"], peers=["10.22.0.10", "10.22.0.11", "10.22.0.12"])


def recorded(missing=()):
    """A runner answering from the recorded converged state of uc-0001 (devices in ``missing`` absent)."""
    def run(cmd):
        dev = cmd[-1]
        if dev in missing:
            return 1, "", 'Device "%s" does not exist.' % dev
        kind = "fdb" if cmd[0] == "bridge" else "addr" if "addr" in cmd else "link"
        with open(os.path.join(FIXTURES, "%s-%s.json" % (kind, dev))) as handle:
            return 0, handle.read(), ""
    return run


def converged():
    return iproute.current(recorded(), "vxlan10", "br-vxlan10")


def test_reads_the_recorded_state():
    have = converged()
    assert have["device"] == dict(kind="vxlan", vni=10, local="10.22.0.11", port=4789, dev="eth0", learning=True,
                                  mtu=1400, master="br-vxlan10", up=True, peers=["10.22.0.10", "10.22.0.12"])
    # the kernel's fe80:: address is left out
    assert have["bridge"] == dict(kind="bridge", mtu=1400, up=True, addresses=["10.33.0.11/16"])


def test_converged_state_gives_no_command():
    assert iproute.commands(converged(), iproute.normalise(PARAMS), "vxlan10", "br-vxlan10") == []


def test_from_nothing_in_kernel_order():
    have = iproute.current(recorded(missing=("vxlan10", "br-vxlan10")), "vxlan10", "br-vxlan10")
    assert have == {"device": None, "bridge": None}
    got = [" ".join(c) for c in iproute.commands(have, iproute.normalise(PARAMS), "vxlan10", "br-vxlan10")]
    assert got == [
        "ip link add name br-vxlan10 type bridge",
        "ip link add name vxlan10 type vxlan id 10 local 10.22.0.11 dstport 4789 dev eth0",
        "ip link set dev vxlan10 mtu 1400",
        "ip link set dev br-vxlan10 mtu 1400",
        "ip link set dev vxlan10 master br-vxlan10",
        "ip addr add 10.33.0.11/16 dev br-vxlan10",
        "bridge fdb append 00:00:00:00:00:00 dev vxlan10 dst 10.22.0.10",
        "bridge fdb append 00:00:00:00:00:00 dev vxlan10 dst 10.22.0.12",
        "ip link set dev vxlan10 up",
        "ip link set dev br-vxlan10 up",
    ]


def test_removing_a_peer_removes_exactly_its_entry():
    params = dict(PARAMS, peers=["10.22.0.10"])
    got = iproute.commands(converged(), iproute.normalise(params), "vxlan10", "br-vxlan10")
    assert got == [["bridge", "fdb", "del", "00:00:00:00:00:00", "dev", "vxlan10", "dst", "10.22.0.12"]]


def test_adding_a_peer_and_an_address():
    params = dict(PARAMS, peers=PARAMS["peers"] + ["10.22.0.13"], addresses=["10.33.0.11/16", "10.44.0.1/16"])
    got = [" ".join(c) for c in iproute.commands(converged(), iproute.normalise(params), "vxlan10", "br-vxlan10")]
    assert got == ["ip addr add 10.44.0.1/16 dev br-vxlan10",
                   "bridge fdb append 00:00:00:00:00:00 dev vxlan10 dst 10.22.0.13"]


def test_foreign_address_is_removed_and_mtu_corrected():
    have = converged()
    have["bridge"]["addresses"].append("192.0.2.5/24")
    have["device"]["mtu"] = 1450
    got = [" ".join(c) for c in iproute.commands(have, iproute.normalise(PARAMS), "vxlan10", "br-vxlan10")]
    assert got == ["ip link set dev vxlan10 mtu 1400", "ip addr del 192.0.2.5/24 dev br-vxlan10"]


@pytest.mark.parametrize("change", [dict(vni=11), dict(local="10.22.0.99"), dict(port=8472), dict(learning=False)])
def test_fixed_attributes_recreate_the_device(change):
    want = iproute.normalise(dict(PARAMS, **change))
    got = [" ".join(c) for c in iproute.commands(converged(), want, "vxlan10", "br-vxlan10")]
    assert got[0] == "ip link del dev vxlan10" and got[1].startswith("ip link add name vxlan10 type vxlan")
    # made again: enslaved and meshed again, the bridge and its address untouched
    assert "ip link set dev vxlan10 master br-vxlan10" in got and "ip link set dev vxlan10 up" in got
    assert not any("br-vxlan10 type bridge" in c or "ip addr" in c for c in got)


def test_unset_mtu_and_dev_are_left_alone():
    params = dict(PARAMS, mtu=None, dev=None)
    assert iproute.commands(converged(), iproute.normalise(params), "vxlan10", "br-vxlan10") == []


def test_wrong_kind_is_replaced():
    have = converged()
    have["bridge"]["kind"] = "veth"
    got = [" ".join(c) for c in iproute.commands(have, iproute.normalise(PARAMS), "vxlan10", "br-vxlan10")]
    assert got[:2] == ["ip link del dev br-vxlan10", "ip link add name br-vxlan10 type bridge"]


def test_removal():
    assert [" ".join(c) for c in iproute.removal(converged(), "vxlan10", "br-vxlan10")] == [
        "ip link del dev vxlan10", "ip link del dev br-vxlan10"]
    assert iproute.removal({"device": None, "bridge": None}, "vxlan10", "br-vxlan10") == []


@pytest.mark.parametrize("change, field", [
    (dict(local="10.22.0"), "local"), (dict(peers=["10.22.0.300"]), "peers"), (dict(addresses=["10.33.0.11"]), "addresses"),
    (dict(addresses=["nonsense/16"]), "addresses"), (dict(vni=0), "vni"), (dict(vni=2 ** 24), "vni"),
    (dict(port=70000), "port"), (dict(mtu=100), "mtu"),
])
def test_bad_input_names_the_field(change, field):
    with pytest.raises(iproute.IprouteError) as err:
        iproute.normalise(dict(PARAMS, **change))
    assert err.value.field == field and str(err.value).startswith(field + ": ")


def test_failed_read_is_an_error():
    def run(cmd):
        return 1, "", "RTNETLINK answers: Operation not permitted"
    with pytest.raises(iproute.IprouteError, match="not permitted"):
        iproute.current(run, "vxlan10", "br-vxlan10")


def test_boot_script_builds_everything_from_nothing():
    want = iproute.normalise(PARAMS)
    script = iproute.boot_script(want, "vxlan10", "br-vxlan10")
    assert script.startswith(iproute.SCRIPT_HEADER) and "set -e" in script
    lines = script.splitlines()
    first_add = lines.index("ip link add name br-vxlan10 type bridge")
    assert lines[first_add - 2:first_add] == [
        "ip link del dev vxlan10 2>/dev/null || true", "ip link del dev br-vxlan10 2>/dev/null || true"]
    empty = {"device": None, "bridge": None}
    assert lines[first_add:] == [" ".join(c) for c in iproute.commands(empty, want, "vxlan10", "br-vxlan10")]
    assert "dst 10.22.0.11" not in script  # never a peer of itself
    one_less = iproute.boot_script(iproute.normalise(dict(PARAMS, peers=["10.22.0.10"])), "vxlan10", "br-vxlan10")
    assert one_less.count("bridge fdb append") == 1 and script != one_less
