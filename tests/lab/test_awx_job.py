# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The AWX-style runs of site.yml: the job that built the lab from zero (`scripts/lab.sh up`) and the one that must
change nothing (`scripts/lab.sh awx`, before these tests): what AWX keeps of them, and a survey that describes another
lab than the inventory's is refused before anything is created."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys

import yaml

LAB = "nclab"
STATE = os.environ.get("NC_LAB_STATE", "/tmp/nestedcloud-lab")
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_the_job_ran_through_ansible_runner_and_left_only_its_artifacts():
    job = os.path.join(STATE, "awx", "artifacts", "job")
    with open(os.path.join(job, "status")) as handle:
        assert handle.read().strip() == "successful"
    events = _events(job)
    stats = [e for e in events if e.get("event") == "playbook_on_stats"]
    assert len(stats) == 1 and not stats[0]["event_data"]["changed"], stats  # changed=0 on every host
    assert set(stats[0]["event_data"]["ok"]) == {"localhost", "r0", "uc-0001", "uc-0002", "uc-0003"}
    ran = {e["event_data"].get("playbook") for e in events if e.get("event") == "playbook_on_start"}
    assert ran == {"site.yml"}, ran
    # the credentials AWX injected are gone with the private data dir
    assert sorted(os.listdir(os.path.join(STATE, "awx"))) == ["artifacts"]


def _events(job):
    return [json.load(open(path)) for path in glob.glob(os.path.join(job, "job_events", "*.json"))]


def test_one_awx_job_built_the_lab_from_zero_with_the_hosts_it_made():
    """Its inventory was synced before any server existed; every host layer it ran, ran on r0 and the uc- hosts."""
    build = os.path.join(STATE, "awx-build", "artifacts")
    with open(os.path.join(build, "inventory.json")) as handle:
        # ansible-inventory --export keeps the plugin's untrusted values marked, as AWX stores them
        synced = json.load(handle, object_hook=lambda d: d["__ansible_unsafe"] if list(d) == ["__ansible_unsafe"] else d)
    hosts = set(synced.get("_meta", {}).get("hostvars", {}))
    assert not [h for h in hosts if h == "r0" or h.startswith("uc-")], hosts  # oc- VMs are planned hosts anyway
    assert synced["all"]["vars"]["nestedcloud_plan"]["name"] == LAB
    ran = {}
    for event in _events(os.path.join(build, "job")):
        if event.get("event") == "runner_on_ok":  # changed or not
            ran.setdefault(event["event_data"]["play"], set()).add(event["event_data"]["host"])
    uc = {"uc-0001", "uc-0002", "uc-0003"}
    assert {"r0"} <= ran.get("Jumphost layer", set()), ran.keys()
    assert uc <= ran.get("Jumphost layer, the uc- hosts use r0", set()), ran
    assert uc | {"r0"} <= ran.get("Overlay layer", set()), ran
    # the oc- VMs' hosts: the controller only (the inner computes uc-0002/3 hold no oc- VM)
    groups = synced["all"]["vars"]["nestedcloud_plan"]["groups"]
    assert groups["hypervisors"] == ["uc-0001"] and groups["overcloud_compute"] == ["uc-0002", "uc-0003"], groups
    assert ran.get("Hypervisor layer", set()) == {"uc-0001"}, ran
    assert ran.get("Overcloud layer, packaged kind"), ran  # reached the overcloud layer (stopped there on purpose)


def test_a_survey_for_another_lab_is_refused_before_anything_is_made(tmp_path, outer, outer_clouds):
    with open(os.path.join(TOP, "tests", "lab", "awx-survey-answers.yml")) as handle:
        answers = yaml.safe_load(handle)
    answers["nestedcloud_lab_undercloud_count"] = 4
    (tmp_path / "answers.yml").write_text(yaml.safe_dump(answers))
    pub = open(os.path.expanduser("~/.nestedcloud/%s/id_ed25519.pub" % LAB)).read().strip()
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=outer_clouds)
    done = subprocess.run([sys.executable, os.path.join(TOP, "scripts", "awx_job.py"), str(tmp_path / "job"),
                           "--job-template", "nestedcloud 1 undercloud", "--inventory-source",
                           "tests/lab/awx/lab.nestedcloud.yml", "--cloud", "undercloud", "--answers",
                           str(tmp_path / "answers.yml"), "--ssh-key", os.path.expanduser("~/.nestedcloud/nclab/id_ed25519"),
                           "--set", "undercloud_public_key=" + pub], capture_output=True, text=True, env=env,
                          timeout=600, check=False)
    assert done.returncode != 0, done.stdout[-3000:]
    assert "given another definition of lab nclab" in done.stdout, done.stdout[-3000:]
    assert "nestedcloud.openstack.undercloud :" not in done.stdout, "the undercloud role ran"
    assert sorted(s.name for s in outer.compute.servers() if s.name.startswith(LAB + "-")) == [
        "nclab-r0", "nclab-uc-0001", "nclab-uc-0002", "nclab-uc-0003"]
