# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Does the project have room for the lab? Pure arithmetic, then the reading of quotas and usage.

What the lab still needs is what the plan asks for less what the lab already owns (so a re-run of
a complete lab needs nothing); what is available is each quota's limit less its usage and
reservations (-1 is unlimited).
"""

from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import CloudError
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.owned import owned_resources

ORDER = ["instances", "cores", "ram", "key_pairs", "volumes", "gigabytes", "networks", "subnets", "ports",
         "routers", "floating_ips", "security_groups", "security_group_rules"]


def planned(plan, sizes):
    """What the whole lab takes; ``sizes`` maps flavor name to (ram MiB, vcpus)."""
    hosts = [plan["hosts"][n] for n in plan["groups"]["jumphost"] + plan["groups"]["undercloud"]]
    resources = plan["resources"]
    ssh_rules = len(plan["jumphost"]["ssh_allowed_cidrs"])
    return {
        "instances": len(hosts),
        "cores": sum(sizes[h["flavor"]][1] for h in hosts),
        "ram": sum(sizes[h["flavor"]][0] for h in hosts),
        "key_pairs": 1,
        "volumes": resources["volumes"],
        "gigabytes": resources["gigabytes"],
        "networks": 1,
        "subnets": 1,
        "ports": len(hosts) + 2,  # one per server, the router interface, Neutron's DHCP port
        "routers": 1,
        "floating_ips": resources["floating_ips"],
        "security_groups": 2,
        "security_group_rules": 2 * 2 + 2 + ssh_rules,  # 2 egress per group, 2 ingress on lab, 1 per SSH CIDR
    }


def still_needed(want, have):
    return dict((kind, max(0, want[kind] - have.get(kind, 0))) for kind in want)


def compare(needed, quotas):
    """Rows (resource, needed, in use, limit, available, ok); ``quotas`` maps kind to (limit, used)."""
    rows = []
    for kind in ORDER:
        if kind not in needed:
            continue
        limit, used = quotas.get(kind, (-1, 0))
        available = None if limit is None or limit < 0 else max(0, limit - used)
        rows.append(dict(resource=kind, needed=needed[kind], in_use=used, limit=limit,
                         available="unlimited" if available is None else available,
                         ok=available is None or needed[kind] <= available))
    return rows


def table(rows):
    lines = ["%-22s %8s %8s %10s %10s" % ("RESOURCE", "NEEDED", "IN USE", "LIMIT", "AVAILABLE")]
    for row in rows:
        lines.append("%-22s %8s %8s %10s %10s%s" % (
            row["resource"], row["needed"], row["in_use"], "none" if row["limit"] in (None, -1) else row["limit"],
            row["available"], "" if row["ok"] else "  <- short by %d" % (row["needed"] - row["available"])))
    return "\n".join(lines)


# ---- reading the cloud (as an ordinary member: quotas with usage, flavors, what the lab owns)

NETWORK_KINDS = ("networks", "subnets", "ports", "routers", "floating_ips", "security_groups", "security_group_rules")


def read_quotas(conn, project, want_volumes):
    compute = conn.compute.get_quota_set(project, usage=True)
    usage = compute.usage or {}
    quotas = dict((kind, (getattr(compute, kind), usage.get(kind, 0)))
                  for kind in ("instances", "cores", "ram", "key_pairs"))
    network = conn.network.get_quota(project, details=True)
    for kind in NETWORK_KINDS:
        detail = getattr(network, kind) or {}
        quotas[kind] = (detail.get("limit", -1), detail.get("used", 0) + detail.get("reserved", 0))
    if want_volumes:
        volume = conn.block_storage.get_quota_set(project, usage=True)
        usage = volume.usage or {}
        for kind in ("volumes", "gigabytes"):
            quotas[kind] = (getattr(volume, kind), usage.get(kind, 0))
    return quotas


def owned_counts(conn, plan):
    owned = dict(owned_resources(conn, plan["name"]))
    servers = owned["server"]
    return {
        "instances": len(servers),
        "cores": sum((s.flavor or {}).get("vcpus", 0) for s in servers),
        "ram": sum((s.flavor or {}).get("ram", 0) for s in servers),
        "key_pairs": len(owned["keypair"]),
        "volumes": len(owned["volume"]),
        "gigabytes": sum(v.size or 0 for v in owned["volume"]),
        "networks": len(owned["network"]),
        "subnets": len(owned["network"]),
        "ports": len(owned["port"]) + 2 * len(owned["network"]),
        "routers": len(owned["router"]),
        "floating_ips": len(owned["floating_ip"]),
        "security_groups": len(owned["security_group"]),
        "security_group_rules": sum(len(g.security_group_rules or []) for g in owned["security_group"]),
    }


def flavor_sizes(conn, plan):
    sizes = {}
    for host in plan["groups"]["jumphost"] + plan["groups"]["undercloud"]:
        name = plan["hosts"][host]["flavor"]
        if name not in sizes:
            flavor = conn.compute.find_flavor(name, ignore_missing=True)
            if flavor is None:
                raise CloudError("flavor %s" % name, "not found in the outer cloud; set nestedcloud_lab.flavors")
            sizes[name] = (flavor.ram, flavor.vcpus)
    return sizes


def assess(conn, plan):
    """(rows, table) of what the lab still needs against the project's quotas."""
    want = planned(plan, flavor_sizes(conn, plan))
    needed = still_needed(want, owned_counts(conn, plan))
    rows = compare(needed, read_quotas(conn, conn.current_project_id, want["volumes"] > 0))
    return rows, table(rows)
