# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Probes of the security tests, run inside a namespace of ours (`ip netns exec` or `podman exec -i ... python3 -`).

Python's standard library only, so the same file runs on this machine and, fed on stdin, on a test host.

  probe.py tcp HOST [FIRST-LAST]           connect to every port (default 1-65535); JSON {"open": [...], "tried": N}
  probe.py udp HOST PORT KIND              send a real query (dns, ntp, or empty) and wait; prints answer/refused/silent
  probe.py vxlan HOST VNI MAC IP PORT TOKEN [SOURCE]
                                           send one VXLAN frame (to UDP 4789 of HOST) that carries a UDP datagram with
                                           TOKEN to IP:PORT behind the tunnel, inner destination MAC MAC
  probe.py listen IP PORT SECONDS          print every datagram that arrives at IP:PORT within SECONDS
"""

from __future__ import annotations

import asyncio
import json
import resource
import socket
import struct
import sys
import time

# A query for the root's NS records (any resolver that recurses answers it) and an NTP v4 client request.
QUERIES = {
    "dns": bytes.fromhex("4e430100000100000000000000000200 01".replace(" ", "")),
    "ntp": bytes([0x23]) + bytes(47),
    "empty": b"",
}


async def _connect(host, port, gate, timeout):
    async with gate:
        try:
            writer = (await asyncio.wait_for(asyncio.open_connection(host, port), timeout))[1]
        except (OSError, asyncio.TimeoutError):
            return None
        writer.close()
        return port


async def _scan(host, ports, width, timeout):
    gate = asyncio.Semaphore(width)
    found = await asyncio.gather(*(_connect(host, port, gate, timeout) for port in ports))
    return sorted(port for port in found if port)


def tcp_scan(host, first=1, last=65535, timeout=1.5):
    """The TCP ports of host that accept a connection (a dropped SYN costs timeout, so many at once)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 8192) if hard != resource.RLIM_INFINITY else 8192
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    width = max(64, min(want - 64, 4000))
    return asyncio.run(_scan(host, range(first, last + 1), width, timeout))


def udp_probe(host, port, kind, timeout=2.0):
    """answer (a datagram came back), refused (ICMP port unreachable) or silent (nothing: dropped)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(timeout)
    try:
        sock.connect((host, port))
        sock.send(QUERIES[kind])
        sock.recv(2048)
        return "answer"
    except ConnectionRefusedError:
        return "refused"
    except OSError:
        return "silent"
    finally:
        sock.close()


def _checksum(data):
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    total = (total >> 16) + (total & 0xFFFF)
    return ~(total + (total >> 16)) & 0xFFFF


def vxlan_frame(vni, dst_mac, dst_ip, port, token, src_ip="10.255.255.250", src_mac="02:00:5e:00:53:fa"):
    """A VXLAN packet (RFC 7348) whose Ethernet frame carries one UDP datagram with token to dst_ip:port."""
    payload = token.encode()
    udp = struct.pack("!HHHH", 40000, port, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                     socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
    ether = bytes.fromhex(dst_mac.replace(":", "")) + bytes.fromhex(src_mac.replace(":", "")) + b"\x08\x00"
    return struct.pack("!II", 0x08000000, vni << 8) + ether + ip + udp


def vxlan_send(host, vni, dst_mac, dst_ip, port, token, source=None, count=5):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if source:
        sock.bind((source, 0))
    # the inner source: an unused address of the inner network (the listener's network, last /24's .250)
    inner_src = ".".join(dst_ip.split(".")[:3] + ["250"])
    frame = vxlan_frame(vni, dst_mac, dst_ip, port, token, src_ip=inner_src)
    for dummy in range(count):
        sock.sendto(frame, (host, 4789))
        time.sleep(0.05)
    sock.close()


def listen(address, port, seconds):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((address, port))
    print("listening", flush=True)
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            data, sender = sock.recvfrom(2048)
        except OSError:
            break
        print("got %s from %s" % (data.decode(errors="replace"), sender[0]), flush=True)


def main(argv):
    command = argv[0]
    if command == "tcp":
        first, last = (int(p) for p in (argv[2] if len(argv) > 2 else "1-65535").split("-"))
        print(json.dumps({"open": tcp_scan(argv[1], first, last), "tried": last - first + 1}))
    elif command == "udp":
        print(udp_probe(argv[1], int(argv[2]), argv[3]))
    elif command == "vxlan":
        vxlan_send(argv[1], int(argv[2]), argv[3], argv[4], int(argv[5]), argv[6], argv[7] if len(argv) > 7 else None)
    elif command == "listen":
        listen(argv[1], int(argv[2]), float(argv[3]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
