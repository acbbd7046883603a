# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OpenStack bundle + the overlay made from the plan: consistent for every lab size, and every check bites."""

from __future__ import annotations

import copy
import os

import pytest
import yaml

from ansible_collections.nestedcloud.openstack.plugins.module_utils.juju import bundle as jb
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from tests.labs import OUTER

TOP = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..")
TCG = [{"inner_virt_type": "qemu"}, {"inner_virt_type": "kvm"}]
KVM = [{"inner_virt_type": "kvm"}, {"inner_virt_type": "kvm"}]


def _base():
    with open(os.path.join(TOP, "roles", "juju", "files", "openstack-bundle.yaml")) as handle:
        return yaml.safe_load(handle)


def _plan(count=5, ceph_gb=20):
    return build_plan({"name": "lab1", "cloud": "c", **OUTER, "undercloud_count": 3, "nested_vms": {"count": count},
                       "overcloud": {"kind": "maas_juju", "hosts": "nested", "ceph_disk_gb": ceph_gb}})


def _bundle(plan, virt=None):
    base = _base()
    return jb.merge(base, jb.overlay(base, plan, TCG if virt is None else virt))


@pytest.mark.parametrize("count", [3, 4, 5, 8])
def test_bundle_and_overlay_agree_with_the_plan_for_every_size(count):
    plan = _plan(count)
    bundle = _bundle(plan)
    assert jb.problems(bundle, plan, TCG) == []
    machines = count - 2  # MAAS and the Juju controller hold no OpenStack unit
    assert sorted(bundle["machines"]) == [str(n) for n in range(machines)]
    assert all(m == {"constraints": "tags=openstack"} for m in bundle["machines"].values())
    assert bundle["applications"]["nova-compute"]["num_units"] == machines
    assert bundle["applications"]["ceph-osd"]["to"] == [str(n) for n in range(machines)]
    assert bundle["applications"]["glance"]["options"]["ceph-osd-replication-count"] == min(3, machines)


def test_the_base_bundle_alone_is_consistent_in_shape():
    base = _base()
    assert [p for p in jb.problems(base, _plan(5), TCG) if "relation" in p or "channel" in p or "placement" in p] == []


def test_overlay_options_from_plan_and_virt_info():
    plan = _plan(5)
    apps = _bundle(plan)["applications"]
    assert (apps["nova-compute"]["options"]["virt-type"], apps["nova-compute"]["options"]["cpu-mode"]) == ("qemu", "none")
    mtu = plan["mtu"]["overlay"]
    assert apps["neutron-api"]["options"]["global-physnet-mtu"] == mtu == apps["neutron-api"]["options"]["path-mtu"]
    macs = [m["data_mac"] for m in plan["maas_juju"]["machines"] if m["name"] != "oc-0002"]
    assert apps["ovn-chassis"]["options"]["bridge-interface-mappings"] == " ".join("br-ex:" + m for m in macs)
    assert apps["ceph-osd"]["options"]["osd-devices"] == "/dev/vdb"
    assert apps["ceph-mon"]["options"]["expected-osd-count"] == 3
    kvm = _bundle(plan, KVM)["applications"]["nova-compute"]["options"]
    assert (kvm["virt-type"], kvm["cpu-mode"]) == ("kvm", "host-passthrough")


def test_placements_fold_onto_fewer_machines():
    assert jb._fold(["lxd:0", "lxd:1", "lxd:2"], 1) == ["lxd:0", "lxd:0", "lxd:0"]
    assert jb._fold(["lxd:2", "1"], 2) == ["lxd:0", "1"]


def test_merge_removes_a_nulled_application_with_its_relations_and_adds_new_ones():
    base = _base()
    merged = jb.merge(base, {"applications": {"cinder": None, "cinder-ceph": None, "cinder-mysql-router": None}})
    assert "cinder" not in merged["applications"]
    assert not [r for r in merged["relations"] if any(e.startswith("cinder") for e in r)]
    added = jb.merge(base, {"applications": {"memcached": {"charm": "memcached", "channel": "latest/stable"}},
                            "relations": [["memcached:cache", "nova-cloud-controller:memcache"]]})
    assert ["memcached:cache", "nova-cloud-controller:memcache"] in added["relations"]
    assert base["applications"].get("memcached") is None  # the base is left alone


def _broken(change):
    plan = _plan(5)
    bundle = _bundle(plan)
    change(bundle)
    return jb.problems(bundle, plan, TCG)


