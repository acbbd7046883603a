# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""juju_status: a model's settling from `juju status --format=json` (Juju 3's shape), and the module around it."""

from __future__ import annotations

import copy
import json
import os
import stat

from ansible_collections.nestedcloud.openstack.plugins.module_utils.juju import status as juju_status
from ansible_collections.nestedcloud.openstack.plugins.modules import juju_status_info
from tests.unit.plugins._module_runner import run_module


def unit(workload, agent, message="", machine="0", subordinates=None):
    return {"workload-status": {"current": workload, "message": message}, "juju-status": {"current": agent},
            "machine": machine, "subordinates": subordinates or {}}


AWAITING = "'certificates' awaiting server certificate data"
STATUS = {
    "model": {"name": "openstack", "type": "iaas"},
    "machines": {
        "0": {"juju-status": {"current": "started"}, "machine-status": {"current": "running", "message": "Deployed"}},
        "1": {"juju-status": {"current": "pending"}, "machine-status": {"current": "allocating",
                                                                        "message": "Deploying: ubuntu/jammy"}},
    },
    "applications": {
        "keystone": {"units": {"keystone/0": unit("active", "idle", "Unit is ready", "0/lxd/0")}},
        "vault": {"units": {"vault/0": unit("blocked", "idle", "Vault needs to be initialized", "0/lxd/1")}},
        "nova-compute": {"units": {"nova-compute/0": unit("active", "idle", "Unit is ready", "0", {
            "ovn-chassis/0": {"workload-status": {"current": "waiting", "message": AWAITING},
                              "juju-status": {"current": "idle"}}})}},
        "glance": {"units": {"glance/0": unit("error", "idle", "hook failed: \"shared-db-relation-changed\"",
                                              "0/lxd/2")}},
    },
}


def test_counts_and_names_what_has_not_settled_errors_first():
    result = juju_status.summarize(STATUS)
    assert not result["ready"]
    assert result["summary"] == "2 of 5 units active, 1 of 2 machines started"
    assert result["waiting_for"][0].startswith("glance/0 (machine 0/lxd/2): error/idle - hook failed")
    assert "ovn-chassis/0 on nova-compute/0: waiting/idle - 'certificates' awaiting server certificate data" \
        in result["waiting_for"]
    assert "vault/0 (machine 0/lxd/1): blocked/idle - Vault needs to be initialized" in result["waiting_for"]
    assert "machine 1: pending (allocating, Deploying: ubuntu/jammy)" in result["waiting_for"]
    assert result["errors"] == [result["waiting_for"][0]]


def test_a_settled_model_is_ready_and_an_empty_one_is_not():
    settled = copy.deepcopy(STATUS)
    for app in settled["applications"].values():
        for one in app["units"].values():
            one["workload-status"]["current"], one["juju-status"]["current"] = "active", "idle"
            for sub in one["subordinates"].values():
                sub["workload-status"]["current"] = "active"
    settled["machines"]["1"]["juju-status"]["current"] = "started"
    assert juju_status.summarize(settled)["ready"]
    assert juju_status.summarize(settled)["summary"] == "5 of 5 units active, 2 of 2 machines started"
    assert not juju_status.summarize({"applications": {}, "machines": {}})["ready"]


def test_long_lists_are_cut_and_counted():
    many = {"applications": {"app%d" % n: {"units": {"app%d/0" % n: unit("waiting", "executing")}} for n in range(20)}}
    lines = juju_status.summarize(many)["waiting_for"]
    assert len(lines) == juju_status.SHOWN + 1 and lines[-1] == "and 8 more"


def fake_juju(tmp_path, document, rc=0):
    path = tmp_path / "juju"
    (tmp_path / "status.json").write_text(json.dumps(document))
    path.write_text("#!/bin/sh\necho \"$@\" > %s/args\ncat %s/status.json\nexit %d\n" % (tmp_path, tmp_path, rc))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_the_module_asks_juju_for_the_model_in_json(tmp_path):
    result = run_module({"juju": fake_juju(tmp_path, STATUS), "model": "lab1:openstack"}, main=juju_status_info.main)
    assert not result["changed"] and not result["ready"] and result["summary"].startswith("2 of 5 units")
    assert (tmp_path / "args").read_text().split() == ["status", "-m", "lab1:openstack", "--format=json"]


def test_a_failing_juju_names_the_model(tmp_path):
    result = run_module({"juju": fake_juju(tmp_path, {}, rc=1), "model": "nope"}, main=juju_status_info.main)
    assert result["failed"] and result["msg"].startswith("model: juju status -m nope failed")
    assert os.path.exists(tmp_path / "args")


def test_a_look_at_some_applications_skips_the_rest_and_the_machines():
    vault = juju_status.summarize(STATUS, applications=["vault"], ready_states=("active", "blocked"))
    assert vault["ready"] and vault["summary"] == "1 of 1 units active/blocked"
    assert vault["units"] == [{"name": "vault/0", "application": "vault", "workload": "blocked", "agent": "idle",
                               "message": "Vault needs to be initialized", "address": "", "leader": False}]
    assert not juju_status.summarize(STATUS, applications=["vault"])["ready"]  # blocked is not active
    nova = juju_status.summarize(STATUS, applications=["nova-compute"])
    assert nova["summary"] == "1 of 2 units active"  # its subordinate counts
    assert [u["name"] for u in nova["units"]] == ["nova-compute/0"]  # principals only in units


def test_a_message_pattern_keeps_a_vault_blocked_for_another_reason_waiting():
    other = copy.deepcopy(STATUS)
    other["applications"]["vault"]["units"]["vault/0"]["workload-status"]["message"] = "Missing relation: shared-db"
    pattern = "needs to be initiali[sz]ed|[Ss]ealed|[Aa]uthori[sz]ation|[Rr]eady"
    assert juju_status.summarize(STATUS, ["vault"], ("active", "blocked"), pattern)["ready"]
    waiting = juju_status.summarize(other, ["vault"], ("active", "blocked"), pattern)
    assert not waiting["ready"] and waiting["waiting_for"] == [
        "vault/0 (machine 0/lxd/1): blocked/idle - Missing relation: shared-db"]
