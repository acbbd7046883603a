# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/hosts/testhosts.sh stops only the processes it started: a pid file whose process ended and whose PID went to
somebody else since (PIDs wrap: pid_max is 32768 on this machine kind) must not signal that somebody, while a
recorded process of ours that still runs is stopped."""

from __future__ import annotations

import os
import subprocess
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTHOSTS = os.path.join(TOP, "tests", "hosts", "testhosts.sh")


def _start_time(pid):
    with open("/proc/%d/stat" % pid) as handle:
        return handle.read().rsplit(")", 1)[1].split()[19]


def _gone(proc, within=10.0):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return True
        time.sleep(0.05)
    return False


def test_relay_stop_signals_its_own_process_and_never_a_reused_pid(tmp_path):
    pids = tmp_path / "pids"
    pids.mkdir()
    ours = subprocess.Popen(["sleep", "300"])
    stranger = subprocess.Popen(["sleep", "300"])  # holds a PID a stale file names, with another start time
    try:
        (pids / "relay-ours").write_text("%d %s\n" % (ours.pid, _start_time(ours.pid)))
        (pids / "relay-stale").write_text("%d %d\n" % (stranger.pid, int(_start_time(stranger.pid)) - 1))
        (pids / "acng").write_text("%d\n" % stranger.pid)  # the old format, a bare PID: not trusted either
        run = subprocess.run(["bash", TESTHOSTS, "relay", "stop"], env=dict(os.environ, NC_HOSTS_STATE=str(tmp_path)),
                             capture_output=True, text=True, timeout=60, check=False)
        assert run.returncode == 0, run.stdout + run.stderr
        assert _gone(ours), "the relay's own process was not stopped"
        assert stranger.poll() is None, "a process that only reused a recorded PID was signalled"
        assert sorted(os.listdir(pids)) == [], "the pid files are left"
    finally:
        for proc in (ours, stranger):
            if proc.poll() is None:
                proc.kill()
            proc.wait()
