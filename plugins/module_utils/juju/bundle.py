# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Juju overlay of the maas_juju overcloud, made from the plan, and the checks of bundle + overlay. Pure.

:func:`overlay` turns the plan's ``maas_juju`` section and the hypervisors' ``virt_info`` into an overlay for the
base bundle (``roles/juju/files/openstack-bundle.yaml``): one machine per oc- VM tagged for OpenStack, every
placement folded onto them, virt-type and cpu-mode, the MTUs, the data port (the second NIC of each machine, by
MAC), the Ceph disk, and Ceph's replica counts for as many OSDs as there are. :func:`merge` applies an overlay as
``juju deploy --overlay`` does, and :func:`problems` lists what is wrong with the result, before Juju sees it.
"""

from __future__ import annotations

import copy
import re

# Applications that run on the machines themselves, one unit per machine (the rest go into LXD containers)
METAL = ("ceph-osd", "nova-compute")
REPLICATED = ("cinder-ceph", "glance", "nova-compute", "ceph-radosgw")  # charms with ceph-osd-replication-count
_TO = re.compile(r"^(?:(lxd):)?(\d+)$")
_CHANNEL = re.compile(r"^(?!latest/)[a-z0-9][\w.-]*/(stable|candidate|beta|edge)(/[\w.-]+)?$")  # a track, not latest


def virt_settings(virt_infos):
    """(virt-type, cpu-mode) for nova-compute: kvm only when every hypervisor of the bundle's machines can nest."""
    infos = list(virt_infos)
    if infos and all(info.get("inner_virt_type") == "kvm" for info in infos):
        return "kvm", "host-passthrough"
    return "qemu", "none"  # TCG: no CPU model to pass through; 'none' lets QEMU pick its default


def _fold(to, machines):
    """A placement of the 3-machine base on ``machines`` machines: machine N becomes N mod machines."""
    folded = []
    for entry in to:
        match = _TO.match(str(entry))
        if not match:
            folded.append(entry)
            continue
        container, number = match.groups()
        target = str(int(number) % machines)
        folded.append("%s:%s" % (container, target) if container else target)
    return folded


def overlay(base, plan, virt_infos):
    """The overlay of ``base`` (a bundle dict) for ``plan`` (the lab plan) and the hypervisors' ``virt_infos``."""
    section = plan["maas_juju"]
    juju = section["juju"]
    machines = len(juju["openstack_machines"])
    virt_type, cpu_mode = virt_settings(virt_infos)
    mtu = plan["mtu"]["overlay"]
    ceph = [disk for machine in section["machines"] if machine["name"] in juju["openstack_machines"]
            for disk in machine["disks"] if disk.get("purpose") == "ceph"]
    replicas = min(3, machines)
    mons = base["applications"].get("ceph-mon", {}).get("num_units", 3)
    apps = {}
    for name, app in base["applications"].items():
        changes = {}
        if app.get("to"):
            changes["to"] = ([str(n) for n in range(machines)] if name in METAL else _fold(app["to"], machines))
            if name in METAL:
                changes["num_units"] = machines
        if name in REPLICATED:
            changes.setdefault("options", {})["ceph-osd-replication-count"] = replicas
        if changes:
            apps[name] = changes
    options = {
        "nova-compute": {"virt-type": virt_type, "cpu-mode": cpu_mode},
        "neutron-api": {"global-physnet-mtu": mtu, "path-mtu": mtu, "flat-network-providers": "physnet1"},
        "ovn-chassis": {"ovn-bridge-mappings": "physnet1:br-ex",
                        "bridge-interface-mappings": " ".join("br-ex:%s" % mac for mac in juju["data_macs"])},
        "ceph-osd": {"osd-devices": " ".join(sorted({"/dev/%s" % disk["dev"] for disk in ceph}))},
        "ceph-mon": {"expected-osd-count": machines, "monitor-count": min(3, mons)},
    }
    for name, values in options.items():
        if name in base["applications"]:
            apps.setdefault(name, {}).setdefault("options", {}).update(values)
    wanted = {str(n): {"constraints": "tags=%s" % juju["openstack_tag"]} for n in range(machines)}
    unused = {str(n): None for n in base.get("machines") or {} if str(n) not in wanted}  # null removes it
    return {"machines": dict(unused, **wanted), "applications": apps}


