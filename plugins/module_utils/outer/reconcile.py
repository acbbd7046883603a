# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reconcilers of the lab's network, security groups, keypair and floating IP.

Each takes ``cm`` (anything with ``conn``, ``check_mode`` and ``params``), the plan and a
``Changes``; it finds what exists, records every difference and, unless in check mode, acts.
The modules are thin wrappers around them, and undercloud_lab_info runs them all in check mode
in one process to tell whether a lab has converged.
"""

from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import CloudError
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.owned import (
    differences,
    ensure_tag,
    marker,
    one_owned,
    owns,
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


def network_present(cm, plan, changes):
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


def external_network(net_api, name):
    """The external network ``name`` names; ``auto``: the only one the project sees. CloudError names the choices."""
    if name == "auto":
        found = list(net_api.networks(is_router_external=True))
        if len(found) == 1:
            return found[0]
        raise CloudError("external network auto", "the project sees %s external networks (%s); set "
                         "nestedcloud_lab.external_network to the one for the router gateway and the floating IP"
                         % (len(found), ", ".join(sorted(n.name for n in found)) or "none"))
    external = net_api.find_network(name, ignore_missing=True)
    if external is None or not external.is_router_external:
        names = sorted(n.name for n in net_api.networks(is_router_external=True))
        raise CloudError("external network %s" % name, "not found, or not external; set "
                         "nestedcloud_lab.external_network to one of: %s" % (", ".join(names) or "(none)"))
    return external


def _router(cm, plan, changes, want, subnet):
    net_api = cm.conn.network
    gateway = None
    if want["external"]:
        gateway = {"network_id": external_network(net_api, want["external"]).id}
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


def network_absent(cm, plan, changes):
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


SELF = "self"  # stands for the lab group's own id in desired rules
EGRESS = [("egress", "IPv4", None, None, None, None, None), ("egress", "IPv6", None, None, None, None, None)]


def desired_rules(plan):
    """Rules of each group as tuples (direction, ethertype, protocol, min, max, remote prefix, remote group)."""
    vxlan = plan["networks"]["overlay"]["udp_port"]
    lab = [("ingress", "IPv4", None, None, None, None, SELF),
           ("ingress", "IPv4", "udp", vxlan, vxlan, plan["networks"]["underlay"]["cidr"], None)] + EGRESS
    jump = [("ingress", "IPv4", "tcp", 22, 22, cidr, None) for cidr in plan["jumphost"]["ssh_allowed_cidrs"]] + EGRESS
    return {"lab": lab, "jumphost": jump}


def _key(rule, self_id):
    remote = rule.remote_group_id
    return (rule.direction, rule.ether_type, rule.protocol, rule.port_range_min, rule.port_range_max,
            rule.remote_ip_prefix, SELF if remote and remote == self_id else remote)


def _describe(rule):
    direction, ether, proto, low, high, prefix, group = rule
    ports = "" if low is None else ":%s" % (low if low == high else "%s-%s" % (low, high))
    source = prefix or ("the group" if group == SELF else group) or "anywhere"
    return "%s %s %s%s %s" % (direction, ether, proto or "any", ports, source)


def _security_group(cm, plan, changes, role, rules):
    net_api, name = cm.conn.network, "%s-%s" % (plan["name"], role)
    group = one_owned(plan, "security group", name, net_api.security_groups(name=name))
    if group is None:
        changes.record("create", "security_group", name, after=[_describe(r) for r in rules])
        if cm.check_mode:
            return {"name": name}
        group = net_api.create_security_group(name=name, description=marker(plan))
        net_api.set_tags(group, [plan["tag"]])
    else:
        ensure_tag(cm.conn, plan, net_api, group, changes, "security_group")
    have = dict((_key(r, group.id), r) for r in net_api.security_group_rules(security_group_id=group.id))
    want = set(rules)
    missing = [r for r in rules if r not in have]
    extra = [have[k] for k in have if k not in want]
    if missing or extra:
        changes.record("update", "security_group", name, before=sorted(_describe(k) for k in have),
                       after=[_describe(r) for r in rules])
    if not cm.check_mode:
        for rule in extra:
            net_api.delete_security_group_rule(rule)
        for direction, ether, proto, low, high, prefix, remote in missing:
            args = dict(security_group_id=group.id, direction=direction, ether_type=ether, protocol=proto,
                        port_range_min=low, port_range_max=high, remote_ip_prefix=prefix,
                        remote_group_id=group.id if remote == SELF else remote)
            net_api.create_security_group_rule(**dict((k, v) for k, v in args.items() if v is not None))
    return {"id": group.id, "name": name}


def security_groups_present(cm, plan, changes):
    return dict((role, _security_group(cm, plan, changes, role, rules)) for role, rules in desired_rules(plan).items())


def security_groups_absent(cm, plan, changes):
    net_api = cm.conn.network
    for role in ("jumphost", "lab"):
        name = "%s-%s" % (plan["name"], role)
        group = one_owned(plan, "security group", name, net_api.security_groups(name=name))
        if group is not None:
            changes.record("delete", "security_group", name, before={"id": group.id})
            if not cm.check_mode:
                net_api.delete_security_group(group)
    return {}


def same_key(a, b):
    """Compare OpenSSH public keys by type and key material, not comment."""
    return (a or "").split()[:2] == (b or "").split()[:2]


def check_public_key(key):
    if len(key.split()) < 2 or not key.split()[0].startswith(("ssh-", "ecdsa-", "sk-")):
        raise CloudError("public_key", "expected an OpenSSH public key such as 'ssh-ed25519 AAAA... comment'")


def keypair(cm, plan, key, state, changes):
    """Reconcile ``<lab>-key``; never replace a keypair of that name holding another key."""
    name = "%s-key" % plan["name"]
    found = cm.conn.compute.find_keypair(name, ignore_missing=True)
    if found is not None and not same_key(found.public_key, key):
        if state == "absent":
            return {}
        raise CloudError("keypair %s" % name, "exists with another public key (fingerprint %s); it is not this "
                         "lab's key, so it is left alone: delete it or rename the lab" % found.fingerprint)
    if state == "absent":
        if found is not None:
            changes.record("delete", "keypair", name)
            if not cm.check_mode:
                cm.conn.compute.delete_keypair(found)
        return {}
    if found is None:
        changes.record("create", "keypair", name)
        if not cm.check_mode:
            found = cm.conn.compute.create_keypair(name=name, public_key=key)
    return dict(name=name, fingerprint=found.fingerprint if found else None)


def _port_of_r0(cm, plan):
    r0 = plan["hosts"][plan["groups"]["jumphost"][0]]
    name = "%s-%s" % (plan["name"], r0["name"])
    ports = [p for p in cm.conn.network.ports(name=name) if owns(plan, p)]
    if not ports:
        if cm.check_mode:
            return None  # the servers step of this same run would make it
        raise CloudError("port %s" % name, "not found: run nestedcloud.openstack.undercloud_servers first")
    return ports[0]


def floating_ip(cm, plan, state, changes):
    """Keep exactly one owned floating IP, on r0's port (or none, for state absent)."""
    net_api = cm.conn.network
    mine = [f for f in net_api.ips(project_id=cm.conn.current_project_id) if owns(plan, f)]
    if state == "absent":
        for fip in mine:
            changes.record("delete", "floating_ip", fip.floating_ip_address, before={"id": fip.id})
            if not cm.check_mode:
                net_api.delete_ip(fip)
        return {}
    external = plan["jumphost"]["external_network"]
    if not external:
        raise CloudError("floating IP", "the lab has no external_network, so r0 cannot get a floating IP")
    network = external_network(net_api, external)
    port = _port_of_r0(cm, plan)
    keep, extra = (mine[0], mine[1:]) if mine else (None, [])
    for fip in extra:  # a lost answer once made a second one: release it
        changes.record("delete", "floating_ip", fip.floating_ip_address, before={"id": fip.id})
        if not cm.check_mode:
            net_api.delete_ip(fip)
    if keep is None:
        changes.record("create", "floating_ip", "r0", after={"port": port.name if port else "r0"})
        if not cm.check_mode:
            keep = net_api.create_ip(floating_network_id=network.id, port_id=port.id, description=marker(plan))
            net_api.set_tags(keep, [plan["tag"]])
    else:
        ensure_tag(cm.conn, plan, net_api, keep, changes, "floating_ip")
        if port is None or keep.port_id != port.id:
            changes.record("update", "floating_ip", keep.floating_ip_address, before={"port_id": keep.port_id},
                           after={"port_id": port.id if port else None})
            if not cm.check_mode:
                keep = net_api.update_ip(keep, port_id=port.id)
    return dict(id=keep.id, address=keep.floating_ip_address, port_id=keep.port_id) if keep else {}
