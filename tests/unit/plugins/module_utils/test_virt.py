# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""virt_info's decision from recorded /proc/cpuinfo, sysfs and /dev trees (fixtures/virt/<case>)."""

from __future__ import annotations

import os

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.host import virt
from ansible_collections.nestedcloud.openstack.plugins.modules.virt_info import main

from .._module_runner import run_module

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures", "virt")


def fixture(case):
    return os.path.join(FIXTURES, case)


@pytest.mark.parametrize("case, vendor, domain_type, cpu_mode, inner, nested, words", [
    ("intel-nested", "intel", "kvm", "host-passthrough", "kvm", True, ["vmx offered", "kvm_intel loaded", "nested=1"]),
    ("amd-nested", "amd", "kvm", "host-passthrough", "kvm", True, ["svm offered", "kvm_amd loaded"]),
    ("intel-nested-off", "intel", "kvm", "host-passthrough", "qemu", False, ["nested is off", "QEMU/TCG"]),
    ("intel-no-module", "intel", "qemu", "custom", "qemu", None, ["kvm_intel module is not loaded"]),
    ("no-virt-pvm", "amd", "qemu", "custom", "qemu", None, ["offers no svm", "kvm_pvm"]),
])
def test_decision_from_recorded_hosts(case, vendor, domain_type, cpu_mode, inner, nested, words):
    got = virt.report(fixture(case))
    assert (got["vendor"], got["domain_type"], got["cpu_mode"], got["inner_virt_type"], got["nested"]) == (
        vendor, domain_type, cpu_mode, inner, nested)
    for word in words:
        assert word in got["reason"], got["reason"]


def test_facts_of_the_recorded_intel_host():
    got = virt.gather(fixture("intel-nested"))
    assert got["vendor_id"] == "GenuineIntel" and got["vmx"] and not got["svm"] and got["hypervisor"]
    assert got["dev_kvm"] and got["dev_kvm_usable"] and got["kvm_module"] == "kvm_intel" and got["kvm_module_loaded"]
    assert not got["kvm_pvm"]


def test_pvm_host_has_dev_kvm_and_still_falls_back():
    got = virt.gather(fixture("no-virt-pvm"))
    assert got["dev_kvm"] and got["kvm_pvm"] and not got["svm"] and not got["vmx"]


def test_missing_dev_kvm_is_the_reason(tmp_path):
    os.makedirs(str(tmp_path / "proc"))
    os.makedirs(str(tmp_path / "sys" / "module" / "kvm_intel" / "parameters"))
    (tmp_path / "proc" / "cpuinfo").write_text("vendor_id\t: GenuineIntel\nflags\t\t: fpu vmx lm\n")
    domain_type, cpu_mode, reason = virt.decide(virt.gather(str(tmp_path)))
    assert (domain_type, cpu_mode) == ("qemu", "custom") and "/dev/kvm does not exist" in reason


def test_unknown_vendor():
    facts = virt.gather("/nonexistent")
    assert facts["vendor"] == "unknown"
    assert virt.decide(facts)[0] == "qemu" and "neither Intel nor AMD" in virt.decide(facts)[2]


@pytest.mark.parametrize("text, want", [("Y\n", True), ("1", True), ("N\n", False), ("0", False), ("?", None),
                                        (None, None)])
def test_nested_parameter(text, want):
    assert virt.parse_nested(text) is want


def test_module_reports_and_never_changes():
    got = run_module({"root": fixture("intel-nested")}, main=main)
    assert not got["changed"] and got["domain_type"] == "kvm" and got["cpu_mode"] == "host-passthrough"
    checked = run_module({"root": fixture("no-virt-pvm")}, check_mode=True, main=main)
    assert not checked["changed"] and checked["domain_type"] == "qemu"


def test_module_names_a_bad_root(tmp_path):
    got = run_module({"root": str(tmp_path / "nowhere")}, main=main)
    assert got["failed"] and got["msg"].startswith("root: ")


def test_this_machine_reports_the_qemu_fallback():
    """This CI machine kind has /dev/kvm from kvm_pvm and no vmx/svm: the lab must run on QEMU/TCG."""
    got = virt.report("/")
    if got["vmx"] or got["svm"]:
        pytest.skip("this machine offers %s: not the CI machine kind" % ("vmx" if got["vmx"] else "svm"))
    assert got["domain_type"] == "qemu" and got["inner_virt_type"] == "qemu"


def test_container_as_systemd_detect_virt_tells_it(tmp_path):
    """systemd's record first, then podman's and docker's markers, then PID 1's environment; None on a VM."""
    root = tmp_path
    (root / "proc" / "1").mkdir(parents=True)
    (root / "proc" / "1" / "environ").write_bytes(b"PATH=/bin\0HOME=/\0")
    assert virt.container(str(root)) is None
    (root / "proc" / "1" / "environ").write_bytes(b"PATH=/bin\0container=lxc\0")
    assert virt.container(str(root)) == "lxc"
    (root / ".dockerenv").write_text("")
    assert virt.container(str(root)) == "docker"
    (root / "run" / "systemd").mkdir(parents=True)
    (root / "run" / ".containerenv").write_text("")
    assert virt.container(str(root)) == "podman"
    (root / "run" / "systemd" / "container").write_text("systemd-nspawn\n")
    assert virt.container(str(root)) == "systemd-nspawn"
    # the recorded hosts are VMs and bare metal
    assert virt.gather(fixture("intel-nested"))["container"] is None
