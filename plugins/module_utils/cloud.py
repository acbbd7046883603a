# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The small core of the undercloud modules: connection, request accounting, errors, parallelism.

``CloudModule`` wraps (does not subclass) AnsibleModule. The connection is made on first use,
never in a constructor, so unit tests can hand in a fake. Every HTTP request the SDK sends is
counted by method: ``api_calls`` in each result shows that a second run mutates nothing.
"""

from __future__ import annotations

import threading
import time
import time as _clock
import traceback
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

try:
    import openstack
    from keystoneauth1 import _fair_semaphore

    HAS_SDK = True
    SDK_ERROR = None
except ImportError:  # pragma: no cover - reported by the module
    HAS_SDK = False
    SDK_ERROR = traceback.format_exc()

MUTATING = ("POST", "PUT", "PATCH", "DELETE")

# The options most modules take besides CLOUD_ARGS (documented by the plan doc fragment and each module).
PLAN_ARG = dict(plan=dict(type="dict", required=True))
STATE_ARG = dict(state=dict(type="str", default="present", choices=["present", "absent"]))

CLOUD_ARGS = dict(
    cloud=dict(type="str", required=True),
    wait=dict(type="bool", default=True),
    timeout=dict(type="int", default=900),
    concurrency=dict(type="int", default=8),
)


class _MonotonicTime:
    """keystoneauth1 paces requests with time.time(); a clock stepped backwards would stall them."""

    time = staticmethod(_clock.monotonic)
    sleep = staticmethod(_clock.sleep)


def use_monotonic_clock():
    """Make keystoneauth1 pace its requests by the monotonic clock (see _MonotonicTime)."""
    _fair_semaphore.time = _MonotonicTime


class ApiCounter:
    """Counts the requests of a keystoneauth session by HTTP method (thread-safe)."""

    def __init__(self):
        self.counts = {}
        self._lock = threading.Lock()

    def wrap(self, session):
        original = session.request

        def request(url, method, *args, **kwargs):
            # keystoneauth asks for tokens with authenticated=False: that is a login, not a change
            key = "auth" if kwargs.get("authenticated") is False else method.upper()
            with self._lock:
                self.counts[key] = self.counts.get(key, 0) + 1
            return original(url, method, *args, **kwargs)

        session.request = request
        return session

    def mutating(self):
        return sum(n for method, n in self.counts.items() if method in MUTATING)


class CloudError(Exception):
    """A failure naming the resource it concerns."""

    def __init__(self, resource, message):
        self.resource = resource
        super().__init__("%s: %s" % (resource, message))


class CloudModule:
    """An AnsibleModule with a lazily made openstacksdk connection and counted requests."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(CLOUD_ARGS)
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.module.params
        self.counter = ApiCounter()
        self._conn = None
        if not HAS_SDK:
            self.module.fail_json(msg=missing_required_lib("openstacksdk"), exception=SDK_ERROR)
        if self.params["concurrency"] < 1:
            self.module.fail_json(msg="concurrency: %d is not valid; use 1 or more" % self.params["concurrency"])

    @property
    def check_mode(self):
        return self.module.check_mode

    @property
    def conn(self):
        if self._conn is None:
            use_monotonic_clock()
            try:
                self._conn = openstack.connect(cloud=self.params["cloud"])
                self.counter.wrap(self._conn.session)
            except openstack.exceptions.ConfigException as err:
                self.module.fail_json(msg="cloud: %s Name an entry of clouds.yaml (./, ~/.config/openstack/, "
                                      "/etc/openstack/ or $OS_CLIENT_CONFIG_FILE) in nestedcloud_lab.cloud." % err)
        return self._conn

    def deadline(self):
        return time.monotonic() + self.params["timeout"]

    def exit(self, changed, **result):
        result["api_calls"] = dict(self.counter.counts)
        self.module.exit_json(changed=changed, **result)

    def fail(self, msg, **result):
        result["api_calls"] = dict(self.counter.counts)
        self.module.fail_json(msg=msg, **result)

    def run(self, body):
        """Call body(self); turn SDK and resource errors into one clear failure."""
        try:
            body(self)
        except CloudError as err:
            self.fail(str(err), resource=err.resource)
        except openstack.exceptions.SDKException as err:
            self.fail("OpenStack API error: %s" % err)


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
