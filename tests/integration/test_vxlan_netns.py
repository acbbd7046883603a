# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""nestedcloud.openstack.vxlan on real kernel VXLAN devices, in network namespaces this test makes.

Three "hosts" (namespaces nc-vx<pid>-h1..3, eth0 = 10.22.0.1x/16, MTU 1450 like a Neutron tenant
network) hang on a bridge in a "switch" namespace; nothing is addressed in the root namespace.
The module runs inside each host namespace (``ip netns exec NS ansible-playbook``).
"""

from __future__ import annotations

import os
import subprocess

import pytest

from ._runner import run_task

VXLAN = "nestedcloud.openstack.vxlan"
HOSTS = {"h1": "10.22.0.10", "h2": "10.22.0.11", "h3": "10.22.0.12"}
OVERLAY = {"h1": "10.33.0.1/16", "h2": "10.33.0.11/16", "h3": "10.33.0.12/16"}
UNDERLAY_MTU, MTU = 1450, 1400


def sh(*cmd, check=True):
    return subprocess.run(cmd, capture_output=True, text=True, check=check)


@pytest.fixture(scope="module")
def mesh(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    prefix = "nc-vx%d" % os.getpid()
    switch = prefix + "-sw"
    names = dict((h, "%s-%s" % (prefix, h)) for h in HOSTS)
    try:
        sh("ip", "netns", "add", switch)
        sh("ip", "-n", switch, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", switch, "link", "set", "br0", "up")
        for host, ip in HOSTS.items():
            ns = names[host]
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "link", "add", "eth0", "netns", ns, "mtu", str(UNDERLAY_MTU), "type", "veth",
               "peer", "name", host, "netns", switch, "mtu", str(UNDERLAY_MTU))
            sh("ip", "-n", switch, "link", "set", host, "master", "br0", "up")
            sh("ip", "-n", ns, "addr", "add", ip + "/16", "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
        yield {"ns": names, "units": tmp_path_factory.mktemp("boot")}
    finally:
        for ns in list(names.values()) + [switch]:
            sh("ip", "netns", "del", ns, check=False)


def args(mesh, host, **extra):
    base = dict(local=HOSTS[host], dev="eth0", mtu=MTU, addresses=[OVERLAY[host]], peers=sorted(HOSTS.values()),
                boot_script=str(mesh["units"] / host / "overlay.sh"))
    base.update(extra)
    return base


def run(mesh, host, check=False, diff=False, **extra):
    return run_task(VXLAN, args(mesh, host, **extra), check=check, diff=diff,
                    prefix=["ip", "netns", "exec", mesh["ns"][host]])


def in_ns(mesh, host, *cmd, check=False):
    return sh("ip", "netns", "exec", mesh["ns"][host], *cmd, check=check)


def fdb_peers(mesh, host):
    out = in_ns(mesh, host, "bridge", "fdb", "show", "dev", "vxlan10", check=True).stdout
    return sorted(line.split()[2] for line in out.splitlines() if line.startswith("00:00:00:00:00:00"))


def test_check_mode_touches_nothing(mesh):
    got = run(mesh, "h1", check=True, diff=True)
    assert got["changed"] and "ip link add name br-vxlan10 type bridge" in got["actions"]
    assert got["diff"][0]["before"] == {"device": None, "bridge": None}
    assert in_ns(mesh, "h1", "ip", "link", "show", "dev", "br-vxlan10").returncode != 0
    assert not os.path.exists(str(mesh["units"] / "h1" / "overlay.sh"))


def test_mesh_converges_and_carries_traffic(mesh):
    for host in HOSTS:
        got = run(mesh, host)
        assert got["changed"] and not got.get("failed"), got.get("msg")
        assert got["state"]["device"]["peers"] == sorted(p for h, p in HOSTS.items() if h != host)
        assert got["script_changed"]
    for host in HOSTS:
        again = run(mesh, host)
        assert not again["changed"] and again["actions"] == [] and not again["script_changed"]
    for src in HOSTS:
        for dst, addr in OVERLAY.items():
            if src != dst:
                ping = in_ns(mesh, src, "ping", "-c1", "-W2", addr.split("/", maxsplit=1)[0])
                assert ping.returncode == 0, "%s -> %s: %s" % (src, dst, ping.stdout + ping.stderr)


def test_overlay_mtu_is_exact(mesh):
    # ICMP payload + 28 bytes of headers = the overlay MTU: fits unfragmented; one byte more does not
    fits = in_ns(mesh, "h2", "ping", "-c1", "-W2", "-M", "do", "-s", str(MTU - 28), "10.33.0.12")
    assert fits.returncode == 0, fits.stdout + fits.stderr
    over = in_ns(mesh, "h2", "ping", "-c1", "-W2", "-M", "do", "-s", str(MTU - 27), "10.33.0.12")
    assert over.returncode != 0 and "message too long" in (over.stdout + over.stderr)


def test_removing_a_peer_removes_exactly_that_entry(mesh):
    keep = [HOSTS["h1"], HOSTS["h2"]]
    got = run(mesh, "h2", peers=keep)
    assert got["changed"] and got["actions"] == ["bridge fdb del 00:00:00:00:00:00 dev vxlan10 dst 10.22.0.12"]
    assert fdb_peers(mesh, "h2") == [HOSTS["h1"]]
    assert "dst 10.22.0.12" not in (mesh["units"] / "h2" / "overlay.sh").read_text()
    back = run(mesh, "h2")
    assert back["actions"] == ["bridge fdb append 00:00:00:00:00:00 dev vxlan10 dst 10.22.0.12"]
    assert fdb_peers(mesh, "h2") == [HOSTS["h1"], HOSTS["h3"]]


def test_drift_is_repaired(mesh):
    in_ns(mesh, "h3", "ip", "addr", "add", "192.0.2.9/24", "dev", "br-vxlan10", check=True)
    in_ns(mesh, "h3", "ip", "link", "set", "dev", "vxlan10", "nomaster", check=True)
    got = run(mesh, "h3")
    assert sorted(got["actions"]) == ["ip addr del 192.0.2.9/24 dev br-vxlan10",
                                      "ip link set dev vxlan10 master br-vxlan10"]
    assert in_ns(mesh, "h3", "ping", "-c1", "-W2", "10.33.0.1").returncode == 0


def test_boot_script_rebuilds_the_same_state_after_a_reboot(mesh):
    """A reboot clears the kernel's devices; the boot script must bring back exactly what the module made."""
    show = ["ip", "-j", "-d", "link", "show", "dev", "vxlan10"]
    before = run(mesh, "h1", check=True)["state"]
    for dev in ("vxlan10", "br-vxlan10"):
        in_ns(mesh, "h1", "ip", "link", "del", "dev", dev, check=True)
    assert in_ns(mesh, "h1", *show).returncode != 0
    booted = in_ns(mesh, "h1", "sh", str(mesh["units"] / "h1" / "overlay.sh"))
    assert booted.returncode == 0, booted.stderr
    after = run(mesh, "h1", check=True)
    assert after["state"] == before and after["actions"] == [] and not after["changed"]
    assert in_ns(mesh, "h1", "ping", "-c1", "-W2", "10.33.0.12").returncode == 0
    # run again on a live overlay: it rebuilds instead of failing
    assert in_ns(mesh, "h1", "sh", str(mesh["units"] / "h1" / "overlay.sh")).returncode == 0


def test_bad_mtu_names_the_field_and_leaves_nothing(mesh):
    # the kernel keeps a VXLAN device at most 50 below its underlay: 1450 - 50 < 1420
    got = run(mesh, "h1", name="vxlan20", bridge="br-vxlan20", vni=20, mtu=1420, boot_script=None)
    assert got["failed"] and got["msg"].startswith("mtu: ")
    for dev in ("vxlan20", "br-vxlan20"):
        assert in_ns(mesh, "h1", "ip", "link", "show", "dev", dev).returncode != 0
    assert run(mesh, "h1", peers=["10.22.0.999"])["msg"].startswith("peers: ")


def test_absent_removes_devices_and_the_boot_script(mesh):
    got = run(mesh, "h3", state="absent")
    assert got["changed"] and got["actions"] == ["ip link del dev vxlan10", "ip link del dev br-vxlan10"]
    assert not os.path.exists(str(mesh["units"] / "h3" / "overlay.sh"))
    again = run(mesh, "h3", state="absent")
    assert not again["changed"]
