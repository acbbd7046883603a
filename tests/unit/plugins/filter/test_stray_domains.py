# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter stray_domains: which oc- VMs on a uc- host the plan does not place there."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.nestedcloud.openstack.plugins.filter.stray_domains import stray_domains
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from tests.labs import OUTER

# the inner cloud on the oc- VMs: every uc- host may hold oc- VMs (inner computes on uc- hosts hold none)
LAB = {"name": "lab1", "cloud": "c", **OUTER, "undercloud_count": 2, "nested_vms": {"count": 3},
       "overcloud": {"hosts": "nested"}}


def test_only_the_vms_planned_here_are_left_alone():
    plan = build_plan(LAB)
    here = [vm for vm, host in plan["placement"].items() if host == "uc-0001"]
    assert stray_domains(plan, "uc-0001", here + ["instance-00000001", "other-vm", "oc-12", ""]) == {
        "retired": [], "refused": {}}


def test_a_vm_planned_elsewhere_or_no_longer_planned_is_refused_with_the_way_on():
    plan = build_plan(LAB)
    elsewhere = [vm for vm, host in plan["placement"].items() if host == "uc-0002"][0]
    found = stray_domains(plan, "uc-0001", [elsewhere, "oc-0007"])
    assert found["retired"] == []
    assert "places it on uc-0002: it would run twice" in found["refused"][elsewhere]
    assert "no longer has it" in found["refused"]["oc-0007"] and "retire" in found["refused"]["oc-0007"]


def test_retired_vms_and_the_vms_of_a_retired_host_are_to_delete():
    existing = {"oc-0001": "uc-0001", "oc-0002": "uc-0002", "oc-0003": "uc-0001", "oc-0004": "uc-0002"}
    plan = build_plan(dict(LAB, retire=["oc-0004"]), existing_placement=existing)
    assert stray_domains(plan, "uc-0002", ["oc-0002", "oc-0004"]) == {"retired": ["oc-0004"], "refused": {}}
    gone = build_plan(dict(LAB, undercloud_count=1, retire=["uc-0002"], nested_vms={"count": 3, "ram_mb": 2048}),
                      existing_placement=existing)
    assert stray_domains(gone, "uc-0002", ["oc-0002", "oc-0004"])["retired"] == ["oc-0002", "oc-0004"]


@pytest.mark.parametrize("plan, defined", [({}, []), (build_plan(LAB), "oc-0001")])
def test_bad_input_is_named(plan, defined):
    with pytest.raises(AnsibleFilterError):
        stray_domains(plan, "uc-0001", defined)
