# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab planner: one lab definition in, the whole plan out. Pure and deterministic.

:func:`build_plan` validates (``lab_schema.normalize`` plus the checks that span
fields), then derives names, fixed addresses, VXLAN peers, the MTU of every layer,
the placement of oc- VMs on uc- hosts and the inventory groups. Nothing here
talks to a cloud: a bad definition is rejected before any API call.
"""

from __future__ import annotations

import re

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.addressing import (
    HOST_OFFSET,
    Range,
    check_disjoint,
    mtu_budget,
    tenant_overhead,
    nested_mac,
    parse_cidr,
    parse_ip,
    parse_source_cidr,
)
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.maas_juju import (
    maas_juju_plan,
    nested_uuid,
)
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.placement import (
    check_retire,
    computes_on_undercloud,
    host_slots,
    inner_computes,
    place,
    slots_per_host,
    vm_sizes,
)
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.schema import (
    AUTO,
    LabDefinitionError,
    normalize,
)

ROOT = "nestedcloud_lab"
ASSUMED_UNDERLAY_MTU = 1450  # Neutron's MTU of a VXLAN tenant network, until the real one is known
MIN_NESTED = {"packaged": 1, "maas_juju": 3}  # maas_juju: MAAS, Juju controller, one machine at least


def _f(path):
    return "%s.%s" % (ROOT, path)


def _ranges(lab):
    """Parse and cross-check the lab ranges; return them by name."""
    fields = [("underlay", "underlay.cidr"), ("overlay", "overlay.cidr"),
              ("inner_external", "inner.external_cidr"), ("inner_tenant", "inner.tenant_cidr"),
              ("inner_tunnel", "inner.tunnel_cidr")]
    ranges = {}
    for name, path in fields:
        section, key = path.split(".")
        net = parse_cidr(lab[section][key], _f(path))
        if net.prefixlen > 28:
            raise LabDefinitionError(_f(path), "%s is too small for a lab range; use a /28 or larger" % net)
        ranges[name] = Range(net, _f(path))
    check_disjoint([(r.field, r.net) for r in ranges.values()])
    return ranges


def _names(lab):
    naming = lab["naming"]
    digits = naming["digits"]
    uc_names = ["%s%0*d" % (naming["undercloud_prefix"], digits, n) for n in range(1, lab["undercloud_count"] + 1)]
    oc_names = ["%s%0*d" % (naming["nested_prefix"], digits, n) for n in range(1, lab["nested_vms"]["count"] + 1)]
    if lab["undercloud_count"] >= 10 ** digits or lab["nested_vms"]["count"] >= 10 ** digits:
        raise LabDefinitionError(_f("naming.digits"), "%d digits cannot number %d hosts; raise naming.digits"
                                 % (digits, max(lab["undercloud_count"], lab["nested_vms"]["count"])))
    seen = {}
    for field, names in (("naming.jumphost", [naming["jumphost"]]),
                         ("naming.undercloud_prefix", uc_names), ("naming.nested_prefix", oc_names)):
        for name in names:
            if name in seen:
                raise LabDefinitionError(_f(field), "host name '%s' is also produced by %s; host names must be "
                                         "unique, so choose distinct names and prefixes" % (name, seen[name]))
            seen[name] = field
    return uc_names, oc_names


def _named(lab):
    """A test: is a name one of the lab's uc- hosts or oc- VMs (prefix and number of digits)?"""
    naming = lab["naming"]
    pattern = re.compile("^(%s|%s)[0-9]{%d}$" % (re.escape(naming["undercloud_prefix"]),
                                                 re.escape(naming["nested_prefix"]), naming["digits"]))
    return lambda name: bool(pattern.match(name))


def _mtu(lab, underlay_mtu):
    overcloud = lab["overcloud"]
    tenant = tenant_overhead(overcloud["geneve_header_size"])
    configured = lab["underlay"]["mtu"]
    if configured != AUTO:
        return mtu_budget(configured, _f("underlay.mtu"), tenant), "configured"
    if underlay_mtu is not None:
        if isinstance(underlay_mtu, bool) or not isinstance(underlay_mtu, int) or underlay_mtu > 65535:
            raise LabDefinitionError("underlay_mtu", "got %r; expected the network's MTU, an integer from %d "
                                     "to 65535" % (underlay_mtu, 1280))
        return mtu_budget(underlay_mtu, "underlay_mtu", tenant), "measured"
    return mtu_budget(ASSUMED_UNDERLAY_MTU, _f("underlay.mtu"), tenant), "assumed"


