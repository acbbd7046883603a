#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: overcloud_smoke
short_description: Prove the inner cloud works - networks, router, a tenant VM reached over its floating IP
version_added: 0.1.0
description:
  - As the inner cloud's admin, makes a project and an ordinary member user, a tiny flavor and the external (flat,
    provider) network on the overlay, unless the cloud has its own external network on that physical network (the
    verify layer's C(public)), which it then uses and keeps; as that user, uploads the test image, makes a tenant network, a router with its
    gateway on the external network, a security group (ICMP and SSH), a keypair, boots a VM and gives it a floating IP.
  - Checks, each timed - the VM reaches ACTIVE; it answers ping on its floating IP from this host; it accepts SSH with
    the keypair; from inside it reaches the router on the tenant network (L2) and this host's address on the external
    network (L3, through the router); its MTU is the tenant network's.
  - Then deletes what it made, unless O(keep=true). Runs on r0 (it pings and SSHes from there).
  - Returns every check with its result; C(failed) is set when any check failed, after the cleanup.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: none
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - openstacksdk >= 0.101
  - ssh, ssh-keygen and ping on the host it runs on
options:
  auth_url:
    description: Keystone's URL, with C(/v3).
    type: str
    required: true
  admin_password:
    description: Password of the inner cloud's C(admin).
    type: str
    required: true
  user_password:
    description: Password of the smoke test's own user (made if missing).
    type: str
    required: true
  region:
    description: Region.
    type: str
    default: RegionOne
  domain:
    description:
      - Keystone domain of C(admin) and its project; the test's project and user are made in it too. Charmed
        OpenStack's is C(admin_domain).
    type: str
    default: Default
  cacert:
    description: CA bundle of the inner cloud's TLS endpoints (charmed OpenStack's Vault CA); unset for plain HTTP.
    type: path
  name:
    description: Prefix of everything the test makes (project, user, networks, VM).
    type: str
    default: smoke
  external:
    description: The external network - C(cidr), C(gateway) (this host's address on it), C(pool_start), C(pool_end),
      C(physnet).
    type: dict
    required: true
  tenant:
    description:
      - The tenant network - C(cidr), C(gateway), C(dns) (list), and C(mtu), the MTU the plan derived for it (what
        Neutron must give it for the network backend's encapsulation; the check fails naming both when Neutron
        gives another). Without C(mtu), Neutron's is taken as it is.
    type: dict
    required: true
  image:
    description: The test image - either C(file) (a disk image on this host, with C(format)), or C(kernel) and
      C(initrd) (files on this host) for direct kernel boot of a tiny image with an empty root disk; C(cmdline) is then
      its kernel command line (Glance's C(os_command_line), default C(console=tty0 console=ttyS0) so that the console log
      shows the init's output).
    type: dict
    required: true
  flavor:
    description: The flavor the VM gets (made if missing) - C(name), C(ram), C(vcpus), C(disk).
    type: dict
    default: {name: smoke.tiny, ram: 256, vcpus: 1, disk: 1}
  ssh_user:
    description: User of the VM for SSH.
    type: str
    default: root
  timeout:
    description: Seconds allowed for the VM to become ACTIVE and then for it to answer.
    type: int
    default: 600
  keep:
    description: Keep everything the test made (for a look around afterwards).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Smoke test of the inner cloud, from r0
  nestedcloud.openstack.overcloud_smoke:
    auth_url: http://10.22.0.11:5000/v3
    admin_password: "{{ admin_password }}"
    user_password: "{{ smoke_password }}"
    external: {cidr: 10.44.0.0/16, gateway: 10.44.0.1, pool_start: 10.44.1.1, pool_end: 10.44.255.254, physnet: external}
    tenant: {cidr: 10.55.0.0/16, gateway: 10.55.0.1, dns: [10.44.0.1]}
    image: {file: /var/tmp/cirros.img, format: qcow2}
  register: smoke
"""

RETURN = r"""
passed:
  description: Whether every check passed (false as well when no check ran). Use this, not C(failed), after C(failed_when).
  returned: always
  type: bool
  sample: true
checks:
  description: Every check in order, with its result, its duration in seconds and what was seen.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "VM ACTIVE", "ok": true, "seconds": 41.2, "detail": "on uc-0002"}]
