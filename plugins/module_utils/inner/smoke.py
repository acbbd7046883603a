# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The smoke scenario of the inner cloud (module overcloud_smoke): as its admin and as an ordinary member, the
resources a tenant needs, a VM on a tenant network behind a router, reached over its floating IP from the host this
runs on (r0), and from inside it the router and that host.

Two ways to run it:

- canary (the default of the smoke role): the VM ``<name>-canary`` and everything it stands on are kept. The first
  run boots it; every later run checks the running one (ACTIVE, ping, SSH with the key kept in ``key_file``, L2, L3,
  MTU) instead of booting another, so that a run that changes nothing costs seconds, and the VM is the workload an
  upgrade must not disturb. It is booted again only when it cannot be the same (in ERROR, or its key was lost).
- one-off: everything is made, checked and deleted again in each run (unless ``keep``), the VM being ``<name>-vm``.

A sweep first removes what an interrupted run left: in one-off runs everything in the test's project, in canary runs
whatever is not part of the canary.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.api import (
    connect, delete_router, openstack, upload_image)


class CheckFailed(Exception):
    pass


def vm_name(name, canary):
    return "%s-canary" % name if canary else "%s-vm" % name


def canary_action(status, rekeyed):
    """What to do with the canary VM found (its status, None when there is none), given whether its keypair was
    made anew this run (its guest then holds a key nobody has): boot, replace, start, wait or keep."""
    if status is None:
        return "boot"
    if status == "ERROR" or rekeyed:
        return "replace"
    if status == "SHUTOFF":
        return "start"
    if status == "ACTIVE":
        return "keep"
    return "wait"


def same_key(stored, wanted):
    """Whether a Nova keypair's public key is the one wanted (type and key; the comment may differ)."""
    return (stored or "").split()[:2] == (wanted or "").split()[:2]


def leftovers(kind, items, canary, kept):
    """Of the ``items`` (dicts with name, id and, for floating IPs, port_id) of one kind in the test's project, those an
    earlier run left: everything in one-off runs; in canary runs what the canary does not use (``kept``: the names
    of its VM, network, router, security group and images, and the id of its port)."""
    if not canary:
        return list(items)
    if kind == "floating_ip":
        return [i for i in items if not i.get("port_id") or i["port_id"] != kept.get("port")]
    return [i for i in items if i.get("name") not in kept.get(kind, ())]


