# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs of ansible-playbook that scripts/lab.sh stops on purpose, and how it stops them (unit-tested in
tests/unit/test_lab_runs.py).

  lab_runs.py until LOG PATTERN SIGNAL AFTER -- COMMAND...
      run COMMAND (a session of its own, output to LOG); when a task matching PATTERN starts, wait AFTER seconds and
      stop it with SIGNAL: INT (as Ctrl-C, ansible-playbook's own handling) or KILL (the whole tree). Prints the task
      ("" when the run ended first); exits 1 when a killed run left a process alive, or when an interrupted one had
      not ended 600 s after its SIGINT (it is then killed).
  lab_runs.py kills N SEED WINDOW STATE -- COMMAND...
      N runs of COMMAND, each SIGKILLed (the whole tree) at a random moment between 20 s and WINDOW s after it
      started, drawn from SEED; each run's output in STATE/killed-<i>.log, the points in STATE/kills.json. A run that
      ends before its moment is a point that missed (task null).
  lab_runs.py kill-tree PID
      SIGKILL a run: its process group and every descendant by PID.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time

TASK = re.compile(r"^TASK \[(.*?)\]", re.M)


def first_task(text, pattern):
    """The first line 'TASK [...]' of an ansible-playbook output whose task matches the regex pattern, or None."""
    wanted = re.compile(pattern)
    for line in text.splitlines():
        if line.startswith("TASK [") and wanted.search(line):
            return line.rstrip(" *")
    return None


def last_task(text):
    """The last 'TASK [...]' line of an output (where a killed run was), or None."""
    lines = [line.rstrip(" *") for line in text.splitlines() if line.startswith("TASK [")]
    return lines[-1] if lines else None


def kill_moments(count, seed, window, earliest=20):
    """Seconds after its start at which each of ``count`` runs is killed: independent, uniform in [earliest, window)."""
    chooser = random.Random(seed)
    return [chooser.randrange(earliest, max(earliest + 1, window)) for dummy in range(count)]


def children(pid):
    """The PIDs whose parent is pid (every thread's children), [] when pid is gone."""
    found = []
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return found
    for task in tasks:
        try:
            with open("/proc/%d/task/%s/children" % (pid, task)) as handle:
                found.extend(int(p) for p in handle.read().split())
        except OSError:
            continue
    return found


def descendants(pid):
    """Every descendant of pid, depth first."""
    found = []
    for child in children(pid):
        found.append(child)
        found.extend(descendants(child))
    return found


def alive(pid):
    """Running or sleeping, not a zombie waiting to be reaped (nor gone)."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            stat = handle.read()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _signal_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except OSError:
        pass


def kill_tree(proc):
    """SIGKILL a run started in a session of its own: its process group, and every descendant by PID -
    ansible-core's workers each call setsid (sessions of their own), so killing the group alone leaves them behind,
    blocked on the dead parent's pipe. The group is stopped first, so that nothing forks while the tree is read.
    Returns the PIDs still alive a second later ([] when all are gone)."""
    root = proc.pid if hasattr(proc, "pid") else int(proc)
    _signal_group(root, signal.SIGSTOP)
    pids = descendants(root)
    _signal_group(root, signal.SIGKILL)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if hasattr(proc, "wait"):
        proc.wait()
    time.sleep(1)
    return [pid for pid in pids if alive(pid)]


def _default_signals():
    # As from a terminal: a caller started in the background (bash ignores SIGINT and SIGQUIT in its asynchronous
    # commands) would pass SIG_IGN on, and a shell cannot trap a signal ignored on entry.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def start(command, log):
    """COMMAND (argv) in a session of its own, its output to the file LOG, SIGINT and SIGQUIT at their defaults."""
    with open(log, "w") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=_default_signals)  # pylint: disable=subprocess-popen-preexec-fn


def read(path):
    try:
        with open(path, errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def until(log, pattern, how, after, command, poll=1.0, grace=600):
    """Run command until a task matching pattern starts, then stop it (INT or KILL) ``after`` seconds later; a run
    still there ``grace`` seconds after its SIGINT is KILLed. Returns (task or None, PIDs left alive, whether a
    SIGINT had to be followed by a KILL)."""
    proc = start(command, log)
    task, left, forced = None, [], False
    while proc.poll() is None:
        task = first_task(read(log), pattern)
        if task:
            time.sleep(after)  # let the task get going on the hosts
            if how == "KILL":
                left = kill_tree(proc)
            else:
                _signal_group(proc.pid, signal.SIGINT)
                try:
                    proc.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    left, forced = kill_tree(proc), True
            break
        time.sleep(poll)
    proc.wait()
    return task, left, forced


def kills(count, seed, window, state, command, say=print, earliest=20):
    """The random kills; returns the points written to state/kills.json and the PIDs left alive."""
    points, left = [], []
    for number, after in enumerate(kill_moments(count, seed, window, earliest), start=1):
        log = os.path.join(state, "killed-%d.log" % number)
        proc = start(command, log)
        try:
            proc.wait(timeout=after)
            task = None
            say("site.yml ended before the kill point (%d s)" % after)
        except subprocess.TimeoutExpired:
            left += kill_tree(proc)
            task = last_task(read(log))
            say("site.yml killed (SIGKILL) after %d s, in: %s" % (after, task))
        points.append({"after_s": after, "task": task})
    with open(os.path.join(state, "kills.json"), "w") as handle:
        json.dump({"seed": seed, "points": points}, handle)
    return points, left


def main(argv):
    if "--" in argv:
        split = argv.index("--")
        args, command = argv[:split], argv[split + 1:]
    else:
        args, command = argv, []
    if args[:1] == ["until"] and len(args) == 5 and command:
        task, left, forced = until(args[1], args[2], args[3], float(args[4]), command)
        print(task or "")
        if forced:
            print("the run did not end within 600 s of its SIGINT and was killed", file=sys.stderr)
        if left:
            print("processes of the stopped run still alive: %s" % left, file=sys.stderr)
        return 1 if left or forced else 0
    if args[:1] == ["kills"] and len(args) == 5 and command:
        _points, left = kills(int(args[1]), int(args[2]), int(args[3]), args[4], command)
        if left:
            print("processes of the killed runs still alive: %s" % left, file=sys.stderr)
        return 1 if left else 0
    if args[:1] == ["kill-tree"] and len(args) == 2:
        left = kill_tree(int(args[1]))
        return 1 if left else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
