# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The overcloud role's tap guard (roles/overcloud/files/ovs_tap_guard.py) against a fake sysfs and ovs-vsctl."""

from __future__ import annotations

import importlib.util
import json
import os

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "roles", "overcloud", "files", "ovs_tap_guard.py")
_spec = importlib.util.spec_from_file_location("ovs_tap_guard", SCRIPT)
guard = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(guard)


def device(sysfs, name, flags, tap=True):
    path = sysfs / name
    path.mkdir()
    (path / "flags").write_text("0x%x\n" % flags)
    if tap:
        (path / "tun_flags").write_text("0x1002\n")


def listing(*rows):
    """ovs-vsctl --format=json --columns=name,ofport,external_ids list Interface"""
    data = [[name, ofport, ["map", sorted(ids.items())]] for name, ofport, ids in rows]
    return json.dumps({"headings": ["name", "ofport", "external_ids"], "data": data})


VM = {"vm-uuid": "0b1c", "iface-id": "5f2a", "attached-mac": "fa:16:3e:00:00:01", "iface-status": "active"}
UP, DOWN, PROMISC = 0x1003, 0x1002, 0x100


class FakeHost:
    """ovs-vsctl answers from a listing; `ip link set dev X up` sets IFF_UP in the fake sysfs."""

    def __init__(self, sysfs, answer):
        self.sysfs, self.answer, self.calls = sysfs, answer, []

    def __call__(self, argv):
        self.calls.append(argv)
        if argv[0] == "ovs-vsctl":
            return self.answer
        assert argv[:3] == ["ip", "link", "set"] and argv[-1] == "up", argv
        flags = self.sysfs / argv[4] / "flags"
        flags.write_text("0x%x\n" % (int(flags.read_text(), 16) | guard.IFF_UP))
        return ""


def test_only_down_taps_named_like_novas_count(tmp_path):
    device(tmp_path, "tapd00d", DOWN | PROMISC)
    device(tmp_path, "tap0aa1", UP | PROMISC)
    device(tmp_path, "br-int", DOWN)             # the bridge's own tap on the netdev datapath
    device(tmp_path, "tapveth", DOWN, tap=False)  # not a tun/tap device (a veth named tap...)
    assert guard.down_taps(str(tmp_path)) == ["tapd00d"]


def test_held_vm_ports_need_an_openflow_port_and_a_vm():
    answer = listing(("tapheld", 3, VM), ("tapnotyet", ["set", []], VM), ("tapfailed", -1, VM),
                     ("tapmeta", 4, {"iface-id": "9c"}), ("br-int", 65534, {}))
    assert guard.held_vm_ports(answer) == {"tapheld"}


def test_a_held_vm_tap_left_down_is_brought_up_and_said(tmp_path):
    device(tmp_path, "tapheld", DOWN | PROMISC)
    device(tmp_path, "tapnotyet", DOWN)
    device(tmp_path, "tapother", DOWN)  # a tap nobody asked Open vSwitch for: not ours to touch
    host = FakeHost(tmp_path, listing(("tapheld", 3, VM), ("tapnotyet", ["set", []], VM)))
    said = []
    assert guard.sweep(host, str(tmp_path), said.append) == ["tapheld"]
    assert host.calls[-1] == ["ip", "link", "set", "dev", "tapheld", "up"]
    assert guard.down_taps(str(tmp_path)) == ["tapnotyet", "tapother"]
    assert len(said) == 1 and said[0].startswith("tapheld: ")
    # the next sweep finds it up and changes nothing more
    assert guard.sweep(host, str(tmp_path), said.append) == []
    assert len(said) == 1


def test_nothing_down_costs_no_ovs_call(tmp_path):
    device(tmp_path, "tapup", UP | PROMISC)
    host = FakeHost(tmp_path, None)
    assert guard.sweep(host, str(tmp_path)) == [] and host.calls == []


def test_a_failed_sweep_is_said_and_the_loop_goes_on(monkeypatch, capsys):
    def broken(argv):
        raise OSError("ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed")
    monkeypatch.setattr(guard, "_run", broken)
    monkeypatch.setattr(guard, "down_taps", lambda sysfs=None: ["tapx"])
    assert guard.main(["--once"]) == 0
    assert "sweep failed, trying again: ovs-vsctl" in capsys.readouterr().err


@pytest.mark.parametrize("value", [["map", []], ["set", []], None, "x"])
def test_empty_or_odd_external_ids_hold_no_vm(value):
    answer = json.dumps({"headings": ["name", "ofport", "external_ids"], "data": [["tapx", 5, value]]})
    assert guard.held_vm_ports(answer) == set()
