# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/hosts/probe.py, the security tests' probe: its VXLAN frame, its scan and its UDP verdicts, on loopback."""

from __future__ import annotations

import importlib.util
import os
import socket
import struct
import threading

SPEC = importlib.util.spec_from_file_location(
    "probe", os.path.join(os.path.dirname(__file__), "..", "hosts", "probe.py"))
PROBE = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(PROBE)


def test_the_vxlan_frame_is_rfc7348_with_a_valid_inner_ipv4_udp_datagram():
    frame = PROBE.vxlan_frame(10, "aa:bb:cc:dd:ee:ff", "10.33.0.1", 47890, "tok-1", src_ip="10.33.0.250")
    flags, vni = struct.unpack("!II", frame[:8])
    assert flags == 0x08000000 and vni >> 8 == 10  # the I flag, and the VNI in the upper 24 bits
    ether, ip, udp = frame[8:22], frame[22:42], frame[42:]
    assert ether[:6] == bytes.fromhex("aabbccddeeff") and ether[12:] == b"\x08\x00"
    assert PROBE._checksum(ip) == 0  # pylint: disable=protected-access  # a header with its checksum sums to 0
    assert socket.inet_ntoa(ip[12:16]) == "10.33.0.250" and socket.inet_ntoa(ip[16:20]) == "10.33.0.1"
    assert struct.unpack("!H", ip[2:4])[0] == 20 + len(udp) and ip[9] == 17
    sport, dport, length = struct.unpack("!HHH", udp[:6])
    assert dport == 47890 and length == len(udp) and udp[8:] == b"tok-1" and sport


def test_the_scan_finds_exactly_the_listening_ports():
    listeners = [socket.socket() for dummy in range(2)]
    try:
        listeners[0].bind(("127.0.0.1", 0))
        first = listeners[0].getsockname()[1]
        # the second one close to the first: two ephemeral ports may lie thousands apart, and a scan of all between
        # them on a loaded machine measures the machine, not the scan
        for port in [p for p in range(first + 2, first + 200) if p <= 65535] + [0]:
            try:
                listeners[1].bind(("127.0.0.1", port))
                break
            except OSError:
                continue
        for sock in listeners:
            sock.listen()
        ports = sorted(sock.getsockname()[1] for sock in listeners)
        found = PROBE.tcp_scan("127.0.0.1", ports[0] - 3, ports[1] + 3)
        # both, and nothing outside the range asked for (another process may listen in between)
        assert set(ports) <= set(found) and all(ports[0] - 3 <= p <= ports[1] + 3 for p in found), found
    finally:
        for sock in listeners:
            sock.close()


def test_udp_verdicts_answer_refused_and_silent():
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def echo():
        data, peer = server.recvfrom(2048)
        server.sendto(data, peer)

    thread = threading.Thread(target=echo, daemon=True)
    thread.start()
    assert PROBE.udp_probe("127.0.0.1", port, "ntp") == "answer"
    thread.join(5)
    server.close()
    assert PROBE.udp_probe("127.0.0.1", port, "dns") == "refused"  # nothing bound: ICMP port unreachable
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        assert PROBE.udp_probe("127.0.0.1", silent.getsockname()[1], "empty", timeout=0.5) == "silent"
    finally:
        silent.close()
