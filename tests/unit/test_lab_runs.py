# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""scripts/lab_runs.py: how scripts/lab.sh stops runs on purpose - with real processes (a tree with a member in a
session of its own, as ansible-core's workers are), never a process it did not start."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time

import pytest

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "lab_runs.py")
spec = importlib.util.spec_from_file_location("lab_runs", SCRIPT)
runs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(runs)

OUTPUT = """PLAY [Overcloud layer] ****
TASK [nestedcloud.openstack.overcloud : Packages] ******
ok: [uc-0001]
TASK [nestedcloud.openstack.overcloud : Databases and users of the services] ****
"""


def test_the_first_task_matching_and_the_last_task():
    assert runs.first_task(OUTPUT, "overcloud : Databases") == \
        "TASK [nestedcloud.openstack.overcloud : Databases and users of the services]"
    assert runs.first_task(OUTPUT, "verify : Tempest") is None
    assert runs.last_task(OUTPUT) == "TASK [nestedcloud.openstack.overcloud : Databases and users of the services]"
    assert runs.last_task("PLAY RECAP") is None


def test_kill_moments_follow_the_seed_within_the_window():
    moments = runs.kill_moments(50, 7, 240)
    assert moments == runs.kill_moments(50, 7, 240) and moments != runs.kill_moments(50, 8, 240)
    assert all(20 <= m < 240 for m in moments)
    assert runs.kill_moments(3, 1, 10) == [20, 20, 20]  # a window shorter than the earliest moment


# a run like ansible-playbook's: a child in the same group and a worker in a session of its own
TREE = "sleep 60 & setsid sleep 60 & echo 'TASK [x : Wait]'; wait"


def test_kill_tree_kills_the_group_and_the_descendants_in_sessions_of_their_own():
    proc = subprocess.Popen(["sh", "-c", TREE], start_new_session=True)
    deadline = time.monotonic() + 5
    while len(runs.descendants(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    tree = runs.descendants(proc.pid)
    assert len(tree) == 2 and all(runs.alive(p) for p in tree)
    assert runs.kill_tree(proc) == []
    assert not any(runs.alive(p) for p in tree) and proc.returncode == -9


def test_until_stops_the_run_when_the_task_starts(tmp_path):
    log = tmp_path / "run.log"
    began = time.monotonic()
    task, left, forced = runs.until(str(log), "x : Wait", "KILL", 0, ["sh", "-c", TREE], poll=0.1)
    assert task == "TASK [x : Wait]" and left == [] and not forced
    assert time.monotonic() - began < 30  # not the 60 s the run would take


def test_until_interrupts_as_ctrl_c_even_when_started_with_sigint_ignored(tmp_path):
    """A caller started in the background has SIGINT ignored (bash does that to its asynchronous commands), and a
    shell cannot trap a signal ignored on entry: the run gets SIGINT at its default, as from a terminal."""
    log = tmp_path / "run.log"
    script = "trap 'echo interrupted; exit 3' INT; echo 'TASK [x : Wait]'; while true; do sleep 0.1; done"
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        task, left, forced = runs.until(str(log), "Wait", "INT", 0.2, ["sh", "-c", script], poll=0.1, grace=20)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert task and left == [] and not forced and "interrupted" in log.read_text()


def test_a_run_that_ignores_sigint_is_killed_after_the_grace(tmp_path):
    script = "trap '' INT; echo 'TASK [x : Wait]'; while true; do sleep 0.1; done"
    began = time.monotonic()
    task, left, forced = runs.until(str(tmp_path / "run.log"), "Wait", "INT", 0, ["sh", "-c", script], poll=0.1,
                                    grace=1)
    assert task and forced and left == []  # killed, nothing of it left
    assert time.monotonic() - began < 20


def test_until_says_nothing_when_the_run_ends_first(tmp_path):
    assert runs.until(str(tmp_path / "run.log"), "never", "KILL", 0, ["sh", "-c", "echo 'TASK [a]'"],
                      poll=0.1) == (None, [], False)


def test_kills_record_each_point_killed_or_missed(tmp_path):
    said = []
    command = ["sh", "-c", "echo 'TASK [y : Slow]'; sleep 30"]
    points, left = runs.kills(2, 3, 2, str(tmp_path), command, say=said.append, earliest=1)
    assert left == [] and points == [{"after_s": 1, "task": "TASK [y : Slow]"}] * 2
    assert json.loads((tmp_path / "kills.json").read_text()) == {"seed": 3, "points": points}
    assert said[0] == "site.yml killed (SIGKILL) after 1 s, in: TASK [y : Slow]"
    points, _left = runs.kills(1, 3, 2, str(tmp_path), ["true"], say=said.append, earliest=1)
    assert points == [{"after_s": 1, "task": None}] and said[-1] == "site.yml ended before the kill point (1 s)"


def test_the_command_line_refuses_what_it_does_not_know():
    done = subprocess.run([sys.executable, SCRIPT, "until", "x"], capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "lab_runs.py until LOG PATTERN" in done.stderr


# INT reaches the run's group only (as Ctrl-C does): the run of that case has no member in a session of its own
@pytest.mark.parametrize("how, script", [("KILL", TREE), ("INT", "echo 'TASK [x : Wait]'; exec sleep 60")])
def test_the_command_line_prints_the_task(tmp_path, how, script):
    done = subprocess.run([sys.executable, SCRIPT, "until", str(tmp_path / "l"), "Wait", how, "0", "--", "sh", "-c", script],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.stdout.strip() == "TASK [x : Wait]"