mtu:
  description: MTU of the inner networks (as Neutron set them) and inside the VM.
  returned: always
  type: dict
  sample: {"inner_external": 1400, "inner_tenant": 1350, "guest": 1350}
console:
  description: The end of the VM's console log when a check failed.
  returned: when a check failed
  type: str
created:
  description: What the test made (and deleted again unless keep).
  returned: always
  type: list
  elements: str
"""

import os
import shutil
import subprocess
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.api import (
    check_image_files, connect, delete_router, openstack, require_sdk, upload_image)


class CheckFailed(Exception):
    pass


class Smoke:
    domain_id = "default"  # the id of the domain option's domain, found by sweep() when it is not Default

    def __init__(self, module):
        self.p = module.params
        self.checks, self.created, self.cleanup, self.mtu = [], [], [], {}
        self.console = None
        self.tmp = tempfile.mkdtemp(prefix="nestedcloud-smoke-")
        self.key = os.path.join(self.tmp, "id_ed25519")

    def connect(self, user, password, project):
        return connect(self.p["auth_url"], user, password, project, self.p["region"], domain=self.p["domain"],
                       cacert=self.p["cacert"])

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
        self.created.append(what)
        self.cleanup.append((what, undo))

    def run_cmd(self, argv, timeout=30):
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
        return done.returncode, (done.stdout + done.stderr).strip()

    def ssh(self, ip, command, timeout=30):
        return self.run_cmd(["ssh", "-i", self.key, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                             "-o", "ConnectTimeout=5", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
                             "%s@%s" % (self.p["ssh_user"], ip), command], timeout=timeout)

    def wait(self, what, probe, timeout):
        deadline, last = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            ok, last = probe()
            if ok:
                return last
            time.sleep(2)
        raise RuntimeError("%s: not after %d s (%s)" % (what, timeout, last))

    # --- the admin's part -------------------------------------------------------------------------------------
    def sweep(self):
        """Remove what an earlier, interrupted run left in the test's project, so that this run starts clean."""
        admin = self.admin = self.connect("admin", self.p["admin_password"], "admin")
        self.domain_id = "default" if self.p["domain"] == "Default" else admin.identity.find_domain(
            self.p["domain"], ignore_missing=False).id
        project = admin.identity.find_project(self.p["name"], domain_id=self.domain_id)
        if project is None:
            return "nothing left by an earlier run"
        gone = []
        servers = list(admin.compute.servers(all_projects=True, project_id=project.id))
        for server in servers:
            admin.compute.delete_server(server)
        for server in servers:
            admin.compute.wait_for_delete(server, wait=300)
            gone.append("VM %s" % server.name)
        for fip in admin.network.ips(project_id=project.id):
            admin.network.delete_ip(fip)
            gone.append("floating IP %s" % fip.floating_ip_address)
        for router in admin.network.routers(project_id=project.id):
            delete_router(admin, router)
            gone.append("router %s" % router.name)
        for net in admin.network.networks(project_id=project.id):
            admin.network.delete_network(net)
            gone.append("network %s" % net.name)
        for group in admin.network.security_groups(project_id=project.id):
            if group.name != "default":
                admin.network.delete_security_group(group)
                gone.append("security group %s" % group.name)
        for image in admin.image.images(owner=project.id):
            admin.image.delete_image(image)
            gone.append("image %s" % image.name)
        return "removed what an earlier run left: %s" % (", ".join(gone) or "nothing but the project")

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
        user = self.ensure_user(project)
        self.made("user %s" % name, lambda: admin.identity.delete_user(user))
        member = admin.identity.find_role("member", ignore_missing=False)
        if not admin.identity.validate_user_has_project_role(project, user, member):
            admin.identity.assign_project_role_to_user(project, user, member)
        spec = self.p["flavor"]
        flavor = admin.compute.find_flavor(spec["name"])
        if flavor is None:
            flavor = admin.compute.create_flavor(name=spec["name"], ram=int(spec["ram"]), vcpus=int(spec["vcpus"]),
                                                 disk=int(spec["disk"]), is_public=True)
            self.made("flavor %s" % spec["name"], lambda: admin.compute.delete_flavor(flavor))
        ext = self.p["external"]
        physnet = ext.get("physnet", "external")
        net = admin.network.find_network("%s-external" % name)
        # the cloud's own external network on that physical network (the verify layer's `public`): one flat
        # network per physical network is all Neutron allows
        shared = None if net else next((n for n in admin.network.networks(is_router_external=True)
                                        if n.provider_physical_network == physnet), None)
        if shared is not None:
            net = shared
        elif net is None:
            net = admin.network.create_network(name="%s-external" % name, is_router_external=True,
                                               provider_network_type="flat",
                                               provider_physical_network=physnet)
            admin.network.create_subnet(network_id=net.id, name="%s-external" % name, ip_version=4, cidr=ext["cidr"],
                                        gateway_ip=ext["gateway"], enable_dhcp=False,
                                        allocation_pools=[{"start": ext["pool_start"], "end": ext["pool_end"]}])
        if shared is None:
            self.made("external network", lambda: admin.network.delete_network(net))
        self.mtu["inner_external"] = admin.network.get_network(net.id).mtu
        self.external = net
        return "project, member user, flavor %s, external network %s (MTU %s)" % (
            spec["name"], ext["cidr"], self.mtu["inner_external"])

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
            return admin.identity.create_user(name=name, password=self.p["user_password"], domain_id=self.domain_id,
                                              default_project_id=project.id)
        if not self.password_works():
            admin.identity.update_user(user, password=self.p["user_password"])
            time.sleep(1.1)  # Keystone's clock is past the revocation's second when this returns + 1 s
        return user

    # --- the user's part --------------------------------------------------------------------------------------
    def user_setup(self):
        conn = self.connect(self.p["name"], self.p["user_password"], self.p["name"])
        name, image = self.p["name"], self.p["image"]
        self.conn = conn
        self.image = upload_image(conn, name, image, self.tmp, on_made=lambda i: self.made(
            "image %s" % i.name, lambda: conn.delete_image(i.id)))[-1]
        ten = self.p["tenant"]
        net = conn.network.create_network(name="%s-tenant" % name)
        self.made("tenant network", lambda: conn.network.delete_network(net))
        subnet = conn.network.create_subnet(network_id=net.id, name="%s-tenant" % name, ip_version=4, cidr=ten["cidr"],
                                            gateway_ip=ten["gateway"], dns_nameservers=ten.get("dns") or [])
        self.mtu["inner_tenant"] = conn.network.get_network(net.id).mtu
        if ten.get("mtu") and int(ten["mtu"]) != self.mtu["inner_tenant"]:
            raise RuntimeError("Neutron gave the tenant network MTU %s, the plan derived %s for its encapsulation: "
                               "Neutron's path_mtu or its tunnel header size differs from the plan's"
                               % (self.mtu["inner_tenant"], ten["mtu"]))
        router = conn.network.create_router(name=name, external_gateway_info={"network_id": self.external.id})
        self.made("router", lambda: conn.network.delete_router(router))
        conn.network.add_interface_to_router(router, subnet_id=subnet.id)
        self.cleanup.append(("router interface", lambda: conn.network.remove_interface_from_router(router, subnet_id=subnet.id)))
        group = conn.network.create_security_group(name=name, description="nestedcloud smoke test: ICMP and SSH")
        self.made("security group", lambda: conn.network.delete_security_group(group))
        for proto, port in (("icmp", None), ("tcp", 22)):
            conn.network.create_security_group_rule(security_group_id=group.id, direction="ingress", ethertype="IPv4",
                                                    protocol=proto, port_range_min=port, port_range_max=port,
                                                    remote_ip_prefix="0.0.0.0/0")
        rc, out = self.run_cmd(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", self.key])
        if rc:
            raise RuntimeError("ssh-keygen: %s" % out)
        if conn.compute.find_keypair(name) is not None:  # an earlier run's: its private key is gone with that run
            conn.compute.delete_keypair(name)
        with open(self.key + ".pub") as handle:
            keypair = conn.compute.create_keypair(name=name, public_key=handle.read().strip())
        self.made("keypair", lambda: conn.compute.delete_keypair(keypair))
        self.net, self.group, self.keypair = net, group, keypair
        return "image %s, tenant network %s (MTU %s), router, security group, keypair" % (
            self.image.id[:8], ten["cidr"], self.mtu["inner_tenant"])

    def boot(self):
        conn = self.conn
        flavor = conn.compute.find_flavor(self.p["flavor"]["name"], ignore_missing=False)
        server = conn.compute.create_server(name="%s-vm" % self.p["name"], image_id=self.image.id, flavor_id=flavor.id,
                                            networks=[{"uuid": self.net.id}], key_name=self.keypair.name,
                                            security_groups=[{"name": self.group.name}])
        self.server = server
        # gone, not just asked to go: its port holds the security group and the network
        self.made("VM", lambda: (conn.compute.delete_server(server), conn.compute.wait_for_delete(server, wait=300)))

        def active():
            current = conn.compute.get_server(server.id)
            if current.status == "ERROR":
                raise RuntimeError("ERROR: %s" % (current.fault or {}).get("message", "no fault"))
            return current.status == "ACTIVE", current.status
        self.wait("ACTIVE", active, self.p["timeout"])
        current = self.admin.compute.get_server(server.id)  # only admins see the host
        return "on %s" % (current.compute_host or current.hypervisor_hostname or "a compute host")

    def floating_ip(self):
        conn = self.conn
        port = next(iter(conn.network.ports(device_id=self.server.id)))
        fip = conn.network.create_ip(floating_network_id=self.external.id, port_id=port.id)
        self.made("floating IP", lambda: conn.network.delete_ip(fip))
        self.fip, self.fixed = fip.floating_ip_address, port.fixed_ips[0]["ip_address"]
        return "%s -> %s" % (self.fip, self.fixed)

    def ping(self):
        def probe():
            rc, out = self.run_cmd(["ping", "-c", "1", "-W", "2", self.fip])
            return rc == 0, out.splitlines()[-1] if out else ""
        return self.wait("ping %s" % self.fip, probe, self.p["timeout"])

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
                if getattr(self, "server", None) is not None:
                    self.console = (self.conn.compute.get_server_console_output(self.server) or {}).get("output", "")[-3000:]
            except Exception:  # pylint: disable=broad-except
                self.console = None
        finally:
            if not self.p["keep"]:
                self.tear_down()
            shutil.rmtree(self.tmp, ignore_errors=True)

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


def main():
    module = AnsibleModule(
        argument_spec=dict(
            auth_url=dict(type="str", required=True),
            admin_password=dict(type="str", required=True, no_log=True),
            user_password=dict(type="str", required=True, no_log=True),
            region=dict(type="str", default="RegionOne"),
            domain=dict(type="str", default="Default"),
            cacert=dict(type="path"),
            name=dict(type="str", default="smoke"),
            external=dict(type="dict", required=True),
            tenant=dict(type="dict", required=True),
            image=dict(type="dict", required=True),
            flavor=dict(type="dict", default={"name": "smoke.tiny", "ram": 256, "vcpus": 1, "disk": 1}),
            ssh_user=dict(type="str", default="root"),
            timeout=dict(type="int", default=600),
            keep=dict(type="bool", default=False),
        ),
        supports_check_mode=False,
    )
    require_sdk(module)
    p = module.params
    for field, keys in (("external", ("cidr", "gateway", "pool_start", "pool_end")), ("tenant", ("cidr", "gateway")),
                        ("flavor", ("name", "ram", "vcpus", "disk"))):
        missing = [key for key in keys if not p[field].get(key)]
        if missing:
            module.fail_json(msg="%s: missing %s" % (field, ", ".join(missing)))
    bad = check_image_files(p["image"])
    if bad:
        module.fail_json(msg=bad)
    smoke = Smoke(module)
    smoke.run()
    # what it made is gone again unless keep: only then has anything changed
    failed = [c["name"] for c in smoke.checks if not c["ok"]]
    result = dict(changed=bool(p["keep"] and smoke.created), passed=bool(smoke.checks) and not failed, checks=smoke.checks,
                  mtu=smoke.mtu, created=smoke.created)
    if failed:
        module.fail_json(msg="smoke test failed: %s" % ", ".join(failed), console=smoke.console, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
