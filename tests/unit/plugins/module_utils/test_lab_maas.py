# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The maas_juju part of the plan: MAAS's subnet and ranges, the machines it enlists, Juju's tags."""

from __future__ import annotations

import ipaddress

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from tests.labs import OUTER

LAB = {"name": "lab1", "cloud": "mycloud", **OUTER, "undercloud_count": 3,
       "overcloud": {"kind": "maas_juju", "hosts": "nested"}, "nested_vms": {"count": 5}}


def _in(address, ranges):
    ip = ipaddress.ip_address(address)
    return any(ipaddress.ip_address(r["start"]) <= ip <= ipaddress.ip_address(r["end"]) for r in ranges)


def test_packaged_has_no_maas_section():
    assert build_plan({"name": "lab1", "cloud": "c", **OUTER})["maas_juju"] is None


def test_maas_runs_on_the_first_oc_vm_at_its_static_address():
    maas = build_plan(LAB)["maas_juju"]["maas"]
    assert (maas["host"], maas["address"], maas["url"]) == ("oc-0001", "10.33.1.1", "http://10.33.1.1:5240/MAAS")
    assert (maas["subnet"], maas["gateway"]) == ("10.33.0.0/16", "10.33.0.1")
    assert (maas["dns"], maas["ntp"]) == (["10.33.0.1"], ["10.33.0.1"])
    assert maas["vlan_mtu"] == build_plan(LAB)["mtu"]["overlay"]


def test_reserved_ranges_cover_every_static_host_that_maas_does_not_manage():
    plan = build_plan(LAB)
    maas = plan["maas_juju"]["maas"]
    for host in ["r0", "uc-0001", "uc-0002", "uc-0003", "oc-0001"]:
        assert _in(plan["hosts"][host]["overlay_ip"], maas["reserved"]), host
    for machine in plan["maas_juju"]["machines"]:  # MAAS gives these their planned address when it deploys them
        assert not _in(machine["address"], maas["reserved"] + [maas["dynamic"]]), machine["name"]


def test_dynamic_range_is_inside_the_subnet_and_apart_from_every_static_address():
    plan = build_plan(LAB)
    dynamic = plan["maas_juju"]["maas"]["dynamic"]
    net = ipaddress.ip_network(plan["networks"]["overlay"]["cidr"])
    assert ipaddress.ip_address(dynamic["start"]) in net and ipaddress.ip_address(dynamic["end"]) in net
    assert (dynamic["start"], dynamic["end"]) == ("10.33.2.1", "10.33.2.254")
    for name, host in plan["hosts"].items():
        assert not _in(host["overlay_ip"], [dynamic]), name


def test_machines_power_tags_and_disks():
    plan = build_plan(LAB)
    machines = {m["name"]: m for m in plan["maas_juju"]["machines"]}
    assert sorted(machines) == ["oc-0002", "oc-0003", "oc-0004", "oc-0005"]
    controller = machines["oc-0002"]
    assert controller["tags"] == ["juju-controller"]
    assert [d["dev"] for d in controller["disks"]] == ["vda"]
    for name in ["oc-0003", "oc-0004", "oc-0005"]:
        machine = machines[name]
        host = plan["hosts"][name]
        assert machine["tags"] == ["openstack"]
        assert machine["disks"] == [{"dev": "vda", "gb": 20}, {"dev": "vdb", "gb": 20, "purpose": "ceph"}]
        assert (machine["mac"], machine["data_mac"]) == (host["nics"][0]["mac"], host["nics"][1]["mac"])
        uc = plan["placement"][name]
        assert machine["power"] == {"type": "redfish", "address": "http://%s:8000" % plan["hosts"][uc]["overlay_ip"],
                                    "node_id": host["uuid"]}
    juju = plan["maas_juju"]["juju"]
    assert juju["controller"] == "oc-0002" and juju["openstack_machines"] == ["oc-0003", "oc-0004", "oc-0005"]
    assert juju["data_macs"] == [machines[n]["data_mac"] for n in juju["openstack_machines"]]
    assert "10.33.0.0/16" in juju["no_proxy"]


def test_vm_uuids_are_stable_and_distinct_per_lab():
    one, again = build_plan(LAB), build_plan(LAB)
    other = build_plan(dict(LAB, name="lab2"))
    assert one["hosts"]["oc-0003"]["uuid"] == again["hosts"]["oc-0003"]["uuid"]
    assert one["hosts"]["oc-0003"]["uuid"] != other["hosts"]["oc-0003"]["uuid"]
    assert len({h["uuid"] for h in one["hosts"].values() if h["kind"] == "nested"}) == 5


def test_ceph_disk_size_from_the_definition():
    lab = dict(LAB, overcloud={"kind": "maas_juju", "hosts": "nested", "ceph_disk_gb": 40})
    machine = build_plan(lab)["maas_juju"]["machines"][1]
    assert machine["disks"][1] == {"dev": "vdb", "gb": 40, "purpose": "ceph"}
