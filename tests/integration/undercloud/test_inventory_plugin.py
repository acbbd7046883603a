# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nestedcloud.openstack.lab inventory plugin against a lab on the local cloud."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

from .conftest import CLOUDS, TOP
from .test_undercloud_layer import _lab, playbook


def inventory(path, *args):
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg"), OS_CLIENT_CONFIG_FILE=CLOUDS)
    cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i", str(path)] + list(args)
    run = subprocess.run(cmd, cwd=TOP, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def plain(value):
    """ansible-inventory 2.19 marks strings from inventory plugins as {"__ansible_unsafe": ...}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return dict((k, plain(v)) for k, v in value.items())
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def test_graph_list_and_cache(member, tmp_path):
    # both oc- VMs on the controller uc-0001 (m1.small, 1 vCPU: two slots at 2 VMs per vCPU); uc-0002 is the compute
    lab = _lab("itinv", 2, nested_vms={"count": 2, "ram_mb": 256, "host_reserved_ram_mb": 0, "cpu_allocation_ratio": 2.0})
    made = playbook("undercloud", lab, tmp_path)
    assert made.returncode == 0, made.stdout[-3000:]
    config = tmp_path / "lab.nestedcloud.yml"
    config.write_text(yaml.safe_dump({
        "plugin": "nestedcloud.openstack.lab", "lab": lab, "cache": True,
        "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache"),
        "keyed_groups": [{"key": "nestedcloud_server_status", "prefix": "status"}],
    }))
    try:
        graph = inventory(config, "--graph")
        for line in ("@jumphost:", "|--r0", "@undercloud:", "|--uc-0001", "|--uc-0002", "@nested:", "|--oc-0001",
                     "@overcloud_controller:", "@status_ACTIVE:"):
            assert line in graph, graph
        hostvars = plain(json.loads(inventory(config, "--list"))["_meta"]["hostvars"])
        fip = [f.floating_ip_address for f in member.network.ips() if "nestedcloud-itinv" in (f.tags or [])][0]
        assert hostvars["r0"]["ansible_host"] == fip and "ansible_ssh_common_args" not in hostvars["r0"]
        assert hostvars["uc-0002"]["ansible_host"] == "10.22.0.12"
        assert hostvars["uc-0002"]["ansible_ssh_common_args"].startswith("-o ProxyJump=cirros@%s " % fip)
        assert hostvars["oc-0001"]["ansible_host"] == "10.33.1.1"
        assert hostvars["uc-0001"]["nestedcloud_server_status"] == "ACTIVE"
        assert hostvars["uc-0001"]["nestedcloud_plan"]["mtu"]["source"] == "measured"
        assert os.listdir(tmp_path / "cache"), "the cache was not written"
    finally:
        down = playbook("teardown", lab, tmp_path)
        assert down.returncode == 0, down.stdout[-2000:]
    cached = inventory(config, "--graph")  # from the cache: the servers are still listed
    assert "|--uc-0001" in cached
    fresh = inventory(config, "--graph", "--flush-cache")
    assert "|--uc-0001" not in fresh and "|--oc-0001" in fresh  # planned nested VMs stay; servers are gone
