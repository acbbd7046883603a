# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from ansible_collections.nestedcloud.openstack.plugins.module_utils.cloud import ApiCounter, parallel
from ansible_collections.nestedcloud.openstack.plugins.module_utils.owned import Changes, differences, owns


class FakeSession:
    def request(self, url, method, *args, **kwargs):
        return (url, method)


def test_counter_counts_methods_and_logins_apart():
    counter = ApiCounter()
    fake = counter.wrap(FakeSession())
    fake.request("/servers", "get")
    fake.request("/servers", "POST")
    fake.request("/v3/auth/tokens", "POST", authenticated=False)
    assert counter.counts == {"GET": 1, "POST": 1, "auth": 1}
    assert counter.mutating() == 1


def test_parallel_bounds_concurrency_keeps_order_and_collects_errors():
    running, peak, lock = [0], [0], threading.Lock()

    def work(n):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        if n == 3:
            raise ValueError("three")
        return n * 10

    results, errors = parallel(list(range(8)), work, 3)
    assert peak[0] <= 3
    assert results[:3] == [0, 10, 20] and results[3] is None
    assert [(item, str(err)) for item, err in errors] == [(3, "three")]
    assert parallel([], work, 3) == ([], [])


def test_ownership_by_tag_or_marker_only():
    plan = {"name": "lab1", "tag": "nestedcloud-lab1"}
    assert owns(plan, SimpleNamespace(tags=["nestedcloud-lab1"], description=""))
    assert owns(plan, SimpleNamespace(tags=[], description="nestedcloud:lab1"))
    assert not owns(plan, SimpleNamespace(tags=["nestedcloud-lab10"], description="nestedcloud:lab10"))
    assert not owns(plan, SimpleNamespace(tags=None, description=None))


def test_changes_and_differences():
    changes = Changes(check_mode=True)
    assert not changes.changed
    changes.record("create", "network", "n", after={"name": "n"})
    assert changes.changed and changes.result()["diff"]["after"] == {"network/n": {"name": "n"}}
    assert differences({"a": 1, "b": [1]}, {"a": 1, "b": [2], "c": None, "d": 3}) == {"b": [2], "d": 3}
