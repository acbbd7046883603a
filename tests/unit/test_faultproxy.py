# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault-injecting proxy (tests/undercloud/faultproxy.py) in front of a small HTTP server on loopback: it is
transparent without faults, its faults are the same for the same seed, and each kind does what it says."""

from __future__ import annotations

import http.client
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.undercloud import faultproxy


class Backend:
    def __init__(self):
        self.hits = []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                backend.hits.append((self.command, self.path, body))
                data = json.dumps({"catalog": "http://127.0.0.1:%d/v3" % self.server.server_address[1],
                                   "got": body.decode()}).encode()
                self.send_response(201 if self.command == "POST" else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Subject-Token", "tok")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def proxied():
    """(backend, start(rate, seed, kinds) -> Faults) with the proxy on 127.0.0.2 at the backend's port."""
    backend, servers = Backend(), []

    def start(rate, seed=1, kinds=faultproxy.KINDS, slow=0.3):
        faults = faultproxy.Faults(rate, seed, kinds, slow)
        servers.extend(faultproxy.serve(faults, ports=(backend.port,), catalog=(backend.port,)))
        return faults

    yield backend, start
    for server in servers + [backend.server]:
        server.shutdown()
        server.server_close()


def ask(port, method="GET", body=None):
    connection = http.client.HTTPConnection("127.0.0.2", port, timeout=10)
    try:
        connection.request(method, "/v3/things", body=body)
        answer = connection.getresponse()
        return answer.status, answer.getheader("X-Subject-Token"), answer.read()
    finally:
        connection.close()


def test_without_faults_the_proxy_is_transparent_and_rewrites_the_catalog(proxied):
    backend, start = proxied
    faults = start(0.0)
    status, token, data = ask(backend.port, "POST", b'{"a": 1}')
    assert status == 201 and token == "tok"
    assert json.loads(data) == {"catalog": "http://127.0.0.2:%d/v3" % backend.port, "got": '{"a": 1}'}
    assert backend.hits == [("POST", "/v3/things", b'{"a": 1}')]
    assert faults.counts() == {"requests": 1}


def test_the_same_seed_draws_the_same_faults():
    first, second, other = (faultproxy.Faults(0.3, seed) for seed in (7, 7, 8))
    draws = [[f.draw("GET", 1, "/%d" % n) for n in range(200)] for f in (first, second, other)]
    assert draws[0] == draws[1] and draws[0] != draws[2]
    faults = [fault for fault, status in draws[0] if fault]
    assert 40 <= len(faults) <= 80  # about 30% of 200
    assert set(faults) == set(faultproxy.KINDS)


@pytest.mark.parametrize("kind, forwarded", [("error", False), ("conflict", False), ("reset", False),
                                             ("lost", True), ("slow", True)])
def test_each_kind_of_fault(proxied, kind, forwarded):
    backend, start = proxied
    faults = start(1.0, kinds=[kind])
    began = time.monotonic()
    if kind in ("reset", "lost"):
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            ask(backend.port, "POST", b"{}")
    else:
        status = ask(backend.port, "POST", b"{}")[0]
        assert status == {"error": status if status in (500, 502, 503, 504) else -1, "conflict": 409,
                          "slow": 201}[kind]
    assert bool(backend.hits) is forwarded  # "lost": the cloud did it, the client never heard
    if kind == "slow":
        assert time.monotonic() - began >= 0.3
    assert faults.counts() == {"requests": 1, kind: 1}


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="^kinds: teleport"):
        faultproxy.Faults(0.1, 1, ["teleport"])
    with pytest.raises(ValueError, match="^rate: 2"):
        faultproxy.Faults(2, 1)