@pytest.mark.parametrize("change, expected", [
    (lambda b: b["applications"]["keystone"].update(channel="latest/stable"), "keystone: channel 'latest/stable'"),
    (lambda b: b["applications"]["glance"].pop("channel"), "glance: channel ''"),
    (lambda b: b["relations"].append(["nova-compute:amqp", "rabbit:amqp"]), "rabbit is not an application"),
    (lambda b: b["applications"]["vault"].update(to=["lxd:7"]), "vault: placement 'lxd:7' names machine 7"),
    (lambda b: b["applications"]["vault"].update(to=["kvm:0"]), "neither N nor lxd:N"),
    (lambda b: b["applications"]["keystone"].update(to=["lxd:0", "lxd:1"]), "keystone: 2 placements for 1 units"),
    (lambda b: b["applications"]["ovn-chassis"].update(to=["0"]), "ovn-chassis: a subordinate (0 units)"),
    (lambda b: b["applications"]["neutron-api"]["options"].update({"path-mtu": 1500}), "neutron-api: path-mtu is 1500"),
    (lambda b: b["applications"]["nova-compute"]["options"].update({"virt-type": "kvm"}), "virt-type/cpu-mode kvm/none"),
    (lambda b: b["applications"]["ovn-chassis"]["options"].update({"bridge-interface-mappings": "to-be-set"}),
     "ovn-chassis: no data port for oc-0003"),
    (lambda b: b["applications"]["ceph-osd"]["options"].update({"osd-devices": "/dev/sdb"}), "ceph-osd: osd-devices"),
    (lambda b: b["applications"]["cinder-ceph"]["options"].update({"ceph-osd-replication-count": 4}),
     "cinder-ceph: 4 Ceph replicas, only 3 OSDs"),
    (lambda b: b["applications"]["nova-compute"].update(num_units=2), "nova-compute: 2 units for 3 machines"),
    (lambda b: b["relations"].remove(["vault-mysql-router:db-router", "mysql-innodb-cluster:db-router"]) or
     b["relations"].remove(["vault:shared-db", "vault-mysql-router:shared-db"]), "vault-mysql-router: in no relation"),
    (lambda b: b["applications"]["neutron-api"]["options"].update({"data-port": "to-be-set"}),
     "neutron-api: option data-port is still 'to-be-set'"),
])
def test_each_check_finds_its_fault(change, expected):
    found = _broken(change)
    assert any(expected in p for p in found), found


def test_every_channel_of_the_shipped_bundle_is_pinned_and_no_application_is_left_alone():
    base = _base()
    for name, app in base["applications"].items():
        assert jb._CHANNEL.match(app["channel"]) and not app["channel"].startswith("latest"), name
    assert copy.deepcopy(base) == _base()


def test_cloud_and_credential_files_have_jujus_documented_shape():
    plan = _plan(5)
    clouds, credentials = jb.cloud_files(plan, "ck:tk:ts")
    assert clouds == {"clouds": {"lab1-maas": {"type": "maas", "auth-types": ["oauth1"],
                                               "endpoint": "http://10.33.1.1:5240/MAAS"}}}
    assert credentials == {"credentials": {"lab1-maas": {"admin": {"auth-type": "oauth1", "maas-oauth": "ck:tk:ts"}}}}
    # the MAAS API key is three colon-separated parts; the endpoint is MAAS's URL as the plan gives it
    assert yaml.safe_load(yaml.safe_dump(credentials)) == credentials


def test_proxy_settings_never_mix_legacy_and_juju_keys():
    plan = _plan(5)
    settings = jb.proxy_settings(plan, "http://10.33.0.1:3128")
    legacy = {"http-proxy", "https-proxy", "no-proxy"}
    juju_keys = {"juju-http-proxy", "juju-https-proxy", "juju-no-proxy"}
    assert legacy <= set(settings["bootstrap"]) and not juju_keys & set(settings["bootstrap"])
    assert juju_keys <= set(settings["model"]) and not legacy & set(settings["model"])
    no_proxy = settings["bootstrap"]["no-proxy"].split(",")
    assert "/" not in settings["bootstrap"]["no-proxy"]  # the legacy key takes no CIDR
    for host in ("r0", "oc-0001", "oc-0002", "uc-0001"):
        assert plan["hosts"][host]["overlay_ip"] in no_proxy
    assert "10.33.0.0/16" in settings["model"]["juju-no-proxy"].split(",")
