# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.nestedcloud.openstack.plugins.filter.lab_dns_records import lab_dns_records
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from tests.labs import OUTER


def test_every_host_by_name_and_underlay_and_the_gateway():
    plan = build_plan({"name": "dns", "cloud": "none", **OUTER, "undercloud_count": 2, "nested_vms": {"count": 1}})
    records = lab_dns_records(plan)
    by_name = {name: r["ip"] for r in records for name in r["names"]}
    assert records[0] == {"ip": "10.33.0.1", "names": ["r0.dns.test", "r0"]}
    assert by_name["uc-0002.dns.test"] == by_name["uc-0002"] == plan["hosts"]["uc-0002"]["overlay_ip"]
    assert by_name["uc-0002.underlay.dns.test"] == plan["hosts"]["uc-0002"]["underlay_ip"]
    assert by_name["oc-0001.dns.test"] == plan["hosts"]["oc-0001"]["overlay_ip"]
    assert "oc-0001.underlay.dns.test" not in by_name  # nested VMs have no underlay address
    assert by_name["gateway.dns.test"] == "10.44.0.1"
    first = [r["names"][0] for r in records][:5]
    assert first == ["r0.dns.test", "r0.underlay.dns.test", "uc-0001.dns.test", "uc-0001.underlay.dns.test",
                     "uc-0002.dns.test"]


def test_not_a_plan_is_named():
    with pytest.raises(AnsibleFilterError, match="not a plan .*missing 'dns_domain'"):
        lab_dns_records({"hosts": {}})
