# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tempest_run's view of a run: going, ended well, ended with failures or leftovers, killed; and its refusals."""

from __future__ import annotations

import datetime
import json
import os
import time

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.tempest import Results
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
                       ("before.json", json.dumps(BEFORE)), ("pid", "999999\n")):
        with open(made.path(name), "w") as handle:
            handle.write(text)
    monkeypatch.setattr(tempest_run.Run, "connect", lambda self: (None, {"compute", "network"}))
    monkeypatch.setattr(tempest_run, "snapshot", lambda conn, services: BEFORE)
    return made


PORT = {"name": "", "project_id": "p-admin", "status": "ACTIVE", "device_owner": "network:dhcp"}
BEFORE = {"servers": {}, "ports": dict(("port-%d" % n, PORT) for n in range(4)),
          "projects": {"p-admin": {"name": "admin", "project_id": ""}}}


def finish(run, rc="0"):
    with open(run.path("rc"), "w") as handle:
        handle.write(rc + "\n")
    with open(run.path("results.subunit"), "wb") as handle:
        handle.write(b"")


def test_a_run_going_on_says_how_far_and_what_runs(run, monkeypatch):
    monkeypatch.setattr(tempest_run, "alive", lambda pid: True)
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
    after = json.loads(json.dumps(BEFORE))
    after["servers"]["s-1"] = {"name": "tempest-server-1", "project_id": "p-gone", "status": "ERROR",
                               "fault": "Failed to terminate process 4242 with SIGKILL"}
    after["ports"].update({"port-8": dict(PORT, device_owner="compute:nova"), "port-9": PORT})
    monkeypatch.setattr(tempest_run, "snapshot", lambda conn, services: after)
    look = run.look()
    assert look["failed"] and look["failures"] == [{"id": BAD, "message": "AssertionError: no ping"}]
    assert "1 of 2 tests failed: tempest.scenario.test_network_basic_ops.TestNetworkBasicOps.test_hotplug_nic" \
        in look["msg"]
    assert "Tempest left behind: ports 4 -> 6, servers 0 -> 1" in look["msg"]
    # which server, in what state and why: what an operator needs to find its cause
    assert "servers s-1 (tempest-server-1, ERROR, fault: Failed to terminate process 4242 with SIGKILL)" in look["msg"]
    assert look["counts"] == {"before": {"servers": 0, "ports": 4, "projects": 1},
                              "after": {"servers": 1, "ports": 6, "projects": 1}}


def test_a_run_killed_before_its_end_is_a_failure(run, monkeypatch):
    monkeypatch.setattr(tempest_run, "alive", lambda pid: False)
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


class Cloud:
    """What sweep calls of openstacksdk, recording the deletes; ``stuck`` servers never go away."""

    def __init__(self, stuck=(), broken=()):
        self.calls, self.stuck, self.broken, self.servers = [], set(stuck), set(broken), set()
        self.compute, self.network, self.identity, self.image = self, self, self, self

    def _record(self, kind):
        def delete(key, ignore_missing=True):
            assert ignore_missing
            if key in self.broken:
                raise RuntimeError("409 Conflict: in use")
            self.calls.append((kind, key))
            if kind == "server" and key not in self.stuck:
                self.servers.discard(key)
        return delete

    def __getattr__(self, name):
        if name.startswith("delete_"):
            return self._record(name[len("delete_"):])
        raise AttributeError(name)

    def find_server(self, key, ignore_missing=True, all_projects=False):
        return key if key in self.stuck else None

    def ports(self, device_id, device_owner):
        ports = [type("Port", (), {"id": "ri-1", "device_owner": "network:router_interface"})(),
                 type("Port", (), {"id": "gw-1", "device_owner": "network:router_gateway"})()]
        return [port for port in ports if port.device_owner == device_owner]

    def remove_interface_from_router(self, router, port_id):
        self.calls.append(("router_interface", port_id))


def test_the_sweep_deletes_in_order_and_reports_what_it_could_not(monkeypatch):
    monkeypatch.setattr(tempest_run.time, "sleep", lambda seconds: None)
    plan = [("servers", [{"id": "s-1"}, {"id": "s-2", "name": "tempest-x", "status": "ERROR"}]),
            ("routers", [{"id": "r-1"}]), ("networks", [{"id": "n-1"}, {"id": "n-2", "name": "busy"}]),
            ("projects", [{"id": "p-1"}])]
    cloud = Cloud(stuck={"s-2"}, broken={"n-2"})
    swept, errors = tempest_run.sweep(cloud, plan, wait=0)
    assert cloud.calls == [("server", "s-1"), ("server", "s-2"), ("router_interface", "ri-1"), ("router", "r-1"),
                           ("network", "n-1"), ("project", "p-1")]
    assert swept == {"servers": ["s-1"], "routers": ["r-1"], "networks": ["n-1"], "projects": ["p-1"]}
    assert errors == ["servers s-2 (tempest-x, ERROR): still there 0 s after its delete",
                      "networks n-2 (busy): 409 Conflict: in use"]


