# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which oc- VM runs on which uc- host.

Each uc- host has a number of slots: how many oc- VMs of the base size (nested_vms.ram_mb, vcpus) its flavor
holds, by RAM (less what the host keeps) and by vCPU (times the allocation ratio). A VM whose role is given a bigger
size (nested_vms.sizes, e.g. the MAAS VM) takes as many slots as its size needs. VMs that already run somewhere
(``existing``) stay there; the others go, in name order, to the least loaded host with room, ties to the lowest host
number. So a new lab is balanced, and growing a running lab never moves a VM.

When the packaged inner cloud runs on the uc- hosts, its computes hold no oc- VM: nova-compute (since 2023.1) refuses
to start as a new host on a libvirt that already has domains, and it would count their memory as its own. oc- VMs go
to the controller and to the uc- hosts after the computes (``overcloud.computes``).
"""

from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.schema import (
    LabDefinitionError,
)

# Sizes of the classic OpenStack flavors, used when the cloud's are not given.
KNOWN_FLAVORS = {
    "m1.tiny": {"ram_mb": 512, "vcpus": 1},
    "m1.small": {"ram_mb": 2048, "vcpus": 1},
    "m1.medium": {"ram_mb": 4096, "vcpus": 2},
    "m1.large": {"ram_mb": 8192, "vcpus": 4},
    "m1.xlarge": {"ram_mb": 16384, "vcpus": 8},
}


def flavor_size(flavor, flavor_specs, field):
    """RAM (MiB) and vCPUs of ``flavor`` from ``flavor_specs`` (cloud's or user's) or the known table.

    A spec may use openstacksdk's keys (``ram``, ``vcpus``) or ours (``ram_mb``, ``vcpus``).
    """
    spec = flavor_specs.get(flavor, KNOWN_FLAVORS.get(flavor))
    if spec is None:
        raise LabDefinitionError(field, "the size of flavor '%s' is unknown: the outer cloud offers no flavor of that "
                                 "name to this project (set a flavor it has), or, when planning without a cloud, "
                                 "pass its RAM and vCPUs in flavor_specs (e.g. {'%s': {'ram_mb': 16384, 'vcpus': 8}}); "
                                 "known without: %s" % (flavor, flavor, ", ".join(sorted(KNOWN_FLAVORS))))
    if not isinstance(spec, dict):
        raise LabDefinitionError("flavor_specs['%s']" % flavor, "expected a mapping with ram_mb and vcpus, got %r" % (spec,))
    ram = spec.get("ram_mb", spec.get("ram"))
    vcpus = spec.get("vcpus")
    for key, value in (("ram_mb", ram), ("vcpus", vcpus)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise LabDefinitionError("flavor_specs['%s'].%s" % (flavor, key),
                                     "expected a positive integer, got %r" % (value,))
    return ram, vcpus


def vm_roles(lab, oc_names):
    """{oc- VM: role} as the groups give them: maas, juju_controller, openstack (maas_juju), overcloud_controller,
    overcloud_compute (packaged on the oc- VMs); None where no role has its own size."""
    if lab["overcloud"]["kind"] == "maas_juju":
        return dict((oc, "maas" if n == 0 else "juju_controller" if n == 1 else "openstack")
                    for n, oc in enumerate(oc_names))
    if lab["overcloud"]["hosts"] == "nested":
        return dict((oc, "overcloud_controller" if n == 0 else "overcloud_compute") for n, oc in enumerate(oc_names))
    return dict((oc, None) for oc in oc_names)


def vm_sizes(lab, oc_names):
    """{oc- VM: {role, ram_mb, vcpus, disk_gb, slots}}: the base size with its role's overrides, and how many base
    slots that takes."""
    base = lab["nested_vms"]
    sizes = {}
    for oc, role in vm_roles(lab, oc_names).items():
        extra = (base["sizes"].get(role) or {}) if role else {}
        size = dict((key, extra.get(key) or base[key]) for key in ("ram_mb", "vcpus", "disk_gb"))
        size["slots"] = max(1, -(-size["ram_mb"] // base["ram_mb"]), -(-size["vcpus"] // base["vcpus"]))
        sizes[oc] = dict(size, role=role)
    return sizes


def computes_on_undercloud(lab):
    """Whether the inner cloud's computes are uc- hosts (the packaged kind on the uc- hosts)."""
    return lab["overcloud"]["kind"] == "packaged" and lab["overcloud"]["hosts"] == "undercloud"


