# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The smoke scenario (module_utils/inner/smoke.py): the test's user kept from an earlier run and Keystone's
whole-second token revocation; the canary kept between runs - what a later run keeps, replaces, starts or sweeps, and
its keypair tied to the private key on r0."""

from __future__ import annotations

import os
import shutil
import subprocess
from types import SimpleNamespace as NS

import pytest

pytest.importorskip("openstack")

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner import smoke  # noqa: E402


def params(**extra):
    base = {"name": "nc-smoke", "user_password": "secret", "admin_password": "admin", "auth_url": "http://c:5000/v3",
            "region": "RegionOne", "domain": "Default", "cacert": None, "canary": False, "key_file": None, "keep": False,
            "flavor": {"name": "smoke.tiny", "ram": 256, "vcpus": 1, "disk": 1}, "timeout": 5, "ssh_user": "root",
            "external": {"cidr": "10.44.0.0/16", "gateway": "10.44.0.1", "pool_start": "10.44.1.1",
                         "pool_end": "10.44.1.9", "physnet": "external"},
            "tenant": {"cidr": "10.55.0.0/16", "gateway": "10.55.0.1"}}
    base.update(extra)
    return base


# --- the user kept from an earlier run -------------------------------------------------------------------------

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


def make(monkeypatch, user, password_refused, **extra):
    tries, sleeps = [], []

    def connect(*args, **kwargs):
        assert kwargs == {"domain": "Default", "cacert": None}  # the module's defaults: packaged Keystone, plain HTTP
        tries.append(args)
        return FakeConnection(password_refused)

    monkeypatch.setattr(smoke, "connect", connect)
    monkeypatch.setattr(smoke.time, "sleep", sleeps.append)
    test = smoke.Smoke(params(**extra))
    test.admin = NS(identity=FakeIdentity(user))
    return test, tries, sleeps


def test_a_kept_user_whose_password_works_is_left_alone(monkeypatch):
    """Changing it would revoke its tokens; one issued in the same second would then be refused (CI saw a 401)."""
    test, tries, sleeps = make(monkeypatch, {"name": "nc-smoke"}, password_refused=False)
    assert test.ensure_user(project=None) == {"name": "nc-smoke"}
    assert [c[0] for c in test.admin.identity.calls] == ["find_user"]
    assert tries == [("http://c:5000/v3", "nc-smoke", "secret", "nc-smoke", "RegionOne")]
    assert sleeps == []
    assert [what for what, _undo in test.cleanup] == ["user nc-smoke"]  # a one-off run deletes it at its end


def test_a_kept_user_with_another_password_gets_this_one_and_waits_past_the_revocation_second(monkeypatch):
    test, tries, sleeps = make(monkeypatch, {"name": "nc-smoke"}, password_refused=True)
    test.ensure_user(project=None)
    assert len(tries) == 1  # the kept password was tried once before it was changed
    assert ("update_user", "nc-smoke", "secret") in test.admin.identity.calls
    assert len(sleeps) == 1 and sleeps[0] > 1.0


def test_a_new_user_is_created_with_the_password(monkeypatch):
    test, tries, sleeps = make(monkeypatch, None, password_refused=True)
    test.ensure_user(project=NS(id="p1"))
    assert test.admin.identity.calls[-1] == ("create_user", "nc-smoke", "secret")
    assert tries == [] and sleeps == []
    assert test.created == ["user nc-smoke"] and not test.changed  # a one-off run: made, then deleted again


def test_a_canary_run_keeps_the_user_and_counts_a_new_one_as_a_change(monkeypatch, tmp_path):
    test, _tries, _sleeps = make(monkeypatch, {"name": "nc-smoke"}, password_refused=False, canary=True,
                                 key_file=str(tmp_path / "key"))
    test.ensure_user(project=None)
    assert test.cleanup == [] and not test.changed
    test, _tries, _sleeps = make(monkeypatch, None, password_refused=False, canary=True, key_file=str(tmp_path / "key"))
    test.ensure_user(project=NS(id="p1"))
    assert test.changed


# --- the canary --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status, rekeyed, action", [
    (None, False, "boot"), ("ACTIVE", False, "keep"), ("ACTIVE", True, "replace"), ("ERROR", False, "replace"),
    ("SHUTOFF", False, "start"), ("BUILD", False, "wait"), ("REBOOT", False, "wait"), (None, True, "boot"),
])
def test_what_a_run_does_with_the_canary_it_finds(status, rekeyed, action):
    assert smoke.canary_action(status, rekeyed) == action


def test_a_keypair_is_the_same_whatever_its_comment():
    assert smoke.same_key("ssh-ed25519 AAAA nova", "ssh-ed25519 AAAA smoke")
    assert not smoke.same_key("ssh-ed25519 AAAB smoke", "ssh-ed25519 AAAA smoke")
    assert not smoke.same_key(None, "ssh-ed25519 AAAA")


def test_the_sweep_of_a_canary_run_leaves_the_canary_and_what_it_stands_on():
    kept = {"server": ("s-canary",), "router": ("s",), "port": "p1"}
    servers = [{"name": "s-canary"}, {"name": "s-vm"}]
    assert smoke.leftovers("server", servers, True, kept) == [{"name": "s-vm"}]
    assert smoke.leftovers("server", servers, False, kept) == servers  # a one-off run removes a canary too
    fips = [{"name": None, "port_id": "p1"}, {"name": None, "port_id": "p2"}, {"name": None, "port_id": None}]
    assert smoke.leftovers("floating_ip", fips, True, kept) == fips[1:]
    assert smoke.leftovers("floating_ip", fips, True, {"port": None}) == fips  # no canary: every floating IP goes
    assert smoke.leftovers("router", [{"name": "s"}, {"name": "old"}], True, kept) == [{"name": "old"}]


class Compute:
    """Nova as the smoke test's user sees it: servers by name, keypairs, and a log of what was asked."""

    def __init__(self, servers=(), keypair=None):
        self.servers = {s.name: s for s in servers}
        self.keypair, self.calls = keypair, []

    def find_server(self, name):
        return self.servers.get(name)

    def get_server(self, server_id):
        return next(s for s in self.servers.values() if s.id == server_id)

    def create_server(self, **kwargs):
        self.calls.append(("create_server", kwargs["name"]))
        server = NS(id="new", name=kwargs["name"], status="ACTIVE", compute_host="uc-0003", hypervisor_hostname=None,
                    created_at="now", fault=None)
        self.servers[server.name] = server
        return server

    def delete_server(self, server):
        self.calls.append(("delete_server", server.id))
        del self.servers[server.name]

    def wait_for_delete(self, server, wait):
        self.calls.append(("wait_for_delete", server.id))

    def start_server(self, server):
        self.calls.append(("start_server", server.id))
        server.status = "ACTIVE"

    def find_flavor(self, name, ignore_missing):
        return NS(id="f1", name=name)

    def find_keypair(self, name):
        return self.keypair

    def delete_keypair(self, name):
        self.calls.append(("delete_keypair", name))
        self.keypair = None

    def create_keypair(self, name, public_key):
        self.calls.append(("create_keypair", name))
        self.keypair = NS(name=name, public_key=public_key)
        return self.keypair


