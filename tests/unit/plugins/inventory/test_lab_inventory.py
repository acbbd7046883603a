# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.nestedcloud.openstack.plugins.inventory.lab import definition_from
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.hosts import default_user, lab_hosts, login_user
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from tests.labs import OUTER


def test_hosts_exist_once_their_server_does_and_go_through_r0():
    plan = build_plan({"cloud": "c", **OUTER, "undercloud_count": 2, "nested_vms": {"count": 1}})
    servers = {"r0": {"status": "ACTIVE", "fixed_ip": "10.22.0.10"},
               "uc-0001": {"status": "BUILD", "fixed_ip": "10.22.0.11"}}
    hosts = lab_hosts(plan, servers, "203.0.113.5", "debian", "/k")
    assert sorted(hosts) == ["oc-0001", "r0", "uc-0001"]  # uc-0002 has no server yet
    assert hosts["r0"]["ansible_host"] == "203.0.113.5" and "ansible_ssh_common_args" not in hosts["r0"]
    assert hosts["uc-0001"]["ansible_ssh_common_args"].startswith("-o ProxyJump=debian@203.0.113.5")
    assert hosts["uc-0001"]["nestedcloud_server_status"] == "BUILD"
    assert hosts["oc-0001"]["ansible_host"] == "10.33.1.1"
    assert hosts["oc-0001"]["nestedcloud_server_status"] == "PLANNED"


def test_without_floating_ip_r0_is_reached_directly():
    plan = build_plan({"cloud": "c", **OUTER, "undercloud_count": 1, "nested_vms": {"count": 0},
                       "external_network": None})
    hosts = lab_hosts(plan, {"r0": {"status": "ACTIVE", "fixed_ip": "10.22.0.10"}}, None, "root", "/k")
    assert hosts["r0"]["ansible_host"] == "10.22.0.10"


def test_default_user_follows_the_image():
    assert default_user("ubuntu-24.04") == "ubuntu" and default_user("Debian 12") == "debian"
    assert default_user("my-image") == "root"
    assert login_user({"image": "debian-12", "image_user": "auto"}) == "debian"
    assert login_user({"image": "debian-12", "image_user": "admin"}) == "admin"


def _write(path, text):
    path.write_text(text)
    return str(path)


def test_the_definition_is_the_example_with_the_overrides_laid_over_it(tmp_path):
    _write(tmp_path / "lab.yml", "nestedcloud_lab: {name: lab, undercloud_count: 4, flavors: {jumphost: m1.small},"
                                 " ssh_allowed_cidrs: [198.51.100.1/32]}\n")
    _write(tmp_path / "local.yml", "nestedcloud_lab_overrides: {cloud: mine, flavors: {undercloud: big},"
                                   " ssh_allowed_cidrs: []}\nother_var: 1\n")
    _write(tmp_path / "README.md", "not read\n")
    lab = definition_from(str(tmp_path))
    assert lab == {"name": "lab", "cloud": "mine", "undercloud_count": 4,
                   "flavors": {"jumphost": "m1.small", "undercloud": "big"}, "ssh_allowed_cidrs": []}
    # a single file works as before, and a later file replaces a variable as Ansible does
    assert definition_from(str(tmp_path / "lab.yml"))["undercloud_count"] == 4
    _write(tmp_path / "zz.yml", "nestedcloud_lab: {name: other}\n")
    assert definition_from(str(tmp_path)) == {"name": "other", "cloud": "mine", "flavors": {"undercloud": "big"},
                                              "ssh_allowed_cidrs": []}


def test_a_directory_without_the_definition_is_an_error_naming_it(tmp_path):
    _write(tmp_path / "other.yml", "x: 1\n")
    with pytest.raises(ValueError, match="no file there sets nestedcloud_lab"):
        definition_from(str(tmp_path))
    _write(tmp_path / "lab.yml", "nestedcloud_lab: [1]\n")
    with pytest.raises(ValueError, match="nestedcloud_lab must be a mapping"):
        definition_from(str(tmp_path))
