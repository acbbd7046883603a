# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``plan_table``: the plan of ``lab_plan`` as text a person reads before creating anything."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

ROLE_ORDER = ("jumphost", "undercloud", "hypervisors", "overcloud_controller", "overcloud_compute",
              "nested", "maas", "juju_controller")
LAYERS = (("underlay", "underlay"), ("overlay", "overlay"), ("inner external", "inner_external"),
          ("inner tenant", "inner_tenant"))


def _columns(rows):
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]


def _pools(pools):
    return ", ".join("%s-%s" % (p["start"], p["end"]) for p in pools)


def _detail(host, plan):
    if host["kind"] == "jumphost":
        return "gateway %s; SNAT for %s" % (", ".join(host["addresses"]), ", ".join(plan["jumphost"]["snat_sources"]))
    if host["kind"] == "undercloud":
        vms = host.get("nested_vms") or []
        if not vms:
            return "inner compute: holds no oc- VM" if "overcloud_compute" in host.get("groups", []) else "-"
        return "runs %s (%d of %d slots)" % (", ".join(vms), len(vms), host["nested_slots"])
    return "on %s, %d MiB, %d vCPU, %d GiB, eth0 %s" % (
        host["hypervisor"], host["ram_mb"], host["vcpus"], host["disk_gb"], host["nics"][0]["mac"])


def plan_table(plan):
    """Return the plan as a multi-line string: hosts, then layers and MTUs, then notes."""
    try:
        hosts = plan["hosts"]
        order = plan["groups"]["jumphost"] + plan["groups"]["undercloud"] + plan["groups"]["nested"]
        rows = [("HOST", "ROLES", "UNDERLAY", "OVERLAY", "DETAIL")]
        for name in order:
            host = hosts[name]
            roles = [g for g in ROLE_ORDER if g in host.get("groups", [])]
            rows.append((name, ",".join(roles), host.get("underlay_ip") or "-", host["overlay_ip"], _detail(host, plan)))
        nets, mtu = plan["networks"], plan["mtu"]
        layers = [("LAYER", "RANGE", "GATEWAY", "MTU", "DETAIL")]
        for title, key in LAYERS:
            net = nets[key]
            if key == "underlay":
                detail = "outer network %s, MTU %s" % (net["name"], mtu["source"])
            elif key == "overlay":
                detail = "VNI %s, udp/%s, %s on %s" % (net["vni"], net["udp_port"], net["device"], net["bridge"])
            else:
                detail = "pool " + _pools(net["allocation_pools"])
            layers.append((title, net["cidr"], net["gateway"], net["mtu"], detail))
    except (KeyError, TypeError, IndexError) as err:
        raise AnsibleFilterError("plan_table expects the 'plan' returned by nestedcloud.openstack.lab_plan; "
                                 "missing or malformed: %s" % err)
    lines = ["Lab %s: cloud %s, tag %s, domain %s, overcloud %s on %s"
             % (plan["name"], plan["cloud"], plan["tag"], plan["dns_domain"], plan["lab"]["overcloud"]["kind"],
                plan["lab"]["overcloud"]["hosts"]), ""]
    lines += _columns(rows) + [""] + _columns(layers)
    lines += ["", "SSH to %s from: %s" % (plan["jumphost"]["name"], ", ".join(plan["jumphost"]["ssh_allowed_cidrs"])
                                          or "nowhere (set ssh_allowed_cidrs)")]
    lines += ["Note: " + note for note in plan["notes"]]
    return "\n".join(lines)


class FilterModule:
    def filters(self):
        return {"plan_table": plan_table}
