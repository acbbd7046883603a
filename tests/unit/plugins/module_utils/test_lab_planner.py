# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the planner derives from a good lab definition."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.schema import LabDefinitionError, normalize
from tests.labs import OUTER

LAB = {"name": "lab1", "cloud": "mycloud", **OUTER, "ssh_allowed_cidrs": ["198.51.100.7/32"]}


def _lab(**changes):
    lab = copy.deepcopy(LAB)
    for key, value in changes.items():
        if isinstance(value, dict):
            lab.setdefault(key, {}).update(value)
        else:
            lab[key] = value
    return lab


def test_defaults_follow_the_design():
    plan = build_plan(LAB)
    assert plan["tag"] == "nestedcloud-lab1"
    assert plan["networks"]["underlay"]["cidr"] == "10.22.0.0/16"
    assert plan["networks"]["overlay"]["gateway"] == "10.33.0.1"
    assert plan["networks"]["inner_external"]["gateway"] == "10.44.0.1"
    assert plan["networks"]["inner_tenant"]["cidr"] == "10.55.0.0/16"
    assert plan["networks"]["overlay"]["vni"] == 10
    assert plan["networks"]["overlay"]["bridge"] == "br-vxlan10"
    assert sorted(plan["groups"]["undercloud"]) == ["uc-0001", "uc-0002", "uc-0003", "uc-0004"]
    assert plan["groups"]["nested"] == ["oc-%04d" % n for n in range(1, 7)]


def test_names_and_addresses():
    plan = build_plan(LAB)
    hosts = plan["hosts"]
    assert hosts["r0"]["underlay_ip"] == "10.22.0.10"
    assert hosts["r0"]["server_name"] == "lab1-r0"
    assert hosts["uc-0003"]["underlay_ip"] == "10.22.0.13"
    assert hosts["uc-0003"]["overlay_ip"] == "10.33.0.13"
    assert hosts["uc-0003"]["fqdn"] == "uc-0003.lab1.test"
    assert hosts["oc-0002"]["overlay_ip"] == "10.33.1.2"
    assert hosts["oc-0002"]["gateway"] == "10.33.0.1"
    every = [h.get("underlay_ip") for h in hosts.values() if h.get("underlay_ip")]
    assert len(every) == len(set(every))
    overlay = [h["overlay_ip"] for h in hosts.values()]
    assert len(overlay) == len(set(overlay))


def test_r0_carries_the_gateways_and_snat():
    plan = build_plan(LAB)
    assert plan["hosts"]["r0"]["addresses"] == ["10.33.0.1/16", "10.44.0.1/16"]
    assert plan["jumphost"]["snat_sources"] == ["10.33.0.0/16", "10.44.0.0/16"]
    assert plan["jumphost"]["ssh_allowed_cidrs"] == ["198.51.100.7/32"]


def test_vxlan_full_mesh():
    plan = build_plan(LAB)
    vteps = ["r0", "uc-0001", "uc-0002", "uc-0003", "uc-0004"]
    for host in vteps:
        peers = plan["hosts"][host]["vxlan_peers"]
        others = [plan["hosts"][h]["underlay_ip"] for h in vteps if h != host]
        assert peers == others
    assert "vxlan_peers" not in plan["hosts"]["oc-0001"]


@pytest.mark.parametrize("underlay,source", [(1500, "measured"), (1450, "measured"), (9000, "measured")])
def test_mtu_from_measured_underlay(underlay, source):
    """Below the overlay (VXLAN, 50 bytes): the inner tenant networks' Geneve, 58 (ML2/OVN, the default and only
    backend: max_header_size 38 + the outer IPv4 header)."""
    plan = build_plan(_lab(), underlay_mtu=underlay)
    assert plan["mtu"] == {"underlay": underlay, "overlay": underlay - 50, "inner_external": underlay - 50,
                           "inner_tenant": underlay - 108, "tenant_overhead": 58, "source": source}
    assert plan["hosts"]["oc-0001"]["nics"][0]["mtu"] == underlay - 50
    assert plan["networks"]["inner_tenant"]["mtu"] == underlay - 108
    assert plan["networks"]["inner_tunnel"]["type"] == "geneve"


