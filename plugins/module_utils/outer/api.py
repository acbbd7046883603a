# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The small core of the undercloud modules: connection, request accounting, retries, errors, parallelism.

``CloudModule`` wraps (does not subclass) AnsibleModule. The connection is made on first use,
never in a constructor, so unit tests can hand in a fake. Every HTTP request the SDK sends is
counted by method: ``api_calls`` in each result shows that a second run mutates nothing.

A cloud misbehaves now and then (5xx, resets, 409 while busy). Requests that can be repeated without effect (GET,
HEAD, PUT, DELETE; a token request) are repeated with backoff (``Retrying``). A request that may have changed
something (a POST; a PUT that adds a router interface) is never repeated blind: if its answer was lost the cloud may
have done it, so the module's whole reconcile runs again instead (``CloudModule.run``), and finds - by the lab's tag,
description marker or metadata - what the lost call made. That is how a lost answer never makes a duplicate.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
import time as _clock
import traceback
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

try:
    import openstack
    from keystoneauth1 import _fair_semaphore
    from keystoneauth1 import exceptions as ksa_exceptions

    HAS_SDK = True
    SDK_ERROR = None
except ImportError:  # pragma: no cover - reported by the module
    HAS_SDK = False
    SDK_ERROR = traceback.format_exc()

MUTATING = ("POST", "PUT", "PATCH", "DELETE")
REPEATABLE = ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")
# PUTs that add or remove something each time (Neutron's router actions): never repeated blind
NOT_REPEATABLE_PATHS = ("/add_router_interface", "/remove_router_interface", "/add_extraroutes", "/remove_extraroutes")
TRANSIENT_STATUS = (409, 500, 502, 503, 504)

# The options most modules take besides CLOUD_ARGS (documented by the plan doc fragment and each module).
PLAN_ARG = dict(plan=dict(type="dict", required=True))
STATE_ARG = dict(state=dict(type="str", default="present", choices=["present", "absent"]))

# The connection options of openstack.cloud's modules, with the same names, aliases and meaning (doc fragment
# nestedcloud.openstack.auth), so module_defaults and AWX's OpenStack credential work unchanged.
AUTH_ARGS = dict(
    cloud=dict(type="raw"),
    auth=dict(type="dict", no_log=True),
    auth_type=dict(type="str"),
    region_name=dict(type="str"),
    interface=dict(type="str", default="public", choices=["public", "internal", "admin"], aliases=["endpoint_type"]),
    validate_certs=dict(type="bool", aliases=["verify"]),
    ca_cert=dict(type="path", aliases=["cacert"]),
    client_cert=dict(type="path", aliases=["cert"]),
    client_key=dict(type="path", no_log=True, aliases=["key"]),
    api_timeout=dict(type="int", default=60),
)
# Options that an inline cloud dict carries itself: given beside it, they would be silently ignored.
_BESIDE_A_DICT = ("auth", "auth_type", "region_name", "validate_certs", "ca_cert", "client_cert", "client_key")
# Keys of an auth dict whose values are secrets (masked in every result).
SECRET_KEYS = ("password", "secret", "token", "application_credential_secret", "passcode", "totp")

CLOUD_ARGS = dict(
    AUTH_ARGS,
    wait=dict(type="bool", default=True),
    timeout=dict(type="int", default=900),
    concurrency=dict(type="int", default=8),
    retries=dict(type="int", default=4),
)

# What a socket error says when nothing will ever answer at that address: no point in asking again.
_UNREACHABLE = ("Connection refused", "Name or service not known", "Temporary failure in name resolution",
                "nodename nor servname", "No address associated with hostname", "No route to host",
                "Network is unreachable", "getaddrinfo failed")