def _check_overcloud(lab):
    kind, hosts, count = lab["overcloud"]["kind"], lab["overcloud"]["hosts"], lab["nested_vms"]["count"]
    if kind == "maas_juju" and hosts != "nested":
        raise LabDefinitionError(_f("overcloud.hosts"), "kind maas_juju deploys onto the oc- VMs; set hosts: nested")
    if hosts == "nested" and count < MIN_NESTED[kind]:
        raise LabDefinitionError(_f("nested_vms.count"), "%d oc- VMs cannot hold a %s overcloud on nested hosts; "
                                 "use at least %d" % (count, kind, MIN_NESTED[kind]))


def _groups(lab, r0, uc_names, oc_names, placement, computes):
    kind, on_nested = lab["overcloud"]["kind"], lab["overcloud"]["hosts"] == "nested"
    groups = {
        "jumphost": [r0],
        "undercloud": list(uc_names),
        "hypervisors": [n for n in uc_names if n in set(placement.values())],
        "nested": list(oc_names),
        "overcloud_controller": [],
        "overcloud_compute": [],
        "maas": [],
        "juju_controller": [],
    }
    if kind == "packaged" and on_nested:
        groups["overcloud_controller"] = oc_names[:1]
        groups["overcloud_compute"] = list(oc_names[1:]) or oc_names[:1]  # one host: all-in-one
    elif kind == "packaged":
        groups["overcloud_controller"] = uc_names[:1]
        groups["overcloud_compute"] = list(computes)
    else:
        groups["maas"] = oc_names[:1]
        groups["juju_controller"] = oc_names[1:2]
    return groups


