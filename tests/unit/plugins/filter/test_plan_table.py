# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.nestedcloud.openstack.plugins.filter.plan_table import FilterModule, plan_table
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from tests.labs import OUTER


def test_table_lists_every_host_with_roles_and_addresses():
    plan = build_plan({"name": "lab1", "cloud": "c", **OUTER, "ssh_allowed_cidrs": ["198.51.100.7"]}, underlay_mtu=1500)
    text = plan_table(plan)
    lines = text.splitlines()
    for name, host in plan["hosts"].items():
        row = [line for line in lines if line.startswith(name + " ")]
        assert len(row) == 1, name
        assert host["overlay_ip"] in row[0]
        if host.get("underlay_ip"):
            assert host["underlay_ip"] in row[0]
    assert any(line.startswith("uc-0001 ") and "overcloud_controller" in line for line in lines)
    assert any(line.startswith("oc-0001 ") and "on uc-0001" in line for line in lines)


def test_table_shows_the_mtu_of_each_layer():
    text = plan_table(build_plan({"cloud": "c", **OUTER}, underlay_mtu=1500))
    rows = dict((line.split("  ")[0].strip(), line) for line in text.splitlines() if line[:1].islower())
    assert "1500" in rows["underlay"] and "measured" in rows["underlay"]
    assert "1450" in rows["overlay"] and "VNI 10" in rows["overlay"]
    assert "1450" in rows["inner external"]
    assert "1392" in rows["inner tenant"]  # ML2/OVN: Geneve costs 38 + 20
    assert "SSH to r0 from: nowhere" in text


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="expects the 'plan'"):
        plan_table({"hosts": {}})
    assert FilterModule().filters()["plan_table"] is plan_table
