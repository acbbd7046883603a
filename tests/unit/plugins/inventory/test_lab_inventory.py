# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.inventory.lab import default_user, lab_hosts
from ansible_collections.nestedcloud.openstack.plugins.module_utils.lab_planner import build_plan


def test_hosts_exist_once_their_server_does_and_go_through_r0():
    plan = build_plan({"cloud": "c", "undercloud_count": 2, "nested_vms": {"count": 1}})
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
    plan = build_plan({"cloud": "c", "undercloud_count": 1, "nested_vms": {"count": 0}, "external_network": None})
    hosts = lab_hosts(plan, {"r0": {"status": "ACTIVE", "fixed_ip": "10.22.0.10"}}, None, "root", "/k")
    assert hosts["r0"]["ansible_host"] == "10.22.0.10"


def test_default_user_follows_the_image():
    assert default_user("ubuntu-24.04") == "ubuntu" and default_user("Debian 12") == "debian"
    assert default_user("my-image") == "root"
