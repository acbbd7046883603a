# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The MAAS + Juju part of the plan (``overcloud.kind: maas_juju``). Pure: the planner calls :func:`maas_juju_plan`.

The first oc- VM runs MAAS from a cloud image with a static overlay address; every other oc- VM is a MAAS
machine: defined network-boot first, enlisted by its MAC with the power parameters of its uc- host, and deployed
by MAAS at the address the plan gave it. The second one is tagged for the Juju controller, the rest carry the
OpenStack bundle (each with a second NIC for the inner external network and a second disk for Ceph).

Overlay addresses (blocks as in ``lab_addressing``): block 0 holds r0 and the uc- hosts, block 1 the oc- VMs,
block 2 is MAAS's dynamic range (enlistment and commissioning), and the rest stays for MAAS to hand out.
"""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("6f1d2a52-0b7e-4c4e-9a59-6e6573746564")  # fixed: the same VM always gets the same UUID

MAAS_PORT = 5240
REDFISH_PORT = 8000  # sushy-emulator on each uc- host, listening on its overlay address only
CONTROLLER_TAG = "juju-controller"
OPENSTACK_TAG = "openstack"


def nested_uuid(lab_name, vm_name):
    """libvirt UUID of an oc- VM: fixed by lab and name, so Redfish system ids are known before the VM exists."""
    return str(uuid.uuid5(NAMESPACE, "%s/%s" % (lab_name, vm_name)))


def maas_juju_plan(lab, overlay, overlay_ip, groups, placement, mtu, hosts):
    """The ``maas_juju`` section of the plan; ``overlay`` is the overlay's ``Range``."""
    gateway = overlay_ip[groups["jumphost"][0]]
    maas = groups["maas"][0]
    controller = groups["juju_controller"][0]
    block = overlay.block
    static_uc = [overlay_ip[h] for h in groups["undercloud"]]
    reserved = [
        {"start": overlay.address(1), "end": overlay.address(block - 1),
         "comment": "r0 (%s) and the uc- hosts (%s)" % (gateway, ", ".join(static_uc) or "none")},
        {"start": overlay_ip[maas], "end": overlay_ip[maas], "comment": "MAAS (%s)" % maas},
    ]
    dynamic = {"start": overlay.static(2, 1), "end": overlay.static(2, block - 2),
               "comment": "enlistment and commissioning (DHCP)"}
    machines = []
    for name in groups["nested"]:
        if name == maas:
            continue
        host = hosts[name]
        uc = placement[name]
        machines.append({
            "name": name,
            "mac": host["nics"][0]["mac"],
            "data_mac": host["nics"][1]["mac"],
            "address": overlay_ip[name],
            "hypervisor": uc,
            "uuid": nested_uuid(lab["name"], name),
            "power": {"type": "redfish", "address": "http://%s:%d" % (overlay_ip[uc], REDFISH_PORT),
                      "node_id": nested_uuid(lab["name"], name)},
            "tags": [CONTROLLER_TAG] if name == controller else [OPENSTACK_TAG],
            "disks": ([{"dev": "vda", "gb": host["disk_gb"]}] +
                      ([] if name == controller else [{"dev": "vdb", "gb": lab["overcloud"]["ceph_disk_gb"],
                                                       "purpose": "ceph"}])),
        })
    return {
        "maas": {
            "host": maas, "address": overlay_ip[maas], "url": "http://%s:%d/MAAS" % (overlay_ip[maas], MAAS_PORT),
            "subnet": str(overlay.net), "gateway": gateway, "dns": [gateway], "ntp": [gateway],
            "vlan_mtu": mtu["overlay"], "reserved": reserved, "dynamic": dynamic,
        },
        "machines": machines,
        "juju": {
            "controller": controller, "controller_tag": CONTROLLER_TAG, "openstack_tag": OPENSTACK_TAG,
            "cloud": "%s-maas" % lab["name"],
            "openstack_machines": [m["name"] for m in machines if m["name"] != controller],
            "data_macs": [m["data_mac"] for m in machines if m["name"] != controller],
            "no_proxy": [str(overlay.net), "127.0.0.1", "localhost", "::1"],
        },
    }
