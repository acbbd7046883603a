# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verifier of the overlay scenario: the mesh carries traffic at exactly the planned MTU, and survives a reboot."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

OVERLAY = {"nco-r0": "10.33.0.1", "nco-uc-0001": "10.33.0.11", "nco-uc-0002": "10.33.0.12", "nco-uc-0003": "10.33.0.13"}
UNDERLAY = {"nco-r0": "10.22.0.10", "nco-uc-0001": "10.22.0.11", "nco-uc-0002": "10.22.0.12", "nco-uc-0003": "10.22.0.13"}
MTU = 1400  # underlay 1450 - 50
PROJECT = os.environ.get("MOLECULE_PROJECT_DIRECTORY", ".")
ENV = dict(os.environ, CONTAINERS_CONF=os.path.join(PROJECT, "tests", "hosts", "containers.conf"))


def name_of(host):
    return host.backend.get_hostname()


def test_devices_and_mesh(host):
    me = name_of(host)
    link = json.loads(host.check_output("ip -j -d link show dev vxlan10"))[0]
    data = link["linkinfo"]["info_data"]
    assert (data["id"], data["port"], data["local"], link["mtu"], link["master"]) == (
        10, 4789, UNDERLAY[me], MTU, "br-vxlan10")
    fdb = json.loads(host.check_output("bridge -j fdb show dev vxlan10"))
    peers = sorted(e["dst"] for e in fdb if e["mac"] == "00:00:00:00:00:00")
    assert peers == sorted(ip for h, ip in UNDERLAY.items() if h != me)
    bridge = json.loads(host.check_output("ip -j addr show dev br-vxlan10"))[0]
    assert bridge["mtu"] == MTU
    addrs = sorted("%s/%s" % (a["local"], a["prefixlen"]) for a in bridge["addr_info"] if a["family"] == "inet")
    want = ["10.33.0.1/16", "10.44.0.1/16"] if me == "nco-r0" else [OVERLAY[me] + "/16"]
    assert addrs == want


def test_every_host_pings_every_other_at_exactly_the_mtu(host):
    me = name_of(host)
    for other, addr in OVERLAY.items():
        if other == me:
            continue
        fits = host.run("ping -c1 -W2 -M do -s %s %s", str(MTU - 28), addr)
        assert fits.rc == 0, "%s -> %s at %d: %s" % (me, other, MTU, fits.stdout + fits.stderr)
    over = host.run("ping -c1 -W2 -M do -s %s %s", str(MTU - 27), OVERLAY["nco-r0" if me != "nco-r0" else "nco-uc-0001"])
    assert over.rc != 0 and "message too long" in (over.stdout + over.stderr).lower()  # Debian 13: "Message"


def test_boot_unit_is_enabled(host):
    assert host.service("nestedcloud-overlay").is_enabled
    assert host.file("/usr/local/lib/nestedcloud/overlay.sh").contains("bridge fdb append")


def _podman(*args, check=True):
    return subprocess.run(["podman"] + list(args), env=ENV, capture_output=True, text=True, check=check)


def test_overlay_survives_a_reboot(host):
    """Reboot uc-0002: its kernel state goes (the devices are deleted from its namespace, as a reboot
    clears them), the container restarts, and nestedcloud-overlay.service must rebuild the whole overlay."""
    if name_of(host) != "nco-uc-0002":
        pytest.skip("one host is rebooted")
    ns = "nco-uc-0002"
    _podman("stop", "-t", "10", ns)
    for dev in ("vxlan10", "br-vxlan10"):
        subprocess.run(["ip", "-n", ns, "link", "del", "dev", dev], check=False)
    gone = subprocess.run(["ip", "-n", ns, "link", "show", "dev", "vxlan10"], capture_output=True, check=False)
    assert gone.returncode != 0
    _podman("start", ns)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = _podman("exec", ns, "systemctl", "is-system-running", check=False).stdout.strip()
        ping = _podman("exec", ns, "ping", "-c1", "-W1", "-M", "do", "-s", str(MTU - 28), "10.33.0.1", check=False)
        if state in ("running", "degraded") and ping.returncode == 0:
            break
        time.sleep(1)
    else:
        pytest.fail("after the reboot the overlay did not come back: systemd %s, ping %s" % (state, ping.stdout))
    fdb = _podman("exec", ns, "bridge", "-j", "fdb", "show", "dev", "vxlan10").stdout
    peers = sorted(e["dst"] for e in json.loads(fdb) if e["mac"] == "00:00:00:00:00:00")
    assert peers == ["10.22.0.10", "10.22.0.11", "10.22.0.13"]
    # libvirt starts oc-0002 again (autostart) after the overlay unit rebuilt its bridge
    deadline = time.monotonic() + 90
    while _podman("exec", ns, "ping", "-c1", "-W1", "10.33.1.2", check=False).returncode != 0:
        assert time.monotonic() < deadline, "oc-0002 did not come back after its hypervisor rebooted"
        time.sleep(1)
