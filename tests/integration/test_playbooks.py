# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real ansible-playbook runs from the checkout (ansible.cfg, example inventory, linked collection)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.labs import OUTER

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _playbook(*args, env=None):
    environ = dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    environ.update(env or {})
    bindir = os.path.dirname(sys.executable)
    return subprocess.run([os.path.join(bindir, "ansible-playbook")] + list(args), cwd=TOP, env=environ,
                          capture_output=True, text=True, timeout=300, check=False)


# What a user of the shipped example inventory must set (it has no safe default), given as nestedcloud_lab_overrides.
REQUIRED = json.dumps({"nestedcloud_lab_overrides": dict(OUTER, cloud="mycloud")})
MISSING = ("image: debian-13", "flavors.jumphost: m1.small", "flavors.undercloud: m1.xlarge")


def test_the_unedited_example_names_everything_it_lacks_before_any_api_call():
    """The shipped inventory (ansible.cfg reads the whole directory): the plugin and every layer that plans stop on
    the definition, naming each key that has no default with an example, before they would ask a cloud."""
    for run in (_playbook("playbooks/plan.yml"), _playbook("playbooks/undercloud.yml")):
        assert run.returncode != 0
        out = " ".join((run.stdout + run.stderr).split())
        assert "nestedcloud_lab.image: is required, and so are nestedcloud_lab.flavors.jumphost" in out, out
        assert all(text in out for text in MISSING), out
        assert "Traceback" not in out
    inventory = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "--graph"],
                               cwd=TOP, env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg")),
                               capture_output=True, text=True, timeout=120, check=False)
    out = " ".join(inventory.stderr.split())
    assert "lab.nestedcloud.yml" in out and all(text in out for text in MISSING), out
    assert "ini plugin" not in out  # no other parser's complaint buries the plugin's


def test_plan_prints_hosts_addresses_roles_and_mtus():
    run = _playbook("playbooks/plan.yml", "-e", "nestedcloud_underlay_mtu=1500", "-e", REQUIRED)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    for text in ("HOST", "ROLES", "UNDERLAY", "OVERLAY", "LAYER", "MTU"):
        assert text in out
    assert "uc-0001  undercloud,hypervisors,overcloud_controller  10.22.0.11  10.33.0.11" in out
    # The inner computes (auto: the last uc- hosts the oc- VMs do not need) hold no oc- VM; the six run on the others.
    assert re.search(r"uc-0002  undercloud,overcloud_compute .* inner compute: holds no oc- VM", out), out
    assert re.search(r"oc-0006  nested .* on uc-0004, ", out), out
    assert "on uc-0002" not in out and "on uc-0003" not in out
    assert "inner tenant    10.55.0.0/16  10.55.0.1  1392" in out
    assert "changed=0" in out and "failed=0" in out


def test_plan_rejects_a_bad_lab_with_the_field_name():
    run = _playbook("playbooks/plan.yml", "-e", json.dumps({"nestedcloud_lab": dict(OUTER, cloud="c", overlay={"cidr": "10.22.0.0/16"})}))
    assert run.returncode != 0
    assert "nestedcloud_lab.overlay.cidr: 10.22.0.0/16 overlaps nestedcloud_lab.underlay.cidr" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


def test_root_site_yml_goes_through_the_collection_in_layer_order():
    run = _playbook("site.yml", "--list-tasks")
    assert run.returncode == 0, run.stdout + run.stderr
    plays = re.findall(r"play #\d+ \(([^)]*)\): (.+?)\s+TAGS", run.stdout)
    same = ("localhost", "Check that the inventory and the run describe the same lab")
    check = (same, ("localhost", "Check the inventory for the lab's hosts"))  # before every host layer
    assert plays == [same, ("localhost", "Undercloud layer"), ("localhost", "Undercloud layer, read the lab's hosts again"),
                     *check, ("jumphost", "Jumphost layer"),
                     ("undercloud", "Jumphost layer, the uc- hosts use r0"), *check,
                     ("jumphost:undercloud", "Overlay layer"), *check,
                     ("undercloud", "Hypervisor layer, oc- VMs where the plan does not place them"),
                     ("hypervisors", "Hypervisor layer"), *check,
                     ("jumphost", "Overcloud layer, the openstack CLI's packages on r0 (in the background)"),
                     ("overcloud_controller:overcloud_compute", "Overcloud layer, packaged kind"),
                     ("jumphost", "Overcloud layer, the openstack CLI on r0"),
                     ("maas", "Overcloud layer, MAAS and charmed OpenStack (kind maas_juju)"),
                     *check, ("jumphost", "Smoke layer"), *check, ("jumphost", "Verify layer")], run.stdout


