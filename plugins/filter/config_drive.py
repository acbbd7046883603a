# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters ``config_drive`` (the OpenStack config drive of one oc- VM of the plan: what Nova would write) and
``config_drives`` (those of several, in the shape of the module nestedcloud.openstack.config_drives)."""

from __future__ import annotations

import ipaddress
from ansible.errors import AnsibleFilterError

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.maas_juju import nested_uuid


def _network_data(host, plan):
    links, networks = [], []
    for nic in host["nics"]:
        links.append({"id": nic["name"], "type": "phy", "ethernet_mac_address": nic["mac"], "mtu": nic["mtu"]})
        if not nic.get("address"):
            continue
        interface = ipaddress.ip_interface(nic["address"])
        network = {"id": "%s-ipv4" % nic["name"], "link": nic["name"], "type": "ipv4",
                   "ip_address": str(interface.ip), "netmask": str(interface.netmask), "routes": []}
        if host.get("gateway") and ipaddress.ip_address(host["gateway"]) in interface.network:
            network["routes"].append({"network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": host["gateway"]})
        networks.append(network)
    resolver = plan["networks"]["overlay"]["gateway"]
    return {"links": links, "networks": networks, "services": [{"type": "dns", "address": resolver}]}


def config_drive(plan, name, public_keys=None, proxy=None):
    """Return {"meta_data": ..., "network_data": ..., "user_data": ...} for oc- VM ``name`` of ``plan``."""
    try:
        host = plan["hosts"][name]
        if host.get("kind") != "nested":
            raise AnsibleFilterError("config_drive: %s is not an oc- VM of the plan (it is a %s host)"
                                     % (name, host.get("kind")))
        vm_uuid = host.get("uuid") or nested_uuid(plan["name"], name)
        keys = list(public_keys or [])
        meta = {"uuid": vm_uuid, "name": name, "hostname": host["fqdn"], "availability_zone": "nova",
                "launch_index": 0, "public_keys": {"key-%d" % i: key for i, key in enumerate(keys)}}
        network = _network_data(host, plan)
        gateway = plan["networks"]["overlay"]["gateway"]
    except KeyError as exc:
        raise AnsibleFilterError("config_drive: the input is not a plan of nestedcloud.openstack.lab_plan with an "
                                 "oc- VM %s (missing %s)" % (name, exc)) from exc
    lines = ["#cloud-config", "fqdn: %s" % host["fqdn"], "manage_etc_hosts: true",
             "ntp:", "  enabled: true", "  servers: [%s]" % gateway]
    if proxy:
        lines += ["apt:", "  http_proxy: %s" % proxy, "  https_proxy: %s" % proxy]
    return {"meta_data": meta, "network_data": network, "user_data": "\n".join(lines) + "\n", "uuid": vm_uuid}


def config_drives(plan, names, public_keys=None, proxy=None):
    """[{"name", "meta_data", "network_data", "user_data"}] for the oc- VMs ``names`` of ``plan``, in that order."""
    if not isinstance(names, (list, tuple)):
        raise AnsibleFilterError("config_drives: a list of oc- VM names is needed, not %r" % (names,))
    drives = []
    for name in names:
        drive = config_drive(plan, name, public_keys=public_keys, proxy=proxy)
        drives.append({"name": name, "meta_data": drive["meta_data"], "network_data": drive["network_data"],
                       "user_data": drive["user_data"]})
    return drives


class FilterModule:
    def filters(self):
        return {"config_drive": config_drive, "config_drives": config_drives}