def canary_test(tmp_path, servers=(), keypair=None):
    test = smoke.Smoke(params(canary=True, key_file=str(tmp_path / "smoke" / "id_ed25519")))
    test.conn = NS(compute=Compute(servers, keypair))
    test.admin = test.conn
    test.image, test.net = NS(id="i1"), NS(id="n1")
    test.group, test.keypair = NS(name="nc-smoke"), NS(name="nc-smoke")
    return test


def kept(status):
    return NS(id="c1", name="nc-smoke-canary", status=status, compute_host="uc-0002", hypervisor_hostname=None,
              created_at="yesterday", fault={"message": "No valid host"} if status == "ERROR" else None)


def test_a_running_canary_is_checked_not_booted_again(tmp_path):
    test = canary_test(tmp_path, [kept("ACTIVE")])
    assert test.boot() == "kept, on uc-0002 since yesterday"
    assert test.conn.compute.calls == [] and not test.changed and test.created == []
    assert test.vm == {"name": "nc-smoke-canary", "id": "c1", "host": "uc-0002", "booted": False, "created_at": "yesterday"}


def test_a_canary_in_error_is_replaced_and_the_fault_named(tmp_path):
    test = canary_test(tmp_path, [kept("ERROR")])
    detail = test.boot()
    assert detail == "booted on uc-0003; replaced the kept one (in ERROR: No valid host)"
    assert test.conn.compute.calls == [("delete_server", "c1"), ("wait_for_delete", "c1"),
                                       ("create_server", "nc-smoke-canary")]
    assert test.changed and test.vm["booted"]