def test_linuxbridge_is_refused_naming_the_field():
    """Neutron 2025.1 removed ML2/LinuxBridge; a lab that still asks for it is refused before any API call."""
    with pytest.raises(LabDefinitionError, match=r"nestedcloud_lab\.overcloud\.network: .*linuxbridge.*ovn"):
        build_plan(_lab(overcloud={"network": "linuxbridge"}))


def test_ovn_tenant_mtu_is_what_neutron_gives_geneve():
    """Neutron's Geneve MTU: the path MTU minus max_header_size minus the outer IPv4 header; with the recipe's 38
    and a 1500 overlay that is 1442, the largest DF frame measured over Geneve on OVS's userspace datapath."""
    plan = build_plan(_lab(overcloud={"network": "ovn"}), underlay_mtu=1550)
    assert plan["mtu"]["overlay"] == 1500 and plan["mtu"]["inner_tenant"] == 1442
    assert plan["mtu"]["tenant_overhead"] == 58 and plan["mtu"]["inner_external"] == 1500
    assert plan["networks"]["inner_tunnel"] == {"cidr": "10.66.0.0/16", "type": "geneve", "header_size": 38}
    bigger = build_plan(_lab(overcloud={"network": "ovn", "geneve_header_size": 50}), underlay_mtu=1550)
    assert bigger["mtu"]["inner_tenant"] == 1430
    # charmed OpenStack (maas_juju) runs ML2/OVN as well
    charmed = build_plan(_lab(overcloud={"kind": "maas_juju", "hosts": "nested"}), underlay_mtu=1550)
    assert charmed["mtu"]["inner_tenant"] == 1442 and charmed["networks"]["inner_tunnel"] is None


def test_ovn_below_the_minimum_mtu_is_refused_naming_the_layer_and_the_cost():
    assert build_plan(_lab(overcloud={"network": "ovn"}), underlay_mtu=1388)["mtu"]["inner_tenant"] == 1280
    with pytest.raises(LabDefinitionError) as err:
        build_plan(_lab(overcloud={"network": "ovn"}), underlay_mtu=1387)
    assert err.value.field == "underlay_mtu"
    assert "inner_tenant layer 1279" in str(err.value) and "Geneve header 38 + IPv4 20" in str(err.value)
    assert "at least 1388" in str(err.value)
    with pytest.raises(LabDefinitionError) as err:
        build_plan(_lab(overcloud={"network": "ovn"}, underlay={"mtu": 1380}))
    assert err.value.field == "nestedcloud_lab.underlay.mtu"


def test_ovn_computes_get_tunnel_endpoints_at_their_overlay_offset():
    plan = build_plan(_lab(overcloud={"network": "ovn"}, nested_vms={"count": 0}))
    computes = plan["groups"]["overcloud_compute"]
    assert computes == ["uc-0002", "uc-0003", "uc-0004"]
    assert [plan["hosts"][h]["tunnel_ip"] for h in computes] == ["10.66.0.12", "10.66.0.13", "10.66.0.14"]
    assert "tunnel_ip" not in plan["hosts"]["uc-0001"]  # the controller runs OVN's databases, no chassis
    nested = build_plan(_lab(overcloud={"network": "ovn", "hosts": "nested"}))
    assert [nested["hosts"][h]["tunnel_ip"] for h in nested["groups"]["overcloud_compute"]][:2] == [
        "10.66.1.2", "10.66.1.3"]


def test_the_tunnel_range_is_checked_like_the_others():
    with pytest.raises(LabDefinitionError) as err:
        build_plan(_lab(overcloud={"network": "ovn"}, inner={"tunnel_cidr": "10.33.128.0/24"}))
    assert err.value.field == "nestedcloud_lab.inner.tunnel_cidr" and "overlaps" in str(err.value)
    with pytest.raises(LabDefinitionError) as err:
        build_plan(_lab(overcloud={"network": "ovn", "hosts": "nested"}, inner={"tunnel_cidr": "10.66.0.0/28"}))
    assert err.value.field == "nestedcloud_lab.inner.tunnel_cidr" and "no address at offset" in str(err.value)


def test_mtu_configured_wins_and_assumed_is_said():
    assert build_plan(_lab(underlay={"mtu": 1500}), underlay_mtu=1400)["mtu"]["source"] == "configured"
    plan = build_plan(LAB)
    assert plan["mtu"]["source"] == "assumed" and plan["mtu"]["underlay"] == 1450
    assert any("assumed" in note for note in plan["notes"])
    assert build_plan(LAB, underlay_mtu=1388)["mtu"]["inner_tenant"] == 1280  # the smallest that passes (Geneve)


