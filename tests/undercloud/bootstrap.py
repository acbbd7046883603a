# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bootstrap steps of the local undercloud that talk to its APIs (run by undercloud.sh).

  bootstrap.py catalog   roles, service users, the demo project and user, services and endpoints
  bootstrap.py ready     wait for the hypervisor, a live Neutron agent, nova services (and
                         cinder-volume), then create flavors, an image and the external network

Runs with Debian's python3 and openstacksdk (python3-openstackclient pulls them in), so it needs
nothing else. Credentials come from the OS_* environment or OS_CLOUD.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from keystoneauth1 import _fair_semaphore

# keystoneauth1 schedules requests with time.time(): a wall clock stepped backwards would make
# every request sleep for the size of the step. Durations here use the monotonic clock.
_fair_semaphore.time = type("MonotonicTime", (), {"time": staticmethod(time.monotonic),
                                                  "sleep": staticmethod(time.sleep)})

import openstack  # noqa: E402  (after the patch above)

SERVICES = [
    ("glance", "image", "http://127.0.0.1:9292"),
    ("placement", "placement", "http://127.0.0.1:8778"),
    ("nova", "compute", "http://127.0.0.1:8774/v2.1"),
    ("neutron", "network", "http://127.0.0.1:9696"),
]
CINDER = [
    ("cinderv3", "volumev3", "http://127.0.0.1:8776/v3/%(project_id)s"),
    ("cinder", "block-storage", "http://127.0.0.1:8776/v3/%(project_id)s"),
]
# The classic sizes, so that the default lab definition (m1.small r0, m1.xlarge uc-) fits.
FLAVORS = [("m1.tiny", 512, 1, 1), ("m1.small", 2048, 1, 20), ("m1.medium", 4096, 2, 40),
           ("m1.large", 8192, 4, 80), ("m1.xlarge", 16384, 8, 160)]


def catalog(conn, cinder):
    idn = conn.identity

    def role(name):
        return idn.find_role(name) or idn.create_role(name=name)

    def project(name):
        return idn.find_project(name, domain_id="default") or idn.create_project(name=name, domain_id="default")

    def user(name, password, default_project=None):
        found = idn.find_user(name, domain_id="default")
        if found:
            return found
        extra = {"default_project_id": default_project.id} if default_project else {}
        return idn.create_user(name=name, password=password, domain_id="default", **extra)

    admin, member, service = role("admin"), role("member"), role("service")
    svc = project("service")
    for name in ["glance", "placement", "nova", "neutron"] + (["cinder"] if cinder else []):
        account = user(name, os.environ["UC_SERVICE_PASSWORD"])
        idn.assign_project_role_to_user(svc, account, admin)
        idn.assign_project_role_to_user(svc, account, service)
    demo = project(os.environ["UC_DEMO_PROJECT"])
    idn.assign_project_role_to_user(demo, user(os.environ["UC_DEMO_USER"], os.environ["UC_DEMO_PASSWORD"], demo),
                                    member)
    for name, kind, url in SERVICES + (CINDER if cinder else []):
        entry = idn.find_service(name) or idn.create_service(name=name, type=kind, is_enabled=True)
        have = set(e.interface for e in idn.endpoints(service_id=entry.id))
        for interface in ("public", "internal", "admin"):
            if interface not in have:
                idn.create_endpoint(service_id=entry.id, interface=interface, url=url, region_id="RegionOne")
    print("catalog: %d services, project %s with a member user" % (len(SERVICES) + (2 if cinder else 0), demo.name))


def _cinder_volume_up(conn):
    services = conn.block_storage.get("/os-services").json().get("services", [])
    return [s for s in services if s["binary"] == "cinder-volume" and s["state"] == "up"]


def ready(conn, cinder, limit=240):
    start = time.monotonic()
    last = -10.0
    while True:
        hypervisors = list(conn.compute.hypervisors())
        agents = [a for a in conn.network.agents() if a.is_alive]
        services = [s for s in conn.compute.services() if s.state == "up"]
        volume = _cinder_volume_up(conn) if cinder else [True]
        waiting = [what for what, ok in (("hypervisor", hypervisors), ("neutron agent", agents),
                                         ("3 nova services", len(services) >= 3), ("cinder-volume", volume))
                   if not ok]
        elapsed = time.monotonic() - start
        if not waiting:
            break
        if elapsed > limit:
            sys.exit("not ready after %ds, still waiting for: %s" % (limit, ", ".join(waiting)))
        if elapsed - last >= 10:
            print("waiting for %s (%d of 4 ready, %ds)" % (", ".join(waiting), 4 - len(waiting), elapsed), flush=True)
            last = elapsed
        time.sleep(1)
    print("ready after %.1fs: hypervisor %s, %d agents, %d nova services"
          % (time.monotonic() - start, hypervisors[0].name, len(agents), len(services)))
    for name, ram, vcpus, disk in FLAVORS:
        if not conn.compute.find_flavor(name):
            conn.compute.create_flavor(name=name, ram=ram, vcpus=vcpus, disk=disk, is_public=True)
    if not conn.image.find_image("cirros"):
        with tempfile.NamedTemporaryFile(suffix=".img") as handle:
            handle.write(b"\0" * 1048576)  # the fake driver never reads it
            handle.flush()
            conn.create_image("cirros", filename=handle.name, disk_format="raw", container_format="bare",
                              visibility="public", wait=True)
    if not conn.network.find_network("public"):
        net = conn.network.create_network(name="public", is_router_external=True, is_shared=False,
                                          provider_network_type="flat", provider_physical_network="public")
        # TEST-NET-3 (RFC 5737): never routed, and only on a dead-end veth pair
        conn.network.create_subnet(network_id=net.id, name="public-subnet", ip_version=4, cidr="203.0.113.0/24",
                                   gateway_ip="203.0.113.1", enable_dhcp=False,
                                   allocation_pools=[{"start": "203.0.113.10", "end": "203.0.113.250"}])
    print("base resources: flavors %s, image cirros, external network public"
          % "/".join(f[0] for f in FLAVORS))


def main(argv):
    cinder = os.environ.get("UC_CINDER", "1") == "1"
    conn = openstack.connect()
    if argv[1:] == ["catalog"]:
        catalog(conn, cinder)
    elif argv[1:] == ["ready"]:
        ready(conn, cinder)
    else:
        sys.exit("usage: bootstrap.py catalog|ready")


if __name__ == "__main__":
    main(sys.argv)
