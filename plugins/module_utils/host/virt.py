# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Can this host run its nested VMs with KVM, or must they fall back to QEMU/TCG? Pure functions.

Facts are read from a root directory (``/`` on a real host, a recorded tree in unit tests):
``proc/cpuinfo`` (vendor, vmx/svm), ``dev/kvm``, ``sys/module/kvm_intel|kvm_amd/parameters/nested``
and ``sys/module/kvm_pvm`` (a KVM that runs only PVM guest kernels, as on Firecracker-style hosts).
"""

from __future__ import annotations

import os

from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.files import read_text

VENDORS = {"GenuineIntel": "intel", "AuthenticAMD": "amd"}
KVM_MODULE = {"intel": "kvm_intel", "amd": "kvm_amd"}
FLAG = {"intel": "vmx", "amd": "svm"}


def parse_cpuinfo(text):
    """Vendor and virtualisation flags of the first processor block of /proc/cpuinfo."""
    vendor, flags = None, set()
    for line in text.splitlines():
        key, _sep, value = line.partition(":")
        key = key.strip()
        if key == "vendor_id" and vendor is None:
            vendor = value.strip()
        elif key == "flags" and not flags:
            flags = set(value.split())
    return {"vendor_id": vendor, "vendor": VENDORS.get(vendor, "unknown"),
            "vmx": "vmx" in flags, "svm": "svm" in flags, "hypervisor": "hypervisor" in flags}


def parse_nested(text):
    """The kvm_intel/kvm_amd ``nested`` parameter: 'Y'/'1' on, 'N'/'0' off, None when unreadable."""
    if text is None:
        return None
    value = text.strip().upper()
    if value in ("Y", "1"):
        return True
    if value in ("N", "0"):
        return False
    return None


def _read(root, *parts):
    return read_text(os.path.join(root, *parts))


def container(root="/"):
    """The container manager this host runs in (podman, docker, lxc...), or None on a VM or bare metal - what
    ``systemd-detect-virt --container`` answers: systemd's own record, else podman's and docker's marker files, else
    PID 1's environment."""
    recorded = (_read(root, "run", "systemd", "container") or "").strip()
    if recorded:
        return recorded
    if os.path.exists(os.path.join(root, "run", ".containerenv")):
        return "podman"
    if os.path.exists(os.path.join(root, ".dockerenv")):
        return "docker"
    try:
        with open(os.path.join(root, "proc", "1", "environ"), "rb") as handle:
            for item in handle.read().split(b"\0"):
                if item.startswith(b"container=") and len(item) > len(b"container="):
                    return item[len(b"container="):].decode("utf-8", "replace")
    except OSError:
        pass
    return None


def gather(root="/"):
    """Every fact the decision needs, read below ``root``."""
    cpu = parse_cpuinfo(_read(root, "proc", "cpuinfo") or "")
    module = KVM_MODULE.get(cpu["vendor"])
    kvm = os.path.join(root, "dev", "kvm")
    facts = dict(cpu)
    facts.update(
        dev_kvm=os.path.exists(kvm),
        dev_kvm_usable=os.access(kvm, os.R_OK | os.W_OK),
        kvm_module=module,
        kvm_module_loaded=bool(module) and os.path.isdir(os.path.join(root, "sys", "module", module)),
        kvm_pvm=os.path.isdir(os.path.join(root, "sys", "module", "kvm_pvm")),
        nested=parse_nested(_read(root, "sys", "module", module, "parameters", "nested")) if module else None,
        container=container(root),
    )
    return facts


def decide(facts):
    """(domain_type, cpu_mode, reason) for the nested VMs, from the facts of ``gather``.

    ``kvm`` + ``host-passthrough`` only when the CPU offers vmx/svm to this host, the vendor's KVM
    module is loaded and ``/dev/kvm`` can be opened; otherwise ``qemu`` (TCG) with a ``qemu64``
    CPU model, and the reason names the first missing piece.
    """
    vendor, flag = facts["vendor"], FLAG.get(facts["vendor"])
    if flag is None:
        return "qemu", "custom", "CPU vendor %r is neither Intel nor AMD" % facts.get("vendor_id")
    if not facts[flag]:
        reason = "the CPU offers no %s to this host (the outer hypervisor does not pass virtualisation through)" % flag
        if facts.get("kvm_pvm"):
            reason += "; /dev/kvm belongs to kvm_pvm, which runs only PVM guest kernels"
        return "qemu", "custom", reason
    if not facts["kvm_module_loaded"]:
        return "qemu", "custom", "%s is offered but the %s module is not loaded" % (flag, KVM_MODULE[vendor])
    if not facts["dev_kvm"]:
        return "qemu", "custom", "%s is offered but /dev/kvm does not exist" % flag
    if not facts["dev_kvm_usable"]:
        return "qemu", "custom", "/dev/kvm exists but cannot be opened for reading and writing"
    reason = "%s offered, %s loaded, /dev/kvm usable" % (flag, KVM_MODULE[vendor])
    if facts["nested"]:
        reason += "; nested=1, so the nested VMs can run KVM guests themselves"
    else:
        reason += "; nested is off, so the nested VMs' own guests will run on QEMU/TCG"
    return "kvm", "host-passthrough", reason


def report(root="/"):
    facts = gather(root)
    domain_type, cpu_mode, reason = decide(facts)
    return dict(facts, domain_type=domain_type, cpu_mode=cpu_mode, reason=reason,
                # what the inner cloud's nova-compute (inside a nested VM) can use for its own guests
                inner_virt_type="kvm" if domain_type == "kvm" and facts["nested"] else "qemu")