def test_deterministic():
    assert json.dumps(build_plan(LAB), sort_keys=True) == json.dumps(build_plan(copy.deepcopy(LAB)), sort_keys=True)


def test_placement_is_balanced_and_within_capacity():
    plan = build_plan(_lab(nested_vms={"count": 10}, overcloud={"hosts": "nested"}))
    loads = [len(plan["hosts"][h]["nested_vms"]) for h in plan["groups"]["undercloud"]]
    assert max(loads) - min(loads) <= 1
    assert all(load <= plan["hosts"][h]["nested_slots"] for h, load in zip(plan["groups"]["undercloud"], loads))
    # beside a packaged inner cloud on the uc- hosts, balanced over the hosts that are no inner compute
    plan = build_plan(_lab(nested_vms={"count": 10}, undercloud_count=5, overcloud={"computes": 2}))
    loads = dict((h, len(plan["hosts"][h]["nested_vms"])) for h in plan["groups"]["undercloud"])
    assert loads == {"uc-0001": 4, "uc-0002": 0, "uc-0003": 0, "uc-0004": 3, "uc-0005": 3}, loads
    for vm, host in plan["placement"].items():
        assert plan["hosts"][vm]["hypervisor"] == host
        assert vm in plan["hosts"][host]["nested_vms"]


def test_placement_respects_flavor_sizes():
    # 8 GiB hosts keep 2 GiB: two 3 GiB VMs each; 4 vCPUs at ratio 1 allow four 1-vCPU VMs, so RAM limits.
    plan = build_plan(_lab(flavors={"undercloud": "custom"}, undercloud_count=3, nested_vms={"count": 6},
                           overcloud={"hosts": "nested"}), flavor_specs={"custom": {"ram": 8192, "vcpus": 4}})
    assert all(plan["hosts"][h]["nested_slots"] == 2 for h in plan["groups"]["undercloud"])
    assert all(len(plan["hosts"][h]["nested_vms"]) == 2 for h in plan["groups"]["undercloud"])
    # vCPU bound: 2-vCPU VMs on 4-vCPU hosts, ratio 1 -> 2 per host even with plenty of RAM
    plan = build_plan(_lab(flavors={"undercloud": "big"}, undercloud_count=2, overcloud={"hosts": "nested"},
                           nested_vms={"count": 4, "vcpus": 2, "ram_mb": 1024}),
                      flavor_specs={"big": {"ram_mb": 65536, "vcpus": 4}})
    assert plan["hosts"]["uc-0001"]["nested_slots"] == 2


def test_role_sizes_take_as_many_slots_as_they_need():
    """MAAS wants 6 GiB and 40 GiB, the bundle's machines 12 GiB: on 32 GiB hosts of 3 GiB slots, MAAS takes 2
    slots and each OpenStack machine 4, the controller keeps the base size, and no host holds more than it has."""
    lab = _lab(flavors={"undercloud": "big"}, undercloud_count=3,
               nested_vms={"count": 5, "sizes": {"maas": {"ram_mb": 6144, "vcpus": 2, "disk_gb": 40},
                                                 "openstack": {"ram_mb": 12288, "disk_gb": 60}}},
               overcloud={"kind": "maas_juju", "hosts": "nested"})
    plan = build_plan(lab, flavor_specs={"big": {"ram_mb": 32768, "vcpus": 16}})
    hosts = plan["hosts"]
    assert (hosts["oc-0001"]["ram_mb"], hosts["oc-0001"]["vcpus"], hosts["oc-0001"]["disk_gb"]) == (6144, 2, 40)
    assert (hosts["oc-0002"]["ram_mb"], hosts["oc-0002"]["vcpus"], hosts["oc-0002"]["disk_gb"]) == (3072, 1, 20)
    assert all((hosts[oc]["ram_mb"], hosts[oc]["vcpus"]) == (12288, 1) for oc in ("oc-0003", "oc-0004", "oc-0005"))
    for uc in plan["groups"]["undercloud"]:  # 30 GiB for VMs per host: 10 slots of 3 GiB
        assert sum(hosts[oc]["ram_mb"] for oc in hosts[uc]["nested_vms"]) <= 30 * 1024
    machines = {m["name"]: m for m in plan["maas_juju"]["machines"]}
    assert machines["oc-0003"]["disks"][0] == {"dev": "vda", "gb": 60}  # the role's root disk for MAAS too