def test_a_new_run_first_sweeps_what_the_killed_run_left(run, monkeypatch):
    """The earlier run (r1, the fixture's) was killed in the middle: its projects and their things are deleted before
    the next run lists its own 'before', and the next run's report says so."""
    now = json.loads(json.dumps(BEFORE))
    now["projects"]["p-t"] = {"name": "tempest-ServersTestJSON-1", "project_id": ""}
    now["servers"]["s-1"] = {"name": "tempest-server-1", "project_id": "p-t", "status": "ACTIVE"}
    deleted = []
    monkeypatch.setattr(tempest_run, "sweep", lambda conn, plan, wait=300: (
        deleted.extend(plan) or ({kind: [e["id"] for e in entries] for kind, entries in plan}, [])))
    with open(os.path.join(run.runs, "active"), "w") as handle:
        handle.write("r1\n")
    later = tempest_run.Run(Module(dict(run.p, run_id="r2")))
    assert later.sweep_earlier(later.earlier(), None, now) == {
        "run": "r1", "swept": {"servers": ["s-1"], "projects": ["p-t"]}, "errors": [],
        "line": "1 projects, 1 servers (run r1)"}
    assert [kind for kind, entries in deleted] == ["servers", "projects"]


def test_an_earlier_run_still_going_is_stopped_with_all_of_its_group(tmp_path, monkeypatch):
    """The earlier run's shell and the workers it started (a child that ignores SIGTERM) are all gone."""
    monkeypatch.setattr(tempest_run, "STOP_GRACE", 1)
    made = tempest_run.Run(Module({"workspace": str(tmp_path), "run_id": "r1"}))
    os.makedirs(made.dir)
    pid = tempest_run.detach(["sh", "-c", "sh -c 'trap \"\" TERM; touch worker; sleep 60' & sleep 60"], str(tmp_path))
    with open(made.path("pid"), "w") as handle:
        handle.write("%d\n" % pid)
    for dummy in range(100):  # the run has started its worker (it is long under way when a real play comes back)
        if os.path.exists(str(tmp_path / "worker")):
            break
        time.sleep(0.05)
    later = tempest_run.Run(Module({"workspace": str(tmp_path), "run_id": "r2"}))
    assert later.stop_earlier("r1") == "stopped the unfinished run r1"
    os.waitpid(pid, 0)  # this test's own child: reaped here, as r0's init reaps it there
    assert not tempest_run._group_alive(pid)  # pylint: disable=protected-access


def test_the_last_finished_run_gives_the_costs_a_new_run_spreads_its_tests_by(run, monkeypatch):
    """r1 (the fixture's) finished: r2 spreads by its costs; a run without rc (killed) is no source; no run at all
    falls back to the role's durations."""
    later = tempest_run.Run(Module(dict(run.p, run_id="r2", durations={})))
    assert later.earlier_costs() == ({}, None)  # r1 has not finished
    finish(run)
    monkeypatch.setattr(tempest_run, "parse_stream", lambda path: results())
    costs, source = later.earlier_costs()
    assert source == "run r1" and costs == {"tempest.api.compute.test_versions.TestVersions.": 3.0, BAD: 60.0}


class Started(Module):
    def run_command(self, argv, cwd=None):
        self.ran = getattr(self, "ran", []) + [argv]
        return 0, "%s\n%s\n" % (OK, BAD), ""


def test_a_new_run_hands_tempest_a_worker_file_made_from_the_costs(tmp_path, monkeypatch):
    module = Started({"workspace": str(tmp_path), "run_id": "r1", "cloud": "overcloud", "concurrency": 2,
                      "exclude_file": None, "exclude": [], "include": ["^tempest\\."],
                      "durations": {BAD: 100.0, "tempest.api.compute.test_versions.TestVersions.": 5.0}})
    started = []
    monkeypatch.setattr(tempest_run.Run, "connect", lambda self: (None, {"compute"}))
    monkeypatch.setattr(tempest_run, "snapshot", lambda conn, services: BEFORE)
    monkeypatch.setattr(tempest_run, "detach", lambda argv, cwd: started.append(argv) or 4242)
    run = tempest_run.Run(module)
    run.start()
    assert "'--worker-file' '%s'" % run.path("workers.yaml") in started[0][-1]
    assert "--concurrency" not in started[0][-1]
    with open(run.path("partition.json")) as handle:
        assert json.load(handle) == {"source": "durations", "known": 2, "workers": [
            {"tests": 1, "estimated_s": 100.0}, {"tests": 1, "estimated_s": 5.0}]}
    with open(run.path("workers.yaml")) as handle:
        assert handle.read().count("- worker:") == 2
