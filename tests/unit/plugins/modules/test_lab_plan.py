# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan

from .._module_runner import run_module
from tests.labs import OUTER

LAB = {"name": "lab1", "cloud": "mycloud", **OUTER}


def test_returns_the_plan_and_changes_nothing():
    result = run_module({"lab": LAB, "underlay_mtu": 1500})
    assert result["changed"] is False
    assert result["plan"] == build_plan(LAB, underlay_mtu=1500)


def test_check_mode_returns_the_same_plan():
    normal = run_module({"lab": LAB})
    checked = run_module({"lab": LAB}, check_mode=True)
    assert checked["changed"] is False
    assert checked["plan"] == normal["plan"]


def test_flavor_specs_and_existing_placement_reach_the_planner():
    lab = dict(LAB, flavors={"jumphost": "m1.small", "undercloud": "c.big"}, nested_vms={"count": 2})
    result = run_module({"lab": lab, "flavor_specs": {"c.big": {"ram": 8192, "vcpus": 2}},
                         "existing_placement": {"oc-0001": "uc-0004", "oc-0002": "uc-0004"}})
    assert result["plan"]["placement"] == {"oc-0001": "uc-0004", "oc-0002": "uc-0004"}
    assert result["plan"]["hosts"]["uc-0004"]["nested_slots"] == 2