def connection_args(params):
    """openstack.connect()'s keyword arguments from the connection options, as openstack.cloud builds them.

    ``cloud`` is a clouds.yaml entry's name, a dict of a cloud's whole configuration (``auth``, ``region_name``...,
    used alone: no clouds.yaml, no OS_* variables), or empty: then openstacksdk takes ``OS_CLOUD``, the only entry of
    clouds.yaml, or an openrc's ``OS_*`` variables. ``ValueError(option, text)`` for a bad combination."""
    cloud = params.get("cloud")
    if isinstance(cloud, dict):
        for name in _BESIDE_A_DICT:
            if params.get(name) is not None:
                raise ValueError(name, "given beside a cloud dict, which holds the whole configuration; "
                                 "put %s in the dict" % name)
        if params.get("interface", "public") != "public":
            raise ValueError("interface", "given beside a cloud dict; put interface in the dict")
        args = dict(cloud, load_yaml_config=False, load_envvars=False)
        args.setdefault("api_timeout", params.get("api_timeout"))
        return args
    if cloud is not None and not isinstance(cloud, str):
        raise ValueError("cloud", "is %s; give the name of a clouds.yaml entry or a dict of a cloud's "
                         "configuration" % type(cloud).__name__)
    args = dict(cloud=cloud or None, auth_type=params.get("auth_type"), auth=params.get("auth"),
                region_name=params.get("region_name"), verify=params.get("validate_certs"),
                cacert=params.get("ca_cert"), cert=params.get("client_cert"), key=params.get("client_key"),
                api_timeout=params.get("api_timeout"), interface=params.get("interface"))
    return dict((key, value) for key, value in args.items() if value is not None)


def secrets(params):
    """The secret values among the connection options (an inline cloud dict's auth secrets), to mask in results."""
    cloud = params.get("cloud")
    auth = cloud.get("auth") if isinstance(cloud, dict) else None
    return [str(v) for k, v in (auth or {}).items() if k in SECRET_KEYS and v]


def connect(params):
    """An openstacksdk connection from the connection options (``connection_args``); ``CloudError`` naming the
    option at fault when the configuration is unusable."""
    try:
        args = connection_args(params)
    except ValueError as err:
        raise CloudError(err.args[0], err.args[1])
    try:
        return openstack.connect(**args)
    except openstack.exceptions.ConfigException as err:
        where = params.get("cloud") or "(none given: OS_CLOUD, the only entry of clouds.yaml, or OS_* variables)"
        raise CloudError("cloud", "%s: %s Name an entry of clouds.yaml (./, ~/.config/openstack/, /etc/openstack/ "
                         "or $OS_CLIENT_CONFIG_FILE), give a cloud dict, or set an openrc's OS_* variables."
                         % (where if isinstance(where, str) else "the cloud dict", err))


def unreachable(err):
    """Whether an error says that nothing answers at the endpoint (refused, unresolvable, no route)."""
    if not (HAS_SDK and isinstance(err, ksa_exceptions.ConnectFailure)):
        return False
    return any(text in str(err) for text in _UNREACHABLE)


class _MonotonicTime:
    """keystoneauth1 paces requests with time.time(); a clock stepped backwards would stall them."""

    time = staticmethod(_clock.monotonic)
    sleep = staticmethod(_clock.sleep)


def use_monotonic_clock():
    """Make keystoneauth1 pace its requests by the monotonic clock (see _MonotonicTime)."""
    _fair_semaphore.time = _MonotonicTime


# Path segments that name one resource (UUIDs, hex ids, numbers) or an API version: left out of a call's kind
_ID_SEGMENT = re.compile(r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}|[0-9]+)$", re.I)
_VERSION_SEGMENT = re.compile(r"^v[0-9]+(?:\.[0-9]+)?$")


def call_kind(url, method, kwargs):
    """What a request does, without the ids: ``POST compute /servers``, ``GET network /ports``."""
    service = (kwargs.get("endpoint_filter") or {}).get("service_type") or kwargs.get("service_type")
    if kwargs.get("authenticated") is False:
        service = service or "identity"
    parts = [p for p in urlsplit(url).path.split("/") if p and not _VERSION_SEGMENT.match(p)]
    path = "/".join("{id}" if _ID_SEGMENT.match(p) else p for p in parts)
    return "%s %s /%s" % (method.upper(), service or "-", path)


class ApiCounter:
    """Counts the requests of a keystoneauth session by HTTP method and times them by kind (thread-safe)."""

    def __init__(self, clock=time.monotonic):
        self.counts = {}
        self.timed = {}  # kind -> [count, total seconds, longest seconds]
        self._clock = clock
        self._lock = threading.Lock()

    def wrap(self, session):
        original = session.request

        def request(url, method, *args, **kwargs):
            # keystoneauth asks for tokens with authenticated=False: that is a login, not a change
            key = "auth" if kwargs.get("authenticated") is False else method.upper()
            kind = call_kind(url, method, kwargs)
            with self._lock:
                self.counts[key] = self.counts.get(key, 0) + 1
            start = self._clock()
            try:
                return original(url, method, *args, **kwargs)
            finally:
                took = self._clock() - start
                with self._lock:
                    entry = self.timed.setdefault(kind, [0, 0.0, 0.0])
                    entry[0] += 1
                    entry[1] += took
                    entry[2] = max(entry[2], took)

        session.request = request
        return session

    def mutating(self):
        return sum(n for method, n in self.counts.items() if method in MUTATING)

    def timings(self):
        """Per kind of call, the most time first: [{call, count, total_s, longest_s}]."""
        with self._lock:
            rows = [dict(call=kind, count=n, total_s=round(total, 3), longest_s=round(longest, 3))
                    for kind, (n, total, longest) in self.timed.items()]
        return sorted(rows, key=lambda row: (-row["total_s"], row["call"]))


