# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from keystoneauth1 import exceptions as ksa_exceptions

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import (
    AUTH_ARGS,
    ApiCounter,
    Phases,
    call_kind,
    CloudError,
    Retrying,
    connection_args,
    parallel,
    secrets,
    transient,
)
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.owned import Changes, differences, owns


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


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_call_kind_names_the_request_without_ids_or_versions():
    assert call_kind("/servers", "post", {"endpoint_filter": {"service_type": "compute"}}) == "POST compute /servers"
    assert call_kind("servers/8c5e3bb5-1c4e-4d6c-9a8e-0e9d1a2b3c4d/os-volume_attachments?x=1", "GET",
                     {"endpoint_filter": {"service_type": "compute"}}) == "GET compute /servers/{id}/os-volume_attachments"
    assert call_kind("http://127.0.0.1:8776/v3/0123456789abcdef0123456789abcdef/volumes/detail", "GET",
                     {"endpoint_filter": {"service_type": "block-storage"}}) == "GET block-storage /{id}/volumes/detail"
    assert call_kind("http://127.0.0.1:5000/v3/auth/tokens", "POST", {"authenticated": False}) == \
        "POST identity /auth/tokens"
    assert call_kind("/ports", "GET", {}) == "GET - /ports"


def test_counter_times_each_kind_of_call_even_when_it_fails():
    clock = Clock()

    class Slow:
        def request(self, url, method, *args, **kwargs):
            clock.now += {"/servers": 2.0, "/ports": 0.5}[url]
            if kwargs.get("fail"):
                raise RuntimeError("503")
            return url

    counter = ApiCounter(clock=clock)
    session = counter.wrap(Slow())
    compute = {"endpoint_filter": {"service_type": "compute"}}
    session.request("/servers", "POST", **compute)
    session.request("/servers", "POST", **compute)
    session.request("/ports", "GET", endpoint_filter={"service_type": "network"})
    with pytest.raises(RuntimeError):
        session.request("/ports", "GET", endpoint_filter={"service_type": "network"}, fail=True)
    assert counter.timings() == [
        {"call": "POST compute /servers", "count": 2, "total_s": 4.0, "longest_s": 2.0},
        {"call": "GET network /ports", "count": 2, "total_s": 1.0, "longest_s": 0.5},
    ]
    assert counter.counts == {"POST": 2, "GET": 2}


def test_phases_add_up_per_name_in_the_order_they_ran():
    clock = Clock()
    phases = Phases(clock=clock)
    with phases("ports"):
        clock.now += 1.5
    with phases("servers"):
        clock.now += 3.0
    with pytest.raises(ValueError):
        with phases("ports"):
            clock.now += 0.25
            raise ValueError("a failed step still counts")
    assert phases.seconds == {"ports": 1.75, "servers": 3.0}
    assert list(phases.seconds) == ["ports", "servers"]


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


class Flaky:
    """A session whose answers are scripted: an exception is raised, anything else returned as the status."""

    def __init__(self, *answers):
        self.answers, self.calls = list(answers), []

    def request(self, url, method, *args, **kwargs):
        self.calls.append((url, method, kwargs.get("connect_retries")))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return SimpleNamespace(status_code=answer)


def retrying(session):
    retry = Retrying(attempts=4, pause=0.01, sleep=lambda seconds: None)
    return retry, retry.wrap(session)


def test_repeatable_requests_are_repeated_on_passing_trouble():
    retry, session = retrying(Flaky(ksa_exceptions.ConnectFailure("reset"), 503, 409, 200))
    assert session.request("/v2.1/servers", "GET").status_code == 200
    assert len(session.calls) == 4 and retry.repeated == 3
    retry, session = retrying(Flaky(ksa_exceptions.ConnectFailure("lost"), 201))
    assert session.request("/v3/auth/tokens", "POST", authenticated=False).status_code == 201  # a token: harmless
    retry, session = retrying(Flaky(502, 502, 502, 502))
    assert session.request("/v2.0/ports/p1", "DELETE").status_code == 502 and len(session.calls) == 4  # gives up


def test_a_refusal_is_not_repeated():
    retry, session = retrying(Flaky(400, 200))
    assert session.request("/v2.0/networks", "GET").status_code == 400 and retry.repeated == 0


def test_a_call_that_may_have_changed_something_is_never_repeated_blind():
    """A lost answer to a POST (or to a router-interface PUT) may hide a resource the cloud made: sending it again
    would make a second one. keystoneauth's own connection retry is turned off for them too."""
    for url, method in [("/v2.0/ports", "POST"), ("/v2.0/routers/r1/add_router_interface", "PUT")]:
        retry, session = retrying(Flaky(ksa_exceptions.ConnectFailure("answer lost"), 201))
        with pytest.raises(ksa_exceptions.ConnectFailure):
            session.request(url, method)
        assert session.calls == [(url, method, 0)] and retry.repeated == 0
        retry, session = retrying(Flaky(503, 201))
        assert session.request(url, method).status_code == 503 and len(session.calls) == 1


def test_what_counts_as_passing_trouble():
    assert transient(ksa_exceptions.ConnectFailure("Connection aborted: RemoteDisconnected"))
    assert transient(ksa_exceptions.ConnectFailure("[Errno 104] Connection reset by peer"))
    # nothing answers there: asking again only costs time
    for why in ("[Errno 111] Connection refused", "[Errno -2] Name or service not known",
                "[Errno -3] Temporary failure in name resolution", "[Errno 113] No route to host"):
        assert not transient(ksa_exceptions.ConnectFailure("Unable to establish connection to http://x:5000: " + why))
    assert not transient(ksa_exceptions.ConnectTimeout("Request to http://x:5000/v3 timed out"))  # api_timeout
    assert not transient(ksa_exceptions.SSLError("certificate verify failed"))
    assert transient(SimpleNamespace(status_code=503)) and transient(SimpleNamespace(http_status=409))
    assert not transient(SimpleNamespace(status_code=400)) and not transient(ValueError("bad input"))
    assert transient(CloudError("server uc-0001", "x", transient=True)) and not transient(CloudError("net", "quota"))


