# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""playbooks/undercloud.yml and playbooks/teardown.yml against the local cloud, as a member."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.owned import owned_resources

from .conftest import CLOUDS, TOP


def _lab(name, count, **extra):
    lab = {"name": name, "cloud": "undercloud", "image": "cirros", "undercloud_count": count,
           "flavors": {"jumphost": "m1.tiny", "undercloud": "m1.small"}, "nested_vms": {"count": 0},
           "ssh_allowed_cidrs": ["198.51.100.7/32"]}
    lab.update(extra)
    return lab


def playbook(name, lab, tmp_path, *args):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg"), OS_CLIENT_CONFIG_FILE=CLOUDS,
               ANSIBLE_NOCOLOR="1", HOME=str(tmp_path))
    # the controller alone: the lab comes from -e, not from the shipped example's inventory
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "playbooks/%s.yml" % name,
           "-i", "inventory/hosts.yml", "-e", json.dumps({"nestedcloud_lab": lab})] + list(args)
    return subprocess.run(cmd, cwd=TOP, env=env, capture_output=True, text=True, timeout=1200, check=False)


def recap(run):
    match = re.search(r"localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", run.stdout)
    assert match, run.stdout + run.stderr
    return dict(zip(("ok", "changed", "unreachable", "failed"), map(int, match.groups())))


def remaining(conn, name):
    return dict((kind, [getattr(i, "name", i.id) for i in items]) for kind, items in owned_resources(conn, name) if items)


def test_two_labs_converge_coexist_and_tear_down_without_leaks(member, tmp_path):
    foreign_net = member.network.create_network(name="itpa-underlay")  # same name as lab A's, not A's
    foreign_sg = member.network.create_security_group(name="itpa-lab")
    try:
        first = playbook("undercloud", _lab("itpa", 2, storage={"data_gb": 1}), tmp_path)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-2000:]
        assert re.search(r"\d+/3 servers ACTIVE", first.stdout), "no progress shown"
        assert recap(first)["changed"] > 0
        key = tmp_path / ".nestedcloud" / "itpa" / "id_ed25519"
        assert oct(key.stat().st_mode & 0o777) == "0o600"
        plan = json.loads((tmp_path / ".nestedcloud" / "itpa" / "plan.json").read_text())
        assert plan["mtu"]["source"] == "measured" and plan["mtu"]["underlay"] == 1500

        again = playbook("undercloud", _lab("itpa", 2, storage={"data_gb": 1}), tmp_path)
        assert again.returncode == 0 and recap(again)["changed"] == 0, again.stdout[-3000:]

        other = playbook("undercloud", _lab("itpb", 1), tmp_path)
        assert other.returncode == 0, other.stdout[-3000:]
        owned_a = remaining(member, "itpa")
        assert len(owned_a["server"]) == 3 and len(owned_a["volume"]) == 2 and len(owned_a["floating_ip"]) == 1

        down = playbook("teardown", _lab("itpa", 2), tmp_path)
        assert down.returncode == 0, down.stdout[-3000:]
        assert remaining(member, "itpa") == {}
        assert len(remaining(member, "itpb")["server"]) == 2  # the other lab is untouched
        assert member.network.get_network(foreign_net.id) and member.network.get_security_group(foreign_sg.id)
    finally:
        playbook("teardown", _lab("itpa", 2), tmp_path)
        playbook("teardown", _lab("itpb", 1), tmp_path)
        member.network.delete_network(foreign_net)
        member.network.delete_security_group(foreign_sg)
    assert remaining(member, "itpb") == {}


@pytest.fixture()
def two_instance_quota(admin, member):
    project = member.current_project_id
    admin.compute.update_quota_set(project, instances=2)
    yield
    admin.compute.update_quota_set(project, instances=-1)


def test_capacity_check_fails_with_a_table_and_creates_nothing(member, two_instance_quota, tmp_path):
    run = playbook("undercloud", _lab("itpc", 3), tmp_path)
    assert run.returncode != 0
    assert "The project cannot hold lab itpc; nothing was created." in run.stdout
    assert re.search(r"instances\s+4\s+0\s+2\s+2\s+<- short by 2", run.stdout), run.stdout[-3000:]
    assert remaining(member, "itpc") == {}


def test_quota_rejection_mid_run_is_named_and_a_rerun_converges(member, admin, tmp_path):
    project = member.current_project_id
    lab = _lab("itq", 3)
    admin.compute.update_quota_set(project, instances=2)
    try:
        run = playbook("undercloud", lab, tmp_path, "-e", "undercloud_capacity_check=false")
        assert run.returncode != 0
        assert re.search(r"server itq-(r0|uc-000\d).*[Qq]uota exceeded", run.stdout), run.stdout[-3000:]
    finally:
        admin.compute.update_quota_set(project, instances=-1)
    try:
        fixed = playbook("undercloud", lab, tmp_path)
        assert fixed.returncode == 0, fixed.stdout[-3000:]
        owned = remaining(member, "itq")
        assert sorted(owned["server"]) == ["itq-r0", "itq-uc-0001", "itq-uc-0002", "itq-uc-0003"]
        assert len(owned["port"]) == 4  # nothing made twice
    finally:
        down = playbook("teardown", lab, tmp_path)
        assert down.returncode == 0, down.stdout[-2000:]
    assert remaining(member, "itq") == {}
