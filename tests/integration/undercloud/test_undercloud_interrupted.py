# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The undercloud layer killed (SIGKILL, the whole process group: ansible-playbook and the modules it runs) at
random points, then run again: it must converge with nothing made twice and nothing left after the teardown. The
points tried and how each ended go to build/interrupted-runs.json."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

from .conftest import CLOUDS, TOP
from .test_undercloud_layer import _lab, playbook, remaining
from .test_undercloud_faults import duplicates

POINTS = int(os.environ.get("NC_INTERRUPT_POINTS", "5"))
SEED = int(os.environ.get("NC_INTERRUPT_SEED", "20261124"))


def killed_after(seconds, lab, tmp_path):
    """Start the layer and kill it after ``seconds``; whether it was still running then."""
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg"), OS_CLIENT_CONFIG_FILE=CLOUDS,
               ANSIBLE_NOCOLOR="1", HOME=str(tmp_path))
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "playbooks/undercloud.yml",
           "-e", json.dumps({"nestedcloud_lab": lab})]
    with open(tmp_path / "killed.log", "w") as log:
        proc = subprocess.Popen(cmd, cwd=TOP, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            proc.wait(timeout=seconds)
            return False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # our own child's group only
            proc.wait()
            return True


def test_killed_at_random_points_the_layer_converges_on_the_next_run(member, tmp_path):
    lab = _lab("iti", 2, storage={"data_gb": 1})
    chooser = random.Random(SEED)
    record = {"seed": SEED, "points": []}
    try:
        began = time.monotonic()
        full = playbook("undercloud", lab, tmp_path)  # how long a whole run takes, to draw points inside it
        assert full.returncode == 0, full.stdout[-3000:]
        length = time.monotonic() - began
        for number in range(POINTS):
            down = playbook("teardown", lab, tmp_path)
            assert down.returncode == 0 and remaining(member, "iti") == {}, down.stdout[-3000:]
            seconds = round(chooser.uniform(2, max(3.0, length * 0.9)), 1)
            point = {"kill_after_s": seconds, "was_running": killed_after(seconds, lab, tmp_path)}
            point["left_by_kill"] = dict((k, len(v)) for k, v in remaining(member, "iti").items())
            again = playbook("undercloud", lab, tmp_path)
            point["converged"] = again.returncode == 0
            owned = remaining(member, "iti")
            point["duplicates"] = duplicates(owned)
            point["servers"] = sorted(owned.get("server", []))
            record["points"].append(point)
            assert point["converged"], (number, again.stdout[-3000:])
            assert point["duplicates"] == {} and point["servers"] == ["iti-r0", "iti-uc-0001", "iti-uc-0002"]
        down = playbook("teardown", lab, tmp_path)
        assert down.returncode == 0
        record["leaked"] = remaining(member, "iti")
        assert record["leaked"] == {}
    finally:
        record["tried"] = len(record["points"])
        record["converged"] = sum(1 for p in record["points"] if p.get("converged"))
        os.makedirs(os.path.join(TOP, "build"), exist_ok=True)
        with open(os.path.join(TOP, "build", "interrupted-runs.json"), "w") as handle:
            json.dump(record, handle, indent=1, sort_keys=True)
        print("interrupted runs: %s" % json.dumps(record, sort_keys=True))
        playbook("teardown", lab, tmp_path)
    assert remaining(member, "iti") == {}
