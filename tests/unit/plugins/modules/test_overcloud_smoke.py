# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""overcloud_smoke: the test's user kept from an earlier run, and Keystone's whole-second token revocation."""

from __future__ import annotations

import pytest

from ansible_collections.nestedcloud.openstack.plugins.modules import overcloud_smoke as smoke

pytest.importorskip("openstack")


class FakeIdentity:
    def __init__(self, user):
        self.user, self.calls = user, []

    def find_user(self, name, domain_id):
        self.calls.append(("find_user", name, domain_id))
        return self.user

    def create_user(self, **kwargs):
        self.calls.append(("create_user", kwargs["name"], kwargs["password"]))
        return {"name": kwargs["name"]}

    def update_user(self, user, password):
        self.calls.append(("update_user", user["name"], password))


class FakeConnection:
    def __init__(self, refused):
        self.refused = refused

    def authorize(self):
        if self.refused:
            raise smoke.openstack.exceptions.SDKException("The request you have made requires authentication. (HTTP 401)")
        return "a-token"


def make(monkeypatch, user, password_refused):
    params = {"name": "nc-smoke", "user_password": "secret", "auth_url": "http://c:5000/v3", "region": "RegionOne",
              "domain": "Default", "cacert": None}
    tries, sleeps = [], []

    def connect(*args, **kwargs):
        assert kwargs == {"domain": "Default", "cacert": None}  # the module's defaults: packaged Keystone, plain HTTP
        tries.append(args)
        return FakeConnection(password_refused)

    monkeypatch.setattr(smoke, "connect", connect)
    monkeypatch.setattr(smoke.time, "sleep", sleeps.append)
    test = smoke.Smoke.__new__(smoke.Smoke)
    test.p = params
    test.admin = type("Admin", (), {})()
    test.admin.identity = FakeIdentity(user)
    return test, tries, sleeps


def test_a_kept_user_whose_password_works_is_left_alone(monkeypatch):
    """Changing it would revoke its tokens; one issued in the same second would then be refused (CI saw a 401)."""
    test, tries, sleeps = make(monkeypatch, {"name": "nc-smoke"}, password_refused=False)
    assert test.ensure_user(project=None) == {"name": "nc-smoke"}
    assert [c[0] for c in test.admin.identity.calls] == ["find_user"]
    assert tries == [("http://c:5000/v3", "nc-smoke", "secret", "nc-smoke", "RegionOne")]
    assert sleeps == []


def test_a_kept_user_with_another_password_gets_this_one_and_waits_past_the_revocation_second(monkeypatch):
    test, tries, sleeps = make(monkeypatch, {"name": "nc-smoke"}, password_refused=True)
    test.ensure_user(project=None)
    assert len(tries) == 1  # the kept password was tried once before it was changed
    assert ("update_user", "nc-smoke", "secret") in test.admin.identity.calls
    assert len(sleeps) == 1 and sleeps[0] > 1.0


def test_a_new_user_is_created_with_the_password(monkeypatch):
    test, tries, sleeps = make(monkeypatch, None, password_refused=True)
    test.ensure_user(project=type("Project", (), {"id": "p1"})())
    assert test.admin.identity.calls[-1] == ("create_user", "nc-smoke", "secret")
    assert tries == [] and sleeps == []