def inner_computes(lab, uc_names, per_host=0, needed=0, existing=None):
    """The uc- hosts that run the packaged inner cloud's nova-compute: ``overcloud.computes`` of them after the
    controller, the first; a lab of one uc- host is all-in-one. ``auto``: every one the oc- VMs do not need, as they
    fill the controller, the hosts where they run already (``existing``: {vm: host}) and then the last uc- hosts
    (``per_host`` slots each, ``needed`` in all). [] when the inner computes are not uc- hosts (oc- VMs, MAAS +
    Juju), where ``computes`` must stay ``auto``."""
    field, wanted = "nestedcloud_lab.overcloud.computes", lab["overcloud"]["computes"]
    if not computes_on_undercloud(lab):
        if wanted != "auto":
            raise LabDefinitionError(field, "is only for the packaged inner cloud on the uc- hosts (kind packaged, "
                                     "hosts undercloud); here the plan puts the computes on oc- VMs: leave it auto")
        return []
    if len(uc_names) == 1:
        if wanted not in ("auto", 1):
            raise LabDefinitionError(field, "%s computes with one uc- host: it is controller and compute "
                                     "(all-in-one); set 1 or auto, or raise undercloud_count" % wanted)
        return list(uc_names)
    if wanted == "auto":
        beyond = needed - per_host  # slots the controller cannot hold
        hosts = -(-beyond // per_host) if beyond > 0 and per_host else 0
        retired = set(lab["retire"])
        running = set(h for vm, h in (existing or {}).items()
                      if h in uc_names[1:] and vm not in retired and h not in retired)
        free = [h for h in uc_names[1:] if h not in running]
        vm_hosts = running | set(free[max(1, len(free) - max(0, hosts - len(running))):])
        return [h for h in uc_names[1:] if h not in vm_hosts] or list(uc_names[1:2])
    if wanted > len(uc_names) - 1:
        raise LabDefinitionError(field, "%d computes need %d uc- hosts (the first is the controller), and "
                                 "undercloud_count is %d: raise undercloud_count to %d or lower computes to %d"
                                 % (wanted, wanted + 1, len(uc_names), wanted + 1, len(uc_names) - 1))
    return list(uc_names[1:wanted + 1])


def _capacity(lab, flavor_specs, field):
    """(RAM MiB, vCPUs) of the uc- flavor and how many oc- VMs of the base size it holds by RAM and by vCPU."""
    vm = lab["nested_vms"]
    ram, vcpus = flavor_size(lab["flavors"]["undercloud"], flavor_specs, field)
    by_ram = (ram - vm["host_reserved_ram_mb"]) // vm["ram_mb"]
    by_cpu = int(vcpus * vm["cpu_allocation_ratio"] + 1e-9) // vm["vcpus"]
    return ram, vcpus, by_ram, by_cpu


def slots_per_host(lab, flavor_specs, field):
    """How many oc- VMs of the base size one uc- host holds; 0 when no oc- VM is planned."""
    if lab["nested_vms"]["count"] == 0:
        return 0
    _ram, _vcpus, by_ram, by_cpu = _capacity(lab, flavor_specs, field)
    return max(0, min(by_ram, by_cpu))


def host_slots(lab, flavor_specs, field, needed, hosts):
    """Slots of each uc- host that may hold oc- VMs, ``hosts`` (all of one flavor); {} when no oc- VM is planned.
    ``needed`` is how many slots the VMs take in all (their count when every one has the base size)."""
    vm = lab["nested_vms"]
    if vm["count"] == 0:
        return {}
    per_host = slots_per_host(lab, flavor_specs, field)
    total = per_host * len(hosts)
    if total < needed:
        ram, vcpus, _by_ram, by_cpu = _capacity(lab, flavor_specs, field)
        bigger = (" (the sizes of nested_vms.sizes take %d slots of that size)" % needed) if needed != vm["count"] else ""
        computes = lab["undercloud_count"] - len(hosts)
        if not hosts:
            barred = " (the only uc- host is the inner cloud's controller and compute, all-in-one: no oc- VM there)"
        elif computes:
            barred = " (%d of the %d uc- hosts are inner computes, which run no oc- VM)" % (computes, lab["undercloud_count"])
        else:
            barred = ""
        raise LabDefinitionError(
            "nestedcloud_lab.nested_vms.count",
            "%d oc- VMs of %d MiB / %d vCPU%s do not fit: %d x %s%s (%d MiB, %d vCPUs, %d MiB kept by the host, "
            "cpu_allocation_ratio %g) hold %d each, %d in all; %s"
            % (vm["count"], vm["ram_mb"], vm["vcpus"], bigger, len(hosts), lab["flavors"]["undercloud"], barred,
               ram, vcpus, vm["host_reserved_ram_mb"], vm["cpu_allocation_ratio"], per_host, total,
               _what_fits(lab, needed, per_host, total, ram, by_cpu, len(hosts), computes)))
    return dict((host, per_host) for host in hosts)


def _what_fits(lab, needed, per_host, total, ram, by_cpu, hosts, computes):
    """Each way out of a lab too small for its oc- VMs, with the value that makes it fit."""
    vm = lab["nested_vms"]
    ways = []
    if needed == vm["count"]:
        ways.append("lower nested_vms.count to %d" % total)
    if hosts:
        each = -(-needed // hosts)  # VMs each uc- host must hold
        fitting_ram = (ram - vm["host_reserved_ram_mb"]) // each
        if by_cpu >= each and fitting_ram >= 256:
            ways.append("lower nested_vms.ram_mb to %d" % fitting_ram)
    if per_host:
        more = -(-needed // per_host) - hosts  # hosts short
        ways.append("raise undercloud_count to %d" % (lab["undercloud_count"] + more))
        if computes > more and hosts:
            ways.append("lower overcloud.computes to %d" % (computes - more))
    if hosts:
        ways.append("choose a larger flavors.undercloud")
    return ", or ".join(ways)


def check_retire(retire, vms, hosts, names, field="nestedcloud_lab.retire"):
    """Each retired name must be an oc- VM or uc- host of the lab's naming that the lab no longer plans."""
    planned = set(vms) | set(hosts)
    for index, name in enumerate(retire):
        if name in planned:
            what = "nested_vms.count" if name in vms else "undercloud_count"
            raise LabDefinitionError("%s[%d]" % (field, index), "%s is still planned (%s); retire only oc- VMs and "
                                     "uc- hosts the definition no longer has, and lower the count first"
                                     % (name, what))
        if not names(name):
            raise LabDefinitionError("%s[%d]" % (field, index), "%r is not the name of an oc- VM or a uc- host of "
                                     "this lab (e.g. oc-0006, uc-0004)" % (name,))


def _keep(existing, vms, hosts, retire, field, computes=()):
    """The running VMs that stay where they run; refuse to drop any the operator did not retire, and any on a uc-
    host that has become an inner compute (``computes``)."""
    wanted, planned_hosts, retired = set(vms), set(hosts) | set(computes), set(retire)
    kept, notes, dropped = {}, [], {}
    for vm in sorted(existing):
        host = existing[vm]
        if not isinstance(vm, str) or not isinstance(host, str):
            raise LabDefinitionError(field, "expected oc- VM and uc- host names, got %r: %r" % (vm, host))
        if vm in retired or host in retired:
            notes.append("%s on %s is retired: the hypervisor layer deletes it and its disk%s."
                         % (vm, host, "; it is made anew" if vm in wanted else ""))
        elif vm not in wanted:
            dropped.setdefault("nested_vms.count", []).append((vm, host))
        elif host not in planned_hosts:
            dropped.setdefault("undercloud_count", []).append((vm, host))
        elif host in computes:
            dropped.setdefault("overcloud.computes", []).append((vm, host))
        else:
            kept[vm] = host
    running = set(existing) | set(existing.values())
    for name in retire:
        if name not in running:
            notes.append("retire names %s, which runs nothing of this lab any more: remove it from retire." % name)
    if dropped:
        refused = []
        if "nested_vms.count" in dropped:
            refused.append("nested_vms.count no longer plans %s" % ", ".join(
                "%s (running on %s)" % pair for pair in dropped["nested_vms.count"]))
        for key, what in (("undercloud_count", "undercloud_count no longer plans"),
                          ("overcloud.computes", "overcloud.computes makes inner computes (no oc- VM there) of")):
            by_host = {}
            for vm, host in dropped.get(key, ()):
                by_host.setdefault(host, []).append(vm)
            if by_host:
                refused.append("%s %s" % (what, ", ".join(
                    "%s (running %s)" % (host, ", ".join(vms)) for host, vms in sorted(by_host.items()))))
        names = sorted(set(vm for pairs in dropped.values() for vm, _h in pairs if vm not in wanted)
                       | set(h for vm, h in dropped.get("undercloud_count", ()) if vm in wanted)
                       | set(vm for vm, _h in dropped.get("overcloud.computes", ())))
        key = "nestedcloud_lab.%s" % min(dropped, key=("nested_vms.count", "undercloud_count",
                                                       "overcloud.computes").index)
        raise LabDefinitionError(key, "%s, and they run: nothing was changed. A running oc- VM is never dropped or "
                                 "moved silently. To delete them and their disks on purpose, add them to "
                                 "nestedcloud_lab.retire (retire: [%s]) and run again; else raise the count back%s"
                                 % ("; ".join(refused), ", ".join(names),
                                    " (lower overcloud.computes back)" if "overcloud.computes" in dropped else ""))
    return kept, notes


def place(vms, hosts, slots, existing, field, weights=None, retire=(), computes=()):
    """Return ({vm: host}, notes). ``hosts`` are the uc- hosts that may hold oc- VMs, ``computes`` the inner
    computes that may not. ``existing`` maps VMs already running to their host: each stays there, and one the plan
    no longer has (its VM or its host, or a host now a compute) is refused unless ``retire`` names it; ``weights``
    is how many slots each VM takes (1 when not given)."""
    weight = (weights or {}).get
    if not isinstance(existing, dict):
        raise LabDefinitionError(field, "expected a mapping of oc- VM name to uc- host name, got %r" % (existing,))
    kept, notes = _keep(existing, vms, hosts, retire, field, computes)
    placement, load = {}, dict((h, 0) for h in hosts)
    for vm in sorted(kept):
        host = kept[vm]
        if load[host] + weight(vm, 1) > slots[host]:
            raise LabDefinitionError("%s.%s" % (field, vm), "%s already holds %d slots of oc- VMs, its capacity; "
                                     "retire a VM there or raise flavors.undercloud" % (host, slots[host]))
        placement[vm] = host
        load[host] += weight(vm, 1)
    for vm in vms:
        if vm in placement:
            continue
        free = [h for h in hosts if load[h] + weight(vm, 1) <= slots[h]]
        if not free:
            room = ", ".join("%s %d of %d free" % (h, slots[h] - load[h], slots[h]) for h in hosts)
            raise LabDefinitionError("nestedcloud_lab.nested_vms.sizes", "%s needs %d slots of one uc- host, and no "
                                     "host has that much room left (%s); raise flavors.undercloud or lower its size"
                                     % (vm, weight(vm, 1), room))
        host = min(free, key=lambda h: (float(load[h]) / slots[h], hosts.index(h)))
        placement[vm] = host
        load[host] += weight(vm, 1)
    return dict((vm, placement[vm]) for vm in vms), notes


def stray_domains(plan, host, defined):
    """Which libvirt domains on uc- host ``host`` are oc- VMs of the lab that the plan does not place there.

    Returns {"retired": [...], "refused": {vm: reason}}: a retired one (``retire`` names it or this host) is to be
    deleted; any other would run twice or be lost silently, so the layer stops and says why.
    """
    naming = plan["lab"]["naming"]
    prefix, digits = naming["nested_prefix"], naming["digits"]
    retire = set(plan["lab"].get("retire") or [])
    retired, refused = [], {}
    for name in sorted(set(defined)):
        number = name[len(prefix):]
        if not name.startswith(prefix) or len(number) != digits or not number.isdigit():
            continue  # not one of this lab's oc- VMs
        planned_on = plan["placement"].get(name)
        if planned_on == host:
            continue
        if name in retire or host in retire:
            retired.append(name)
        elif planned_on:
            refused[name] = ("the plan places it on %s: it would run twice. Delete it here on purpose with "
                             "nestedcloud_lab.retire: [%s] only if the one on %s is the one to keep"
                             % (planned_on, host, planned_on))
        else:
            refused[name] = ("the plan no longer has it (nested_vms.count): add it to nestedcloud_lab.retire to "
                             "delete it and its disk, or raise nested_vms.count")
    return {"retired": retired, "refused": refused}
