# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A misbehaving outer cloud: an HTTP proxy in front of the local undercloud that injects faults.

It listens on 127.0.0.2 at the ports of the undercloud's APIs (Keystone 5000, Glance 9292, Placement 8778, Nova 8774,
Neutron 9696, Cinder 8776) and forwards to 127.0.0.1 at the same port; Keystone's catalog is rewritten on the way
back, so a clouds.yaml whose auth_url is http://127.0.0.2:5000/v3 sends every call through it. Each request draws
from one random generator (``seed``): with probability ``rate`` it gets one fault of ``kinds`` (only requests of
``methods``, when given):

  error     answered 500, 502, 503 or 504 without being forwarded
  lost      forwarded, and the answer dropped (the connection closed): the cloud did it, the client cannot know
  reset     the connection closed without forwarding
  slow      forwarded after ``slow`` seconds
  conflict  answered 409 without being forwarded

``lost`` is what makes a retried POST create a duplicate; ``conflict`` is what Neutron and Nova answer while a
resource is busy. Every request and its fault is recorded (``log``), so a test can count what was injected.

  python3 faultproxy.py --rate 0.1 --seed 7 [--kinds error,lost] [--methods POST] [--slow 2] [--log FILE]
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORTS = (5000, 9292, 8778, 8774, 9696, 8776)
KINDS = ("error", "lost", "reset", "slow", "conflict")
UPSTREAM, LISTEN = "127.0.0.1", "127.0.0.2"
HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "trailers", "upgrade",
       "content-length"}


class Faults:
    """The seeded decisions and the record of every request."""

    def __init__(self, rate, seed, kinds=KINDS, slow=2.0, methods=None):
        unknown = set(kinds) - set(KINDS)
        if unknown or not kinds:
            raise ValueError("kinds: %s; use some of %s" % (", ".join(sorted(unknown)) or "none", ", ".join(KINDS)))
        if not 0 <= rate <= 1:
            raise ValueError("rate: %s is not between 0 and 1" % rate)
        self.rate, self.kinds, self.slow = rate, tuple(kinds), slow
        self.methods = set(m.upper() for m in methods) if methods else None  # None: every method
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.log = []  # (method, port, path, fault or "")

    def draw(self, method, port, path):
        with self.lock:
            fault = self.random.choice(self.kinds) if self.random.random() < self.rate else ""
            if self.methods is not None and method.upper() not in self.methods:
                fault = ""
            status = self.random.choice((500, 502, 503, 504)) if fault == "error" else None
            self.log.append((method, port, path, fault))
        return fault, status

    def counts(self):
        found = {"requests": len(self.log)}
        for entry in self.log:
            if entry[3]:
                found[entry[3]] = found.get(entry[3], 0) + 1
        return found


def handler_for(faults, port, upstream=UPSTREAM, listen=LISTEN, catalog=(5000,)):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _send(self, status, body, headers=()):
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _drop(self):
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        def _proxy(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            fault, status = faults.draw(self.command, port, self.path)
            if fault == "reset":
                return self._drop()
            if fault == "error":
                return self._send(status, json.dumps({"message": "injected fault", "code": status}).encode(),
                                  [("Content-Type", "application/json")])
            if fault == "conflict":
                return self._send(409, json.dumps({"NeutronError": {"type": "Conflict", "message": "injected 409",
                                                                    "detail": ""}}).encode(),
                                  [("Content-Type", "application/json")])
            if fault == "slow":
                time.sleep(faults.slow)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
            headers["Host"] = "%s:%d" % (upstream, port)
            connection = http.client.HTTPConnection(upstream, port, timeout=300)
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
            except OSError as err:
                return self._send(502, ("upstream: %s" % err).encode())
            finally:
                connection.close()
            if fault == "lost":
                return self._drop()
            if port in catalog:  # Keystone: the catalog and the version documents name the real addresses
                data = data.replace(("http://%s:" % upstream).encode(), ("http://%s:" % listen).encode())
            self._send(answer.status, data, [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP])
            return None

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _proxy

        def log_message(self, *args):
            pass

    return Handler


def serve(faults, ports=PORTS, listen=LISTEN, upstream=UPSTREAM, catalog=(5000,)):
    """Start one listener per port in threads; returns the servers (shut them down when done). The answers of the
    ``catalog`` ports have the upstream address replaced by the proxy's."""
    servers = []
    for port in ports:
        server = ThreadingHTTPServer((listen, port), handler_for(faults, port, upstream, listen, catalog))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        servers.append(server)
    return servers


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--slow", type=float, default=2.0)
    parser.add_argument("--methods", help="only requests of these methods, e.g. POST")
    parser.add_argument("--log", help="write the record of requests and faults here (JSON) on SIGTERM")
    args = parser.parse_args(argv)
    faults = Faults(args.rate, args.seed, args.kinds.split(","), args.slow,
                    args.methods.split(",") if args.methods else None)
    serve(faults)
    import signal

    def stop(*_args):
        if args.log:
            with open(args.log, "w") as handle:
                json.dump({"counts": faults.counts(), "log": faults.log}, handle)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    threading.Event().wait()


if __name__ == "__main__":
    main()