class Smoke:
    domain_id = "default"  # the id of the domain option's domain, found by sweep() when it is not Default

    def __init__(self, params, run=subprocess.run):
        self.p = params
        self.canary = bool(params.get("canary"))
        self.checks, self.created, self.cleanup, self.mtu = [], [], [], {}
        self.changed, self.rekeyed = False, False
        self.console, self.server, self.vm = None, None, {}
        self._run = run
        self._tmp = None
        self.vm_name = vm_name(params["name"], self.canary)

    @property
    def tmp(self):
        """A private directory of this run (made when first needed, removed at the end of run())."""
        if self._tmp is None:
            self._tmp = tempfile.mkdtemp(prefix="nestedcloud-smoke-")
        return self._tmp

    @property
    def key(self):
        """The VM's private key: a canary's kept in key_file, a one-off run's in the run's directory."""
        return self.p.get("key_file") if self.canary else os.path.join(self.tmp, "id_ed25519")

    def connect(self, user, password, project):
        return connect(self.p["auth_url"], user, password, project, self.p["region"], domain=self.p["domain"],
                       cacert=self.p.get("cacert"))

    def check(self, name, action):
        """Run one check; record it; raise CheckFailed to stop the later checks that need it."""
        start = time.monotonic()
        try:
            detail = action()
            ok = True
        except Exception as err:  # pylint: disable=broad-except
            detail, ok = str(err), False
        self.checks.append({"name": name, "ok": ok, "seconds": round(time.monotonic() - start, 1),
                            "detail": detail or ""})
        if not ok:
            raise CheckFailed(name)
        return detail

    def made(self, what, undo):
        """Something this run made: listed in the result; in one-off runs undone by the cleanup."""
        self.created.append(what)
        self.changed = self.changed or self.canary
        self.cleanup.append((what, undo))

    def run_cmd(self, argv, timeout=30):
        done = self._run(argv, capture_output=True, text=True, timeout=timeout, check=False)
        return done.returncode, (done.stdout + done.stderr).strip()

    def ssh(self, ip, command, timeout=30):
        return self.run_cmd(["ssh", "-i", self.key, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                             "-o", "ConnectTimeout=5", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
                             "%s@%s" % (self.p["ssh_user"], ip), command], timeout=timeout)

    @staticmethod
    def wait(what, probe, timeout, interval=2):
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            ok, last = probe()
            if ok:
                return last
            time.sleep(interval)
        raise RuntimeError("%s: not after %d s (%s)" % (what, timeout, last))

    # --- the admin's part -------------------------------------------------------------------------------------
    def kept(self):
        """Names (and the port) the canary stands on, which a canary run's sweep leaves alone."""
        name = self.p["name"]
        return {"server": (self.vm_name,), "router": (name,), "network": ("%s-tenant" % name,),
                "security_group": (name, "default"), "image": (name, "%s-kernel" % name, "%s-initrd" % name)}

    def sweep(self):
        """Remove what an earlier, interrupted run left in the test's project, so that this run starts clean."""
        admin = self.admin = self.connect(self.p.get("admin_user", "admin"), self.p["admin_password"],
                                          self.p.get("admin_project", "admin"))
        self.domain_id = "default" if self.p["domain"] == "Default" else admin.identity.find_domain(
            self.p["domain"], ignore_missing=False).id
        project = admin.identity.find_project(self.p["name"], domain_id=self.domain_id)
        if project is None:
            return "nothing left by an earlier run"
        kept = self.kept()
        servers = list(admin.compute.servers(all_projects=True, project_id=project.id))
        canary = [s for s in servers if s.name == self.vm_name] if self.canary else []
        ports = [p.id for s in canary for p in admin.network.ports(device_id=s.id)]
        kept["port"] = ports[0] if ports else None

        def pick(kind, items):
            rows = [{"name": i.name, "id": i.id, "port_id": getattr(i, "port_id", None), "item": i} for i in items]
            return [row["item"] for row in leftovers(kind, rows, self.canary, kept)]

        gone = []
        doomed = pick("server", servers)
        for server in doomed:
            admin.compute.delete_server(server)
        for server in doomed:
            admin.compute.wait_for_delete(server, wait=300)
            gone.append("VM %s" % server.name)
        for fip in pick("floating_ip", admin.network.ips(project_id=project.id)):
            admin.network.delete_ip(fip)
            gone.append("floating IP %s" % fip.floating_ip_address)
        for router in pick("router", admin.network.routers(project_id=project.id)):
            delete_router(admin, router)
            gone.append("router %s" % router.name)
        for net in pick("network", admin.network.networks(project_id=project.id)):
            admin.network.delete_network(net)
            gone.append("network %s" % net.name)
        for group in pick("security_group", admin.network.security_groups(project_id=project.id)):
            if group.name != "default":
                admin.network.delete_security_group(group)
                gone.append("security group %s" % group.name)
        for image in pick("image", admin.image.images(owner=project.id)):
            admin.image.delete_image(image)
            gone.append("image %s" % image.name)
        if gone:
            return "removed what an earlier run left: %s" % ", ".join(gone)
        return "nothing left by an earlier run" if not self.canary else "nothing but the canary and what it stands on"

    def admin_setup(self):
        admin = self.admin
        name = self.p["name"]
        project = admin.identity.find_project(name, domain_id=self.domain_id)
        if project is None:
            project = admin.identity.create_project(name=name, domain_id=self.domain_id, description="nestedcloud smoke test")

            def drop_project():
                # Neutron keeps a project's security groups (its "default" one too) after Keystone deletes the project
                for group in admin.network.security_groups(project_id=project.id):
                    admin.network.delete_security_group(group)
                admin.identity.delete_project(project)
            self.made("project %s" % name, drop_project)
        elif not self.canary:
            self.cleanup.append(("project %s" % name, lambda: admin.identity.delete_project(project)))
        user = self.ensure_user(project)
        member = admin.identity.find_role("member", ignore_missing=False)
        if not admin.identity.validate_user_has_project_role(project, user, member):
            admin.identity.assign_project_role_to_user(project, user, member)
        spec = self.p["flavor"]
        flavor = admin.compute.find_flavor(spec["name"])
        if flavor is None:
            flavor = admin.compute.create_flavor(name=spec["name"], ram=int(spec["ram"]), vcpus=int(spec["vcpus"]),
                                                 disk=int(spec["disk"]), is_public=True)
            self.made("flavor %s" % spec["name"], lambda: admin.compute.delete_flavor(flavor))
        self.external = self.external_network()
        self.mtu["inner_external"] = admin.network.get_network(self.external.id).mtu
        return "project, member user, flavor %s, external network %s %s (MTU %s)" % (
            spec["name"], self.external.name, self.p["external"]["cidr"], self.mtu["inner_external"])

    def external_network(self):
        """The cloud's external network on the physical network (the verify layer's, or one an earlier run made: one
        flat network per physical network is all Neutron allows), or a new one: ``public`` when kept for the canary
        (the name the verify layer gives it too), ``<name>-external`` when a one-off run deletes it again."""
        admin, ext, name = self.admin, self.p["external"], self.p["name"]
        physnet = ext.get("physnet", "external")
        found = sorted((n for n in admin.network.networks(is_router_external=True)
                        if n.provider_physical_network == physnet), key=lambda n: n.name)
        if found:
            return found[0]
        net = admin.network.create_network(name="public" if self.canary else "%s-external" % name, is_router_external=True,
                                           provider_network_type="flat", provider_physical_network=physnet)
        self.made("external network %s" % net.name, lambda: admin.network.delete_network(net))
        admin.network.create_subnet(network_id=net.id, name=net.name, ip_version=4, cidr=ext["cidr"],
                                    gateway_ip=ext["gateway"], enable_dhcp=False,
                                    allocation_pools=[{"start": ext["pool_start"], "end": ext["pool_end"]}])
        return net

    def password_works(self):
        try:
            self.connect(self.p["name"], self.p["user_password"], self.p["name"]).authorize()
            return True
        except openstack.exceptions.SDKException:
            return False

    def ensure_user(self, project):
        """The test's user, with the password it was given. A user kept from an earlier run keeps its password when
        that still works: Keystone revokes a user's tokens on every password change, and it compares token times in
        whole seconds, so a token issued in the same second as the change is refused as revoked (HTTP 401)."""
        admin, name = self.admin, self.p["name"]
        user = admin.identity.find_user(name, domain_id=self.domain_id)
        if user is None:
            user = admin.identity.create_user(name=name, password=self.p["user_password"], domain_id=self.domain_id,
                                              default_project_id=project.id)
            self.made("user %s" % name, lambda: admin.identity.delete_user(user))
            return user
        if not self.canary:
            self.cleanup.append(("user %s" % name, lambda: admin.identity.delete_user(user)))
        if not self.password_works():
            admin.identity.update_user(user, password=self.p["user_password"])
            time.sleep(1.1)  # Keystone's clock is past the revocation's second when this returns + 1 s
        return user

    # --- the user's part --------------------------------------------------------------------------------------
    def user_setup(self):
        conn = self.conn = self.connect(self.p["name"], self.p["user_password"], self.p["name"])
        name, ten = self.p["name"], self.p["tenant"]
        self.image = self.ensure_image()
        net = conn.network.find_network("%s-tenant" % name)
        if net is None:
            net = conn.network.create_network(name="%s-tenant" % name)
            self.made("tenant network", lambda: conn.network.delete_network(net))
        subnet = conn.network.find_subnet("%s-tenant" % name, network_id=net.id)
        if subnet is None:
            subnet = conn.network.create_subnet(network_id=net.id, name="%s-tenant" % name, ip_version=4,
                                                cidr=ten["cidr"], gateway_ip=ten["gateway"],
                                                dns_nameservers=ten.get("dns") or [])
        self.mtu["inner_tenant"] = conn.network.get_network(net.id).mtu
        if ten.get("mtu") and int(ten["mtu"]) != self.mtu["inner_tenant"]:
            raise RuntimeError("Neutron gave the tenant network MTU %s, the plan derived %s for its encapsulation: "
                               "Neutron's path_mtu or its tunnel header size differs from the plan's"
                               % (self.mtu["inner_tenant"], ten["mtu"]))
        self.ensure_router(subnet)
        self.group = self.ensure_group()
        self.keypair = self.ensure_keypair()
        self.net = net
        return "image %s, tenant network %s (MTU %s), router, security group, keypair%s" % (
            self.image.id[:8], ten["cidr"], self.mtu["inner_tenant"],
            "; made: %s" % ", ".join(self.created) if self.canary and self.created else "")

    def ensure_image(self):
        conn, name = self.conn, self.p["name"]
        mine = [i for i in conn.image.images(name=name) if i.owner == conn.current_project_id and i.status == "active"]
        if mine:
            return mine[0]
        return upload_image(conn, name, self.p["image"], self.tmp, on_made=lambda i: self.made(
            "image %s" % i.name, lambda: conn.delete_image(i.id)))[-1]

    def ensure_router(self, subnet):
        conn, name = self.conn, self.p["name"]
        router = conn.network.find_router(name)
        if router is None:
            router = conn.network.create_router(name=name, external_gateway_info={"network_id": self.external.id})
            self.made("router", lambda: conn.network.delete_router(router))
        attached = [p for p in conn.network.ports(device_id=router.id, device_owner="network:router_interface")
                    if any(ip.get("subnet_id") == subnet.id for ip in p.fixed_ips or [])]
        if not attached:
            conn.network.add_interface_to_router(router, subnet_id=subnet.id)
            self.made("router interface", lambda: conn.network.remove_interface_from_router(router, subnet_id=subnet.id))
        return router

    def ensure_group(self):
        conn, name = self.conn, self.p["name"]
        group = conn.network.find_security_group(name, project_id=conn.current_project_id)
        if group is None:
            group = conn.network.create_security_group(name=name, description="nestedcloud smoke test: ICMP and SSH")
            self.made("security group", lambda: conn.network.delete_security_group(group))
        have = {(r.protocol, r.port_range_min) for r in conn.network.security_group_rules(security_group_id=group.id)
                if r.direction == "ingress" and r.ether_type == "IPv4"}
        for proto, port in (("icmp", None), ("tcp", 22)):
            if (proto, port) not in have:
                conn.network.create_security_group_rule(security_group_id=group.id, direction="ingress",
                                                        ethertype="IPv4", protocol=proto, port_range_min=port,
                                                        port_range_max=port, remote_ip_prefix="0.0.0.0/0")
        return group

    def ensure_keypair(self):
        """The keypair of the VM, its private key in ``self.key``: a canary's is kept in key_file (made once, 0600);
        a one-off run's is new each time. ``rekeyed`` says the keypair was made anew, so a kept VM cannot be entered."""
        conn, name = self.conn, self.p["name"]
        if not os.path.exists(self.key):
            os.makedirs(os.path.dirname(self.key) or ".", mode=0o700, exist_ok=True)
            rc, out = self.run_cmd(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", self.key])
            if rc:
                raise RuntimeError("ssh-keygen: %s" % out)
        with open(self.key + ".pub") as handle:
            public = handle.read().strip()
        keypair = conn.compute.find_keypair(name)
        if keypair is not None and same_key(keypair.public_key, public):
            return keypair
        if keypair is not None:  # an earlier run's: its private key is gone with that run
            conn.compute.delete_keypair(name)
        keypair = conn.compute.create_keypair(name=name, public_key=public)
        self.rekeyed = True
        self.made("keypair", lambda: conn.compute.delete_keypair(keypair))
        return keypair

    def boot(self):
        """The VM ACTIVE: booted, or for a canary the one kept (started again when shut off, booted anew when it
        cannot be the same)."""
        conn = self.conn
        found = conn.compute.find_server(self.vm_name) if self.canary else None
        current = conn.compute.get_server(found.id) if found is not None else None
        action = canary_action(current.status if current is not None else None, self.rekeyed)
        note = ""
        if action == "replace":
            note = "; replaced the kept one (%s)" % ("its key was lost" if self.rekeyed else "in ERROR: %s" % (
                current.fault or {}).get("message", "no fault"))
            conn.compute.delete_server(current)
            conn.compute.wait_for_delete(current, wait=300)
            self.changed = True
            action = "boot"
        if action == "boot":
            flavor = conn.compute.find_flavor(self.p["flavor"]["name"], ignore_missing=False)
            current = conn.compute.create_server(name=self.vm_name, image_id=self.image.id, flavor_id=flavor.id,
                                                 networks=[{"uuid": self.net.id}], key_name=self.keypair.name,
                                                 security_groups=[{"name": self.group.name}])
            server = current
            # gone, not just asked to go: its port holds the security group and the network
            self.made("VM %s" % self.vm_name,
                      lambda: (conn.compute.delete_server(server), conn.compute.wait_for_delete(server, wait=300)))
        elif action == "start":
            conn.compute.start_server(current)
            self.changed = True
            note = "; started again (it was SHUTOFF)"
        self.server = current
        booted = action == "boot"

        def active():
            now = conn.compute.get_server(current.id)
            if now.status == "ERROR":
                raise RuntimeError("ERROR: %s" % (now.fault or {}).get("message", "no fault"))
            return now.status == "ACTIVE", now.status
        self.wait("ACTIVE", active, self.p["timeout"])
        admin_view = self.admin.compute.get_server(current.id)  # only admins see the host
        host = admin_view.compute_host or admin_view.hypervisor_hostname or "a compute host"
        self.vm = {"name": self.vm_name, "id": current.id, "host": host, "booted": booted,
                   "created_at": admin_view.created_at}
        if booted:
            return "booted on %s%s" % (host, note)
        return "kept, on %s since %s%s" % (host, admin_view.created_at, note)

    def floating_ip(self):
        conn = self.conn
        port = next(iter(conn.network.ports(device_id=self.server.id)))
        fips = list(conn.network.ips(port_id=port.id))
        if fips:
            fip = fips[0]
        else:
            fip = conn.network.create_ip(floating_network_id=self.external.id, port_id=port.id)
            self.made("floating IP", lambda: conn.network.delete_ip(fip))
        self.fip, self.fixed = fip.floating_ip_address, port.fixed_ips[0]["ip_address"]
        self.vm.update(floating_ip=self.fip, fixed_ip=self.fixed)
        return "%s -> %s" % (self.fip, self.fixed)

    def ping(self):
        def probe():
            rc, out = self.run_cmd(["ping", "-c", "1", "-W", "2", self.fip])
            return rc == 0, out.splitlines()[-1] if out else ""
        return self.wait("ping %s" % self.fip, probe, self.p["timeout"], interval=1)

    def ssh_in(self):
        def probe():
            rc, out = self.ssh(self.fip, "hostname; cat /sys/class/net/eth0/mtu")
            return rc == 0, out
        out = self.wait("SSH to %s" % self.fip, probe, self.p["timeout"]).split()
        self.mtu["guest"] = int(out[-1]) if out and out[-1].isdigit() else None
        if self.mtu["guest"] != self.mtu["inner_tenant"]:
            raise RuntimeError("the VM's MTU is %s, the tenant network's %s" % (self.mtu["guest"], self.mtu["inner_tenant"]))
        return "logged in as %s on %s, MTU %s" % (self.p["ssh_user"], out[0] if out else "?", self.mtu["guest"])

    def from_inside(self, target, what):
        rc, out = self.ssh(self.fip, "ping -c 2 -W 3 %s" % target)
        if rc:
            raise RuntimeError("%s (%s) did not answer from inside the VM: %s" % (what, target, out))
        return out.splitlines()[-1] if out else ""

    def run(self):
        try:
            self.check("leftovers of an earlier run", self.sweep)
            self.check("inner cloud set up as admin", self.admin_setup)
            self.check("tenant resources as an ordinary member", self.user_setup)
            self.check("VM ACTIVE", self.boot)
            self.check("floating IP", self.floating_ip)
            self.check("ping to the floating IP from r0", self.ping)
            self.check("SSH with the keypair", self.ssh_in)
            self.check("VM reaches the router on the tenant network (L2)",
                       lambda: self.from_inside(self.p["tenant"]["gateway"], "the router"))
            self.check("VM reaches r0 on the external network (L3)",
                       lambda: self.from_inside(self.p["external"]["gateway"], "r0"))
        except CheckFailed:
            try:
                if self.server is not None:
                    self.console = (self.conn.compute.get_server_console_output(self.server) or {}).get("output", "")[-3000:]
            except Exception:  # pylint: disable=broad-except
                self.console = None
        finally:
            if not self.canary and not self.p.get("keep"):
                self.tear_down()
            if self._tmp is not None:
                shutil.rmtree(self._tmp, ignore_errors=True)
                self._tmp = None

    def tear_down(self):
        errors, start = [], time.monotonic()
        for what, undo in reversed(self.cleanup):
            try:
                undo()
            except Exception as err:  # pylint: disable=broad-except
                errors.append("%s: %s" % (what, err))
        self.checks.append({"name": "cleanup", "ok": not errors, "seconds": round(time.monotonic() - start, 1),
                            "detail": "; ".join(errors) or
                            "deleted %d resources" % len(self.created)})

    def result(self):
        failed = [c["name"] for c in self.checks if not c["ok"]]
        changed = self.changed or bool(self.p.get("keep") and self.created)
        return failed, dict(changed=changed, passed=bool(self.checks) and not failed, checks=self.checks, mtu=self.mtu,
                            created=self.created, vm=self.vm)
