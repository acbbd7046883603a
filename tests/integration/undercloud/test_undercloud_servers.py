# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""undercloud_servers against the local cloud, as a member: create, converge, fail clearly, recover."""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan

from .conftest import mutating, run_task

SERVERS = "nestedcloud.openstack.undercloud_servers"
LAB = {"name": "itsrv", "cloud": "undercloud", "undercloud_count": 3, "flavors": {"jumphost": "m1.tiny", "undercloud": "m1.small"},
       "image": "cirros", "storage": {"data_gb": 1}, "nested_vms": {"count": 0}}


@pytest.fixture()
def lab(member, tmp_path, request):
    plan = build_plan(getattr(request, "param", LAB))
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp_path / "k")], check=True)
    base = {"cloud": "undercloud", "plan": plan}
    for module, extra in (("undercloud_network", {}), ("undercloud_security_groups", {}),
                          ("undercloud_keypair", {"public_key": (tmp_path / "k.pub").read_text()})):
        result = run_task("nestedcloud.openstack." + module, dict(base, **extra))
        assert not result.get("failed"), result
    yield plan
    run_task(SERVERS, dict(base, state="absent"))
    for module, extra in (("undercloud_keypair", {"public_key": (tmp_path / "k.pub").read_text()}),
                          ("undercloud_security_groups", {}), ("undercloud_network", {})):
        run_task("nestedcloud.openstack." + module, dict(base, state="absent", **extra))


def _servers(member, plan):
    return [s for s in member.compute.servers() if plan["tag"] in (s.tags or [])]


def test_servers_lifecycle(member, lab):
    args = {"cloud": "undercloud", "plan": lab, "concurrency": 4}
    foreign = member.compute.create_server(name="itsrv-uc-0001", flavor_id=member.compute.find_flavor("m1.tiny").id,
                                           image_id=member.image.find_image("cirros").id, networks="none")
    try:
        checked = run_task(SERVERS, args, check=True)
        kinds = sorted(set((a["action"], a["kind"]) for a in checked["actions"]))
        assert kinds == [("attach", "volume"), ("create", "port"), ("create", "server"), ("create", "volume")]
        assert mutating(checked) == 0 and not _servers(member, lab)

        made = run_task(SERVERS, args)
        assert not made.get("failed"), made.get("msg")
        assert sorted(made["servers"]) == ["r0", "uc-0001", "uc-0002", "uc-0003"]
        assert all(s["status"] == "ACTIVE" for s in made["servers"].values())
        servers = _servers(member, lab)
        assert len(servers) == 4
        uc2 = [s for s in servers if s.name == "itsrv-uc-0002"][0]
        port = member.network.get_port(made["servers"]["uc-0002"]["port_id"])
        assert port.fixed_ips[0]["ip_address"] == "10.22.0.12" and port.device_id == uc2.id
        r0_port = member.network.get_port(made["servers"]["r0"]["port_id"])
        assert len(r0_port.security_group_ids) == 2 and len(port.security_group_ids) == 1
        volume = member.block_storage.find_volume("itsrv-uc-0002-data")
        assert volume.status == "in-use" and volume.attachments[0]["server_id"] == uc2.id
        # where the time went: every step that ran, and the requests by kind (one create per server, no id in a kind)
        phases = made["timings"]["phases"]
        assert {"ports (one bulk create, then tags)", "volumes (create calls)", "volumes available",
                "servers (create calls)", "servers ACTIVE (waiting)"} <= set(phases), phases
        assert all(seconds >= 0 for seconds in phases.values())
        calls = dict((row["call"], row) for row in made["timings"]["api"])
        assert calls["POST compute /servers"]["count"] == 4, calls
        assert [row["count"] for call, row in calls.items() if call.startswith("POST ") and call.endswith(" /volumes")] == [3]
        assert not [c for c in calls if re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", c)], calls

        again = run_task(SERVERS, args)
        assert again["changed"] is False and again["actions"] == [], again["actions"]
        assert mutating(again) == 0
        assert member.compute.get_server(foreign.id).status  # the foreign same-named server is untouched
    finally:
        member.compute.delete_server(foreign)


BOOT_FROM_VOLUME = dict(LAB, undercloud_count=1, storage={"boot_from_volume": True, "root_gb": 1, "data_gb": 1})


@pytest.mark.parametrize("lab", [BOOT_FROM_VOLUME], indirect=True)
def test_boot_from_volume_with_a_data_volume(member, lab):
    args = {"cloud": "undercloud", "plan": lab}
    checked = run_task(SERVERS, args, check=True)
    assert mutating(checked) == 0 and not _servers(member, lab)

    made = run_task(SERVERS, args)
    assert not made.get("failed"), made.get("msg")
    uc1 = member.compute.get_server(made["servers"]["uc-0001"]["id"])
    assert not (uc1.image or {}).get("id")  # booted from its volume, not from the image
    attached = [member.block_storage.get_volume(a.volume_id) for a in member.compute.volume_attachments(uc1)]
    root = [v for v in attached if v.is_bootable]
    data = [v for v in attached if not v.is_bootable]
    assert len(root) == 1 and len(data) == 1, [(v.name, v.is_bootable) for v in attached]
    assert root[0].size == 1 and root[0].volume_image_metadata["image_name"] == "cirros"
    assert data[0].name == "itsrv-uc-0001-data" and data[0].status == "in-use"
    r0 = member.compute.get_server(made["servers"]["r0"]["id"])
    assert [a.volume_id for a in member.compute.volume_attachments(r0)] != []  # r0 boots from a volume too

    again = run_task(SERVERS, args)
    assert again["changed"] is False and mutating(again) == 0, again["actions"]

    gone = run_task(SERVERS, dict(args, state="absent"))
    assert not gone.get("failed"), gone.get("msg")
    for _attempt in range(60):  # Nova deletes the root volumes (delete_on_termination); Cinder does it in the background
        left = [v for v in (member.block_storage.find_volume(root[0].id), member.block_storage.find_volume(data[0].id))
                if v and v.status != "deleting"]
        if not left:
            break
        time.sleep(1)
    assert not left, [(v.name, v.status) for v in left]


def test_error_is_named_and_a_fixed_rerun_converges(member, admin, lab):
    huge = admin.compute.create_flavor(name="itsrv.huge", ram=4000000, vcpus=1, disk=1, is_public=True)
    try:
        broken = build_plan(dict(LAB, flavors={"jumphost": "m1.tiny", "undercloud": "itsrv.huge"}),
                            flavor_specs={"itsrv.huge": {"ram_mb": 4000000, "vcpus": 1}})
        failed = run_task(SERVERS, {"cloud": "undercloud", "plan": broken, "timeout": 300})
        assert failed["failed"] is True
        assert failed["msg"].startswith("server itsrv-uc-000") and "went to ERROR" in failed["msg"]
        assert "valid host" in failed["msg"].lower()

        fixed = run_task(SERVERS, {"cloud": "undercloud", "plan": lab, "timeout": 300})
        assert not fixed.get("failed"), fixed
        assert ("replace", "server") in [(a["action"], a["kind"]) for a in fixed["actions"]]
        names = sorted(s.name for s in _servers(member, lab))
        assert names == ["itsrv-r0", "itsrv-uc-0001", "itsrv-uc-0002", "itsrv-uc-0003"]  # no duplicates
        assert len(list(member.network.ports(tags=lab["tag"]))) == 4
    finally:
        admin.compute.delete_flavor(huge)
