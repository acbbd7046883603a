# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A dead outer cloud fails fast and never hangs: an endpoint that refuses connections fails at once naming it, one
that accepts and never answers fails at api_timeout, and no single request outlives the module's own timeout. The
clouds are local sockets (127.0.0.1) this test opens."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
import yaml

from . import _runner

LAB = {"name": "dead", "image": "debian-13", "flavors": {"jumphost": "m1.small", "undercloud": "m1.xlarge"}}


def _clouds(tmp_path, port):
    auth = {"auth_url": "http://127.0.0.1:%d/v3" % port, "username": "demo", "password": "not-a-real-one",
            "project_name": "demo", "user_domain_name": "Default", "project_domain_name": "Default"}
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"dead": {"auth": auth, "region_name": "RegionOne"}}}))
    return str(path)


@pytest.fixture()
def refusing(tmp_path):
    """A port on which nothing listens: bound, never listening, so the kernel refuses every connection."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@pytest.fixture()
def silent():
    """A socket that accepts connections (the kernel's backlog) and never reads nor answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def _plan_info(clouds, **args):
    started = time.monotonic()
    result = _runner.run_task("nestedcloud.openstack.undercloud_plan_info", dict({"cloud": "dead", "lab": LAB}, **args),
                              env={"OS_CLIENT_CONFIG_FILE": clouds})
    took = time.monotonic() - started
    print("undercloud_plan_info %s: failed after %.1f s (ansible-playbook included): %s"
          % (args, took, result.get("msg")))
    return result


def test_a_refused_endpoint_fails_at_once_naming_it(tmp_path, refusing):
    result = _plan_info(_clouds(tmp_path, refusing))
    assert result.get("failed"), result
    assert "http://127.0.0.1:%d/v3" % refusing in result["msg"] and "Connection refused" in result["msg"], result
    assert "nothing answers there" in result["msg"]
    # asked once (a login and its discovery), never again: no reconcile ran again, no request was repeated
    assert result["api_calls"].get("auth", 0) <= 2, result["api_calls"]
    assert result["retries"] == {"requests": 0, "reconciles": []}, result["retries"]
    assert not result["transient"]


def test_a_silent_endpoint_fails_at_api_timeout(tmp_path, silent):
    result = _plan_info(_clouds(tmp_path, silent), api_timeout=2)
    assert result.get("failed"), result
    assert result["msg"].startswith("OpenStack API: no answer within api_timeout (2 s)"), result["msg"]
    assert "127.0.0.1:%d" % silent in result["msg"]
    assert result["retries"] == {"requests": 0, "reconciles": []}, result["retries"]


def test_no_request_outlives_the_modules_timeout(tmp_path, silent):
    """api_timeout left at its default (60 s): the module's timeout of 3 s bounds each request."""
    result = _plan_info(_clouds(tmp_path, silent), timeout=3)
    assert result.get("failed"), result
    assert result["msg"].startswith("OpenStack API: no answer within api_timeout (3 s)"), result["msg"]


def test_the_inventory_plugin_fails_fast_on_both(tmp_path, refusing, silent):
    for port, expected in ((refusing, "Connection refused"), (silent, "no answer within api_timeout (2 s)")):
        config = tmp_path / ("%d.nestedcloud.yml" % port)
        config.write_text(yaml.safe_dump({"plugin": "nestedcloud.openstack.lab", "lab": LAB, "cloud": "dead",
                                          "api_timeout": 2}))
        env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(_runner.TOP, "ansible.cfg"),
                   OS_CLIENT_CONFIG_FILE=_clouds(tmp_path, port), ANSIBLE_INVENTORY_UNPARSED_FAILED="1")
        run = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i", str(config),
                              "--list"], cwd=_runner.TOP, env=env, capture_output=True, text=True, timeout=120,
                             check=False)
        assert run.returncode != 0, run.stdout
        assert "cloud dead:" in run.stderr and expected in run.stderr, run.stderr
        assert "127.0.0.1:%d" % port in run.stderr, run.stderr