def test_a_shut_off_canary_is_started(tmp_path):
    test = canary_test(tmp_path, [kept("SHUTOFF")])
    assert test.boot().endswith("started again (it was SHUTOFF)")
    assert test.conn.compute.calls == [("start_server", "c1")] and test.changed


def test_no_canary_yet_boots_one(tmp_path):
    test = canary_test(tmp_path)
    assert test.boot() == "booted on uc-0003"
    assert test.conn.compute.calls == [("create_server", "nc-smoke-canary")]
    assert test.changed and test.created == ["VM nc-smoke-canary"]


def test_the_canary_key_is_made_once_and_its_keypair_kept(tmp_path):
    test = canary_test(tmp_path)
    first = test.ensure_keypair()
    key = tmp_path / "smoke" / "id_ed25519"
    assert oct(key.stat().st_mode & 0o777) == "0o600" and oct(key.parent.stat().st_mode & 0o777) == "0o700"
    assert test.rekeyed and test.conn.compute.calls == [("create_keypair", "nc-smoke")]
    again = canary_test(tmp_path, keypair=first)
    assert again.ensure_keypair() is first
    assert not again.rekeyed and again.conn.compute.calls == [] and not again.changed


def test_a_lost_key_makes_a_new_keypair_and_a_new_canary(tmp_path):
    """The guest holds only the old public key: nobody could log in to it again."""
    test = canary_test(tmp_path, [kept("ACTIVE")], keypair=NS(name="nc-smoke", public_key="ssh-ed25519 OLD nc-smoke"))
    test.keypair = test.ensure_keypair()
    assert test.rekeyed
    assert test.conn.compute.calls == [("delete_keypair", "nc-smoke"), ("create_keypair", "nc-smoke")]
    assert test.boot().startswith("booted on uc-0003; replaced the kept one (its key was lost)")


def test_a_one_off_run_uses_a_key_of_its_own_and_its_own_vm(tmp_path):
    test = smoke.Smoke(params())
    assert test.vm_name == "nc-smoke-vm" and test.key.startswith(test.tmp)
    test.tear_down()
    assert test.checks[-1]["name"] == "cleanup" and test.checks[-1]["ok"]
    shutil.rmtree(test.tmp)


def test_the_runs_directory_is_made_only_when_needed_and_removed_at_the_end(monkeypatch, tmp_path):
    monkeypatch.setattr(smoke.tempfile, "tempdir", str(tmp_path))
    test = smoke.Smoke(params(canary=True, key_file=str(tmp_path / "k")))
    assert test.key == str(tmp_path / "k") and os.listdir(tmp_path) == []  # a canary's key needs no directory
    made = test.tmp
    assert os.path.isdir(made) and made.startswith(str(tmp_path))

    def no_cloud(*args):
        raise RuntimeError("no cloud here")

    test.connect = no_cloud  # the first check fails
    test.run()
    assert not os.path.exists(made), "the run left its directory"


def test_ssh_goes_with_the_key_and_never_asks(tmp_path):
    seen = []

    def run(argv, **kwargs):
        seen.append(argv)
        return subprocess.CompletedProcess(argv, 0, "vm\n1350\n", "")
    test = smoke.Smoke(params(canary=True, key_file=str(tmp_path / "k")), run=run)
    assert test.ssh("10.44.1.2", "hostname") == (0, "vm\n1350")
    argv = seen[0]
    assert argv[:3] == ["ssh", "-i", str(tmp_path / "k")] and "BatchMode=yes" in argv and argv[-1] == "hostname"
    assert os.path.basename(argv[-2]) == "root@10.44.1.2"
