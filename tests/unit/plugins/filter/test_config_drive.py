# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.nestedcloud.openstack.plugins.filter.config_drive import config_drive
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from tests.labs import OUTER

PLAN = build_plan({"name": "cd", "cloud": "none", **OUTER, "undercloud_count": 2, "nested_vms": {"count": 2}},
                  underlay_mtu=1450)


def test_static_address_route_dns_and_every_nic():
    drive = config_drive(PLAN, "oc-0002", public_keys=["ssh-ed25519 AAAA k"], proxy="http://10.22.0.10:3128")
    host = PLAN["hosts"]["oc-0002"]
    net = drive["network_data"]
    assert [link["ethernet_mac_address"] for link in net["links"]] == [nic["mac"] for nic in host["nics"]]
    assert {link["mtu"] for link in net["links"]} == {1400}
    assert net["networks"] == [{"id": "eth0-ipv4", "link": "eth0", "type": "ipv4", "ip_address": host["overlay_ip"],
                                "netmask": "255.255.0.0",
                                "routes": [{"network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": "10.33.0.1"}]}]
    assert net["services"] == [{"type": "dns", "address": "10.33.0.1"}]
    assert drive["meta_data"]["hostname"] == "oc-0002.cd.test"
    assert drive["meta_data"]["public_keys"] == {"key-0": "ssh-ed25519 AAAA k"}
    assert "http_proxy: http://10.22.0.10:3128" in drive["user_data"]
    assert drive["user_data"].startswith("#cloud-config\n")


def test_uuid_is_stable_per_lab_and_name():
    assert config_drive(PLAN, "oc-0001")["uuid"] == config_drive(PLAN, "oc-0001")["uuid"]
    assert config_drive(PLAN, "oc-0001")["uuid"] != config_drive(PLAN, "oc-0002")["uuid"]
    assert config_drive(PLAN, "oc-0001")["meta_data"]["uuid"] == config_drive(PLAN, "oc-0001")["uuid"]


def test_bad_names_are_named():
    with pytest.raises(AnsibleFilterError, match="uc-0001 is not an oc- VM"):
        config_drive(PLAN, "uc-0001")
    with pytest.raises(AnsibleFilterError, match="oc-0099"):
        config_drive(PLAN, "oc-0099")
