# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verifier of the jumphost role: r0 is the lab's only way out and only entry, and serves names, time and a proxy.

The "outside" namespace (tests/hosts/testhosts.sh outside) plays the internet: a web server at 198.51.100.100,
reached through the outer router (namespace nco-sw), which maps the floating IP 203.0.113.10 to r0 and lets no
other underlay address out. So a request that arrives from 203.0.113.10 went through r0.
"""

from __future__ import annotations

import re
import time
import uuid

import pytest

OVERLAY = {"r0": "10.33.0.1", "uc-0001": "10.33.0.11", "uc-0002": "10.33.0.12", "uc-0003": "10.33.0.13"}
UNDERLAY = {"r0": "10.22.0.10", "uc-0001": "10.22.0.11", "uc-0002": "10.22.0.12", "uc-0003": "10.22.0.13"}
DOMAIN = "nco.test"
FLOATING_IP = "203.0.113.10"
WEB = "198.51.100.100"
PROXY = "http://10.22.0.10:3128"
WEB_LOG = "/tmp/nestedcloud-hosts/nco-web.log"


def name_of(host):
    return host.backend.get_hostname().replace("nco-", "", 1)


def only_on(host, name):
    if name_of(host) != name:
        pytest.skip("checked once, from %s" % name)


def web_client(path):
    """The source address the outside web server logged for a request of path (None if it never arrived)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with open(WEB_LOG, encoding="utf-8") as handle:
            for line in handle:
                if '"GET %s ' % path in line:
                    return line.split()[0]
        time.sleep(0.2)
    return None


def test_every_lab_name_resolves_on_every_host(host):
    for name, address in OVERLAY.items():
        for query in (name, "%s.%s" % (name, DOMAIN)):
            answer = host.run("dig +short +time=2 +tries=2 %s", query)
            assert answer.stdout.split() == [address], "%s: %s -> %r" % (name_of(host), query, answer.stdout)
    underlay = host.check_output("dig +short +time=2 uc-0002.underlay.%s" % DOMAIN)
    assert underlay.split() == [UNDERLAY["uc-0002"]]
    assert host.check_output("dig +short +time=2 gateway.%s" % DOMAIN).split() == ["10.44.0.1"]


def test_time_comes_from_r0(host):
    me = name_of(host)
    if me == "r0":
        conf = host.file("/etc/chrony/conf.d/nestedcloud.conf")
        assert conf.contains("^allow 10.33.0.0/16") and conf.contains("^local stratum 10")
        return
    deadline = time.monotonic() + 60
    while True:
        sources = host.check_output("chronyc -n sources").splitlines()
        rows = [line for line in sources if re.match(r"[\^=][*+\-?x~] ", line)]
        if any(line.startswith("^* %s " % UNDERLAY["r0"]) for line in rows) or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert [line.split()[1] for line in rows] == [UNDERLAY["r0"]], sources  # r0 is the only source
    assert rows[0].startswith("^*"), "%s does not sync from r0: %s" % (me, sources)


def test_the_outside_is_reached_only_through_r0s_proxy(host):
    me = name_of(host)
    if me == "r0":
        pytest.skip("r0 is the way out")
    direct = host.run("curl -s -m 3 -o /dev/null http://%s/direct-%s", WEB, me)
    assert direct.rc != 0, "%s reached the outside without r0" % me
    path = "/?proxy-%s-%s" % (me, uuid.uuid4().hex[:8])
    body = host.check_output("curl -sf -m 10 -x %s http://%s%s", PROXY, WEB, path)
    assert body.strip() == "NESTEDCLOUD-OUTSIDE-OK"
    assert web_client(path) == FLOATING_IP


def test_overlay_traffic_leaves_through_r0s_snat(host):
    only_on(host, "uc-0003")
    route = "%s/32 via %s src %s" % (WEB, OVERLAY["r0"], OVERLAY["uc-0003"])
    host.check_output("ip route add " + route)
    try:
        path = "/?snat-%s" % uuid.uuid4().hex[:8]
        assert host.check_output("curl -sf -m 10 http://%s%s", WEB, path).strip() == "NESTEDCLOUD-OUTSIDE-OK"
        assert web_client(path) == FLOATING_IP
    finally:
        host.run("ip route del " + route)


def test_proxy_tunnels_only_to_443(host):
    only_on(host, "uc-0001")
    tunnel = host.run("curl -s -m 5 -o /dev/null -w '%%{http_connect}' -p -x %s http://%s/connect-80", PROXY, WEB)
    assert tunnel.rc != 0 and tunnel.stdout.strip("'") == "403", tunnel.stdout


def test_ssh_takes_keys_only(host):
    only_on(host, "r0")
    effective = dict(line.split(" ", 1) for line in host.check_output("sshd -T").splitlines() if " " in line)
    assert effective["passwordauthentication"] == "no"
    assert effective["kbdinteractiveauthentication"] == "no"
    assert effective["permitrootlogin"] == "without-password"  # sshd's name for prohibit-password
    assert effective["allowtcpforwarding"] == "yes"  # ProxyJump


def test_vxlan_is_accepted_statelessly_and_only_from_peers(host):
    only_on(host, "r0")
    rules = host.check_output("nft list chain inet nestedcloud input")
    udp = [line.strip() for line in rules.splitlines() if "udp dport 4789" in line]
    assert udp == ["udp dport 4789 ip saddr @vxlan_peers accept", "udp dport 4789 drop"], udp
    assert rules.index("udp dport 4789 drop") < rules.index("ct state established,related accept")
    peers = host.check_output("nft list set inet nestedcloud vxlan_peers")
    assert all(UNDERLAY[h] in peers for h in ("uc-0001", "uc-0002", "uc-0003"))


def test_r0_routes_and_resolves_for_itself(host):
    only_on(host, "r0")
    assert host.file("/proc/sys/net/ipv4/ip_forward").content_string.strip() == "1"
    assert host.file("/etc/resolv.conf").contains("^nameserver 127.0.0.1")
