# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Does the project have room for the lab? Pure functions over the plan, quotas and what exists.

What the lab still needs is what the plan asks for less what the lab already owns (so a re-run of
a complete lab needs nothing); what is available is each quota's limit less its usage and
reservations (-1 is unlimited).
"""

from __future__ import annotations

ORDER = ["instances", "cores", "ram", "key_pairs", "volumes", "gigabytes", "networks", "subnets", "ports",
         "routers", "floating_ips", "security_groups", "security_group_rules"]


def planned(plan, flavor_sizes):
    """What the whole lab takes; ``flavor_sizes`` maps flavor name to (ram MiB, vcpus)."""
    hosts = [plan["hosts"][n] for n in plan["groups"]["jumphost"] + plan["groups"]["undercloud"]]
    resources = plan["resources"]
    ssh_rules = len(plan["jumphost"]["ssh_allowed_cidrs"])
    return {
        "instances": len(hosts),
        "cores": sum(flavor_sizes[h["flavor"]][1] for h in hosts),
        "ram": sum(flavor_sizes[h["flavor"]][0] for h in hosts),
        "key_pairs": 1,
        "volumes": resources["volumes"],
        "gigabytes": resources["gigabytes"],
        "networks": 1,
        "subnets": 1,
        "ports": len(hosts) + 2,  # one per server, the router interface, Neutron's DHCP port
        "routers": 1,
        "floating_ips": resources["floating_ips"],
        "security_groups": 2,
        "security_group_rules": 6 + 2 + ssh_rules,  # each group's 2 default egress rules, lab 2, jumphost per CIDR
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
