#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: undercloud_network
short_description: Reconcile the underlay network, subnet and router of a lab in the outer cloud
version_added: 0.1.0
description:
  - Makes the outer cloud hold exactly the underlay of the plan of M(nestedcloud.openstack.lab_plan) - a network,
    its subnet (range, gateway, allocation pools, DNS servers) and a router with a gateway on the plan's external
    network and an interface on the subnet. With O(state=absent) it deletes them.
  - Resources are owned by the lab's tag (and a C(nestedcloud:<lab>) marker in their description, written when
    they are created); resources that are not the lab's are never touched, even with the same name.
  - Works as an ordinary project member.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.cloud
attributes:
  check_mode:
    support: full
    details: Reports in RV(actions) what would be created, changed or deleted, and calls no mutating API.
  diff_mode:
    support: full
    details: The diff shows each resource before and after.
  platform:
    platforms: posix
options:
  plan:
    description: The plan returned by M(nestedcloud.openstack.lab_plan).
    type: dict
    required: true
  state:
    description: Whether the underlay should exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Reconcile the underlay network of the lab
  nestedcloud.openstack.undercloud_network:
    cloud: mycloud
    plan: "{{ lab.plan }}"
  register: underlay

- name: Plan again with the MTU Neutron gave the network
  nestedcloud.openstack.lab_plan:
    lab: "{{ nestedcloud_lab }}"
    underlay_mtu: "{{ underlay.network.mtu }}"
"""

RETURN = r"""
network:
  description: The underlay network (id, name, mtu); empty when absent or in check mode before creation.
  returned: always
  type: dict
  sample: {"id": "6f3c...", "name": "lab1-underlay", "mtu": 1450}
subnet:
  description: The underlay subnet (id, cidr, gateway_ip).
  returned: always
  type: dict
router:
  description: The router (id, name, external gateway network id).
  returned: always
  type: dict
actions:
  description: What was done, or would be done in check mode, one entry per change.
  returned: always
  type: list
  elements: dict
  sample: [{"action": "create", "kind": "network", "name": "lab1-underlay"}]
api_calls:
  description:
    - HTTP requests sent to the cloud, by method; logins to Keystone are counted as C(auth).
    - A converged second run sends no POST, PUT, PATCH or DELETE.
  returned: always
  type: dict
  sample: {"GET": 7}
