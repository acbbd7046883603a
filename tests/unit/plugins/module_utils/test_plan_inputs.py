# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The planner's inputs read from the outer cloud (a stand-in connection), and the uc- servers' placement record."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import CloudError
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.hosts import inventory
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.schema import LabDefinitionError
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.plan_inputs import (
    PLACEMENT_KEY,
    lab_stub,
    placement_metadata,
    placement_of,
    read_inputs,
    read_lab,
)
from tests.labs import OUTER

LAB = {"name": "lab1", "cloud": "c", "image": "debian-12", "undercloud_count": 2,
       "flavors": {"jumphost": "t.small", "undercloud": "t.hv"},
       "nested_vms": {"count": 3, "ram_mb": 1024, "host_reserved_ram_mb": 0},
       "overcloud": {"hosts": "nested"}}  # oc- VMs on both uc- hosts (an inner compute on a uc- host holds none)


def _server(host, vms=None, lab="lab1", addr=None):
    metadata = {"nestedcloud-lab": lab, "nestedcloud-host": host}
    if vms is not None:
        metadata[PLACEMENT_KEY] = vms
    addresses = {"lab1-underlay": [{"addr": addr, "OS-EXT-IPS:type": "fixed"}]} if addr else {}
    return SimpleNamespace(name="%s-%s" % (lab, host), metadata=metadata, tags=[], status="ACTIVE",
                           addresses=addresses)


class Conn:
    current_project_id = "p1"

    def __init__(self, servers, flavors, networks, ips=()):
        self.compute = SimpleNamespace(servers=lambda details=True: servers, flavors=lambda details=True: flavors)
        self.network = SimpleNamespace(networks=lambda tags=None: [n for n in networks if tags in n.tags],
                                       ips=lambda project_id=None: list(ips))


def test_the_inventory_of_a_lab_is_read_once_for_the_plugin_and_the_layer():
    """read_lab + lab_hosts.inventory: what the plugin lists and what the undercloud layer adds with add_host."""
    conn = Conn([_server("r0", addr="10.22.0.10"), _server("uc-0001", "oc-0001,oc-0003", addr="10.22.0.11")],
                [SimpleNamespace(name="t.hv", ram=4096, vcpus=2), SimpleNamespace(name="t.small", ram=512, vcpus=1)],
                [SimpleNamespace(mtu=1450, tags=["nestedcloud-lab1"])],
                [SimpleNamespace(tags=["nestedcloud-other"], port_id="x", floating_ip_address="203.0.113.9"),
                 SimpleNamespace(tags=["nestedcloud-lab1"], port_id="p", floating_ip_address="203.0.113.5")])
    inputs, servers, fip = read_lab(conn, LAB)
    assert servers == {"r0": {"status": "ACTIVE", "fixed_ip": "10.22.0.10"},
                       "uc-0001": {"status": "ACTIVE", "fixed_ip": "10.22.0.11"}} and fip == "203.0.113.5"
    plan = build_plan(LAB, **inputs)
    found = inventory(plan, servers, fip)
    assert set(found["hosts"]) == {"r0", "uc-0001", "oc-0001", "oc-0002", "oc-0003"}  # uc-0002: no server yet
    assert found["groups"]["r0"] == ["jumphost"] and "undercloud" in found["groups"]["uc-0001"]
    assert found["hosts"]["r0"]["ansible_host"] == "203.0.113.5"
    assert found["hosts"]["uc-0001"]["ansible_host"] == "10.22.0.11"
    assert found["hosts"]["uc-0001"]["ansible_user"] == "debian"  # image_user auto: by the image name
    assert "ProxyJump=debian@203.0.113.5" in found["hosts"]["uc-0001"]["ansible_ssh_common_args"]
    assert found["hosts"]["r0"]["ansible_ssh_private_key_file"].endswith("/.nestedcloud/lab1/id_ed25519")


def test_inputs_come_from_the_cloud_and_plan_like_the_layers():
    conn = Conn([_server("r0"), _server("uc-0001", "oc-0001,oc-0003"), _server("uc-0002", "oc-0002"),
                 _server("uc-0001", "oc-0009", lab="other")],
                [SimpleNamespace(name="t.hv", ram=4096, vcpus=2), SimpleNamespace(name="t.small", ram=512, vcpus=1),
                 SimpleNamespace(name="unrelated", ram=1, vcpus=1)],
                [SimpleNamespace(mtu=1442, tags=["nestedcloud-lab1"]), SimpleNamespace(mtu=9000, tags=["x"])])
    inputs, servers = read_inputs(conn, LAB)
    assert inputs == {"flavor_specs": {"t.hv": {"ram_mb": 4096, "vcpus": 2}, "t.small": {"ram_mb": 512, "vcpus": 1}},
                      "underlay_mtu": 1442,
                      "existing_placement": {"oc-0001": "uc-0001", "oc-0003": "uc-0001", "oc-0002": "uc-0002"}}
    assert sorted(servers) == ["r0", "uc-0001", "uc-0002"]  # the other lab's server is not ours
    plan = build_plan(LAB, **inputs)
    assert plan["inputs"] == inputs and plan["mtu"]["source"] == "measured"
    assert plan["placement"] == {"oc-0001": "uc-0001", "oc-0002": "uc-0002", "oc-0003": "uc-0001"}
    assert placement_metadata(plan, "uc-0001") == "oc-0001,oc-0003"


def test_before_the_lab_exists_nothing_is_recorded():
    inputs, servers = read_inputs(Conn([], [], []), LAB)
    assert inputs == {"flavor_specs": {}, "underlay_mtu": None, "existing_placement": {}} and servers == {}


def test_one_vm_recorded_on_two_hosts_is_an_error_naming_both():
    with pytest.raises(CloudError) as err:
        placement_of({"uc-0001": _server("uc-0001", "oc-0001"), "uc-0002": _server("uc-0002", "oc-0002,oc-0001")})
    assert "oc-0001" in str(err.value) and "uc-0001" in str(err.value) and "lab1-uc-0002" in str(err.value)


def test_a_bad_definition_fails_before_the_cloud_is_asked():
    with pytest.raises(LabDefinitionError) as err:
        lab_stub(dict(LAB, overlay={"cidr": "10.22.0.0/16"}))
    assert err.value.field == "nestedcloud_lab.overlay.cidr"
    # a flavor of any name is fine before its size is read
    stub = lab_stub(dict(LAB, flavors={"jumphost": "t.small", "undercloud": "custom.anything"}))[0]
    assert stub == {"name": "lab1", "tag": "nestedcloud-lab1"}


def test_too_many_vms_for_one_metadata_value_is_refused():
    lab = {"name": "big", "cloud": "c", **OUTER, "undercloud_count": 1, "naming": {"digits": 6},
           "overcloud": {"hosts": "nested"},
           "nested_vms": {"count": 40, "ram_mb": 256, "vcpus": 1, "host_reserved_ram_mb": 0,
                          "cpu_allocation_ratio": 16}}
    plan = build_plan(lab, flavor_specs={"m1.xlarge": {"ram_mb": 65536, "vcpus": 8}})
    with pytest.raises(CloudError) as err:
        placement_metadata(plan, "uc-000001")
    assert "40 oc- VMs on one host" in str(err.value)
