# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""undercloud_security_groups and undercloud_keypair against the local cloud, as a member."""

from __future__ import annotations

import subprocess

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan

from tests.labs import OUTER

from .conftest import mutating, run_task

GROUPS = "nestedcloud.openstack.undercloud_security_groups"
KEYPAIR = "nestedcloud.openstack.undercloud_keypair"


@pytest.fixture()
def plan():
    return build_plan({"name": "itsec", "cloud": "undercloud", **OUTER,
                       "ssh_allowed_cidrs": ["198.51.100.7", "192.0.2.0/24"]})


def _rules(member, name):
    group = member.network.find_security_group(name)
    return group, list(member.network.security_group_rules(security_group_id=group.id))


def test_security_groups(member, plan):
    args = {"cloud": "undercloud", "plan": plan}
    try:
        checked = run_task(GROUPS, args, check=True)
        assert checked["changed"] and mutating(checked) == 0
        assert member.network.find_security_group("itsec-lab") is None

        made = run_task(GROUPS, args)
        assert made["changed"] and not made.get("failed"), made
        jump, rules = _rules(member, "itsec-jumphost")
        ingress = sorted((r.protocol, r.port_range_min, r.remote_ip_prefix) for r in rules if r.direction == "ingress")
        assert ingress == [("tcp", 22, "192.0.2.0/24"), ("tcp", 22, "198.51.100.7/32")]
        lab, rules = _rules(member, "itsec-lab")
        ingress = [r for r in rules if r.direction == "ingress"]
        assert any(r.remote_group_id == lab.id and r.protocol is None for r in ingress)
        assert any(r.protocol == "udp" and r.port_range_min == 4789 and r.remote_ip_prefix == "10.22.0.0/16"
                   for r in ingress)
        assert plan["tag"] in jump.tags and plan["tag"] in lab.tags

        again = run_task(GROUPS, args)
        assert again["changed"] is False and mutating(again) == 0

        # a rule added by hand to a lab group is removed; foreign groups are untouched
        stray = member.network.create_security_group_rule(security_group_id=jump.id, direction="ingress",
                                                          protocol="tcp", port_range_min=80, port_range_max=80,
                                                          remote_ip_prefix="0.0.0.0/0")
        foreign = member.network.create_security_group(name="itsec-jumphost")
        fixed = run_task(GROUPS, args)
        assert [(a["action"], a["name"]) for a in fixed["actions"]] == [("update", "itsec-jumphost")]
        assert stray.id not in [r.id for r in _rules(member, jump.id)[1]]
        assert member.network.get_security_group(foreign.id)
        member.network.delete_security_group(foreign)
    finally:
        gone = run_task(GROUPS, dict(args, state="absent"))
        assert not gone.get("failed"), gone
    assert member.network.find_security_group("itsec-lab") is None


def test_keypair(member, plan, tmp_path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "k")], check=True)
    public = (tmp_path / "k.pub").read_text()
    args = {"cloud": "undercloud", "plan": plan, "public_key": public}
    try:
        assert run_task(KEYPAIR, args, check=True)["changed"] is True
        assert member.compute.find_keypair("itsec-key") is None
        made = run_task(KEYPAIR, args)
        assert made["changed"] and made["keypair"]["fingerprint"]
        again = run_task(KEYPAIR, dict(args, public_key=public.replace(public.split()[-1], "other-comment")))
        assert again["changed"] is False and mutating(again) == 0
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "o")], check=True)
        other = run_task(KEYPAIR, dict(args, public_key=(tmp_path / "o.pub").read_text()))
        assert other["failed"] and "exists with another public key" in other["msg"]
        bad = run_task(KEYPAIR, dict(args, public_key="not a key"))
        assert bad["failed"] and bad["msg"].startswith("public_key:")
    finally:
        run_task(KEYPAIR, dict(args, state="absent"))
    assert member.compute.find_keypair("itsec-key") is None
