# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_datapath_info's decision from made-up sysfs, /proc and lib/modules trees, and on this machine."""

from __future__ import annotations

import os

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.host import ovs
from ansible_collections.nestedcloud.openstack.plugins.modules.ovs_datapath_info import main

from .._module_runner import run_module

RELEASE = "6.12.0-1-amd64"


def tree(tmp_path, loaded=(), builtin=(), files=(), loading=True):
    """A root with sys/module/<loaded>, proc/modules when the kernel loads modules, and lib/modules/RELEASE lists."""
    for name in loaded:
        (tmp_path / "sys" / "module" / name).mkdir(parents=True)
    (tmp_path / "sys").mkdir(exist_ok=True)
    if loading:
        (tmp_path / "proc").mkdir()
        (tmp_path / "proc" / "modules").write_text("".join("%s 200000 0 - Live 0x0\n" % n for n in loaded))
    mods = tmp_path / "lib" / "modules" / RELEASE
    mods.mkdir(parents=True)
    (mods / "modules.builtin").write_text("".join("kernel/net/%s/%s.ko\n" % (n, n) for n in builtin))
    (mods / "modules.dep").write_text("".join("kernel/net/%s/%s.ko.xz: kernel/net/nf.ko.xz\n" % (n, n) for n in files))
    return str(tmp_path)


def decide(root, wanted="auto"):
    return ovs.decide(ovs.gather(root, RELEASE), wanted)


def test_a_cloud_image_kernel_loads_both_modules(tmp_path):
    got = decide(tree(tmp_path, files=("openvswitch", "geneve", "vxlan")))
    assert got == {"datapath": "kernel", "datapath_type": "system", "load": ["openvswitch", "geneve"],
                   "reason": "the kernel has openvswitch (to load) and geneve (to load)"}


def test_loaded_or_built_in_needs_no_load(tmp_path):
    got = decide(tree(tmp_path, loaded=("openvswitch",), builtin=("geneve",)))
    assert got["datapath"] == "kernel" and got["load"] == []
    assert got["reason"] == "the kernel has openvswitch (loaded) and geneve (built in)"


def test_no_module_loading_and_none_built_in_is_userspace(tmp_path):
    """This machine kind: no CONFIG_OPENVSWITCH, no CONFIG_GENEVE, no /proc/modules."""
    got = decide(tree(tmp_path, files=("openvswitch", "geneve"), loading=False))
    assert got["datapath"] == "userspace" and got["datapath_type"] == "netdev" and got["load"] == []
    assert got["reason"] == ("the kernel lacks openvswitch (not in the kernel, and the kernel loads no modules); "
                             "geneve (not in the kernel, and the kernel loads no modules)")


def test_one_module_missing_is_enough_for_userspace(tmp_path):
    got = decide(tree(tmp_path, files=("openvswitch",)))
    assert got["datapath"] == "userspace"
    assert got["reason"] == "the kernel lacks geneve (not loaded, not built in, no module for kernel %s)" % RELEASE


def test_userspace_is_taken_as_asked_and_kernel_only_when_possible(tmp_path):
    root = tree(tmp_path, files=("openvswitch", "geneve"))
    assert decide(root, "userspace") == {"datapath": "userspace", "datapath_type": "netdev", "load": [],
                                         "reason": "ovs_datapath is userspace"}
    assert decide(root, "kernel")["datapath"] == "kernel"


def test_kernel_asked_for_and_missing_names_what_lacks(tmp_path):
    with pytest.raises(ValueError, match=r"^kernel was asked for, but this kernel lacks openvswitch \(not in the "
                                         r"kernel, and the kernel loads no modules\); geneve"):
        decide(tree(tmp_path, loading=False), "kernel")


def test_module_files_of_another_name_do_not_count(tmp_path):
    got = decide(tree(tmp_path, files=("openvswitch_extra", "geneve_x")))
    assert got["datapath"] == "userspace"


def test_module_reports_never_changes_and_fails_naming_the_option(tmp_path):
    root = tree(tmp_path, files=("openvswitch", "geneve"))
    got = run_module({"root": root, "kernel_release": RELEASE}, main=main)
    assert not got["changed"] and got["datapath"] == "kernel" and got["modules"]["geneve"]["loadable"]
    checked = run_module({"root": root, "kernel_release": RELEASE, "datapath": "userspace"}, check_mode=True, main=main)
    assert not checked["changed"] and checked["datapath_type"] == "netdev"
    bare = tmp_path / "bare"
    (bare / "sys").mkdir(parents=True)
    failed = run_module({"root": str(bare), "kernel_release": RELEASE, "datapath": "kernel"}, main=main)
    assert failed["failed"] and failed["msg"].startswith("datapath: kernel was asked for")
    nowhere = run_module({"root": str(tmp_path / "nowhere")}, main=main)
    assert nowhere["failed"] and nowhere["msg"].startswith("root: ")


def test_this_machine_runs_the_userspace_datapath():
    """This CI machine kind's kernel has neither module and loads none: OVS must run its userspace datapath."""
    got = ovs.decide(ovs.gather("/", os.uname().release))
    if got["datapath"] == "kernel":
        pytest.skip("this kernel gives OVS its module: not the CI machine kind")
    assert got["datapath_type"] == "netdev" and "openvswitch" in got["reason"]
