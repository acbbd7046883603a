# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""overcloud_health: comparing what runs with what should, and its input checks."""

from __future__ import annotations

import pytest

from ansible_collections.nestedcloud.openstack.plugins.modules import overcloud_health as health
from tests.unit.plugins._module_runner import run_module


def test_compare_counts_and_names_host_and_log():
    expected = {"nova-compute": ["uc-0002", "uc-0003"], "nova-conductor": ["uc-0001"]}
    found = {("nova-compute", "uc-0002"): (True, "is up/enabled"), ("nova-conductor", "uc-0001"): (False, "is down/enabled"),
             ("nova-compute", "uc-0009"): (True, "is up/enabled")}  # a host nobody asked for does not count
    passed, total, waiting = health.compare(expected, found, "Nova service")
    assert (passed, total) == (1, 3)
    assert waiting == [
        "nova-compute on uc-0003: Nova service not registered (see /var/log/nova/nova-compute.log on uc-0003)",
        "nova-conductor on uc-0001: Nova service is down/enabled (see /var/log/nova/nova-conductor.log on uc-0001)"]


def test_log_of_other_projects():
    assert health.log_of("neutron-l3-agent", "uc-0001") == "see /var/log/neutron/neutron-l3-agent.log on uc-0001"
    assert health.log_of("glance", "the controller") == "see /var/log/glance/glance.log on the controller"


def test_check_reports_apis_and_a_cloud_that_does_not_answer(monkeypatch):
    monkeypatch.setattr(health, "api_status", lambda url: (url.endswith(":9292/"), "HTTP 503"))

    def refuse(*args, **kwargs):
        raise health.openstack.exceptions.SDKException("connection refused")

    monkeypatch.setattr(health, "connect_admin", refuse)
    params = {"apis": {"glance": "http://c:9292/", "nova": "http://c:8774/"}, "region": "RegionOne",
              "auth": {"auth_url": "http://c:5000/v3", "username": "admin", "password": "p", "project_name": "admin"},
              "compute_services": {"nova-compute": ["uc-0002"]}, "network_agents": {}}
    passed, total, waiting = health.check(params)
    assert (passed, total) == (1, 4)
    assert waiting[0] == "nova API at http://c:8774/: HTTP 503 (see /var/log/nova/nova.log on the controller)"
    assert "did not answer the health queries: connection refused" in waiting[1]
    assert waiting[2].startswith("nova-compute on uc-0002: Nova service not registered")


@pytest.mark.parametrize("args, field", [
    ({"compute_services": {"nova-compute": "uc-0002"}}, "compute_services.nova-compute"),
    ({"wait": -5}, "wait"), ({"delay": 0}, "delay")])
def test_bad_input_names_the_field(args, field):
    result = run_module(dict({"auth": {"auth_url": "http://c:5000/v3", "password": "not-in-any-message"}}, **args), main=health.main)
    assert result["failed"] and result["msg"].startswith(field + ":")


def test_the_inner_admin_options_are_shared_and_a_bad_url_is_named():
    """overcloud_health, overcloud_identity and overcloud_smoke take the inner cloud's admin the same way."""
    from ansible_collections.nestedcloud.openstack.plugins.modules import overcloud_identity, overcloud_smoke

    for module in (health, overcloud_identity, overcloud_smoke):
        assert module.ADMIN_ARGS is health.ADMIN_ARGS
        assert "nestedcloud.openstack.inner_admin" in module.DOCUMENTATION
    result = run_module({"auth": {"auth_url": "c:5000/v3", "password": "not-in-any-message"}}, main=health.main)
    assert result["failed"] and result["msg"].startswith("auth.auth_url: 'c:5000/v3' is not an http(s) URL")
