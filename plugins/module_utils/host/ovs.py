# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which datapath Open vSwitch can use on this host: the kernel's (module openvswitch, with geneve for OVN's
tunnels) or its own userspace (netdev) one. Pure functions.

Facts are read from a root directory (``/`` on a real host, a recorded tree in unit tests): ``sys/module/<name>``
(loaded, or built in with parameters), ``proc/modules`` (absent: this kernel loads no modules),
``lib/modules/<release>/modules.builtin`` and ``modules.dep`` (built in, or a module file to load).
"""

from __future__ import annotations

import os

from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.files import read_text

MODULES = ("openvswitch", "geneve")
DATAPATH_TYPE = {"kernel": "system", "userspace": "netdev"}


def _listed(text, name):
    """Does a modules.builtin or modules.dep text name module ``name`` (…/name.ko, any compression)?"""
    for line in (text or "").splitlines():
        path = line.split(":", 1)[0].strip()
        base = path.rsplit("/", 1)[-1]
        if base.split(".ko", 1)[0] == name and ".ko" in base:
            return True
    return False


def gather(root, release):
    """Per module: loaded, built in, loadable; and whether this kernel loads modules at all."""
    loading = os.path.exists(os.path.join(root, "proc", "modules"))
    builtin = read_text(os.path.join(root, "lib", "modules", release, "modules.builtin"))
    dep = read_text(os.path.join(root, "lib", "modules", release, "modules.dep"))
    facts = {"kernel_release": release, "module_loading": loading, "modules": {}}
    for name in MODULES:
        facts["modules"][name] = {
            "loaded": os.path.isdir(os.path.join(root, "sys", "module", name)),
            "builtin": _listed(builtin, name),
            "loadable": loading and _listed(dep, name),
        }
    return facts


def _missing(facts):
    """The modules the kernel datapath needs that this kernel cannot give, with why."""
    missing = []
    for name, state in facts["modules"].items():
        if state["loaded"] or state["builtin"] or state["loadable"]:
            continue
        if not facts["module_loading"]:
            missing.append("%s (not in the kernel, and the kernel loads no modules)" % name)
        else:
            missing.append("%s (not loaded, not built in, no module for kernel %s)" % (name, facts["kernel_release"]))
    return missing


def decide(facts, wanted="auto"):
    """The datapath (kernel or userspace), its OVS datapath_type, the modules to load first, and why."""
    missing = _missing(facts)
    to_load = [name for name, state in facts["modules"].items()
               if not state["loaded"] and not state["builtin"] and state["loadable"]]
    if wanted == "userspace":
        datapath, reason, to_load = "userspace", "ovs_datapath is userspace", []
    elif not missing:
        datapath = "kernel"
        reason = "the kernel has %s" % " and ".join(
            "%s (%s)" % (name, "loaded" if state["loaded"] else "built in" if state["builtin"] else "to load")
            for name, state in facts["modules"].items())
    elif wanted == "kernel":
        raise ValueError("kernel was asked for, but this kernel lacks %s; use auto or userspace"
                         % "; ".join(missing))
    else:
        datapath, reason, to_load = "userspace", "the kernel lacks %s" % "; ".join(missing), []
    return {"datapath": datapath, "datapath_type": DATAPATH_TYPE[datapath], "load": to_load, "reason": reason}
