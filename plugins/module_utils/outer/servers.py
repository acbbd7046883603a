# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ports, volumes and servers of a lab: find what exists, create what is missing in parallel, wait.

Every host of the plan with an underlay address (r0 and the uc- hosts) gets a port with its
planned fixed IP, optional volumes, and a server booted on that port. Each of the three kinds is
listed once (one GET), then the missing ones are created with bounded concurrency. Servers carry
the lab tag from their create call (compute API 2.52) and metadata naming lab and host; ports the
description marker, then the tag; volumes metadata. A re-run after a crash or a lost answer finds
them and creates nothing twice.
"""

from __future__ import annotations

import time

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import CloudError, Phases, parallel, transient
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.owned import (
    HOST_KEY,
    LAB_KEY,
    host_of,
    marker,
    owned_servers,
    owned_volumes,
    owns,
)
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.plan_inputs import PLACEMENT_KEY, placement_metadata


def outer_hosts(plan):
    """Hosts that are outer-cloud servers: r0 then the uc- hosts, in plan order."""
    names = plan["groups"]["jumphost"] + plan["groups"]["undercloud"]
    return [plan["hosts"][n] for n in names]


def port_name(plan, host):
    return "%s-%s" % (plan["name"], host["name"])


def inventory(conn, plan, network_id):
    """Everything the lab owns now: ports, volumes, servers by host name (three list calls)."""
    ports = dict((p.name, p) for p in conn.network.ports(network_id=network_id) if owns(plan, p))
    return ports, owned_volumes(conn, plan), owned_servers(conn, plan)


class ServerReconciler:
    """One run over the lab's servers: ``plan_changes`` decides, ``apply`` acts, ``wait_*`` settle."""

    def __init__(self, cm, plan, changes, network_id, security_groups, key_name, user_data):
        self.cm, self.conn, self.plan, self.changes = cm, cm.conn, plan, changes
        self.network_id = network_id
        self.security_groups = security_groups
        self.key_name = key_name
        self.user_data = user_data or {}
        self.ports, self.volumes, self.servers = inventory(self.conn, plan, network_id)
        self.hosts = outer_hosts(plan)
        self._subnet_cache = None
        self.phases = Phases()  # where a run's time went (result ``timings``)

    # ---- decide
    def missing(self):
        want_ports = [h for h in self.hosts if port_name(self.plan, h) not in self.ports]
        want_volumes = [(h, v) for h in self.hosts for v in h.get("volumes", []) if v["name"] not in self.volumes]
        want_servers = [h for h in self.hosts if h["name"] not in self.servers]
        planned = set(h["name"] for h in self.hosts)
        extra_servers = [s for host, s in sorted(self.servers.items()) if host not in planned]
        planned_volumes = set(v["name"] for h in self.hosts for v in h.get("volumes", []))
        extra_volumes = [v for name, v in sorted(self.volumes.items()) if name not in planned_volumes]
        planned_ports = set(port_name(self.plan, h) for h in self.hosts)
        extra_ports = [p for name, p in sorted(self.ports.items()) if name not in planned_ports]
        return want_ports, want_volumes, want_servers, extra_servers, extra_volumes, extra_ports

    def placement_drift(self):
        """[(host, server, recorded, planned)]: uc- servers whose metadata does not record the oc- VMs the plan
        places on them (the record every later plan keeps them by)."""
        found = []
        for host in self.hosts:
            server = self.servers.get(host["name"])
            if host["kind"] != "undercloud" or server is None or server.status == "ERROR":
                continue
            recorded = (server.metadata or {}).get(PLACEMENT_KEY) or ""
            planned = placement_metadata(self.plan, host["name"])
            if recorded != planned:
                found.append((host, server, recorded, planned))
        return found

    def drift(self):
        """Servers whose flavor differs from the plan: reported, never rebuilt behind the user's back."""
        found = []
        for host in self.hosts:
            server = self.servers.get(host["name"])
            flavor = (server.flavor or {}).get("original_name") if server is not None else None
            if flavor and flavor != host["flavor"]:
                found.append("%s runs flavor %s, the plan says %s" % (server.name, flavor, host["flavor"]))
        return found

    # ---- act
    def apply(self):
        want_ports, want_volumes, want_servers, extra_servers, extra_volumes, extra_ports = self.missing()
        for server in extra_servers:
            self.changes.record("delete", "server", server.name, before={"id": server.id})
        for volume in extra_volumes:
            self.changes.record("delete", "volume", volume.name, before={"id": volume.id})
        for port in extra_ports:
            self.changes.record("delete", "port", port.name, before={"id": port.id})
        for host in want_ports:
            self.changes.record("create", "port", port_name(self.plan, host), after={"ip": host["underlay_ip"]})
        for host, volume in want_volumes:
            self.changes.record("create", "volume", volume["name"], after={"size_gb": volume["size_gb"]})
        for host in want_servers:
            self.changes.record("create", "server", host["server_name"], after={"flavor": host["flavor"],
                                                                                "image": host["image"]})
        untagged = [p for p in self._untagged_ports() if p.name not in [e.name for e in extra_ports]]
        for port in untagged:
            self.changes.record("tag", "port", port.name, after={"tags": [self.plan["tag"]]})
        placement = self.placement_drift()
        for _host, server, recorded, planned in placement:
            self.changes.record("record placement", "server", server.name, before={PLACEMENT_KEY: recorded},
                                after={PLACEMENT_KEY: planned})
        if self.cm.check_mode:
            return
        with self.phases("delete what the plan lost"):
            self._run("record placement", placement, self._record_placement)
            self._run("delete server", extra_servers, self.conn.compute.delete_server)
            if extra_servers:
                self.wait_deleted(extra_servers)
            self._run("delete volume", extra_volumes, self.conn.block_storage.delete_volume)
            self._run("delete port", extra_ports, self.conn.network.delete_port)
        with self.phases("ports (one bulk create, then tags)"):
            self._create_ports(want_ports)
            self._run("tag port", [p for p in self._untagged_ports() if p not in extra_ports],
                      lambda p: self.conn.network.set_tags(p, [self.plan["tag"]]))
        with self.phases("volumes (create calls)"):
            self._run("volume", want_volumes, self._create_volume)
        if want_servers:
            with self.phases("flavor and image lookups"):
                flavors, image = self._lookups(want_servers)
            with self.phases("volumes available"):
                self._wait_volumes_available([v["name"] for h in want_servers for v in h.get("volumes", [])])
            with self.phases("servers (create calls)"):
                self._run("server", want_servers, lambda h: self._create_server(h, flavors, image))

    def _run(self, what, items, action):
        results, errors = parallel(items, action, self.cm.params["concurrency"])
        if errors:
            item, err = errors[0]
            raise CloudError("%s %s" % (what, _label(item)), "%s%s" % (
                getattr(err, "details", None) or err,
                "" if len(errors) == 1 else " (and %d more failed: %s)" % (
                    len(errors) - 1, ", ".join(_label(i) for i, _e in errors[1:]))),
                transient=all(transient(e) for _i, e in errors))
        return results

    def _record_placement(self, item):
        _host, server, _recorded, planned = item
        if planned:
            self.conn.compute.set_server_metadata(server, **{PLACEMENT_KEY: planned})
        else:
            self.conn.compute.delete_server_metadata(server, [PLACEMENT_KEY])

    def _create_ports(self, hosts):
        """All missing ports in one bulk POST (Neutron makes all or none), then the tag on each.

        Neutron before 2023.2 takes no tags in a create call, so a crash between the two steps leaves
        ports without the tag; they carry the description marker, which ``owns`` accepts, and the next
        run finds them and puts the tag on them.
        """
        if not hosts:
            return
        subnet = self._subnet()
        data = []
        for host in hosts:
            groups = [self.security_groups["lab"]] + (
                [self.security_groups["jumphost"]] if host["kind"] == "jumphost" else [])
            data.append(dict(name=port_name(self.plan, host), network_id=self.network_id, description=marker(self.plan),
                             security_group_ids=groups,
                             fixed_ips=[{"subnet_id": subnet.id, "ip_address": host["underlay_ip"]}]))
        try:
            made = list(self.conn.network.create_ports(data))
        except Exception as err:  # one bulk request: name every port it carried
            raise CloudError("ports %s" % ", ".join(d["name"] for d in data), getattr(err, "details", None) or err,
                             transient=transient(err))
        for port in made:
            self.ports[port.name] = port

    def _untagged_ports(self):
        return [p for _n, p in sorted(self.ports.items()) if self.plan["tag"] not in (p.tags or [])]

    def _subnet(self):
        if self._subnet_cache is None:
            found = [s for s in self.conn.network.subnets(network_id=self.network_id) if owns(self.plan, s)]
            if not found:
                raise CloudError("subnet %s" % self.plan["networks"]["underlay"]["name"],
                                 "not found: run nestedcloud.openstack.undercloud_network first")
            self._subnet_cache = found[0]
        return self._subnet_cache

    def _create_volume(self, item):
        host, volume = item
        made = self.conn.block_storage.create_volume(
            name=volume["name"], size=volume["size_gb"], description=marker(self.plan),
            metadata={LAB_KEY: self.plan["name"], HOST_KEY: host["name"]})
        self.volumes[volume["name"]] = made

    def _wait_volumes_available(self, names):
        """New volumes must be ``available`` before a server can take them at boot (one list call a poll)."""
        deadline = time.monotonic() + self.cm.params["timeout"]
        while names:
            current = owned_volumes(self.conn, self.plan)
            self.volumes.update(current)
            states = dict((n, current[n].status if n in current else "missing") for n in names)
            broken = sorted(n for n, s in states.items() if s == "error")
            if broken:
                raise CloudError("volume %s" % broken[0], "went to error in the block storage service; "
                                 "delete it or check the cinder-volume log, then run again")
            waiting = sorted(n for n, s in states.items() if s != "available")
            if not waiting:
                return
            if time.monotonic() > deadline:
                raise CloudError("volumes", "not available when the timeout ran out: %s" % ", ".join(waiting))
            time.sleep(1)

    def _lookups(self, hosts):
        flavors = {}
        for name in sorted(set(h["flavor"] for h in hosts)):
            flavors[name] = self.conn.compute.find_flavor(name, ignore_missing=True)
            if flavors[name] is None:
                raise CloudError("flavor %s" % name, "not found in the outer cloud; set nestedcloud_lab.flavors to "
                                 "one of: %s" % ", ".join(sorted(f.name for f in self.conn.compute.flavors())))
        image_name = hosts[0]["image"]
        image = self.conn.image.find_image(image_name, ignore_missing=True)
        if image is None:
            raise CloudError("image %s" % image_name, "not found in the outer cloud; set nestedcloud_lab.image")
        return flavors, image

    def _create_server(self, host, flavors, image):
        args = dict(
            name=host["server_name"], flavor_id=flavors[host["flavor"]].id, key_name=self.key_name,
            networks=[{"port": self.ports[port_name(self.plan, host)].id}], tags=[self.plan["tag"]],
            metadata=dict({LAB_KEY: self.plan["name"], HOST_KEY: host["name"]},
                          **({PLACEMENT_KEY: placement_metadata(self.plan, host["name"])}
                             if host.get("nested_vms") else {})),
        )
        # data volumes are attached by Nova while it builds the server: no attach call per volume later
        mappings = [{"boot_index": -1, "uuid": self.volumes[v["name"]].id, "source_type": "volume",
                     "destination_type": "volume", "delete_on_termination": False} for v in host.get("volumes", [])]
        if host.get("boot_volume_gb"):
            mappings.insert(0, {"boot_index": 0, "uuid": image.id, "source_type": "image",
                                "destination_type": "volume", "volume_size": host["boot_volume_gb"],
                                "delete_on_termination": True})
        else:
            args["image_id"] = image.id
            if mappings:  # Nova wants the image spelled out as the boot device when volumes come along
                mappings.insert(0, {"boot_index": 0, "uuid": image.id, "source_type": "image",
                                    "destination_type": "local", "delete_on_termination": True})
        if mappings:
            args["block_device_mapping"] = mappings
        if self.user_data.get(host["name"]):
            args["user_data"] = self.user_data[host["name"]]
        self.servers[host["name"]] = self.conn.compute.create_server(**args)

    # ---- settle
    def status(self):
        """{host: status} of the planned servers, from one list call (servers only)."""
        self.servers = owned_servers(self.conn, self.plan)
        return dict((h["name"], self.servers[h["name"]].status if h["name"] in self.servers else "MISSING") for h in self.hosts)

    def wait_active(self, deadline, progress=None):
        with self.phases("servers ACTIVE (waiting)"):
            return self._wait_active(deadline, progress)

    def _wait_active(self, deadline, progress):
        while True:
            states = self.status()
            failed = [(h, self.servers[h]) for h, s in states.items() if s == "ERROR"]
            if failed:
                host, server = failed[0]
                fault = fault_of(self.conn, server)
                raise CloudError("server %s" % server.name, "went to ERROR: %s; fix the cause (flavor, image, quota) "
                                 "and run again: the failed server is replaced, nothing else is duplicated" % fault)
            active = sum(1 for s in states.values() if s == "ACTIVE")
            if progress:
                progress("%d/%d servers ACTIVE" % (active, len(states)))
            if active == len(states):
                return states
            if time.monotonic() > deadline:
                raise CloudError("servers", "%d/%d ACTIVE when the timeout ran out; still waiting for %s"
                                 % (active, len(states), ", ".join(h for h, s in sorted(states.items()) if s != "ACTIVE")))
            time.sleep(1)  # one list call a poll

    def wait_deleted(self, servers):
        for server in servers:
            self.conn.compute.wait_for_delete(server, wait=self.cm.params["timeout"])

    def attach_volumes(self):
        with self.phases("volumes attached (check, attach what boot did not)"):
            self._attach_volumes()

    def _attach_volumes(self):
        pending = self._unattached()
        if pending and not self.cm.check_mode:  # Nova attached the new ones at boot: look again (one list)
            self.volumes = owned_volumes(self.conn, self.plan)
            pending = self._unattached()
        for host, volume in pending:
            self.changes.record("attach", "volume", volume["name"], after={"server": host["server_name"]})
        if self.cm.check_mode or not pending:
            return
        for _host, volume in pending:
            self.conn.block_storage.wait_for_status(self.volumes[volume["name"]], "available",
                                                    wait=self.cm.params["timeout"])
        self._run("attach", pending, lambda item: self.conn.compute.create_volume_attachment(
            self.servers[item[0]["name"]], volume_id=self.volumes[item[1]["name"]].id))

    def _unattached(self):
        pending = []
        for host in self.hosts:
            server = self.servers.get(host["name"])
            for volume in host.get("volumes", []):
                made = self.volumes.get(volume["name"])
                attached = [a.get("server_id") for a in (made.attachments or [])] if made else []
                if server is None or made is None or server.id not in attached:
                    pending.append((host, volume))
        return pending

    def replace_errored(self):
        """Delete servers in ERROR so that this run makes them again (after the cause was fixed)."""
        broken = [s for h, s in self.servers.items() if s.status == "ERROR"]
        for server in broken:
            self.changes.record("replace", "server", server.name, before={"status": "ERROR"})
        if broken and not self.cm.check_mode:
            self._run("delete server", broken, self.conn.compute.delete_server)
            self.wait_deleted(broken)
            for server in broken:
                self.servers.pop(host_of(server), None)

    def summary(self):
        result = {}
        for host in self.hosts:
            server = self.servers.get(host["name"])
            port = self.ports.get(port_name(self.plan, host))
            result[host["name"]] = dict(
                id=server.id if server else None, name=host["server_name"],
                status=server.status if server else "MISSING", port_id=port.id if port else None,
                fixed_ip=host["underlay_ip"], volumes=[v["name"] for v in host.get("volumes", [])])
        return result


def fault_of(conn, server):
    """Why a server is in ERROR: the list view leaves out the fault, the server's own GET has it."""
    fault = server.fault or conn.compute.get_server(server.id).fault or {}
    return fault.get("message") or "no fault message"


def _label(item):
    if isinstance(item, tuple):
        return item[1]["name"]
    if isinstance(item, dict):
        return item.get("server_name") or item.get("name")
    return getattr(item, "name", str(item))