"""

from ansible_collections.nestedcloud.openstack.plugins.module_utils.cloud import CloudError, CloudModule
from ansible_collections.nestedcloud.openstack.plugins.module_utils.owned import (
    Changes,
    differences,
    ensure_tag,
    marker,
    one_owned,
)


def _desired(plan):
    underlay = plan["networks"]["underlay"]
    return dict(
        network=underlay["name"],
        router="%s-router" % plan["name"],
        subnet=dict(cidr=underlay["cidr"], gateway_ip=underlay["gateway"],
                    allocation_pools=underlay["allocation_pools"], dns_nameservers=underlay["dns_nameservers"]),
        external=plan["jumphost"]["external_network"],
    )


def _subnet_view(subnet):
    return dict(cidr=subnet.cidr, gateway_ip=subnet.gateway_ip, allocation_pools=subnet.allocation_pools,
                dns_nameservers=subnet.dns_nameservers)


def present(cm, plan, changes):
    conn, net_api, want = cm.conn, cm.conn.network, _desired(plan)
    mine = dict(description=marker(plan))
    network = one_owned(plan, "network", want["network"], net_api.networks(name=want["network"]))
    if network is None:
        changes.record("create", "network", want["network"], after={"name": want["network"]})
        if not cm.check_mode:
            network = net_api.create_network(name=want["network"], **mine)
            net_api.set_tags(network, [plan["tag"]])
    else:
        ensure_tag(conn, plan, net_api, network, changes, "network")

    subnet = None
    if network is not None:
        subnet = one_owned(plan, "subnet", want["network"], net_api.subnets(network_id=network.id))
    if subnet is None:
        changes.record("create", "subnet", want["network"], after=want["subnet"])
        if not cm.check_mode:
            subnet = net_api.create_subnet(network_id=network.id, name=want["network"], ip_version=4,
                                           enable_dhcp=True, **dict(want["subnet"], **mine))
            net_api.set_tags(subnet, [plan["tag"]])
    else:
        ensure_tag(conn, plan, net_api, subnet, changes, "subnet")
        if subnet.cidr != want["subnet"]["cidr"]:
            raise CloudError("subnet %s" % subnet.name, "its range is %s but the plan says %s; a subnet's range "
                             "cannot change: run the teardown, then create the lab again"
                             % (subnet.cidr, want["subnet"]["cidr"]))
        update = differences(_subnet_view(subnet), want["subnet"])
        if update:
            changes.record("update", "subnet", subnet.name, before=_subnet_view(subnet), after=want["subnet"])
            if not cm.check_mode:
                subnet = net_api.update_subnet(subnet, **update)

    router = _router(cm, plan, changes, want, subnet)
    return dict(
        network=dict(id=network.id, name=network.name, mtu=network.mtu) if network else {},
        subnet=dict(id=subnet.id, cidr=subnet.cidr, gateway_ip=subnet.gateway_ip) if subnet else {},
        router=dict(id=router.id, name=router.name,
                    external_network_id=(router.external_gateway_info or {}).get("network_id")) if router else {},
    )


def _router(cm, plan, changes, want, subnet):
    net_api = cm.conn.network
    gateway = None
    if want["external"]:
        external = net_api.find_network(want["external"], ignore_missing=True)
        if external is None or not external.is_router_external:
            names = sorted(n.name for n in net_api.networks(is_router_external=True))
            raise CloudError("external network %s" % want["external"], "not found, or not external; set "
                             "nestedcloud_lab.external_network to one of: %s" % (", ".join(names) or "(none)"))
        gateway = {"network_id": external.id}
    router = one_owned(plan, "router", want["router"], net_api.routers(name=want["router"]))
    if router is None:
        changes.record("create", "router", want["router"], after={"external_gateway": want["external"]})
        if not cm.check_mode:
            router = net_api.create_router(name=want["router"], description=marker(plan),
                                           **({"external_gateway_info": gateway} if gateway else {}))
            net_api.set_tags(router, [plan["tag"]])
    else:
        ensure_tag(cm.conn, plan, net_api, router, changes, "router")
        have = (router.external_gateway_info or {}).get("network_id")
        if have != (gateway or {}).get("network_id"):
            changes.record("update", "router", router.name, before={"external_gateway": have},
                           after={"external_gateway": want["external"]})
            if not cm.check_mode:
                router = net_api.update_router(router, external_gateway_info=gateway or {})
    if router is not None and subnet is not None:
        attached = [p for p in net_api.ports(device_id=router.id, network_id=subnet.network_id)
                    if any(ip["subnet_id"] == subnet.id for ip in p.fixed_ips)]
        if not attached:
            changes.record("attach", "router", router.name, after={"interface": subnet.name})
            if not cm.check_mode:
                net_api.add_interface_to_router(router, subnet_id=subnet.id)
    elif subnet is None or router is None:
        changes.record("attach", "router", want["router"], after={"interface": want["network"]})
    return router


def absent(cm, plan, changes):
    net_api, want = cm.conn.network, _desired(plan)
    router = one_owned(plan, "router", want["router"], net_api.routers(name=want["router"]))
    network = one_owned(plan, "network", want["network"], net_api.networks(name=want["network"]))
    if router is not None:
        changes.record("delete", "router", router.name, before={"id": router.id})
        if not cm.check_mode:
            for port in net_api.ports(device_id=router.id, device_owner="network:router_interface"):
                for ip in port.fixed_ips:
                    net_api.remove_interface_from_router(router, subnet_id=ip["subnet_id"])
            net_api.delete_router(router)
    if network is not None:
        changes.record("delete", "network", network.name, before={"id": network.id})
        if not cm.check_mode:
            net_api.delete_network(network)
    return dict(network={}, subnet={}, router={})


def main():
    cm = CloudModule(dict(plan=dict(type="dict", required=True),
                          state=dict(type="str", default="present", choices=["present", "absent"])),
                     supports_check_mode=True)

    def body(cm):
        changes = Changes(cm.check_mode)
        action = present if cm.params["state"] == "present" else absent
        result = action(cm, cm.params["plan"], changes)
        result.update(changes.result())
        cm.exit(changes.changed, **result)

    cm.run(body)


if __name__ == "__main__":
    main()
