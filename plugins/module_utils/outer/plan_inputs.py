# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the plan depends on besides the definition, read from the outer cloud in one place.

Every step that plans a lab for building it (the undercloud role, the inventory plugin, the playbooks' checks) plans
with the same three inputs, read here and nowhere else:

- ``flavor_specs``: RAM and vCPUs of the lab's flavors as the cloud has them (so any flavor name works);
- ``underlay_mtu``: the MTU Neutron gave the lab's network, once it exists;
- ``existing_placement``: which oc- VM runs on which uc- host. The undercloud layer records it in each uc- server's
  metadata (``nestedcloud-vms``, see :func:`placement_metadata`); the plan keeps every VM recorded there where it
  is, so a growing lab moves nothing, and refuses to drop one the definition no longer has.
"""

from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import CloudError
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import ROOT, build_plan
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.schema import normalize
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.owned import owned_servers

PLACEMENT_KEY = "nestedcloud-vms"  # uc- server metadata: the oc- VMs that run on it, comma-separated
METADATA_VALUE_MAX = 255  # Nova's limit for one metadata value


class _AnySize(dict):
    """Flavor sizes for checking a definition before the cloud is read: every flavor holds everything."""

    def get(self, key, default=None):
        return {"ram_mb": 2 ** 30, "vcpus": 2 ** 16}


def lab_stub(definition):
    """Name and tag of a lab, and its normalized definition. Every check of the definition that does not depend on
    the cloud runs here, before any API call (ranges, names, MTU, sizes); only what needs the flavors' real sizes or
    the running placement waits for them."""
    build_plan(definition, flavor_specs=_AnySize())
    lab = normalize(definition, ROOT)
    return {"name": lab["name"], "tag": "nestedcloud-%s" % lab["name"]}, lab


def placement_metadata(plan, host):
    """The metadata value that records the oc- VMs the plan places on uc- host ``host``."""
    value = ",".join(plan["hosts"][host].get("nested_vms", []))
    if len(value) > METADATA_VALUE_MAX:
        raise CloudError("server %s" % plan["hosts"][host]["server_name"],
                         "%d oc- VMs on one host do not fit in one metadata value (%d characters at most); use "
                         "fewer or bigger VMs per host" % (len(plan["hosts"][host]["nested_vms"]), METADATA_VALUE_MAX))
    return value


def placement_of(servers):
    """{oc- VM: uc- host} as the lab's servers ({host: server}) record it."""
    placement = {}
    for host, server in sorted(servers.items()):
        for vm in [v for v in ((server.metadata or {}).get(PLACEMENT_KEY) or "").split(",") if v]:
            if vm in placement:
                raise CloudError("server %s" % server.name, "its metadata %s records %s, which the server of %s "
                                 "records too; one VM runs on one host: remove it from the metadata of the host "
                                 "where it does not run" % (PLACEMENT_KEY, vm, placement[vm]))
            placement[vm] = host
    return placement


def read_inputs(conn, definition):
    """(inputs, servers): the planner's inputs from the outer cloud, and the lab's servers by host name."""
    stub, lab = lab_stub(definition)
    wanted = set(lab["flavors"].values())
    flavors = dict((f.name, {"ram_mb": f.ram, "vcpus": f.vcpus}) for f in conn.compute.flavors(details=True)
                   if f.name in wanted)
    mtus = [n.mtu for n in conn.network.networks(tags=stub["tag"])]
    servers = owned_servers(conn, stub)
    inputs = {"flavor_specs": flavors, "underlay_mtu": mtus[0] if mtus else None,
              "existing_placement": placement_of(servers)}
    return inputs, servers


def fixed_ip(server):
    """The server's first fixed address, or None."""
    fixed = [a["addr"] for addrs in (server.addresses or {}).values() for a in addrs
             if a.get("OS-EXT-IPS:type", "fixed") == "fixed"]
    return fixed[0] if fixed else None


def read_lab(conn, definition):
    """What the inventory of a lab is made of, read in one place for the inventory plugin and the undercloud layer:
    (inputs, servers {host: {status, fixed_ip}}, r0's floating IP or None)."""
    inputs, owned = read_inputs(conn, definition)
    stub = lab_stub(definition)[0]
    servers = dict((host, {"status": s.status, "fixed_ip": fixed_ip(s)}) for host, s in sorted(owned.items()))
    floating_ip = None
    for fip in conn.network.ips(project_id=conn.current_project_id):
        if stub["tag"] in (fip.tags or []) and fip.port_id:
            floating_ip = fip.floating_ip_address
    return inputs, servers, floating_ip
