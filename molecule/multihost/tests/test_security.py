# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security of r0 as a reviewer would probe it: every port from the internet, the proxy, DNS and VXLAN from
sources that are not the lab's, each next to a control that shows the probe would have seen an answer.

The "outside" namespace plays the internet (see test_jumphost.py). Sources that are not the lab's are made inside
the test hosts' own namespaces: 192.0.2.77 (TEST-NET-1) on r0's loopback, past the firewall, for squid's own
rule; 192.0.2.78 and 10.22.0.99 (a free underlay address, so inside the lab's ranges but no VXLAN peer) on uc-0003.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid

import pytest

FLOATING_IP = "203.0.113.10"
R0 = "10.22.0.10"
R0_OVERLAY = "10.33.0.1"
WEB = "198.51.100.100"
OUTSIDE_NS = "nco-out"
VNI = 10
PROBE = os.path.join(os.environ.get("MOLECULE_PROJECT_DIRECTORY", "."), "tests", "hosts", "probe.py")


def name_of(host):
    return host.backend.get_hostname().replace("nco-", "", 1)


def only_on(host, name):
    if name_of(host) != name:
        pytest.skip("checked once, from %s" % name)


def outside_probe(*argv, timeout=300):
    done = subprocess.run(["ip", "netns", "exec", OUTSIDE_NS, "python3", PROBE] + [str(a) for a in argv],
                          capture_output=True, text=True, timeout=timeout, check=True)
    return done.stdout.strip()


def host_probe(name, *argv, timeout=120, wait=True):
    """probe.py on test host name (fed on stdin: the host has python3 but not this checkout)."""
    command = ["podman", "exec", "-i", "nco-" + name, "python3", "-u", "-", *[str(a) for a in argv]]
    with open(PROBE, "rb") as script:
        if not wait:
            return subprocess.Popen(command, stdin=script, stdout=subprocess.PIPE, text=True)
        return subprocess.run(command, stdin=script, capture_output=True, text=True, timeout=timeout,
                              check=True).stdout.strip()


def test_from_outside_every_tcp_port_but_ssh_is_closed(host):
    only_on(host, "r0")
    listening = {int(item.rsplit(":", 1)[1]) for item in host.check_output("ss -Htln | awk '{print $4}'").split()}
    assert {22, 53, 3128}.issubset(listening), listening  # sshd, the resolver and the proxy are listening on r0
    scan = json.loads(outside_probe("tcp", FLOATING_IP))
    assert scan == {"open": [22], "tried": 65535}, scan
    ping = subprocess.run(["ip", "netns", "exec", OUTSIDE_NS, "ping", "-c1", "-W2", FLOATING_IP], check=False)
    assert ping.returncode != 0, "r0 answers ping from the internet"


def test_from_outside_no_udp_service_answers(host):
    only_on(host, "r0")
    listening = {int(item.rsplit(":", 1)[1]) for item in host.check_output("ss -Huln | awk '{print $4}'").split()}
    assert {53, 123, 4789}.issubset(listening), listening  # dnsmasq, chrony and the VXLAN device
    results = {port: outside_probe("udp", FLOATING_IP, port, {53: "dns", 123: "ntp"}.get(port, "empty"))
               for port in sorted(listening)}
    assert set(results.values()) == {"silent"}, results
    # the control: from the lab, the resolver recurses and chrony serves time on the same ports
    assert host_probe("uc-0001", "udp", R0, 53, "dns") == "answer"
    assert host_probe("uc-0001", "udp", R0, 123, "ntp") == "answer"


def test_dns_and_proxy_refuse_sources_outside_the_lab_ranges(host):
    only_on(host, "uc-0003")
    host.check_output("ip addr add 192.0.2.78/32 dev eth0")
    try:
        assert host_probe("uc-0003", "udp", R0, 53, "dns") == "answer"  # control, from uc-0003's own address
        spoofed = host.run("dig +time=2 +tries=1 -b 192.0.2.78 @%s . NS", R0)
        assert spoofed.rc != 0 and "timed out" in spoofed.stdout, spoofed.stdout
        proxied = host.run("curl -s -m 5 -o /dev/null -w '%%{http_code}' --interface 192.0.2.78 -x http://%s:3128 "
                           "http://%s/", R0, WEB)
        assert proxied.rc != 0 and proxied.stdout in ("000", "'000'"), proxied.stdout
    finally:
        host.run("ip addr del 192.0.2.78/32 dev eth0")


def test_squid_itself_refuses_clients_outside_the_lab_ranges(host):
    """Past the firewall (a source on r0's loopback), squid's own rule still says no: defence in depth."""
    only_on(host, "r0")
    host.check_output("ip addr add 192.0.2.77/32 dev lo")
    try:
        curl = "curl -s -m 10 -o /dev/null -w '%%{http_code}' --interface %s -x http://%s:3128 http://%s/?%s"
        refused = host.run(curl, "192.0.2.77", R0, WEB, uuid.uuid4().hex[:8])
        assert refused.stdout.strip("'") == "403", refused.stdout
        allowed = host.run(curl, R0, R0, WEB, uuid.uuid4().hex[:8])
        assert allowed.stdout.strip("'") == "200", allowed.stdout  # the control: a lab source
    finally:
        host.run("ip addr del 192.0.2.77/32 dev lo")


def test_vxlan_on_r0_takes_frames_from_lab_peers_only(host):
    """Frames that would reach a listener behind r0's vxlan10: only the one a peer sends gets through."""
    only_on(host, "uc-0003")
    mac = subprocess.run(["podman", "exec", "nco-r0", "cat", "/sys/class/net/br-vxlan10/address"], capture_output=True,
                         text=True, check=True).stdout.strip()
    tokens = {name: "%s-%s" % (name, uuid.uuid4().hex[:8]) for name in ("peer", "non-peer", "outside")}
    listener = host_probe("r0", "listen", R0_OVERLAY, 47890, 12, wait=False)
    try:
        assert listener.stdout.readline().strip() == "listening"
        host.check_output("ip addr add 10.22.0.99/32 dev eth0")
        try:
            host_probe("uc-0003", "vxlan", R0, VNI, mac, R0_OVERLAY, 47890, tokens["non-peer"], "10.22.0.99")
        finally:
            host.run("ip addr del 10.22.0.99/32 dev eth0")
        outside_probe("vxlan", FLOATING_IP, VNI, mac, R0_OVERLAY, 47890, tokens["outside"])
        host_probe("uc-0003", "vxlan", R0, VNI, mac, R0_OVERLAY, 47890, tokens["peer"])
        received = listener.communicate(timeout=30)[0]
    finally:
        if listener.poll() is None:
            listener.kill()
    assert tokens["peer"] in received, received  # the control: the probe frame is a good one
    assert tokens["non-peer"] not in received and tokens["outside"] not in received, received
