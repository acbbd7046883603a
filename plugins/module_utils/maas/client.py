# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small client of MAAS's REST API 2.0: OAuth 1.0 PLAINTEXT signing, form bodies, JSON answers. No third-party
library (python-libmaas is unmaintained): ``open_url`` from Ansible and the standard library only.

Every request goes through :meth:`MaasClient.call`, which counts the writes: a second run of our modules shows
``writes: 0``. In check mode the modules call :meth:`MaasClient.read` only.
"""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import quote, urlencode

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url

API = "api/2.0"
MAAS_ARGS = dict(
    url=dict(type="str", required=True),
    api_key=dict(type="str", required=True, no_log=True),
    timeout=dict(type="int", default=60),
)


class MaasError(Exception):
    """An answer MAAS refused, with what was asked and what MAAS said."""


def _pct(value):
    return quote(str(value), safe="~")


def parse_api_key(key):
    """(consumer key, token key, token secret) from MAAS's 'ck:tk:ts' API key; ValueError names the problem."""
    parts = (key or "").strip().split(":")
    if len(parts) != 3 or not all(parts):
        raise ValueError("api_key must be MAAS's API key, three non-empty parts joined by ':' "
                         "(consumer key:token key:token secret), as 'maas apikey --username admin' prints it; "
                         "got %d part(s)" % len(parts))
    return tuple(parts)


def oauth_header(key, nonce=None, timestamp=None):
    """The Authorization header of a request signed with ``key`` (RFC 5849 PLAINTEXT, empty consumer secret)."""
    consumer, token, secret = parse_api_key(key)
    params = [
        ("oauth_version", "1.0"),
        ("oauth_signature_method", "PLAINTEXT"),
        ("oauth_consumer_key", consumer),
        ("oauth_token", token),
        ("oauth_signature", "&" + _pct(secret)),  # consumer secret '' & token secret
        ("oauth_nonce", nonce or uuid.uuid4().hex),
        ("oauth_timestamp", str(int(timestamp if timestamp is not None else time.time()))),
    ]
    return 'OAuth realm="", ' + ", ".join('%s="%s"' % (name, _pct(value)) for name, value in params)


class MaasClient:
    def __init__(self, url, api_key, timeout=60, opener=None):
        self.base = url.rstrip("/") + "/" + API + "/"
        self.key = api_key
        parse_api_key(api_key)
        self.timeout = timeout
        self.opener = opener or open_url
        self.writes = 0
        self.requests = []

    def call(self, method, path, op=None, data=None, query=None):
        """One request; the JSON answer (or the text when it is not JSON). ``path`` is relative to api/2.0/."""
        params = dict(query or {})
        if op:
            params["op"] = op
        url = self.base + path.lstrip("/")
        if params:
            url += "?" + urlencode(sorted(params.items()), doseq=True)
        body = urlencode(sorted((data or {}).items()), doseq=True) if method != "GET" else None
        headers = {"Authorization": oauth_header(self.key), "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if method != "GET":
            self.writes += 1
        self.requests.append("%s %s%s" % (method, path, "?op=" + op if op else ""))
        try:
            answer = self.opener(url, method=method, data=body, headers=headers, timeout=self.timeout,
                                 validate_certs=True, follow_redirects="none")
            text = answer.read().decode("utf-8")
        except HTTPError as err:
            detail = err.read().decode("utf-8", "replace")[:500] if hasattr(err, "read") else ""
            raise MaasError("MAAS answered %s %s to %s %s: %s" % (err.code, err.reason, method, url, detail.strip()))
        except (URLError, OSError) as err:
            raise MaasError("MAAS at %s did not answer %s %s: %s" % (self.base, method, path, err))
        try:
            return json.loads(text) if text else None
        except ValueError:
            return text

    def read(self, path, op=None, query=None):
        return self.call("GET", path, op=op, query=query)

    def post(self, path, op=None, data=None):
        return self.call("POST", path, op=op, data=data)

    def put(self, path, data=None):
        return self.call("PUT", path, data=data)


def connect(module):
    """The client for a module's url/api_key/timeout; a bad key fails the module naming the field."""
    try:
        return MaasClient(module.params["url"], module.params["api_key"], module.params["timeout"])
    except ValueError as err:
        module.fail_json(msg=str(err))
        return None