@pytest.mark.parametrize("layer", ["jumphost", "overlay", "hypervisor", "overcloud", "smoke", "verify"])
def test_host_layers_fail_clearly_without_lab_hosts(layer):
    run = _playbook("playbooks/%s.yml" % layer)
    assert run.returncode != 0
    assert "the %s layer needs r0 (group jumphost)" % layer in run.stdout.replace("\n", " ")


def test_undercloud_layer_fails_clearly_without_a_cloud():
    run = _playbook("playbooks/undercloud.yml", "-e", REQUIRED)
    assert run.returncode != 0
    assert "mycloud" in run.stdout and "clouds.yaml" in run.stdout.replace("\n", " ")
    assert "Traceback" not in run.stdout


def test_lab_plan_integration_target():
    """Run the ansible-test integration target as a role (normal, idempotent, check mode, bad input)."""
    playbook = os.path.join(TOP, "build", "run_lab_plan_target.yml")
    os.makedirs(os.path.dirname(playbook), exist_ok=True)
    with open(playbook, "w") as handle:
        handle.write("- hosts: localhost\n  gather_facts: false\n  roles: [lab_plan]\n")
    run = _playbook(playbook, env={"ANSIBLE_ROLES_PATH": os.path.join(TOP, "tests", "integration", "targets")})
    assert run.returncode == 0, run.stdout + run.stderr
    assert "changed=0" in run.stdout and "failed=0" in run.stdout and "rescued=1" in run.stdout


@pytest.mark.parametrize("kind", ["packaged", "maas_juju"])
def test_the_smoke_roles_defaults_render_for_each_kind(tmp_path, kind):
    """The smoke role's argument validation templates every default: for maas_juju (no overcloud_controller group)
    they must render too, and the external network's physnet must be the one of that kind; the admin comes from the
    same clouds.yaml entry on r0 for both."""
    from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan

    lab = {"name": "lab1", "cloud": "c", **OUTER, "nested_vms": {"count": 3}}
    if kind == "maas_juju":
        lab["overcloud"] = {"kind": "maas_juju", "hosts": "nested"}
    book = tmp_path / "smoke.yml"
    book.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False,
                                 "roles": [{"role": "nestedcloud.openstack.smoke"}],
                                 "post_tasks": [{"name": "physnet", "ansible.builtin.debug": {
                                     "msg": "physnet={{ smoke_physnet }} cloud={{ smoke_clouds_file }}:{{ smoke_cloud }}"},
                                     "tags": ["preflight"]}]}]))
    extra = tmp_path / "vars.json"
    extra.write_text(json.dumps({"nestedcloud_plan": build_plan(lab), "smoke_image_file": "/nonexistent.qcow2"}))
    run = _playbook(str(book), "-e", "@%s" % extra, "--tags", "preflight")
    assert run.returncode == 0, run.stdout + run.stderr
    expected = "physnet=%s cloud=/root/.config/openstack/clouds.yaml:overcloud" % (
        "physnet1" if kind == "maas_juju" else "external")
    assert expected in run.stdout


def test_the_lab_is_checked_once_per_run_and_another_lab_is_still_refused(tmp_path):
    """check_lab.yml before each layer: the first check of a run plans the definition it was given and compares;
    the later layers of the same run skip the planning while both sides stay the same; another lab is refused."""
    from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan

    lab = dict(OUTER, name="chk", cloud="mycloud")
    plan = build_plan(lab)
    (tmp_path / "twice.yml").write_text(
        "- ansible.builtin.import_playbook: nestedcloud.openstack.check_lab\n"
        "- ansible.builtin.import_playbook: nestedcloud.openstack.check_lab\n")
    (tmp_path / "vars.json").write_text(json.dumps({"nestedcloud_plan": plan, "nestedcloud_lab": lab}))
    local = ["-i", "localhost,", "-c", "local", "-e", "ansible_python_interpreter=" + sys.executable]
    run = _playbook(*local, str(tmp_path / "twice.yml"), "-e", "@%s" % (tmp_path / "vars.json"))
    assert run.returncode == 0, run.stdout + run.stderr
    results = re.findall(r"TASK \[Plan the lab this run was given\][^\n]*\n(?:[^\n]*\n)*?(ok|skipping|changed): \[localhost\]",
                         run.stdout)
    assert results == ["ok", "skipping"], run.stdout

    (tmp_path / "other.json").write_text(json.dumps({"nestedcloud_plan": plan,
                                                     "nestedcloud_lab": dict(lab, undercloud_count=5)}))
    refused = _playbook(*local, str(tmp_path / "twice.yml"), "-e", "@%s" % (tmp_path / "other.json"))
    assert refused.returncode != 0 and "given another definition of lab chk" in " ".join(refused.stdout.split()), \
        refused.stdout