def test_role_sizes_that_do_not_fit_are_refused_naming_the_field():
    lab = _lab(flavors={"undercloud": "custom"}, undercloud_count=3,
               nested_vms={"count": 3, "sizes": {"openstack": {"ram_mb": 12288}}},
               overcloud={"kind": "maas_juju", "hosts": "nested"})
    with pytest.raises(LabDefinitionError) as err:  # 8 GiB hosts: 2 slots each, 6 in all; 1 + 1 + 4 slots fit in
        build_plan(lab, flavor_specs={"custom": {"ram": 8192, "vcpus": 4}})  # sum, but no host has 4 slots
    assert err.value.field == "nestedcloud_lab.nested_vms.sizes" and "oc-0003 needs 4 slots" in str(err.value)
    lab["nested_vms"]["count"] = 5
    with pytest.raises(LabDefinitionError) as err:
        build_plan(lab, flavor_specs={"custom": {"ram": 8192, "vcpus": 4}})
    assert err.value.field == "nestedcloud_lab.nested_vms.count" and "take 14 slots of that size" in str(err.value)
    with pytest.raises(LabDefinitionError) as err:
        build_plan(_lab(nested_vms={"sizes": {"maas": {"ram_mb": 100}}}))
    assert err.value.field == "nestedcloud_lab.nested_vms.sizes.maas.ram_mb"


def test_adding_a_host_keeps_every_address():
    before = build_plan(_lab(undercloud_count=4))
    after = build_plan(_lab(undercloud_count=5), existing_placement=before["placement"])
    for name, host in before["hosts"].items():
        new = after["hosts"][name]
        for key in ("underlay_ip", "overlay_ip", "addresses", "server_name", "nics", "hypervisor", "nested_vms"):
            assert new.get(key) == host.get(key), (name, key)
        if "vxlan_peers" in host:  # the only change: one more peer everywhere
            assert new["vxlan_peers"] == host["vxlan_peers"] + [after["hosts"]["uc-0005"]["underlay_ip"]]
    assert after["placement"] == before["placement"]
    assert after["hosts"]["uc-0005"]["underlay_ip"] == "10.22.0.15"
    for key in ("underlay", "overlay", "inner_external", "inner_tenant"):
        assert after["networks"][key] == before["networks"][key]


def test_growing_the_lab_places_only_new_vms():
    before = build_plan(_lab(undercloud_count=2, nested_vms={"count": 4}))
    after = build_plan(_lab(undercloud_count=3, nested_vms={"count": 6}), existing_placement=before["placement"])
    for vm, host in before["placement"].items():
        assert after["placement"][vm] == host
    assert after["placement"]["oc-0005"] == "uc-0003"  # the empty new host is the least loaded
    assert after["placement"]["oc-0006"] == "uc-0003"


def test_dropping_running_vms_is_refused_naming_them_and_the_way_on():
    existing = {"oc-0001": "uc-0009", "oc-0002": "uc-0002", "oc-0099": "uc-0001"}
    with pytest.raises(LabDefinitionError) as err:
        build_plan(LAB, existing_placement=existing)
    assert err.value.field == "nestedcloud_lab.nested_vms.count"
    text = str(err.value)
    assert "oc-0099 (running on uc-0001)" in text and "uc-0009 (running oc-0001)" in text
    assert "retire: [oc-0099, uc-0009]" in text and "nothing was changed" in text


def test_retired_vms_and_hosts_are_dropped_and_their_vms_made_anew():
    existing = {"oc-0001": "uc-0009", "oc-0002": "uc-0002", "oc-0099": "uc-0001"}
    plan = build_plan(_lab(retire=["oc-0099", "uc-0009"]), existing_placement=existing)
    assert plan["placement"]["oc-0002"] == "uc-0002"
    assert plan["placement"]["oc-0001"] in plan["groups"]["undercloud"]
    assert "oc-0099" not in plan["placement"]
    assert any("oc-0001 on uc-0009 is retired" in note and "made anew" in note for note in plan["notes"])
    assert any("oc-0099 on uc-0001 is retired" in note for note in plan["notes"])
    again = build_plan(_lab(retire=["oc-0099", "uc-0009"]), existing_placement=plan["placement"])
    assert again["placement"] == plan["placement"]
    assert any("retire names oc-0099, which runs nothing" in note for note in again["notes"])


