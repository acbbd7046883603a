#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: maas_network
short_description: Make MAAS's overlay subnet serve the lab (gateway, DNS, reserved and dynamic ranges, DHCP, MTU)
version_added: 0.1.0
description:
  - Finds the subnet O(subnet) (MAAS discovers it from its rack controller's address), sets its gateway and DNS
    servers, adds the reserved ranges and the dynamic range that are missing, then sets the VLAN's MTU, its primary
    rack controller and turns DHCP on. Only what differs is written.
  - MAAS wants a dynamic range before it serves DHCP, so the ranges come first. A range of MAAS that overlaps one
    asked for, with other bounds, fails the task naming both; ranges that MAAS has and the task does not name are
    left alone.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.maas
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
options:
  subnet:
    description: CIDR of the overlay, as MAAS names the subnet.
    type: str
    required: true
  gateway:
    description: Gateway of the subnet's machines (r0).
    type: str
    required: true
  dns_servers:
    description: Resolvers handed to the machines; empty lets MAAS hand out its own.
    type: list
    elements: str
    default: []
  reserved:
    description: Ranges MAAS must never hand out (static hosts it does not manage).
    type: list
    elements: dict
    default: []
    suboptions:
      start:
        description: First address.
        type: str
        required: true
      end:
        description: Last address.
        type: str
        required: true
      comment:
        description: Why it is reserved.
        type: str
        default: ""
  dynamic:
    description: The range MAAS's DHCP leases from (enlistment, commissioning).
    type: dict
    required: true
    suboptions:
      start:
        description: First address.
        type: str
        required: true
      end:
        description: Last address.
        type: str
        required: true
      comment:
        description: What it is for.
        type: str
        default: ""
  mtu:
    description: MTU of the VLAN, which MAAS gives the machines' interfaces (the overlay's, from the plan).
    type: int
    required: true
  dhcp:
    description: Whether MAAS serves DHCP on the VLAN.
    type: bool
    default: true
  rack:
    description: Host name of the rack controller that serves DHCP; by default the only (or first) one.
    type: str
"""

EXAMPLES = r"""
- name: The overlay subnet of the lab, as the plan wants it
  nestedcloud.openstack.maas_network:
    url: "{{ plan.maas_juju.maas.url }}"
    api_key: "{{ maas_api_key }}"
    subnet: "{{ plan.maas_juju.maas.subnet }}"
    gateway: "{{ plan.maas_juju.maas.gateway }}"
    dns_servers: "{{ plan.maas_juju.maas.dns }}"
    reserved: "{{ plan.maas_juju.maas.reserved }}"
    dynamic: "{{ plan.maas_juju.maas.dynamic }}"
    mtu: "{{ plan.maas_juju.maas.vlan_mtu }}"
"""

RETURN = r"""
actions:
  description: What was (or in check mode would be) changed, in order.
  returned: always
  type: list
  elements: str
  sample: ["subnet 10.33.0.0/16: gateway_ip 10.33.0.1", "reserved range 10.33.0.1-10.33.0.255", "VLAN 0 of fabric 0: dhcp_on"]
writes:
  description: Requests that changed something in MAAS.
  returned: always
  type: int
  sample: 0
"""

import ipaddress

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.maas.client import MAAS_ARGS, MaasError, connect

RANGE = dict(start=dict(type="str", required=True), end=dict(type="str", required=True),
             comment=dict(type="str", default=""))


def _ip(value, field):
    try:
        return ipaddress.IPv4Address(value)
    except ValueError:
        raise ValueError("%s: %r is not an IPv4 address" % (field, value))


def check_input(params):
    """The parsed subnet; ValueError names the field of the first bad value."""
    try:
        net = ipaddress.IPv4Network(params["subnet"])
    except ValueError as err:
        raise ValueError("subnet: %r is not an IPv4 CIDR (%s)" % (params["subnet"], err))
    if _ip(params["gateway"], "gateway") not in net:
        raise ValueError("gateway: %s is outside subnet %s" % (params["gateway"], net))
    for index, server in enumerate(params["dns_servers"]):
        _ip(server, "dns_servers[%d]" % index)
    wanted = [("reserved[%d]" % i, "reserved", r) for i, r in enumerate(params["reserved"])]
    wanted.append(("dynamic", "dynamic", params["dynamic"]))
    for field, _kind, span in wanted:
        start, end = _ip(span["start"], field + ".start"), _ip(span["end"], field + ".end")
        if start not in net or end not in net or start > end:
            raise ValueError("%s: %s-%s must lie inside %s with start <= end" % (field, start, end, net))
    if not 576 <= params["mtu"] <= 9000:
        raise ValueError("mtu: %d is not a usable MTU (576 to 9000)" % params["mtu"])
    return net, wanted


def range_actions(existing, wanted):
    """(ranges to create, problems): ``existing`` is MAAS's iprange list of the subnet."""
    create, problems = [], []
    for field, kind, span in wanted:
        start, end = ipaddress.IPv4Address(span["start"]), ipaddress.IPv4Address(span["end"])
        same = [r for r in existing if r["type"] == kind and r["start_ip"] == str(start) and r["end_ip"] == str(end)]
        if same:
            continue
        for other in existing:
            o_start, o_end = ipaddress.IPv4Address(other["start_ip"]), ipaddress.IPv4Address(other["end_ip"])
            if o_start <= end and start <= o_end:
                problems.append("%s %s-%s overlaps MAAS's %s range %s-%s (%s); remove or change one of them"
                                % (field, start, end, other["type"], o_start, o_end, other.get("comment") or "no comment"))
        create.append((kind, span))
    return create, problems