def _merge_dict(into, extra):
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge_dict(into[key], value)
        else:
            into[key] = copy.deepcopy(value)


def merge(base, *overlays):
    """``base`` with ``overlays`` applied as Juju does: mappings merge key by key, other values replace, an
    application or machine set to null is removed (an application with its relations), relations are added."""
    result = copy.deepcopy(base)
    for extra in overlays:
        extra = copy.deepcopy(extra or {})
        apps = extra.pop("applications", {}) or {}
        relations = extra.pop("relations", []) or []
        for number, machine in (extra.pop("machines", {}) or {}).items():
            if machine is None:
                result.setdefault("machines", {}).pop(str(number), None)
            else:
                _merge_dict(result.setdefault("machines", {}).setdefault(str(number), {}), machine)
        for name, app in apps.items():
            if app is None:
                result["applications"].pop(name, None)
                result["relations"] = [r for r in result.get("relations", [])
                                       if name not in [end.split(":")[0] for end in r]]
            elif name in result["applications"]:
                _merge_dict(result["applications"][name], app)
            else:
                result["applications"][name] = app
        result.setdefault("relations", []).extend(r for r in relations if r not in result["relations"])
        _merge_dict(result, extra)
    return result


def _placement_problems(name, app, machines):
    found = []
    units = app.get("num_units", 0)
    to = app.get("to") or []
    if len(to) > units:
        found.append("%s: %d placements for %d units" % (name, len(to), units))
    for entry in to:
        match = _TO.match(str(entry))
        if not match:
            found.append("%s: placement %r is neither N nor lxd:N" % (name, entry))
        elif match.group(2) not in machines:
            found.append("%s: placement %r names machine %s, which the bundle does not define (%s)"
                         % (name, entry, match.group(2), ", ".join(sorted(machines)) or "none"))
    return found


def problems(bundle, plan, virt_infos):
    """What is wrong with ``bundle`` (base + overlay merged) for ``plan``; empty when nothing is."""
    found = []
    apps = bundle.get("applications") or {}
    machines = set(str(m) for m in (bundle.get("machines") or {}))
    related = set()
    for relation in bundle.get("relations") or []:
        if len(relation) != 2:
            found.append("relation %r does not have two ends" % (relation,))
            continue
        for end in relation:
            app = str(end).split(":", maxsplit=1)[0]
            related.add(app)
            if app not in apps:
                found.append("relation %s - %s: %s is not an application of the bundle" % (relation[0], relation[1], app))
    for name, app in sorted(apps.items()):
        channel = app.get("channel", "")
        if not _CHANNEL.match(channel or ""):
            found.append("%s: channel %r is not pinned to a track (like 2024.1/stable)" % (name, channel))
        units = app.get("num_units", 0)
        if units == 0 and app.get("to"):
            found.append("%s: a subordinate (0 units) cannot be placed" % name)
        if name not in related:
            found.append("%s: in no relation" % name)
        found += _placement_problems(name, app, machines)
        for key, value in (app.get("options") or {}).items():
            if str(value).strip().lower() in ("to-be-set", "set-me"):
                found.append("%s: option %s is still %r" % (name, key, value))
    found += _plan_problems(apps, plan, virt_infos)
    return found


def _opt(apps, name, key):
    return ((apps.get(name) or {}).get("options") or {}).get(key)


