# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The running lab grown by one uc- host and one oc- VM (`scripts/lab.sh grow`, after the other lab tests): every oc-
VM runs exactly once, where it ran before and without a restart, and the new one is placed and answers. Then
(`scripts/lab.sh shrink`, the tests with "retired" in their name) one VM fewer: refused, then done once retired."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from ansible_collections.nestedcloud.openstack.plugins.inventory.lab import definition_from
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.owned import owned_servers
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.plan_inputs import read_inputs

LAB = "nclab"
STATE = os.environ.get("NC_LAB_STATE", "/tmp/nestedcloud-lab")
CONF = os.path.join(os.path.dirname(__file__), "..", "hosts", "containers.conf")


def ping_from_r0(address):
    return subprocess.run(["podman", "exec", "%s-r0" % LAB, "ping", "-c1", "-W3", address], capture_output=True,
                          text=True, timeout=60, check=False, env=dict(os.environ, CONTAINERS_CONF=CONF))


def _step_result(step):
    """What `scripts/lab.sh STEP` recorded in $STATE/<grown|shrunk>.json."""
    path = os.path.join(STATE, "%s.json" % {"grow": "grown", "shrink": "shrunk"}[step])
    if not os.path.exists(path):
        pytest.fail("no %s: run scripts/lab.sh %s first (the lab tier does)" % (path, step))
    with open(path) as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def grown():
    found = _step_result("grow")
    found["lab"] = definition_from(os.path.join(found["inventory"], "group_vars", "all"))
    return found


def _where(domains):
    """{oc- VM: [uc- hosts that define it]}"""
    where = {}
    for host, names in domains.items():
        for name in names:
            if name.startswith("oc-"):
                where.setdefault(name, []).append(host)
    return where


def test_every_vm_runs_exactly_once_where_it_ran_before(grown, outer):
    before, after = _where(grown["before"]), _where(grown["after"])
    assert len(before) == 2 and len(after) == 3, grown
    assert all(len(hosts) == 1 for hosts in after.values()), after  # one domain across all hosts
    for vm, hosts in before.items():
        assert after[vm] == hosts, (vm, hosts, after[vm])
        # the same domain id: libvirt did not restart it
        assert grown["after"][hosts[0]][vm] == grown["before"][hosts[0]][vm], vm
    # the plan the layers used is the recorded one, and a plan from scratch would have moved a running VM
    inputs, _servers = read_inputs(outer, grown["lab"])
    assert inputs["existing_placement"] == dict((vm, hosts[0]) for vm, hosts in after.items())
    scratch = build_plan(grown["lab"], flavor_specs=inputs["flavor_specs"])
    assert any(scratch["placement"][vm] != hosts[0] for vm, hosts in before.items()), scratch["placement"]


def test_the_new_vm_is_placed_on_the_new_host_and_answers(grown, outer):
    after = _where(grown["after"])
    new = sorted(set(after) - set(_where(grown["before"])))
    assert new == ["oc-0003"] and after["oc-0003"] == ["uc-0004"], after
    assert grown["after"]["uc-0004"]["oc-0003"] not in ("", "-"), "oc-0003 is not running"
    servers = owned_servers(outer, {"name": LAB, "tag": "nestedcloud-%s" % LAB})
    assert (servers["uc-0004"].metadata or {}).get("nestedcloud-vms") == "oc-0003"
    plan = build_plan(grown["lab"], **read_inputs(outer, grown["lab"])[0])
    assert plan["placement"]["oc-0003"] == "uc-0004"
    for vm in sorted(after):  # every oc- VM answers on its overlay address, from r0
        done = ping_from_r0(plan["hosts"][vm]["overlay_ip"])
        assert done.returncode == 0, (vm, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def shrunk():
    found = _step_result("shrink")
    with open(os.path.join(STATE, "shrink-refused.log")) as handle:
        found["refused_log"] = handle.read()
    return found


def test_dropping_a_running_vm_is_refused_then_done_when_retired(shrunk, outer):
    # refused first, naming the VM and the way on, with nothing changed: the domain still ran then
    assert shrunk["refused_rc"] != 0
    assert "oc-0003 (running on uc-0004)" in shrunk["refused_log"], shrunk["refused_log"][-3000:]
    assert "retire: [oc-0003]" in shrunk["refused_log"]
    assert "oc-0003" in shrunk["before"]["uc-0004"]
    # retired: that domain and its disk are gone, the record forgets it, every other VM runs on, not restarted
    after = _where(shrunk["after"])
    assert "oc-0003" not in after and sorted(after) == ["oc-0001", "oc-0002"], after
    for vm, hosts in _where(shrunk["before"]).items():
        if vm != "oc-0003":
            assert shrunk["after"][hosts[0]][vm] == shrunk["before"][hosts[0]][vm], vm
    done = subprocess.run(["podman", "exec", "%s-uc-0004" % LAB, "test", "-e", "/var/lib/nestedcloud/vms/oc-0003"],
                          capture_output=True, timeout=60, check=False, env=dict(os.environ, CONTAINERS_CONF=CONF))
    assert done.returncode == 1, "oc-0003's directory is still on uc-0004"
    servers = owned_servers(outer, {"name": LAB, "tag": "nestedcloud-%s" % LAB})
    assert "nestedcloud-vms" not in (servers["uc-0004"].metadata or {})
    assert (servers["uc-0001"].metadata or {}).get("nestedcloud-vms") == "oc-0001,oc-0002"