def run(module, client):
    params = module.params
    try:
        net, wanted = check_input(params)
    except ValueError as err:
        module.fail_json(msg=str(err))
    planned, before, after = [], {}, {}  # everything is read and checked first: a refusal leaves MAAS as it was
    actions = []

    def act(text, method, path, data):
        planned.append((text, method, path, data))

    subnet = next((s for s in client.read("subnets/") if ipaddress.ip_network(s["cidr"]) == net), None)
    if subnet is None:
        module.fail_json(msg="subnet: MAAS has no subnet %s; its rack controller needs an address in it "
                         "(the MAAS VM's overlay address)" % net, actions=actions, writes=client.writes)
    changes = {}
    if subnet.get("gateway_ip") != params["gateway"]:
        changes["gateway_ip"] = params["gateway"]
    if sorted(subnet.get("dns_servers") or []) != sorted(params["dns_servers"]):
        changes["dns_servers"] = " ".join(params["dns_servers"])
    before["subnet"] = {"gateway_ip": subnet.get("gateway_ip"), "dns_servers": subnet.get("dns_servers") or []}
    after["subnet"] = {"gateway_ip": params["gateway"], "dns_servers": params["dns_servers"]}
    if changes:
        act("subnet %s: %s" % (net, ", ".join(sorted(changes))), "put", "subnets/%s/" % subnet["id"], changes)

    ours = [r for r in client.read("ipranges/") if (r.get("subnet") or {}).get("id") == subnet["id"]]
    create, problems = range_actions(ours, wanted)
    if problems:
        module.fail_json(msg="; ".join(problems), actions=actions, writes=client.writes)
    before["ranges"] = sorted("%s %s-%s" % (r["type"], r["start_ip"], r["end_ip"]) for r in ours)
    after["ranges"] = sorted(set(before["ranges"]) | set("%s %s-%s" % (k, s["start"], s["end"]) for k, s in create))
    for kind, span in create:
        act("%s range %s-%s" % (kind, span["start"], span["end"]), "post", "ipranges/",
            {"type": kind, "start_ip": span["start"], "end_ip": span["end"], "subnet": subnet["id"],
             "comment": span["comment"]})

    vlan = subnet["vlan"]
    racks = client.read("rackcontrollers/")
    rack = next((r for r in racks if params["rack"] in (None, r["hostname"])), None)
    if rack is None:
        module.fail_json(msg="rack: no rack controller %s in MAAS (it has: %s)" % (
            params["rack"] or "at all", ", ".join(r["hostname"] for r in racks) or "none"), actions=actions,
            writes=client.writes)
    vlan_changes = {}
    if vlan.get("mtu") != params["mtu"]:
        vlan_changes["mtu"] = params["mtu"]
    if bool(vlan.get("dhcp_on")) != params["dhcp"]:
        vlan_changes["dhcp_on"] = "true" if params["dhcp"] else "false"
    if params["dhcp"] and vlan.get("primary_rack") != rack["system_id"]:
        vlan_changes["primary_rack"] = rack["system_id"]
    before["vlan"] = {"mtu": vlan.get("mtu"), "dhcp_on": bool(vlan.get("dhcp_on")), "primary_rack": vlan.get("primary_rack")}
    after["vlan"] = {"mtu": params["mtu"], "dhcp_on": params["dhcp"],
                     "primary_rack": rack["system_id"] if params["dhcp"] else vlan.get("primary_rack")}
    if vlan_changes:
        act("VLAN %s of fabric %s: %s" % (vlan["vid"], vlan["fabric_id"], ", ".join(sorted(vlan_changes))), "put",
            "fabrics/%s/vlans/%s/" % (vlan["fabric_id"], vlan["vid"]), vlan_changes)
    for text, method, path, data in planned:
        actions.append(text)
        if not module.check_mode:
            getattr(client, method)(path, data=data)
    return actions, before, after


def main():
    module = AnsibleModule(
        argument_spec=dict(
            MAAS_ARGS,
            subnet=dict(type="str", required=True),
            gateway=dict(type="str", required=True),
            dns_servers=dict(type="list", elements="str", default=[]),
            reserved=dict(type="list", elements="dict", default=[], options=RANGE),
            dynamic=dict(type="dict", required=True, options=RANGE),
            mtu=dict(type="int", required=True),
            dhcp=dict(type="bool", default=True),
            rack=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    client = connect(module)
    try:
        actions, before, after = run(module, client)
    except MaasError as err:
        module.fail_json(msg=str(err), writes=client.writes)
    module.exit_json(changed=bool(actions), actions=actions, writes=client.writes, diff={"before": before, "after": after})


if __name__ == "__main__":
    main()