def build_plan(definition, underlay_mtu=None, flavor_specs=None, existing_placement=None):
    """Return the plan of ``definition`` (a dict); raise LabDefinitionError on bad input."""
    lab = normalize(definition, ROOT)
    name = lab["name"]
    ranges = _ranges(lab)
    uc_names, oc_names = _names(lab)
    _check_overcloud(lab)
    mtu, mtu_source = _mtu(lab, underlay_mtu)
    ssh_sources = [str(parse_source_cidr(c, _f("ssh_allowed_cidrs[%d]" % i)))
                   for i, c in enumerate(lab["ssh_allowed_cidrs"])]
    for section, key in (("underlay", "dns_nameservers"), ("inner", "dns_nameservers")):
        for index, value in enumerate(lab[section][key]):
            parse_ip(value, _f("%s.%s[%d]" % (section, key, index)))

    underlay, overlay = ranges["underlay"], ranges["overlay"]
    underlay.require(lab["undercloud_count"], HOST_OFFSET + 1, "uc- hosts (undercloud_count)", _f("undercloud_count"))
    overlay.require(lab["undercloud_count"], HOST_OFFSET + 1, "uc- hosts (undercloud_count)", _f("undercloud_count"))
    overlay.require(lab["nested_vms"]["count"], 1, "oc- VMs (nested_vms.count)", _f("nested_vms.count"))

    r0 = lab["naming"]["jumphost"]
    domain = "%s.test" % name if lab["dns_domain"] == AUTO else lab["dns_domain"].rstrip(".")
    underlay_gw = underlay.gateway(lab["underlay"]["gateway"], _f("underlay.gateway"))
    overlay_gw = overlay.gateway(lab["overlay"]["gateway"], _f("overlay.gateway"))
    ext = ranges["inner_external"]
    ext_gw = ext.gateway(lab["inner"]["external_gateway"], _f("inner.external_gateway"))
    tenant = ranges["inner_tenant"]
    tenant_gw = tenant.gateway(lab["inner"]["tenant_gateway"], _f("inner.tenant_gateway"))

    underlay_ip = {r0: underlay.static(0, HOST_OFFSET)}
    overlay_ip = {r0: overlay_gw}
    for n, uc in enumerate(uc_names, start=1):
        underlay_ip[uc] = underlay.static(0, HOST_OFFSET + n)
        overlay_ip[uc] = overlay.static(0, HOST_OFFSET + n)
    for n, oc in enumerate(oc_names, start=1):
        overlay_ip[oc] = overlay.static(1, n)
    _check_gateway(underlay_gw, underlay_ip, _f("underlay.gateway"))
    _check_gateway(overlay_gw, dict((h, a) for h, a in overlay_ip.items() if h != r0), _f("overlay.gateway"))

    sizes = vm_sizes(lab, oc_names)
    weights = dict((oc, size["slots"]) for oc, size in sizes.items())
    specs = {} if flavor_specs is None else flavor_specs  # may be a mapping that is empty but answers every name
    needed = sum(weights.values())
    computes = inner_computes(lab, uc_names, slots_per_host(lab, specs, _f("flavors.undercloud")), needed,
                              existing_placement if isinstance(existing_placement, dict) else None)
    vm_hosts = [uc for uc in uc_names if uc not in computes]
    slots = host_slots(lab, specs, _f("flavors.undercloud"), needed, vm_hosts)
    check_retire(lab["retire"], oc_names, uc_names, _named(lab))
    placement, placement_notes = place(oc_names, vm_hosts, slots, existing_placement or {}, "existing_placement",
                                       weights, lab["retire"], computes)
    groups = _groups(lab, r0, uc_names, oc_names, placement, computes)

    hosts = {}
    vtep = [r0] + uc_names
    for host in vtep:
        hosts[host] = {
            "name": host,
            "kind": "jumphost" if host == r0 else "undercloud",
            "server_name": "%s-%s" % (name, host),
            "fqdn": "%s.%s" % (host, domain),
            "flavor": lab["flavors"]["jumphost" if host == r0 else "undercloud"],
            "image": lab["image"],
            "underlay_ip": underlay_ip[host],
            "overlay_ip": overlay_ip[host],
            "vxlan_peers": [underlay_ip[p] for p in vtep if p != host],
        }
    storage = lab["storage"]
    for host in vtep:
        hosts[host]["boot_volume_gb"] = storage["root_gb"] if storage["boot_from_volume"] else 0
        hosts[host]["volumes"] = ([{"name": "%s-%s-data" % (name, host), "size_gb": storage["data_gb"]}]
                                  if storage["data_gb"] and host != r0 else [])
    hosts[r0]["addresses"] = ["%s/%d" % (overlay_gw, overlay.prefixlen), "%s/%d" % (ext_gw, ext.prefixlen)]
    for uc in uc_names:
        hosts[uc]["addresses"] = ["%s/%d" % (overlay_ip[uc], overlay.prefixlen)]
        hosts[uc]["nested_vms"] = [oc for oc in oc_names if placement[oc] == uc]
        hosts[uc]["nested_slots"] = slots.get(uc, 0)
    for n, oc in enumerate(oc_names, start=1):
        hosts[oc] = {
            "name": oc, "kind": "nested", "fqdn": "%s.%s" % (oc, domain), "hypervisor": placement[oc],
            "uuid": nested_uuid(name, oc),
            "overlay_ip": overlay_ip[oc], "gateway": overlay_gw,
            "ram_mb": sizes[oc]["ram_mb"], "vcpus": sizes[oc]["vcpus"], "disk_gb": sizes[oc]["disk_gb"],
            "nics": [
                {"name": "eth0", "mac": nested_mac(n, 0), "bridge": lab["overlay"]["bridge"], "mtu": mtu["overlay"],
                 "address": "%s/%d" % (overlay_ip[oc], overlay.prefixlen)},
                {"name": "eth1", "mac": nested_mac(n, 1), "bridge": lab["overlay"]["bridge"], "mtu": mtu["overlay"],
                 "address": None},
            ],
        }
    for group, members in groups.items():
        for member in members:
            hosts[member].setdefault("groups", []).append(group)

    tunnel = _tunnels(lab, ranges, overlay_ip, groups, hosts)
    maas_juju = (maas_juju_plan(lab, overlay, overlay_ip, groups, placement, mtu, hosts)
                 if lab["overcloud"]["kind"] == "maas_juju" else None)
    inner_dns = lab["inner"]["dns_nameservers"] or [ext_gw]
    return {
        "name": name,
        "cloud": lab["cloud"],
        "tag": "nestedcloud-%s" % name,
        "dns_domain": domain,
        "lab": lab,
        # what the plan was made from besides the definition, so that a later step plans again alike; the placement
        # it made stands for the running one it kept (the same plan again: a fixed point)
        "inputs": {"underlay_mtu": underlay_mtu, "flavor_specs": dict(flavor_specs or {}),
                   "existing_placement": dict(placement)},
        "mtu": dict(mtu, source=mtu_source),
        "networks": {
            "underlay": {
                "name": "%s-underlay" % name, "cidr": str(underlay.net), "gateway": underlay_gw, "mtu": mtu["underlay"],
                "allocation_pools": underlay.pools(underlay.block, [underlay_gw]),
                "dns_nameservers": lab["underlay"]["dns_nameservers"],
            },
            "overlay": {
                "cidr": str(overlay.net), "gateway": overlay_gw, "mtu": mtu["overlay"], "vni": lab["overlay"]["vni"],
                "udp_port": lab["overlay"]["udp_port"], "device": lab["overlay"]["device"],
                "bridge": lab["overlay"]["bridge"],
                "dynamic_pools": overlay.pools(2 * overlay.block, [overlay_gw]),
            },
            "inner_external": {
                "cidr": str(ext.net), "gateway": ext_gw, "mtu": mtu["inner_external"],
                "allocation_pools": ext.pools(ext.block, [ext_gw]),
            },
            "inner_tenant": {
                "cidr": str(tenant.net), "gateway": tenant_gw, "mtu": mtu["inner_tenant"],
                "allocation_pools": tenant.pools(2, [tenant_gw]), "dns_nameservers": inner_dns,
            },
            "inner_tunnel": tunnel,
        },
        "jumphost": {
            "name": r0, "ssh_allowed_cidrs": ssh_sources, "external_network": lab["external_network"],
            "snat_sources": [str(overlay.net), str(ext.net)],
            "lab_sources": [str(underlay.net), str(overlay.net), str(ext.net), str(tenant.net)],
        },
        "hosts": hosts,
        "groups": groups,
        "placement": placement,
        "maas_juju": maas_juju,
        "resources": _resources(lab),
        "notes": placement_notes + _computes_notes(lab, groups) + _notes(lab, ssh_sources, mtu_source),
    }


