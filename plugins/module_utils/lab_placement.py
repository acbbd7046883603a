# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which oc- VM runs on which uc- host.

Each uc- host has a number of slots: how many oc- VMs of the base size (nested_vms.ram_mb, vcpus) its flavor
holds, by RAM (less what the host keeps) and by vCPU (times the allocation ratio). A VM whose role is given a bigger
size (nested_vms.sizes, e.g. the MAAS VM) takes as many slots as its size needs. VMs that already run somewhere
(``existing``) stay there; the others go, in name order, to the least loaded host with room, ties to the lowest host
number. So a new lab is balanced, and growing a running lab never moves a VM.
"""

from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.module_utils.lab_schema import (
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
        raise LabDefinitionError(field, "the size of flavor '%s' is unknown; pass its RAM and vCPUs in flavor_specs "
                                 "(e.g. {'%s': {'ram_mb': 16384, 'vcpus': 8}}) or use one of %s"
                                 % (flavor, flavor, ", ".join(sorted(KNOWN_FLAVORS))))
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


def host_slots(lab, flavor_specs, field, needed=None):
    """Slots of each uc- host (all of one flavor); {} when no oc- VM is planned. ``needed`` is how many slots the
    VMs take in all (their count when every one has the base size)."""
    vm = lab["nested_vms"]
    if vm["count"] == 0:
        return {}
    needed = vm["count"] if needed is None else needed
    ram, vcpus = flavor_size(lab["flavors"]["undercloud"], flavor_specs, field)
    by_ram = (ram - vm["host_reserved_ram_mb"]) // vm["ram_mb"]
    by_cpu = int(vcpus * vm["cpu_allocation_ratio"] + 1e-9) // vm["vcpus"]
    per_host = max(0, min(by_ram, by_cpu))
    total = per_host * lab["undercloud_count"]
    if total < needed:
        bigger = (" (the sizes of nested_vms.sizes take %d slots of that size)" % needed) if needed != vm["count"] else ""
        raise LabDefinitionError(
            "nestedcloud_lab.nested_vms.count",
            "%d oc- VMs of %d MiB / %d vCPU%s do not fit: %d x %s (%d MiB, %d vCPUs, %d MiB kept by the host, "
            "cpu_allocation_ratio %g) hold %d each, %d in all; lower nested_vms.count or ram_mb, or raise "
            "undercloud_count or flavors.undercloud"
            % (vm["count"], vm["ram_mb"], vm["vcpus"], bigger, lab["undercloud_count"], lab["flavors"]["undercloud"],
               ram, vcpus, vm["host_reserved_ram_mb"], vm["cpu_allocation_ratio"], per_host, total))
    prefix, digits = lab["naming"]["undercloud_prefix"], lab["naming"]["digits"]
    return dict(("%s%0*d" % (prefix, digits, n), per_host) for n in range(1, lab["undercloud_count"] + 1))


def place(vms, hosts, slots, existing, field, weights=None):
    """Return ({vm: host}, notes). ``existing`` maps VMs already running to their host; ``weights`` is how many
    slots each VM takes (1 when not given)."""
    weight = (weights or {}).get
    if not isinstance(existing, dict):
        raise LabDefinitionError(field, "expected a mapping of oc- VM name to uc- host name, got %r" % (existing,))
    placement, load, notes = {}, dict((h, 0) for h in hosts), []
    wanted = set(vms)
    for vm in sorted(existing):
        host = existing[vm]
        if vm not in wanted:
            notes.append("%s runs on %s but is no longer planned (nested_vms.count lowered)." % (vm, host))
        elif host not in load:
            notes.append("%s ran on %s, which is no longer planned; it is placed again." % (vm, host))
        elif load[host] + weight(vm, 1) > slots[host]:
            raise LabDefinitionError("%s.%s" % (field, vm), "%s already holds %d oc- VMs, its capacity; move %s "
                                     "or raise flavors.undercloud" % (host, slots[host], vm))
        else:
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
