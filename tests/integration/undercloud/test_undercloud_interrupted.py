# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The undercloud layer and its teardown killed (SIGKILL, the whole process group: ansible-playbook and the modules it
runs) at random points, one after the other, as a user would who starts a killed run again - or tears the lab down,
and kills that too: every run picks up what the killed one before it left, and must not fail before its moment nor
leave anything twice. After the last kill one run to the end must converge, and the teardown after it must leave
nothing. The points and how each ended go to build/interrupted-runs.json.

(Until 2026-12 each point had a teardown and a run to the end of its own, and no teardown was ever killed: a point
cost a whole lab built and removed. Now a killed teardown leaves the next run a half-removed lab to build on, so each
killed run still has servers, ports and volumes to make, at a third of the cost, and interrupted teardowns are
covered too.)"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import subprocess
import sys
import time

from .conftest import CLOUDS, TOP
from .test_undercloud_layer import _lab, playbook, remaining
from .test_undercloud_faults import duplicates

# scripts/lab_runs.py's kill_tree: the process group and every descendant by PID (ansible-core's workers call setsid, so
# killing the group alone left a killed teardown's module deleting on under the next run)
_SPEC = importlib.util.spec_from_file_location("lab_runs", os.path.join(TOP, "scripts", "lab_runs.py"))
lab_runs = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(lab_runs)

POINTS = int(os.environ.get("NC_INTERRUPT_POINTS", "5"))
SEED = int(os.environ.get("NC_INTERRUPT_SEED", "20261124"))


def killed_after(seconds, lab, tmp_path, number, book="undercloud"):
    """Start the layer (or the teardown) and kill it after ``seconds`` (ansible-playbook and every process of its
    tree, module runs included): whether it was still running then, and its exit status when it ended on its own
    (None when killed)."""
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg"), OS_CLIENT_CONFIG_FILE=CLOUDS,
               ANSIBLE_NOCOLOR="1", HOME=str(tmp_path))
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "playbooks/%s.yml" % book,
           "-e", json.dumps({"nestedcloud_lab": lab})]
    with open(tmp_path / ("killed-%s.log" % number), "w") as log:
        proc = subprocess.Popen(cmd, cwd=TOP, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            return False, proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            left = lab_runs.kill_tree(proc)  # our own child's tree only
            assert left == [], "processes of the killed run %s still alive: %s" % (number, left)
            return True, None


def test_the_layer_and_its_teardown_killed_at_random_points_converge(member, tmp_path):
    lab = _lab("iti", 2, storage={"data_gb": 1})
    chooser = random.Random(SEED)
    record, lengths = {"seed": SEED, "points": []}, {}
    try:
        began = time.monotonic()
        full = playbook("undercloud", lab, tmp_path)  # how long a whole run takes, to draw points inside it
        assert full.returncode == 0, full.stdout[-3000:]
        length = time.monotonic() - began
        began = time.monotonic()
        down = playbook("teardown", lab, tmp_path)
        assert down.returncode == 0 and remaining(member, "iti") == {}, down.stdout[-3000:]
        lengths.update(undercloud=length, teardown=time.monotonic() - began)
        for number in range(POINTS):
            for book in ("undercloud", "teardown"):
                seconds = round(chooser.uniform(1, max(2.0, lengths[book] * 0.9)), 1)
                point = {"run": book, "kill_after_s": seconds}
                name = "%d-%s" % (number, book)
                point["was_running"], point["exit_status"] = killed_after(seconds, lab, tmp_path, name, book)
                owned = remaining(member, "iti")
                point["left_by_kill"] = dict((k, len(v)) for k, v in owned.items())
                point["duplicates"] = duplicates(owned)
                record["points"].append(point)
                log = (tmp_path / ("killed-%s.log" % name)).read_text()[-3000:]
                # a run that ended before its moment must have passed; whatever it left, nothing is there twice
                assert point["was_running"] or point["exit_status"] == 0, (name, log)
                assert point["duplicates"] == {}, (name, log)
        again = playbook("undercloud", lab, tmp_path)
        owned = remaining(member, "iti")
        record["converged"] = again.returncode == 0
        record["duplicates"], record["servers"] = duplicates(owned), sorted(owned.get("server", []))
        assert record["converged"], again.stdout[-3000:]
        assert record["duplicates"] == {} and record["servers"] == ["iti-r0", "iti-uc-0001", "iti-uc-0002"]
        down = playbook("teardown", lab, tmp_path)
        assert down.returncode == 0
        record["leaked"] = remaining(member, "iti")
        assert record["leaked"] == {}
    finally:
        record["tried"] = len(record["points"])
        record["killed"] = sum(1 for p in record["points"] if p.get("was_running"))
        record["lengths_s"] = dict((k, round(v, 1)) for k, v in lengths.items())
        os.makedirs(os.path.join(TOP, "build"), exist_ok=True)
        with open(os.path.join(TOP, "build", "interrupted-runs.json"), "w") as handle:
            json.dump(record, handle, indent=1, sort_keys=True)
        print("interrupted runs: %s" % json.dumps(record, sort_keys=True))
        playbook("teardown", lab, tmp_path)
    assert remaining(member, "iti") == {}