def run_body(monkeypatch, body, **args):
    """CloudModule.run(body) as a module run: its JSON result."""
    from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer import api as cloud
    from tests.unit.plugins._module_runner import run_module

    monkeypatch.setattr(cloud.time, "sleep", lambda seconds: None)

    def main():
        cloud.CloudModule({}).run(body)

    return run_module(dict({"cloud": "c"}, **args), main=main)


def test_a_reconcile_hit_by_passing_trouble_runs_again_and_reports_its_change(monkeypatch):
    tries = []

    def body(cm):
        tries.append(1)
        cm.counter.counts["POST"] = 1  # the lost call
        if len(tries) < 3:
            raise CloudError("server uc-0001", "answer lost", transient=True)
        cm.exit(False, found="made by the lost call")  # the new run finds it done

    result = run_body(monkeypatch, body)
    assert len(tries) == 3 and result["changed"] and result["found"] == "made by the lost call"
    assert result["retries"]["reconciles"] == ["CloudError: server uc-0001: answer lost"] * 2


def test_a_refusal_or_too_much_trouble_fails_at_once_naming_the_resource(monkeypatch):
    tries = []

    def refused(cm):
        tries.append(1)
        raise CloudError("network lab1-net", "quota exceeded")

    result = run_body(monkeypatch, refused)
    assert result["failed"] and result["msg"] == "network lab1-net: quota exceeded" and len(tries) == 1

    def always(cm):
        tries.append(1)
        raise ksa_exceptions.ConnectFailure("reset")

    del tries[:]
    result = run_body(monkeypatch, always, retries=2)
    assert result["failed"] and result["transient"] and "(after 3 attempts)" in result["msg"] and len(tries) == 3


def test_a_silent_endpoint_is_not_asked_again_in_the_same_run():
    """keystoneauth asks for a token after its discovery request timed out: that would double the wait."""
    retry, session = retrying(Flaky(ksa_exceptions.ConnectTimeout("timed out"), 200))
    with pytest.raises(ksa_exceptions.ConnectTimeout):
        session.request("http://127.0.0.1:5000/v3", "GET", authenticated=False)
    with pytest.raises(ksa_exceptions.ConnectTimeout, match="127.0.0.1:5000 gave no answer before"):
        session.request("http://127.0.0.1:5000/v3/auth/tokens", "POST", authenticated=False)
    assert len(session.calls) == 1 and retry.repeated == 0
    assert session.request("http://127.0.0.1:9696/v2.0/ports", "GET").status_code == 200  # another endpoint


def _params(**given):
    params = dict((name, spec.get("default")) for name, spec in AUTH_ARGS.items())
    params.update(given)
    return params


def test_connection_args_as_openstack_cloud_builds_them():
    assert connection_args(_params(cloud="mycloud")) == {"cloud": "mycloud", "interface": "public", "api_timeout": 60}
    # nothing named: openstacksdk's choice (OS_CLOUD, the only clouds.yaml entry, OS_* variables)
    assert connection_args(_params()) == {"interface": "public", "api_timeout": 60}
    full = connection_args(_params(cloud="c", auth={"password": "p"}, auth_type="password", region_name="R2",
                                   interface="internal", validate_certs=False, ca_cert="/ca", client_cert="/crt",
                                   client_key="/key", api_timeout=5))
    assert full == {"cloud": "c", "auth": {"password": "p"}, "auth_type": "password", "region_name": "R2",
                    "interface": "internal", "verify": False, "cacert": "/ca", "cert": "/crt", "key": "/key",
                    "api_timeout": 5}


def test_an_inline_cloud_dict_is_used_alone_and_refuses_options_beside_it():
    inline = {"auth": {"auth_url": "http://k:5000/v3", "password": "s3cret"}, "region_name": "R1"}
    args = connection_args(_params(cloud=inline))
    assert args == dict(inline, load_yaml_config=False, load_envvars=False, api_timeout=60)
    assert secrets(_params(cloud=inline)) == ["s3cret"]
    for option, value in (("region_name", "R2"), ("auth", {"password": "x"}), ("validate_certs", False),
                          ("interface", "admin")):
        with pytest.raises(ValueError) as err:
            connection_args(_params(cloud=inline, **{option: value}))
        assert err.value.args[0] == option and "put %s in the dict" % option in err.value.args[1]
    with pytest.raises(ValueError) as err:
        connection_args(_params(cloud=["a"]))
    assert err.value.args[0] == "cloud"


def test_the_labs_cloud_is_used_when_the_task_names_none(monkeypatch):
    from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer import api as cloud

    seen = []
    monkeypatch.setattr(cloud.openstack, "connect", lambda **kwargs: seen.append(kwargs) or SimpleNamespace(
        session=FakeSession()))

    def body(cm):
        cm.conn  # pylint: disable=pointless-statement
        cm.exit(False)

    from tests.unit.plugins._module_runner import run_module
    for args, expected in (({"plan": {"cloud": "labcloud"}}, "labcloud"), ({"plan": {"cloud": "auto"}}, None),
                           ({"plan": {"cloud": "labcloud"}, "cloud": "given"}, "given")):
        del seen[:]
        run_module(args, main=lambda: cloud.CloudModule({"plan": {"type": "dict"}}).run(body))
        assert seen[0].get("cloud") == expected, (args, seen)
