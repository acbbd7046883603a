# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.capacity import (
    compare,
    planned,
    still_needed,
    table,
)
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from tests.labs import OUTER

SIZES = {"m1.small": (2048, 1), "m1.xlarge": (16384, 8)}


def test_planned_counts_the_whole_lab():
    plan = build_plan({"cloud": "c", **OUTER, "undercloud_count": 4, "ssh_allowed_cidrs": ["198.51.100.7"],
                       "storage": {"data_gb": 10, "boot_from_volume": True, "root_gb": 30}})
    want = planned(plan, SIZES)
    assert want["instances"] == 5
    assert want["cores"] == 1 + 4 * 8 and want["ram"] == 2048 + 4 * 16384
    assert want["volumes"] == 5 + 4 and want["gigabytes"] == 5 * 30 + 4 * 10
    assert want["ports"] == 7 and want["floating_ips"] == 1 and want["security_group_rules"] == 7


def test_a_complete_lab_needs_nothing_more():
    want = {"instances": 5, "cores": 33}
    assert still_needed(want, {"instances": 5, "cores": 40}) == {"instances": 0, "cores": 0}
    assert still_needed(want, {"instances": 2}) == {"instances": 3, "cores": 33}


def test_compare_and_table_mark_what_is_short():
    rows = compare({"instances": 5, "cores": 10, "ram": 100},
                   {"instances": (10, 8), "cores": (-1, 50), "ram": (100, 0)})
    by = dict((r["resource"], r) for r in rows)
    assert by["instances"]["available"] == 2 and not by["instances"]["ok"]
    assert by["cores"]["available"] == "unlimited" and by["cores"]["ok"]
    assert by["ram"]["ok"]
    text = table(rows)
    assert "instances" in text and "<- short by 3" in text
    assert text.count("short") == 1