def _plan_problems(apps, plan, virt_infos):
    found = []
    juju = plan["maas_juju"]["juju"]
    machines = {m["name"]: m for m in plan["maas_juju"]["machines"]}
    count = len(juju["openstack_machines"])
    mtu = plan["mtu"]["overlay"]
    virt_type, cpu_mode = virt_settings(virt_infos)
    if (_opt(apps, "nova-compute", "virt-type"), _opt(apps, "nova-compute", "cpu-mode")) != (virt_type, cpu_mode):
        found.append("nova-compute: virt-type/cpu-mode %s/%s, the hypervisors allow %s/%s" % (
            _opt(apps, "nova-compute", "virt-type"), _opt(apps, "nova-compute", "cpu-mode"), virt_type, cpu_mode))
    for key in ("global-physnet-mtu", "path-mtu"):
        if _opt(apps, "neutron-api", key) != mtu:
            found.append("neutron-api: %s is %s, the overlay's MTU is %d" % (key, _opt(apps, "neutron-api", key), mtu))
    mappings = str(_opt(apps, "ovn-chassis", "bridge-interface-mappings") or "").split()
    for name in juju["openstack_machines"]:
        if "br-ex:%s" % machines[name]["data_mac"] not in mappings:
            found.append("ovn-chassis: no data port for %s (br-ex:%s)" % (name, machines[name]["data_mac"]))
    disks = {"/dev/%s" % d["dev"] for name in juju["openstack_machines"] for d in machines[name]["disks"]
             if d.get("purpose") == "ceph"}
    osd_devices = set(str(_opt(apps, "ceph-osd", "osd-devices") or "").split())
    if not osd_devices or not osd_devices <= disks:
        found.append("ceph-osd: osd-devices %s are not the machines' Ceph disks %s"
                     % (sorted(osd_devices), sorted(disks)))
    osds = (apps.get("ceph-osd") or {}).get("num_units", 0)
    for name in METAL:
        if name in apps and apps[name].get("num_units") != count:
            found.append("%s: %s units for %d machines" % (name, apps[name].get("num_units"), count))
    for name in REPLICATED:
        replicas = _opt(apps, name, "ceph-osd-replication-count")
        if name in apps and (replicas is None or int(replicas) > osds):
            found.append("%s: %s Ceph replicas, only %d OSDs" % (name, replicas, osds))
    return found


def cloud_files(plan, api_key, credential="admin"):
    """(clouds, credentials): the documents ``juju add-cloud --client`` and ``juju add-credential --client -f`` read."""
    cloud = plan["maas_juju"]["juju"]["cloud"]
    clouds = {"clouds": {cloud: {"type": "maas", "auth-types": ["oauth1"],
                                 "endpoint": plan["maas_juju"]["maas"]["url"]}}}
    credentials = {"credentials": {cloud: {credential: {"auth-type": "oauth1", "maas-oauth": api_key}}}}
    return clouds, credentials


def proxy_settings(plan, proxy):
    """Proxy settings behind r0: legacy keys for the controller model, juju-* keys for every other model.

    Juju refuses a model that mixes both. Bootstrap must use the legacy keys: it cannot fetch the juju-controller
    charm through the juju-* ones (juju/juju#19836). The legacy ``no-proxy`` takes no CIDR, so it lists the lab's
    static addresses; ``juju-no-proxy`` takes the overlay's CIDR, which covers the LXD containers MAAS addresses.
    """
    hosts = plan["hosts"]
    juju = plan["maas_juju"]["juju"]
    static = [hosts[name]["overlay_ip"] for name in sorted(hosts)]
    local = ["127.0.0.1", "localhost", "::1"]
    bootstrap = {"http-proxy": proxy, "https-proxy": proxy, "no-proxy": ",".join(local + static),
                 "apt-http-proxy": proxy, "apt-https-proxy": proxy, "snap-http-proxy": proxy, "snap-https-proxy": proxy}
    model = {"juju-http-proxy": proxy, "juju-https-proxy": proxy, "juju-no-proxy": ",".join(juju["no_proxy"]),
             "apt-http-proxy": proxy, "apt-https-proxy": proxy, "apt-no-proxy": plan["maas_juju"]["maas"]["address"],
             "snap-http-proxy": proxy, "snap-https-proxy": proxy}
    return {"bootstrap": bootstrap, "model": model}
