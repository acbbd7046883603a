#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: undercloud_capacity_info
short_description: Compare what a lab needs with the project's quotas and usage, before anything is created
version_added: 0.1.0
description:
  - Reads the project's quotas with their usage from Nova, Neutron and Cinder (an ordinary member may), the sizes
    of the plan's flavors, and what the lab already owns, then tells for each resource (instances, cores, RAM,
    keypairs, volumes, gigabytes, networks, subnets, ports, routers, floating IPs, security groups and rules)
    whether what the lab still needs fits.
  - Read-only. The undercloud role fails with RV(table) when RV(sufficient) is false, before creating anything.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.cloud
attributes:
  check_mode:
    support: full
    details: Read-only.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  plan:
    description: The plan returned by M(nestedcloud.openstack.lab_plan).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Check the project has room for the lab
  nestedcloud.openstack.undercloud_capacity_info:
    cloud: mycloud
    plan: "{{ lab.plan }}"
  register: capacity

- name: Stop when it does not
  ansible.builtin.fail:
    msg: "{{ capacity.table }}"
  when: not capacity.sufficient
"""

RETURN = r"""
sufficient:
  description: Whether everything the lab still needs fits in the project's quotas.
  returned: always
  type: bool
rows:
  description: One entry per resource with needed, in_use, limit (-1 for none), available and ok.
  returned: always
  type: list
  elements: dict
table:
  description: The rows as a table a person reads, with the short resources marked.
  returned: always
  type: str
api_calls:
  description: HTTP requests sent to the cloud, by method.
  returned: always
  type: dict
"""

from ansible_collections.nestedcloud.openstack.plugins.module_utils.capacity import (
    compare,
    planned,
    still_needed,
    table,
)
from ansible_collections.nestedcloud.openstack.plugins.module_utils.cloud import CloudError, CloudModule
from ansible_collections.nestedcloud.openstack.plugins.module_utils.owned import owned_resources

NETWORK_KINDS = ("networks", "subnets", "ports", "routers", "floating_ips", "security_groups", "security_group_rules")


def _quotas(conn, project, want_volumes):
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


def _owned_counts(conn, plan):
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


def main():
    cm = CloudModule(dict(plan=dict(type="dict", required=True)), supports_check_mode=True)

    def body(cm):
        plan, conn = cm.params["plan"], cm.conn
        sizes = {}
        for host in plan["groups"]["jumphost"] + plan["groups"]["undercloud"]:
            name = plan["hosts"][host]["flavor"]
            if name not in sizes:
                flavor = conn.compute.find_flavor(name, ignore_missing=True)
                if flavor is None:
                    raise CloudError("flavor %s" % name, "not found in the outer cloud; set nestedcloud_lab.flavors")
                sizes[name] = (flavor.ram, flavor.vcpus)
        want = planned(plan, sizes)
        needed = still_needed(want, _owned_counts(conn, plan))
        rows = compare(needed, _quotas(conn, conn.current_project_id, want["volumes"] > 0))
        cm.exit(False, sufficient=all(r["ok"] for r in rows), rows=rows, table=table(rows))

    cm.run(body)


if __name__ == "__main__":
    main()