@pytest.mark.parametrize("retire, expected", [
    (["oc-0002"], "oc-0002 is still planned (nested_vms.count)"),
    (["uc-0001"], "uc-0001 is still planned (undercloud_count)"),
    (["r0"], "'r0' is not the name of an oc- VM or a uc- host"),
    (["oc-2"], "'oc-2' is not the name"),
])
def test_retire_names_only_what_the_definition_no_longer_has(retire, expected):
    with pytest.raises(LabDefinitionError) as err:
        build_plan(_lab(retire=retire))
    assert err.value.field == "nestedcloud_lab.retire[0]" and expected in str(err.value)


def test_groups_packaged_on_undercloud():
    # six 3 GiB oc- VMs: four fill the controller, two take the last uc- host; the others are the inner computes
    plan = build_plan(LAB)
    groups = plan["groups"]
    assert groups["overcloud_controller"] == ["uc-0001"]
    assert groups["overcloud_compute"] == ["uc-0002", "uc-0003"]
    assert groups["hypervisors"] == ["uc-0001", "uc-0004"]
    assert groups["maas"] == []
    assert any("overcloud.computes is auto: 2 inner computes (uc-0002, uc-0003)" in n and "oc- VMs run on uc-0001, "
               "uc-0004" in n for n in plan["notes"]), plan["notes"]
    # without oc- VMs every uc- host after the controller is a compute
    groups = build_plan(_lab(nested_vms={"count": 0}))["groups"]
    assert groups["overcloud_compute"] == ["uc-0002", "uc-0003", "uc-0004"] and groups["hypervisors"] == []


def test_inner_computes_run_no_oc_vm():
    """nova-compute (2023.1 on) refuses to start as a new host on a libvirt that has domains already, and counts
    their memory as its own: oc- VMs never share a uc- host with an inner compute."""
    for count in range(0, 13):
        for computes in ("auto", 1, 2, 3):
            try:
                plan = build_plan(_lab(nested_vms={"count": count}, overcloud={"computes": computes}))
            except LabDefinitionError as err:
                assert err.field == "nestedcloud_lab.nested_vms.count" and "inner computes" in str(err), err
                continue
            groups = plan["groups"]
            assert not set(groups["overcloud_compute"]) & set(groups["hypervisors"]), (count, computes, groups)
            assert groups["overcloud_compute"] and groups["overcloud_controller"] == ["uc-0001"]
            if computes != "auto":
                assert groups["overcloud_compute"] == ["uc-%04d" % n for n in range(2, computes + 2)]


def test_computes_is_checked_against_the_hosts_and_the_kind():
    with pytest.raises(LabDefinitionError) as err:
        build_plan(_lab(overcloud={"computes": 4}))
    assert err.value.field == "nestedcloud_lab.overcloud.computes"
    assert "4 computes need 5 uc- hosts" in str(err.value) and "lower computes to 3" in str(err.value)
    with pytest.raises(LabDefinitionError) as err:
        build_plan(_lab(overcloud={"computes": 3}))  # 6 VMs of 4 slots each on the controller alone
    assert err.value.field == "nestedcloud_lab.nested_vms.count"
    assert "3 of the 4 uc- hosts are inner computes" in str(err.value), str(err.value)
    assert "raise undercloud_count to 5, or lower overcloud.computes to 2" in str(err.value), str(err.value)
    with pytest.raises(LabDefinitionError) as err:
        build_plan(_lab(overcloud={"computes": 2, "hosts": "nested"}))
    assert err.value.field == "nestedcloud_lab.overcloud.computes" and "leave it auto" in str(err.value)
    with pytest.raises(LabDefinitionError) as err:
        build_plan(_lab(undercloud_count=1, nested_vms={"count": 0}, overcloud={"computes": 2}))
    assert "all-in-one" in str(err.value)


def test_growing_hosts_under_auto_keeps_the_running_vms_and_makes_the_new_host_a_compute():
    before = build_plan(LAB)
    after = build_plan(_lab(undercloud_count=5), existing_placement=before["placement"])
    assert after["placement"] == before["placement"]
    assert after["groups"]["overcloud_compute"] == ["uc-0002", "uc-0003", "uc-0005"]


