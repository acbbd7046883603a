# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verifier of the hypervisor role: oc- VMs (QEMU/TCG under libvirt, configured by their config drive) on the overlay."""

from __future__ import annotations

import pytest

VMS = {"oc-0001": ("uc-0001", "10.33.1.1", "52:54:00:00:00:01"), "oc-0002": ("uc-0002", "10.33.1.2", "52:54:00:00:00:02")}
MTU = 1400


def name_of(host):
    return host.backend.get_hostname().replace("nco-", "", 1)


def my_vms(host):
    return {vm: spec for vm, spec in VMS.items() if spec[0] == name_of(host)}


def test_libvirt_runs_the_planned_vms_as_qemu(host):
    vms = my_vms(host)
    if not vms:
        pytest.skip("no oc- VM is placed on %s" % name_of(host))
    for vm, spec in vms.items():
        mac = spec[2]
        xml = host.check_output("virsh -c qemu:///system dumpxml %s", vm)
        assert "<domain type='qemu'" in xml  # no usable KVM in a test host: the TCG fallback virt_info decided
        assert "<cpu mode='custom'" in xml and ">qemu64</model>" in xml
        assert "<mac address='%s'/>" % mac in xml and "<source bridge='br-vxlan10'/>" in xml
        assert "<mtu size='%d'/>" % MTU in xml
        assert "<memory unit='KiB'>262144</memory>" in xml
        info = host.check_output("virsh -c qemu:///system dominfo %s", vm)
        assert "running" in info and "Autostart:      enable" in info


def test_the_guest_configured_itself_from_its_config_drive(host):
    for vm, spec in my_vms(host).items():
        address = spec[1]
        serial = host.file("/var/log/libvirt/qemu/%s-serial.log" % vm).content_string
        assert "NESTEDCLOUD-GUEST-READY %s.nco.test eth0 %s/255.255.0.0 mtu %d" % (vm, address, MTU) in serial, serial[-800:]
        drive = host.file("/var/lib/nestedcloud/vms/%s/config-drive.iso" % vm)
        assert drive.exists and drive.mode == 0o644


def test_every_vm_answers_from_every_other_uc_host_across_the_overlay(host):
    me = name_of(host)
    if me == "r0":
        pytest.skip("the uc- hosts check")
    for vm, spec in VMS.items():
        hypervisor, address = spec[0], spec[1]
        if hypervisor == me:
            continue
        ping = host.run("ping -c2 -W2 -M do -s %s %s", str(MTU - 28), address)
        assert ping.rc == 0, "%s -> %s (%s on %s): %s" % (me, vm, address, hypervisor, ping.stdout)
        page = host.check_output("curl -sf -m 5 http://%s/", address)
        assert page.strip() == "%s.nco.test %s" % (vm, address)


def test_libvirt_settings_for_an_unprivileged_container(host):
    if not my_vms(host):
        pytest.skip("no hypervisor here")
    conf = host.file("/etc/libvirt/qemu.conf")
    for line in ("remember_owner = 0", "cgroup_controllers = [ ]", "namespaces = [ ]"):
        assert conf.contains("^%s$" % line.replace("[", r"\[").replace("]", r"\]"))
