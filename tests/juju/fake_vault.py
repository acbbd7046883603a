# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A contract test server for the part of HashiCorp Vault's HTTP API that the juju role uses, on loopback.

It answers as Vault's documented API does (sys/init, sys/seal-status, sys/unseal, auth/token/create and
lookup-self): Shamir shares that unseal only at the threshold, a second init refused, tokens refused while sealed
or unknown. Every request is recorded (method, path) for order checks.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeVault:
    def __init__(self):
        self.initialized, self.sealed = False, True
        self.keys, self.threshold, self.given = [], 0, set()
        self.root_token, self.tokens = "", set()
        self.requests = []
        self.lock = threading.Lock()

    def answer(self, method, path, body, token):
        """(HTTP status, document) of one request."""
        self.requests.append((method, path))
        status = {"type": "shamir", "initialized": self.initialized, "sealed": self.sealed, "t": self.threshold,
                  "n": len(self.keys), "progress": len(self.given)}
        if path == "/v1/sys/init" and method == "GET":
            return 200, {"initialized": self.initialized}
        if path == "/v1/sys/init" and method in ("PUT", "POST"):
            if self.initialized:
                return 400, {"errors": ["Vault is already initialized"]}
            shares, threshold = body.get("secret_shares"), body.get("secret_threshold")
            if not isinstance(shares, int) or not isinstance(threshold, int) or not 1 <= threshold <= shares:
                return 400, {"errors": ["invalid shares or threshold"]}
            self.initialized, self.threshold = True, threshold
            self.keys = [secrets.token_hex(33) for dummy in range(shares)]
            self.root_token = "hvs." + secrets.token_urlsafe(18)
            self.tokens.add(self.root_token)
            return 200, {"keys": self.keys, "keys_base64": self.keys, "root_token": self.root_token}
        if path == "/v1/sys/seal-status" and method == "GET":
            return 200, status
        if path == "/v1/sys/unseal" and method in ("PUT", "POST"):
            if not self.initialized:
                return 400, {"errors": ["Vault is not initialized"]}
            if body.get("key") not in self.keys:
                return 400, {"errors": ["invalid key"]}
            if self.sealed:
                self.given.add(body["key"])
                if len(self.given) >= self.threshold:
                    self.sealed, self.given = False, set()
            return 200, dict(status, sealed=self.sealed, progress=len(self.given))
        if path.startswith("/v1/auth/token/"):
            if self.sealed:
                return 503, {"errors": ["Vault is sealed"]}
            if token not in self.tokens:
                return 403, {"errors": ["permission denied"]}
            if path == "/v1/auth/token/create" and method == "POST":
                new = "hvs." + secrets.token_urlsafe(18)
                self.tokens.add(new)
                return 200, {"auth": {"client_token": new, "lease_duration": 600, "renewable": True}}
            if path == "/v1/auth/token/lookup-self" and method == "GET":
                return 200, {"data": {"id": token, "ttl": 600}}
        return 404, {"errors": []}


def serve(vault, address="127.0.0.1", port=0):
    class Handler(BaseHTTPRequestHandler):
        def _reply(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = {}
            with vault.lock:
                code, doc = vault.answer(self.command, self.path, body, self.headers.get("X-Vault-Token"))
            data = json.dumps(doc).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = _reply

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((address, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@contextlib.contextmanager
def running():
    """(FakeVault, its URL) for the time of the block."""
    vault = FakeVault()
    server = serve(vault)
    try:
        yield vault, "http://127.0.0.1:%d" % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":  # python3 fake_vault.py ADDRESS PORT: serve until killed (molecule scenario charmed)
    import sys

    serve(FakeVault(), sys.argv[1], int(sys.argv[2]))
    threading.Event().wait()