def test_a_compute_that_would_hold_running_vms_is_refused_naming_them():
    before = build_plan(LAB)
    with pytest.raises(LabDefinitionError) as err:
        build_plan(_lab(overcloud={"computes": 3}, undercloud_count=5), existing_placement=before["placement"])
    assert err.value.field == "nestedcloud_lab.overcloud.computes"
    text = str(err.value)
    assert ("overcloud.computes makes inner computes (no oc- VM there) of uc-0004 (running oc-0002, oc-0004, oc-0006)"
            in text), text
    assert "nothing was changed" in text and "retire: [oc-0002, oc-0004, oc-0006]" in text, text


def test_groups_packaged_on_nested_and_all_in_one():
    groups = build_plan(_lab(overcloud={"hosts": "nested"}))["groups"]
    assert groups["overcloud_controller"] == ["oc-0001"]
    assert groups["overcloud_compute"] == ["oc-0002", "oc-0003", "oc-0004", "oc-0005", "oc-0006"]
    groups = build_plan(_lab(undercloud_count=1, nested_vms={"count": 0}))["groups"]
    assert groups["overcloud_controller"] == groups["overcloud_compute"] == ["uc-0001"]
    assert groups["hypervisors"] == [] and groups["nested"] == []


def test_groups_maas_juju():
    groups = build_plan(_lab(overcloud={"kind": "maas_juju", "hosts": "nested"}))["groups"]
    assert groups["maas"] == ["oc-0001"]
    assert groups["juju_controller"] == ["oc-0002"]
    assert groups["overcloud_controller"] == [] and groups["overcloud_compute"] == []
    assert "maas" in build_plan(_lab(overcloud={"kind": "maas_juju", "hosts": "nested"}))["hosts"]["oc-0001"]["groups"]


def test_nested_vm_nics():
    nics = build_plan(LAB)["hosts"]["oc-0003"]["nics"]
    assert [n["name"] for n in nics] == ["eth0", "eth1"]
    assert nics[0]["address"] == "10.33.1.3/16" and nics[1]["address"] is None
    assert nics[0]["mac"] == "52:54:00:00:00:03" and nics[1]["mac"] == "52:54:00:01:00:03"
    macs = [n["mac"] for h in build_plan(_lab(undercloud_count=20, nested_vms={"count": 250}),
                                         flavor_specs={"m1.xlarge": {"ram_mb": 65536, "vcpus": 64}})["hosts"].values()
            for n in h.get("nics", [])]
    assert len(macs) == 500 and len(set(macs)) == 500


def test_pools_avoid_static_addresses_and_gateways():
    plan = build_plan(_lab(inner={"tenant_gateway": "10.55.0.100"}))
    assert plan["networks"]["inner_tenant"]["allocation_pools"] == [
        {"start": "10.55.0.2", "end": "10.55.0.99"}, {"start": "10.55.0.101", "end": "10.55.255.254"}]
    assert plan["networks"]["underlay"]["allocation_pools"] == [{"start": "10.22.1.0", "end": "10.22.255.254"}]
    assert plan["networks"]["inner_external"]["allocation_pools"][0]["start"] == "10.44.1.0"


def test_small_ranges_scale_blocks():
    plan = build_plan(_lab(underlay={"cidr": "192.168.10.0/24"}, overlay={"cidr": "192.168.20.0/24"},
                           undercloud_count=3))
    assert plan["hosts"]["uc-0001"]["underlay_ip"] == "192.168.10.11"
    assert plan["hosts"]["oc-0001"]["overlay_ip"] == "192.168.20.65"  # blocks of 64 in a /24
    assert plan["networks"]["underlay"]["allocation_pools"] == [{"start": "192.168.10.64", "end": "192.168.10.254"}]


def test_string_integers_from_surveys_are_accepted():
    lab = normalize({"cloud": "c", **OUTER, "undercloud_count": "3", "overlay": {"vni": "42"}})
    assert lab["undercloud_count"] == 3 and lab["overlay"]["vni"] == 42


def test_resources_for_the_capacity_check():
    resources = build_plan(LAB)["resources"]
    assert resources["instances"] == 5 and resources["floating_ips"] == 1
    assert build_plan(_lab(external_network=None))["resources"]["floating_ips"] == 0