class Phases:
    """Wall-clock seconds of the named steps of one run, in the order they ran (``with phases("ports"):``)."""

    def __init__(self, clock=time.monotonic):
        self.seconds = {}
        self._clock = clock

    @contextlib.contextmanager
    def __call__(self, name):
        start = self._clock()
        try:
            yield
        finally:  # a step that failed still took its time
            self.seconds[name] = round(self.seconds.get(name, 0.0) + self._clock() - start, 3)


def transient(err):
    """Whether an error is the cloud's passing trouble (connection lost, 5xx, 409 while busy), not a refusal.

    A refused or unresolvable endpoint is not passing (it fails at once, naming the endpoint), nor is an answer
    that did not come within ``api_timeout`` (asking again would only wait as long again), nor a TLS failure."""
    if isinstance(err, CloudError):
        return err.transient
    if HAS_SDK and isinstance(err, ksa_exceptions.ConnectFailure):
        return not unreachable(err)
    if HAS_SDK and isinstance(err, ksa_exceptions.ConnectionError):
        return False  # ConnectTimeout (api_timeout), SSLError
    status = getattr(err, "status_code", None) or getattr(err, "http_status", None)
    return status in TRANSIENT_STATUS


class Retrying:
    """Repeats the requests of a keystoneauth session that can be repeated without effect, on transient faults."""

    def __init__(self, attempts=5, pause=0.5, sleep=time.sleep):
        self.attempts, self.pause, self.sleep = attempts, pause, sleep
        self.repeated = 0
        self.silent = set()  # endpoints (host:port) that let a request time out
        self._lock = threading.Lock()

    @staticmethod
    def repeatable(url, method, kwargs):
        if kwargs.get("authenticated") is False:
            return True  # a token request: asking twice makes two tokens, no harm
        return method.upper() in REPEATABLE and not str(url).split("?", maxsplit=1)[0].endswith(NOT_REPEATABLE_PATHS)

    def wrap(self, session):
        original = session.request

        def request(url, method, *args, **kwargs):
            safe = self.repeatable(url, method, kwargs)
            if not safe:
                kwargs["connect_retries"] = 0  # keystoneauth would send a POST again after its answer was lost
            where = urlsplit(str(url)).netloc
            if where in self.silent:  # keystoneauth asks again after a failed discovery: not a silent endpoint
                raise ksa_exceptions.ConnectTimeout("Request to %s timed out (%s gave no answer before)" % (url, where))
            for attempt in range(1, self.attempts + 1):
                try:
                    response = original(url, method, *args, **kwargs)
                except Exception as err:  # pylint: disable=broad-exception-caught
                    if isinstance(err, ksa_exceptions.ConnectTimeout):
                        self.silent.add(where)
                    if not (safe and transient(err)) or attempt == self.attempts:
                        raise
                else:
                    if not (safe and response.status_code in TRANSIENT_STATUS) or attempt == self.attempts:
                        return response
                with self._lock:
                    self.repeated += 1
                self.sleep(self.pause * 2 ** (attempt - 1))
            raise AssertionError("unreachable")  # pragma: no cover

        session.request = request
        return session


class CloudError(Exception):
    """A failure naming the resource it concerns; ``transient`` when the cloud's passing trouble caused it."""

    def __init__(self, resource, message, transient=False):
        self.resource = resource
        self.transient = transient
        super().__init__("%s: %s" % (resource, message))


