# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tempest_run's view of a run: going, ended well, ended with failures or leftovers, killed; and its refusals."""

from __future__ import annotations

import datetime
import json
import os

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.tempest import Results
from ansible_collections.nestedcloud.openstack.plugins.modules import tempest_run

from .._module_runner import run_module

T0 = datetime.datetime(2026, 12, 5, 8, 0, tzinfo=datetime.timezone.utc)
OK = "tempest.api.compute.test_versions.TestVersions.test_list_api_versions[id-1,smoke]"
BAD = "tempest.scenario.test_network_basic_ops.TestNetworkBasicOps.test_hotplug_nic[id-2]"


class Module:
    def __init__(self, params):
        self.params = params
        self.check_mode = False

    def fail_json(self, **kwargs):
        raise AssertionError(kwargs)


def results(failed=False, finished=True):
    r = Results()
    r.status(test_id=OK, test_status="inprogress", timestamp=T0)
    r.status(test_id=OK, test_status="success", timestamp=T0 + datetime.timedelta(seconds=3))
    r.status(test_id=BAD, test_status="inprogress", timestamp=T0 + datetime.timedelta(seconds=1))
    if finished:
        if failed:
            r.status(test_id=BAD, file_name="traceback", file_bytes=b"AssertionError: no ping\n")
        r.status(test_id=BAD, test_status="fail" if failed else "success",
                 timestamp=T0 + datetime.timedelta(seconds=61))
    return r


@pytest.fixture
def run(tmp_path, monkeypatch):
    params = {"workspace": str(tmp_path), "run_id": "r1", "cloud": "overcloud", "concurrency": 2}
    made = tempest_run.Run(Module(params))
    os.makedirs(made.dir)
    for name, text in (("selected.txt", "%s\n%s\n" % (OK, BAD)), ("excluded.json", "[]"),
                       ("before.json", json.dumps({"servers": 0, "ports": 4})), ("pid", "999999\n")):
        with open(made.path(name), "w") as handle:
            handle.write(text)
    monkeypatch.setattr(tempest_run.Run, "connect", lambda self: (None, {"compute", "network"}))
    monkeypatch.setattr(tempest_run, "counts", lambda conn, services: {"servers": 0, "ports": 4})
    return made


def finish(run, rc="0"):
    with open(run.path("rc"), "w") as handle:
        handle.write(rc + "\n")
    with open(run.path("results.subunit"), "wb") as handle:
        handle.write(b"")


def test_a_run_going_on_says_how_far_and_what_runs(run, monkeypatch):
    monkeypatch.setattr(tempest_run, "_alive", lambda pid: True)
    with open(run.path("results.subunit"), "wb"):
        pass
    monkeypatch.setattr(tempest_run, "parse_stream", lambda path: results(finished=False))
    look = run.look()
    assert look["ready"] is False
    assert look["summary"] == "1 of 2 tests done: 1 passed, 0 failed, 0 skipped"
    assert look["waiting_for"] == ["tempest.scenario.test_network_basic_ops.TestNetworkBasicOps.test_hotplug_nic"]


def test_a_run_that_passed_reports_and_keeps_its_report(run, monkeypatch):
    finish(run)
    monkeypatch.setattr(tempest_run, "parse_stream", lambda path: results())
    look = run.look()
    assert look["ready"] and "failed" not in look and "msg" not in look
    assert (look["selected"], look["tests_passed"], look["tests_failed"], look["seconds"]) == (2, 2, 0, 61.0)
    assert look["leftovers"] == {}
    monkeypatch.setattr(tempest_run, "parse_stream", lambda path: pytest.fail("parsed again"))
    assert run.look() == json.loads(json.dumps(look))  # the next call reads the report it wrote


def test_failures_and_leftovers_fail_the_run_with_what_and_where(run, monkeypatch):
    finish(run, rc="1")
    monkeypatch.setattr(tempest_run, "parse_stream", lambda path: results(failed=True))
    monkeypatch.setattr(tempest_run, "counts", lambda conn, services: {"servers": 1, "ports": 6})
    look = run.look()
    assert look["failed"] and look["failures"] == [{"id": BAD, "message": "AssertionError: no ping"}]
    assert "1 of 2 tests failed: tempest.scenario.test_network_basic_ops.TestNetworkBasicOps.test_hotplug_nic" \
        in look["msg"]
    assert "Tempest left behind: ports 4 -> 6, servers 0 -> 1" in look["msg"]


def test_a_run_killed_before_its_end_is_a_failure(run, monkeypatch):
    monkeypatch.setattr(tempest_run, "_alive", lambda pid: False)
    monkeypatch.setattr(tempest_run, "parse_stream", lambda path: results(finished=False))
    with open(run.path("results.subunit"), "wb"):
        pass
    look = run.look()
    assert look["ready"] and look["failed"] and "without an exit code" in look["msg"]


def test_selection_tests_that_never_ran_fail_the_run(run, monkeypatch):
    finish(run, rc="2")
    with open(run.path("stderr.log"), "w") as handle:
        handle.write("ImportError: no module named tempest.foo\n")
    r = Results()
    r.status(test_id=OK, test_status="success", timestamp=T0)
    monkeypatch.setattr(tempest_run, "parse_stream", lambda path: r)
    look = run.look()
    assert "only 1 of the 2 selected tests ran (exit 2): ImportError" in look["msg"]


@pytest.mark.parametrize("args,field", [({"run_id": "../x"}, "run_id"), ({"concurrency": 0}, "concurrency"),
                                        ({"delay": 0}, "delay")])
def test_bad_options_are_named(tmp_path, args, field):
    result = run_module(dict({"workspace": str(tmp_path), "run_id": "r1"}, **args), main=tempest_run.main)
    assert result["failed"] and result["msg"].startswith(field)


def test_check_mode_runs_nothing(tmp_path):
    result = run_module({"workspace": str(tmp_path), "run_id": "r1"}, check_mode=True, main=tempest_run.main)
    assert result["ready"] and not result["changed"] and not os.path.exists(os.path.join(str(tmp_path), "runs"))


def test_a_failed_class_cleanup_fails_the_run(run, monkeypatch):
    finish(run, rc="1")
    r = results()
    fixture = "tearDownClass (tempest.api.compute.test_versions.TestVersions)"
    r.status(test_id=fixture, file_name="traceback", file_bytes=b"ConnectionResetError: reset\n")
    r.status(test_id=fixture, test_status="fail", timestamp=T0)
    monkeypatch.setattr(tempest_run, "parse_stream", lambda path: r)
    look = run.look()
    assert look["failed"] and look["tests_failed"] == 0
    assert "0 of 2 tests failed and 1 class fixtures: tearDownClass" in look["msg"]


def test_the_run_is_detached_in_a_session_of_its_own(tmp_path):
    pid = tempest_run.detach(["sh", "-c", "ps -o sid= -p $$ > sid; echo done > out"], str(tmp_path))
    os.waitpid(pid, 0)
    assert (tmp_path / "out").read_text() == "done\n"
    assert int((tmp_path / "sid").read_text()) == pid  # its own session (and process group): killpg reaches it all
