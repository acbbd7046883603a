# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""undercloud_network against the local cloud, as an ordinary project member."""

from __future__ import annotations

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan

from tests.labs import OUTER

from .conftest import mutating, run_task

MODULE = "nestedcloud.openstack.undercloud_network"


@pytest.fixture()
def plan():
    return build_plan({"name": "itnet", "cloud": "undercloud", **OUTER, "external_network": "public"})


def _owned(member, plan):
    return dict(networks=list(member.network.networks(tags=plan["tag"])),
                routers=list(member.network.routers(tags=plan["tag"])),
                subnets=list(member.network.subnets(tags=plan["tag"])))


def test_lifecycle(member, plan):
    args = {"cloud": "undercloud", "plan": plan}
    foreign = member.network.create_network(name="itnet-underlay")  # same name, not the lab's
    try:
        checked = run_task(MODULE, args, check=True, diff=True)
        assert checked["changed"] is True
        assert [(a["action"], a["kind"]) for a in checked["actions"]] == [
            ("create", "network"), ("create", "subnet"), ("create", "router"), ("attach", "router")]
        assert mutating(checked) == 0
        assert not any(_owned(member, plan).values())

        created = run_task(MODULE, args)
        assert created["changed"] is True and not created.get("failed"), created
        owned = _owned(member, plan)
        assert [n.id for n in owned["networks"]] == [created["network"]["id"]] != [foreign.id]
        subnet = owned["subnets"][0]
        assert subnet.cidr == "10.22.0.0/16" and subnet.gateway_ip == "10.22.0.1"
        assert subnet.allocation_pools == [{"start": "10.22.1.0", "end": "10.22.255.254"}]
        router = owned["routers"][0]
        assert router.external_gateway_info["network_id"] == member.network.find_network("public").id
        assert created["network"]["mtu"] == 1500

        again = run_task(MODULE, args)
        assert again["changed"] is False and again["actions"] == []
        assert mutating(again) == 0 and again["api_calls"]["GET"] > 0

        gone = run_task(MODULE, dict(args, state="absent"))
        assert gone["changed"] is True
        assert not any(_owned(member, plan).values())
        assert member.network.get_network(foreign.id).name == "itnet-underlay"
    finally:
        run_task(MODULE, dict(args, state="absent"))
        member.network.delete_network(foreign)


def test_adopts_a_network_whose_tagging_was_lost(member, plan):
    half = member.network.create_network(name="itnet-underlay", description="nestedcloud:itnet")
    args = {"cloud": "undercloud", "plan": plan}
    try:
        result = run_task(MODULE, args)
        assert ("tag", "network") in [(a["action"], a["kind"]) for a in result["actions"]]
        assert result["network"]["id"] == half.id
        assert plan["tag"] in member.network.get_network(half.id).tags
    finally:
        run_task(MODULE, dict(args, state="absent"))


def test_unknown_external_network_names_the_field(member, plan):
    plan["jumphost"]["external_network"] = "nowhere"
    result = run_task(MODULE, {"cloud": "undercloud", "plan": plan})
    assert result["failed"] is True
    assert "external network nowhere" in result["msg"] and "public" in result["msg"]
    run_task(MODULE, {"cloud": "undercloud", "plan": plan, "state": "absent"})
