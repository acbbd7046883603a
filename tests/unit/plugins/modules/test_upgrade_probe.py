# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""upgrade_probe: a sampler that outlives the task, started once, restarted for other probes, stopped with figures.
The sampler is a real process pinging 127.0.0.1 (and a port where nothing listens, for failures)."""

from __future__ import annotations

import os
import time

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.processes import started_at
from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner import probe
from ansible_collections.nestedcloud.openstack.plugins.modules import upgrade_probe as module
from tests.unit.plugins._module_runner import run_module

LOOP = [{"name": "vm", "ping": "127.0.0.1", "period": 0.1}]


def run(check_mode=False, **args):
    return run_module(args, check_mode=check_mode, main=module.main)


@pytest.fixture()
def state(tmp_path):
    where = str(tmp_path / "probe")
    yield where
    pid = module.running(where)
    if pid:
        module.stop(pid)


def test_started_once_left_alone_then_stopped_with_its_figures(state):
    first = run(dir=state, probes=LOOP)
    assert first["changed"] and first["running"] and started_at(first["pid"])
    assert oct(os.stat(state).st_mode & 0o777) == "0o700"
    again = run(dir=state, probes=LOOP)
    assert not again["changed"] and again["pid"] == first["pid"]
    time.sleep(1.0)
    done = run(dir=state, state="stopped")
    assert done["changed"] and not done["running"] and started_at(first["pid"]) is None
    assert done["stopped_by"] == "SIGTERM"
    vm = done["report"]["vm"]
    assert vm["samples"] >= 5 and vm["failed"] == 0 and vm["up_at_end"] and vm["outages"] == []
    assert not run(dir=state, state="stopped")["changed"]  # nothing runs any more
    assert run(dir=state, state="stopped")["report"] == done["report"]  # the samples stay for the report


def test_other_probes_restart_the_sampler_and_the_samples_of_both_are_kept(state):
    first = run(dir=state, probes=LOOP)
    time.sleep(0.5)
    down = LOOP + [{"name": "api", "http": "http://127.0.0.1:9/", "period": 0.1, "timeout": 0.2}]
    second = run(dir=state, probes=down)
    assert second["changed"] and second["pid"] != first["pid"] and started_at(first["pid"]) is None
    time.sleep(0.6)
    report = run(dir=state, state="stopped")["report"]
    assert report["api"]["failed"] == report["api"]["samples"] >= 2 and not report["api"]["up_at_end"]
    assert report["vm"]["samples"] >= 6  # before and after the restart


def test_a_sampler_told_to_stop_right_after_its_start_ends_on_its_own(state):
    # the SIGTERM lands while the sampler starts its threads: a handler calling Event.set() deadlocked there in 2 of
    # 40 tries (the lock of Event.wait held by the thread the handler interrupted), until the SIGKILL 15 s later
    for dummy in range(30):
        run(dir=state, probes=LOOP)
        assert run(dir=state, state="absent")["stopped_by"] == "SIGTERM"


def test_absent_stops_it_and_removes_the_samples(state):
    run(dir=state, probes=LOOP)
    gone = run(dir=state, state="absent")
    assert gone["changed"] and not gone["running"] and gone["report"] == {} and gone["stopped_by"] == "SIGTERM"
    assert not os.path.exists(os.path.join(state, "samples.jsonl"))
    assert not run(dir=state, state="absent")["changed"]


def test_check_mode_starts_nothing(state):
    result = run(check_mode=True, dir=state, probes=LOOP)
    assert result["changed"] and not result["running"] and not os.path.exists(state)


def test_a_sampler_it_did_not_start_is_not_taken_for_its_own(state):
    os.makedirs(state)
    with open(os.path.join(state, "probe.pid"), "w") as handle:
        handle.write("%d 1\n" % os.getpid())  # a PID that runs, but with another start time
    assert module.running(state) == 0


@pytest.mark.parametrize("probes,words", [
    ([{"ping": "127.0.0.1"}], "probes[0].name"),
    ([{"name": "a", "ping": "127.0.0.1", "http": "http://x/"}], "probes[0]: give exactly one of"),
    ([{"name": "a", "openstack": {"cloud": "overcloud", "call": "volumes"}}], "probes[0].openstack"),
    ([{"name": "a", "http": "ftp://x/"}], "probes[0].http"),
    ([{"name": "a", "ping": "127.0.0.1", "period": 0}], "probes[0].period"),
    ([{"name": "a", "ping": "127.0.0.1"}, {"name": "a", "ping": "127.0.0.2"}], "names must be unique"),
])
def test_bad_probes_are_named_and_nothing_starts(state, probes, words):
    result = run(dir=state, probes=probes)
    assert result["failed"] and words in result["msg"] and not os.path.exists(state)


def test_an_openstack_probe_makes_its_call_and_counts_an_error_as_a_failed_sample():
    calls = []

    class Proxy(object):
        def __init__(self, fail=False):
            self.fail = fail

        def get(self, path):
            calls.append(path)
            if self.fail:
                raise RuntimeError("503 Service Unavailable")

    class Session(object):
        def invalidate(self):
            calls.append("invalidate")

        def get_token(self):
            calls.append("token")
            return "gAAA"

    class Conn(object):
        session, compute, network, image = Session(), Proxy(), Proxy(fail=True), Proxy()

    def connect(cloud):
        assert cloud == "overcloud"
        return Conn()

    assert probe.check_of({"name": "t", "openstack": {"cloud": "overcloud", "call": "token"}}, connect)() == (True, None)
    assert calls == ["invalidate", "token"]
    assert probe.check_of({"name": "s", "openstack": {"cloud": "overcloud", "call": "servers"}}, connect)() == (True, None)
    assert calls[-1] == "/servers?limit=1"
    with pytest.raises(RuntimeError):  # the sampler turns it into a failed sample with the error
        probe.check_of({"name": "n", "openstack": {"cloud": "overcloud", "call": "networks"}}, connect)()
