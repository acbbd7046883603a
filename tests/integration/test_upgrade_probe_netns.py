# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""nestedcloud.openstack.upgrade_probe through a real ansible-playbook, with a real outage to measure.

Two namespaces this test makes (nc-pr<pid>-a: the operator's host, where the module and its sampler run; -b: the
"VM", 10.45.0.2 with a web server standing in for an API) on one veth pair; nothing is addressed in the root
namespace. The sampler pings the VM and fetches the page while the test takes the VM's link down for 3 s: the report
must show that outage, from the last reply before it to the first after it, and the sampler must have outlived the
task that started it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from ._runner import run_task

PROBE = "nestedcloud.openstack.upgrade_probe"
OUTAGE_S = 3.0


def sh(*cmd, check=True):
    return subprocess.run(cmd, capture_output=True, text=True, check=check)


@pytest.fixture()
def pair(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    a, b = "nc-pr%d-a" % os.getpid(), "nc-pr%d-b" % os.getpid()
    server = None
    try:
        for ns in (a, b):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "link", "add", "eth0", "netns", a, "type", "veth", "peer", "name", "eth0", "netns", b)
        for ns, ip in ((a, "10.45.0.1/24"), (b, "10.45.0.2/24")):
            sh("ip", "-n", ns, "addr", "add", ip, "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
        (tmp_path / "www").mkdir()
        (tmp_path / "www" / "index.html").write_text("up\n")
        server = subprocess.Popen(["ip", "netns", "exec", b, sys.executable, "-m", "http.server", "8080", "--bind",
                                   "10.45.0.2", "--directory", str(tmp_path / "www")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        fetch = "import urllib.request; urllib.request.urlopen('http://10.45.0.2:8080/', timeout=1)"
        for dummy in range(50):  # the web server answers before the probes start
            if sh("ip", "netns", "exec", a, sys.executable, "-c", fetch, check=False).returncode == 0:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the web server in %s did not answer" % b)
        yield {"a": a, "b": b, "dir": str(tmp_path / "probe")}
    finally:
        if server:
            server.kill()
            server.wait()
        # the sampler, should the test have failed before stopping it (its pid file names it)
        record = (tmp_path / "probe" / "probe.pid")
        if record.exists():
            sh("kill", record.read_text().split()[0], check=False)
        for ns in (a, b):
            sh("ip", "netns", "del", ns, check=False)


def test_the_probe_measures_an_outage_it_lived_through(pair):
    probes = [{"name": "vm", "ping": "10.45.0.2", "period": 0.1, "timeout": 0.5},
              {"name": "api", "http": "http://10.45.0.2:8080/", "period": 0.2, "timeout": 1.0}]
    inside = ("ip", "netns", "exec", pair["a"])
    started = run_task(PROBE, {"probes": probes, "dir": pair["dir"]}, prefix=inside)
    assert started["changed"] and started["running"], started
    assert not run_task(PROBE, {"probes": probes, "dir": pair["dir"]}, prefix=inside)["changed"]
    time.sleep(1.0)
    down = time.time()
    sh("ip", "-n", pair["b"], "link", "set", "eth0", "down")
    time.sleep(OUTAGE_S)
    sh("ip", "-n", pair["b"], "link", "set", "eth0", "up")
    up = time.time()
    time.sleep(2.0)
    stopped = run_task(PROBE, {"state": "stopped", "dir": pair["dir"]}, prefix=inside)
    assert stopped["changed"] and not stopped["running"] and stopped["stopped_by"] == "SIGTERM", stopped
    for name in ("vm", "api"):
        got = stopped["report"][name]
        # the outage we made, seen from both sides of it: never shorter, and late by at most a probe's timeout and
        # period (a busy machine may add a short blip of its own elsewhere; ours is the one across the link's down time)
        ours = [o for o in got["outages"] if o["from"] <= up and o["to"] >= down]
        assert len(ours) == 1 and got["up_at_end"], (name, got)
        assert OUTAGE_S - 0.3 <= ours[0]["seconds"] <= OUTAGE_S + 2.5 and got["longest_gap_s"] == ours[0]["seconds"], \
            (name, got)
    assert stopped["report"]["vm"]["samples"] > 30
