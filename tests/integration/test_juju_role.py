# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The juju role's input files, run by ansible-playbook on localhost: written once, the credential root-only,
the overlay from the plan, and a second run that changes nothing."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import yaml

from ansible_collections.nestedcloud.openstack.plugins.module_utils.lab_planner import build_plan
from tests.integration._runner import recap

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEY = "ConsumerKey123:TokenKey45678:TokenSecretAbCdEf"


def play(tmp_path, juju_dir):
    plan = build_plan({"name": "lab1", "cloud": "c", "undercloud_count": 3, "nested_vms": {"count": 6},
                       "overcloud": {"kind": "maas_juju", "hosts": "nested", "ceph_disk_gb": 30}})
    extra = tmp_path / "vars.json"
    extra.write_text(json.dumps({"juju_plan": plan, "juju_maas_api_key": KEY, "juju_dir": str(juju_dir),
                                 "juju_virt": [{"inner_virt_type": "kvm"}, {"inner_virt_type": "kvm"}]}))
    book = tmp_path / "juju.yml"
    book.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False,
                                 "roles": [{"role": "nestedcloud.openstack.juju"}]}]))
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    run = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(book), "-e",
                          "@%s" % extra], cwd=TOP, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return run.stdout, recap(run.stdout)


def test_inputs_written_once_from_the_plan(tmp_path):
    juju_dir = tmp_path / "juju"
    out, recap = play(tmp_path, juju_dir)
    assert recap["changed"] == "1" and KEY not in out
    assert stat.S_IMODE(os.stat(juju_dir / "credentials.yaml").st_mode) == 0o600
    overlay = yaml.safe_load((juju_dir / "overlay.yaml").read_text())
    assert overlay["applications"]["nova-compute"]["options"]["virt-type"] == "kvm"  # every hypervisor nests
    assert len(overlay["machines"]) == 4  # oc-0003..oc-0006: MAAS and the controller hold no OpenStack unit
    assert overlay["applications"]["ceph-osd"]["num_units"] == 4
    clouds = yaml.safe_load((juju_dir / "clouds.yaml").read_text())
    assert clouds["clouds"]["lab1-maas"]["endpoint"] == "http://10.33.1.1:5240/MAAS"
    out, recap = play(tmp_path, juju_dir)
    assert recap["changed"] == "0"