class CloudModule:
    """An AnsibleModule with a lazily made openstacksdk connection and counted requests."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(CLOUD_ARGS)
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.module.params
        self.counter = ApiCounter()
        self.retrying = Retrying()
        self.rerun = []  # why the reconcile ran again (transient errors)
        self._conn = None
        if not HAS_SDK:
            self.module.fail_json(msg=missing_required_lib("openstacksdk"), exception=SDK_ERROR)
        if self.params["concurrency"] < 1:
            self.module.fail_json(msg="concurrency: %d is not valid; use 1 or more" % self.params["concurrency"])
        for name in ("api_timeout", "timeout"):
            if self.params[name] < 1:
                self.module.fail_json(msg="%s: %d is not valid; use 1 second or more" % (name, self.params[name]))
        self.module.no_log_values.update(secrets(self.params))

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def conn(self):
        if self._conn is None:
            use_monotonic_clock()
            # no single request waits longer than the whole module may
            params = dict(self.params, api_timeout=self.api_timeout)
            if params["cloud"] in (None, ""):
                params["cloud"] = self.lab_cloud()
            try:
                self._conn = connect(params)
            except CloudError as err:
                self.fail(str(err), resource=err.resource)
            self.retrying.wrap(self.counter.wrap(self._conn.session))
        return self._conn

    @property
    def api_timeout(self):
        """How long one request may wait for its answer: api_timeout, never more than the module's timeout."""
        return min(self.params["api_timeout"], self.params["timeout"])

    def lab_cloud(self):
        """The clouds.yaml entry the lab names (``cloud`` of O(plan) or O(lab)), or None for openstacksdk's choice
        (OS_CLOUD, the only entry of clouds.yaml, OS_* variables). Used when the task gives no O(cloud)."""
        for name in ("plan", "lab"):
            source = self.params.get(name)
            if isinstance(source, dict) and source.get("cloud") not in (None, "", "auto"):
                return source["cloud"]
        return None

    def deadline(self):
        return time.monotonic() + self.params["timeout"]

    def _report(self, result):
        result["api_calls"] = dict(self.counter.counts)
        result["retries"] = {"requests": self.retrying.repeated, "reconciles": list(self.rerun)}
        return result

    def exit(self, changed, **result):
        # a reconcile that failed half way and ran again may have changed what this one then found done
        changed = changed or (bool(self.rerun) and self.counter.mutating() > 0 and not self.check_mode)
        self.module.exit_json(changed=changed, **self._report(result))

    def fail(self, msg, **result):
        self.module.fail_json(msg=msg, **self._report(result))

    def run(self, body):
        """Call body(self); on the cloud's passing trouble run it again (up to O(retries) times, within the
        timeout); turn SDK and resource errors into one clear failure."""
        deadline, attempt = self.deadline(), 0
        while True:
            attempt += 1
            try:
                body(self)
                return
            except Exception as err:  # pylint: disable=broad-exception-caught
                again = transient(err) and attempt <= self.params["retries"] and time.monotonic() < deadline
                if not again:
                    self._give_up(err, attempt)
                self.rerun.append("%s: %s" % (type(err).__name__, str(err)[:200]))
                time.sleep(min(2 ** attempt, 20))

    def _give_up(self, err, attempt):
        tries = " (after %d attempts)" % attempt if attempt > 1 else ""
        if isinstance(err, CloudError):
            self.fail(str(err) + tries, resource=err.resource, transient=err.transient)
        if isinstance(err, openstack.exceptions.SDKException) or transient(err):
            self.fail("OpenStack API error%s: %s" % (tries, err), transient=transient(err))
        if isinstance(err, ksa_exceptions.ConnectTimeout):
            self.fail("OpenStack API: no answer within api_timeout (%d s)%s: %s"
                      % (self.api_timeout, tries, err), transient=False)
        if isinstance(err, ksa_exceptions.ClientException):
            why = "nothing answers there" if unreachable(err) else "the request failed"
            self.fail("OpenStack API unreachable (%s)%s: %s" % (why, tries, err), transient=False)
        raise err


def parallel(items, action, concurrency):
    """Run action(item) for every item with at most ``concurrency`` at once.

    Returns (results, errors): results in the order of ``items``, errors as (item, exception).
    Every item is tried even when others fail, so one bad server does not leave the rest unmade.
    """
    results, errors = [None] * len(items), []

    def one(index):
        try:
            results[index] = action(items[index])
        except Exception as err:  # pylint: disable=broad-exception-caught
            errors.append((items[index], err))

    if not items:
        return results, errors
    with ThreadPoolExecutor(max_workers=min(concurrency, len(items))) as pool:
        list(pool.map(one, range(len(items))))
    return results, errors
