# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One plan from one set of inputs, read from the outer cloud: a lab on a flavor of any name plans alike in the
undercloud layer and the inventory plugin, the uc- servers record where their oc- VMs run, a growing lab keeps them
there, and dropping a running VM is refused until the operator retires it."""

from __future__ import annotations

import json

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.owned import owned_servers

from .test_inventory_plugin import inventory, plain
from .test_undercloud_layer import _lab, playbook, recap

FLAVOR = "itgrow.hv"  # a name the planner's table does not know: its size comes from the cloud


def _grow_lab(hosts, vms, **extra):
    # the inner cloud on the oc- VMs (three levels), so that every uc- host may hold oc- VMs; the packaged kind on the
    # uc- hosts keeps them off its inner computes (unit tests: test_lab_planner.py, test_lab_growth.py)
    return _lab("itgrow", hosts, flavors={"jumphost": "m1.tiny", "undercloud": FLAVOR},
                nested_vms={"count": vms, "ram_mb": 256, "host_reserved_ram_mb": 512, "cpu_allocation_ratio": 2.0},
                overcloud={"hosts": "nested"}, **extra)


def _recorded(member):
    servers = owned_servers(member, {"name": "itgrow", "tag": "nestedcloud-itgrow"})
    return dict((host, (s.metadata or {}).get("nestedcloud-vms")) for host, s in servers.items() if host != "r0")


def _plugin_plan(tmp_path, lab):
    config = tmp_path / "lab.nestedcloud.yml"
    config.write_text(json.dumps({"plugin": "nestedcloud.openstack.lab", "lab": lab}))
    hostvars = plain(json.loads(inventory(config, "--list"))["_meta"]["hostvars"])
    return hostvars["r0"]["nestedcloud_plan"]


def test_growing_a_lab_on_a_custom_flavor_moves_no_vm_and_shrinking_needs_retire(member, admin, tmp_path):
    flavor = admin.compute.create_flavor(name=FLAVOR, ram=1024, vcpus=1, disk=1)  # 2 slots of 256 MiB VMs
    try:
        first = playbook("undercloud", _grow_lab(2, 3), tmp_path)
        assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-2000:]
        assert _recorded(member) == {"uc-0001": "oc-0001,oc-0003", "uc-0002": "oc-0002"}
        # the inventory plugin plans from the same inputs: the flavor's size from the cloud, the recorded placement
        plan = _plugin_plan(tmp_path, _grow_lab(2, 3))
        assert plan["inputs"]["flavor_specs"] == {FLAVOR: {"ram_mb": 1024, "vcpus": 1},
                                                  "m1.tiny": {"ram_mb": 512, "vcpus": 1}}
        assert plan["placement"] == {"oc-0001": "uc-0001", "oc-0002": "uc-0002", "oc-0003": "uc-0001"}
        assert plan["hosts"]["uc-0001"]["nested_slots"] == 2

        # grow by one uc- host and one oc- VM: a plan from scratch would move oc-0003 to the new host
        grown = _grow_lab(3, 4)
        scratch = build_plan(grown, flavor_specs=plan["inputs"]["flavor_specs"], underlay_mtu=1500)
        assert scratch["placement"]["oc-0003"] == "uc-0003"
        more = playbook("undercloud", grown, tmp_path)
        assert more.returncode == 0, more.stdout[-3000:] + more.stderr[-2000:]
        assert _recorded(member) == {"uc-0001": "oc-0001,oc-0003", "uc-0002": "oc-0002", "uc-0003": "oc-0004"}
        assert _plugin_plan(tmp_path, grown)["placement"] == {"oc-0001": "uc-0001", "oc-0002": "uc-0002",
                                                              "oc-0003": "uc-0001", "oc-0004": "uc-0003"}
        again = playbook("undercloud", grown, tmp_path)
        assert again.returncode == 0 and recap(again)["changed"] == 0, again.stdout[-3000:]

        # removing the host that runs oc-0004 is refused before anything changes, naming it and the way on
        servers_before = sorted(owned_servers(member, {"name": "itgrow", "tag": "nestedcloud-itgrow"}))
        refused = playbook("undercloud", _grow_lab(2, 4), tmp_path)
        assert refused.returncode != 0
        assert "uc-0003 (running oc-0004)" in refused.stdout and "retire: [uc-0003]" in refused.stdout, \
            refused.stdout[-3000:]
        assert sorted(owned_servers(member, {"name": "itgrow", "tag": "nestedcloud-itgrow"})) == servers_before
        assert _recorded(member)["uc-0003"] == "oc-0004"
        fewer = playbook("undercloud", _grow_lab(3, 3), tmp_path)
        assert fewer.returncode != 0 and "oc-0004 (running on uc-0003)" in fewer.stdout, fewer.stdout[-3000:]

        # retired on purpose: the VM leaves the record, the others stay where they run
        retired = playbook("undercloud", _grow_lab(3, 3, retire=["oc-0004"]), tmp_path)
        assert retired.returncode == 0, retired.stdout[-3000:]
        assert _recorded(member) == {"uc-0001": "oc-0001,oc-0003", "uc-0002": "oc-0002", "uc-0003": None}
    finally:
        down = playbook("teardown", _grow_lab(3, 3), tmp_path)
        admin.compute.delete_flavor(flavor)
    assert down.returncode == 0, down.stdout[-2000:]
