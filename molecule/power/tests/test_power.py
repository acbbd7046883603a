# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verifier of the power interface: MAAS's Redfish request sequence, sent from r0 over the overlay to uc-0001's
sushy-emulator, powers a real network-boot oc- VM on and off; nobody else gets in."""

from __future__ import annotations

import importlib.util
import json
import os
import re

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = os.path.join(HERE, "..", "..", "..", "tests", "maas", "maas_redfish.py")
PASSWORD_FILE = os.path.expanduser("~/.nestedcloud/ncp/power-password")
URL = "http://10.33.0.11:8000"
MACHINES = {"oc-0002": "52:54:00:00:00:02", "oc-0003": "52:54:00:00:00:03"}
testinfra_hosts = ["ncp-uc-0001"]


@pytest.fixture(scope="module")
def r0():
    import testinfra
    return testinfra.get_host("podman://ncp-r0")


def uuid_of(vm):
    """The plan's fixed UUID of an oc- VM (module_utils/plan/maas_juju.py, loaded by path: it needs only uuid)."""
    spec = importlib.util.spec_from_file_location(
        "lab_maas", os.path.join(HERE, "..", "..", "..", "plugins", "module_utils", "plan", "maas_juju.py"))
    lab_maas = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lab_maas)
    return lab_maas.nested_uuid("ncp", vm)


def maas(r0, node_id, action, password=None, user="nestedcloud"):
    """Run the MAAS request sequence on r0; returns its JSON record."""
    if password is None:
        with open(PASSWORD_FILE) as handle:
            password = handle.read().strip()
    with open(CLIENT) as handle:
        code = handle.read()
    r0.run("install -m 0700 -d /root/t")
    r0.run("cat > /root/t/maas_redfish.py <<'PYEOF'\n%s\nPYEOF" % code)
    out = r0.run("python3 /root/t/maas_redfish.py %s %s %s %s %s", URL, user, password, node_id, action)
    return json.loads(out.stdout)


def state(host, vm):
    return host.check_output("virsh -c qemu:///system domstate %s", vm).strip()


def boot_order(host, vm):
    """{device: order} from the domain's per-device <boot order>: NICs by MAC, disks by target."""
    xml = host.check_output("virsh -c qemu:///system dumpxml --inactive %s", vm)
    order = {}
    for block in re.findall(r"<(?:interface|disk) .*?</(?:interface|disk)>", xml, re.S):
        found = re.search(r"<boot order='(\d+)'/>", block)
        key = re.search(r"<mac address='([^']+)'/>|<target dev='([^']+)'", block)
        if found and key:
            order[key.group(1) or key.group(2)] = int(found.group(1))
    assert "<boot dev=" not in xml  # no OS-level boot list next to the per-device one
    return order


def test_machines_are_defined_network_boot_first_with_their_disks_and_left_off(host):
    for vm, mac in MACHINES.items():
        assert state(host, vm) == "shut off"
        order = boot_order(host, vm)
        assert order[mac] == 1 and order["vda"] == 3, order
        xml = host.check_output("virsh -c qemu:///system dumpxml --inactive %s", vm)
        assert "<mtu size='1400'/>" in xml and "config-drive" not in xml
        # oc-0002 is the Juju controller (root disk only); oc-0003 carries OpenStack (root + Ceph)
        disks = ["vda"] if vm == "oc-0002" else ["vda", "vdb"]
        assert re.findall(r"<target dev='(vd[a-z])' bus='virtio'/>", xml) == disks
        for disk in disks:
            assert host.file("/var/lib/nestedcloud/vms/%s/%s.qcow2" % (vm, disk)).exists
        assert "<uuid>%s</uuid>" % uuid_of(vm) in xml
    assert state(host, "oc-0001") == "running"  # MAAS's own VM boots from its image


def test_every_domain_is_valid_against_libvirt_schema(host):
    """virt-xml-validate (libvirt's RelaxNG schema) on each oc- VM's definition as the role made it and libvirt keeps
    it: the MAAS VM and both machines, sushy's metadata included."""
    for vm in ["oc-0001"] + sorted(MACHINES):
        path = "/tmp/nc-validate-%s.xml" % vm
        host.check_output("virsh -c qemu:///system dumpxml --inactive %s > %s", vm, path)
        result = host.run("virt-xml-validate %s domain", path)
        assert result.rc == 0 and "validates" in result.stdout + result.stderr, (vm, result.stdout, result.stderr)
    broken = host.run("sed 's|<memory|<memoryy|' /tmp/nc-validate-oc-0002.xml > /tmp/nc-broken.xml && "
                      "virt-xml-validate /tmp/nc-broken.xml domain")
    assert broken.rc != 0  # the check bites


def test_the_power_interface_listens_on_the_overlay_only(host):
    listening = host.check_output("ss -Hltn 'sport = :8000'")
    assert "10.33.0.11:8000" in listening and "0.0.0.0:8000" not in listening and "*:8000" not in listening
    assert host.file("/etc/nestedcloud/sushy/htpasswd").mode == 0o600
    assert "$2b$" in host.file("/etc/nestedcloud/sushy/htpasswd").content_string


def test_maas_power_sequence_on_query_off(host, r0):
    machine = {"uuid": uuid_of("oc-0002")}
    assert maas(r0, machine["uuid"], "query")["result"] == "off"
    on = maas(r0, machine["uuid"], "on")
    assert on["error"] is None, on
    # MAAS's order: query, (no ForceOff: it was off), GET for the ETag, PATCH Boot Once/Pxe, Reset On
    assert [(m, p.rsplit("/", 1)[-1]) for m, p, s in on["requests"]] == [
        ("GET", machine["uuid"]), ("GET", machine["uuid"]), ("PATCH", machine["uuid"]), ("POST", "ComputerSystem.Reset")]
    assert state(host, "oc-0002") == "running"
    assert boot_order(host, "oc-0002")[MACHINES["oc-0002"]] == 1  # PXE first after sushy rewrote the domain
    assert maas(r0, machine["uuid"], "query")["result"] == "on"
    again = maas(r0, machine["uuid"], "on")  # on when on: ForceOff first, as MAAS does
    assert ("POST", "ComputerSystem.Reset") in [(m, p.rsplit("/", 1)[-1]) for m, p, s in again["requests"]][:2]
    assert state(host, "oc-0002") == "running"
    off = maas(r0, machine["uuid"], "off")
    assert off["error"] is None and state(host, "oc-0002") == "shut off"
    assert maas(r0, machine["uuid"], "query")["result"] == "off"


def test_nobody_else_gets_in(r0):
    machine = {"uuid": uuid_of("oc-0003")}
    assert maas(r0, machine["uuid"], "query", password="wrong")["error"].endswith("401.")
    assert maas(r0, machine["uuid"], "query", user="admin")["error"].endswith("401.")
    # MAAS's own VM is not a MAAS machine: the emulator refuses it (ALLOWED_INSTANCES). sushy-tools 2.2.0 means
    # to answer 404 but its api_utils shadows its own `error` module and answers 500; either way no power state
    refused = maas(r0, uuid_of("oc-0001"), "query")
    assert refused["result"] is None and refused["error"].endswith(("404.", "500.")), refused