def _tunnels(lab, ranges, overlay_ip, groups, hosts):
    """ML2/OVN of the packaged kind: each inner compute (an OVN chassis) gets a Geneve endpoint in the tunnel range,
    at its overlay address's offset (adding a host never moves another); None for any other inner cloud."""
    overcloud = lab["overcloud"]
    if overcloud["kind"] != "packaged":
        return None
    tunnel, overlay = ranges["inner_tunnel"], ranges["overlay"]
    for host in groups["overcloud_compute"]:
        offset = overlay.offset_of(overlay_ip[host])
        if offset >= tunnel.net.size - 1:
            raise LabDefinitionError(tunnel.field, "%s (%s) has no address at offset %d for %s's tunnel endpoint; "
                                     "use a range as large as the overlay's" % (tunnel.field, tunnel.net, offset, host))
        hosts[host]["tunnel_ip"] = tunnel.address(offset)
    return {"cidr": str(tunnel.net), "type": "geneve", "header_size": overcloud["geneve_header_size"]}


def _check_gateway(gateway, static, field):
    for host, addr in sorted(static.items()):
        if addr == gateway:
            raise LabDefinitionError(field, "%s is the planned address of %s; pick an address below offset %d "
                                     "of the range (e.g. the first host address)" % (gateway, host, HOST_OFFSET))


def _resources(lab):
    """What the lab takes from the outer project, for the capacity pre-check."""
    count = lab["undercloud_count"] + 1
    storage = lab["storage"]
    volumes = (count if storage["boot_from_volume"] else 0) + (lab["undercloud_count"] if storage["data_gb"] else 0)
    gigabytes = count * storage["root_gb"] * storage["boot_from_volume"] + lab["undercloud_count"] * storage["data_gb"]
    return {
        "instances": count,
        "volumes": volumes,
        "gigabytes": gigabytes,
        "ports": count,
        "floating_ips": 1 if lab["external_network"] else 0,
        "networks": 1,
        "subnets": 1,
        "routers": 1,
        "security_groups": 2,
        "flavors": {"jumphost": lab["flavors"]["jumphost"], "undercloud": lab["flavors"]["undercloud"]},
    }


# Notes on valid but risky input start with this; lab_plan repeats them as warnings.
RISK = "Risk: "


def _computes_notes(lab, groups):
    """What ``overcloud.computes: auto`` chose when oc- VMs share the uc- hosts with the inner cloud."""
    computes = groups["overcloud_compute"]
    if lab["overcloud"]["computes"] != AUTO or not groups["nested"] or not computes_on_undercloud(lab) \
            or computes == groups["overcloud_controller"]:
        return []
    others = [h for h in groups["undercloud"] if h not in computes]
    return ["overcloud.computes is auto: %d inner compute%s (%s), no oc- VM on them; the oc- VMs run on %s. Set "
            "overcloud.computes: %d before raising nested_vms.count of a running lab, or auto may make a compute a "
            "host of oc- VMs." % (len(computes), "" if len(computes) == 1 else "s", ", ".join(computes),
                                  ", ".join(others), len(computes))]


def _notes(lab, ssh_sources, mtu_source):
    notes = []
    if not ssh_sources:
        notes.append("ssh_allowed_cidrs is empty: nobody can reach r0 over SSH until you add your address.")
    for cidr in ssh_sources:
        if cidr.endswith("/0"):
            notes.append(RISK + "ssh_allowed_cidrs has %s: r0's SSH is open to every address on the internet, and r0 holds "
                         "the way into the whole lab; prefer your own address or network (for example "
                         "203.0.113.7/32)." % cidr)
    if mtu_source == "assumed":
        notes.append("underlay MTU assumed to be %d until the undercloud layer reads Neutron's value."
                     % ASSUMED_UNDERLAY_MTU)
    return notes
