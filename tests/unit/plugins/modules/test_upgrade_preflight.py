# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""upgrade_preflight: every refusal comes before anything changes and names its reason. The status checks and mysql
are stand-ins here (scripts on PATH), the compute API a stand-in connection; the lab tier runs it on the real lab."""

from __future__ import annotations

import json
import os
from types import SimpleNamespace

import pytest

from ansible_collections.nestedcloud.openstack.plugins.modules import upgrade_preflight as module
from tests.unit.plugins._module_runner import run_module

_DISTRO = {"network": "ovn", "sources": [{"distribution": "Debian", "version": "13", "from": "distribution"}]}
RELEASES = dict({name: _DISTRO for name in ("2024.1", "2025.1", "2025.2", "2026.2")}, **{
    "2026.1": {"network": "ovn", "sources": [{"distribution": "Debian", "version": "13", "from": "pypi",
                                              "lock": "2026.1-cp313.txt"}]}})
AUTH = {"auth_url": "http://c:5000/v3", "password": "not-in-any-message"}
SCRIPT = "#!/bin/sh\necho \"$0 $*\" >> %(log)s\n%(body)s\n"


@pytest.fixture
def host(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"

    def tool(name, body):
        path = bin_dir / name
        path.write_text(SCRIPT % {"log": log, "body": body})
        path.chmod(0o755)

    tool("runuser", 'shift 3; exec "$@"')
    tool("nova-status", "echo '| Check: Cells v2 | Result: Success |'; exit 0")
    tool("placement-status", "echo 'Result: Warning'; exit 1")
    tool("mysql", "echo 1048576")
    monkeypatch.setenv("PATH", "%s:%s" % (bin_dir, os.environ["PATH"]))
    cloud = SimpleNamespace(servers=[SimpleNamespace(name="canary", status="ACTIVE", task_state=None)])
    conn = SimpleNamespace(compute=SimpleNamespace(servers=lambda all_projects: list(cloud.servers)))
    monkeypatch.setattr(module, "connect_admin", lambda params, timeout: conn)
    return SimpleNamespace(tool=tool, log=log, cloud=cloud, tmp=tmp_path)


def run(host, **args):
    base = {"auth": AUTH, "target": "2026.1", "releases": RELEASES, "hosts": {"uc-0001": "2025.1", "uc-0002": "2025.1"},
            "marker": str(host.tmp / "upgrade.json"), "dump_dir": str(host.tmp / "dumps"),
            "databases": ["nova", "nova_api"], "packages_bytes": 1024,
            "status_checks": [{"name": "nova-status",
                               "argv": ["runuser", "-u", "nova", "--", "nova-status", "upgrade", "check"]},
                              {"name": "placement-status", "argv": ["placement-status", "upgrade", "check"]},
                              {"name": "designate-status", "argv": ["designate-status", "upgrade", "check"]}]}
    return run_module(dict(base, **args), main=module.main)


def test_a_healthy_cloud_may_be_upgraded_one_slurp_step(host):
    result = run(host)
    assert "failed" not in result, result
    assert result["path"] == {"from": "2025.1", "to": "2026.1", "skips": ["2025.2"], "noop": False}
    assert [(c["name"], c["verdict"]) for c in result["checks"]] == [
        ("nova-status", "success"), ("placement-status", "warning"), ("designate-status", "not installed")]
    assert "Cells v2" in result["checks"][0]["output"]
    assert result["servers"] == 1 and result["databases_bytes"] == 1048576 and result["free_bytes"] > 0
    assert result["warnings_found"] == ["placement-status: warnings (exit 1), see its output",
                                        "designate-status is not installed here; not checked"]
    assert result["changed"] is False
    assert not (host.tmp / "dumps").exists()  # read-only


@pytest.mark.parametrize("target, hosts, reason", [
    ("2026.2", {"uc-0001": "2025.1"}, "target: 2025.1 -> 2026.2 skips 2 releases"),
    ("2024.1", {"uc-0001": "2025.1"}, "target: 2024.1 is older than the running release 2025.1"),
    ("2026.1", {"uc-0001": "2025.2"}, None),  # the next release: allowed
    ("2026.2", {"uc-0001": "2025.2"}, "target: 2025.2 -> 2026.2 skips a release, which only SLURP releases may do, "
                                      "and 2025.2 and 2026.2 are not SLURP"),
    ("2027.1", {"uc-0001": "2025.1"}, "target: '2027.1' is not a known release"),
    ("2026.1", {"uc-0001": "2025.1", "uc-0002": "2024.1"},
     "hosts: the inner cloud's hosts run different releases (2024.1 on uc-0002; 2025.1 on uc-0001)"),
])
def test_release_steps_refused_before_any_command(host, target, hosts, reason):
    result = run(host, target=target, hosts=hosts)
    if reason is None:
        assert "failed" not in result, result
        return
    assert result["failed"] is True
    assert result["msg"].startswith("refused before anything changed: " + reason), result["msg"]
    assert not host.log.exists()  # not one command ran


def test_hosts_left_mixed_by_our_own_upgrade_go_on_from_its_record(host):
    (host.tmp / "upgrade.json").write_text(json.dumps({"from": "2025.1", "to": "2026.1"}))
    result = run(host, hosts={"uc-0001": "2026.1", "uc-0002": "2025.1"})
    assert result["path"]["from"] == "2025.1" and "failed" not in result
    (host.tmp / "upgrade.json").write_text("{not json")
    assert run(host, hosts={"uc-0001": "2026.1", "uc-0002": "2025.1"})["msg"].startswith("marker: ")


def test_hosts_on_the_target_already_are_a_noop_with_no_check(host):
    result = run(host, hosts={"uc-0001": "2026.1", "uc-0002": "2026.1"})
    assert result["path"]["noop"] is True and "checks" not in result and not host.log.exists()


def test_a_failed_status_check_busy_instances_and_a_full_disk_all_refuse_at_once(host):
    host.tool("nova-status", "echo 'Result: Failure: no cell mappings'; exit 2")
    host.cloud.servers.append(SimpleNamespace(name="resizing", status="VERIFY_RESIZE", task_state=None))
    host.cloud.servers.append(SimpleNamespace(name="busy", status="ACTIVE", task_state="rebooting"))
    result = run(host, not_ready=["nova-compute on uc-0002: Nova service is down/enabled"],
                 packages_bytes=2 ** 62)
    assert result["failed"] is True
    msg = result["msg"]
    assert msg.startswith("refused before anything changed: nova-status: failure (exit 2)")
    assert "instances in a transitional state, let them settle (or confirm the resize) first: busy (ACTIVE, task " \
           "rebooting), resizing (VERIFY_RESIZE)" in msg
    assert "not healthy before the upgrade: nova-compute on uc-0002" in msg
    assert "MiB free, the database dumps and the new packages need" in msg
    assert result["checks"][0]["verdict"] == "failure"


def test_bad_input_names_the_field(host):
    assert run(host, databases=["nova; drop"])["msg"] == "databases: 'nova; drop' is not a database name"
    assert run(host, status_checks=[{"name": "x"}])["msg"].startswith("status_checks: each item needs name and argv")
    host.tool("mysql", "echo 'ERROR 2002: no socket' >&2; exit 1")
    assert run(host)["msg"].startswith("databases: MariaDB did not tell their size (mysql, rc 1): ERROR 2002")
    assert "not-in-any-message" not in json.dumps(run(host, databases=["a b"]))


def test_an_api_that_does_not_answer_fails_naming_it(host, monkeypatch):
    def refuse(params, timeout):
        raise module.openstack.exceptions.SDKException("connection refused")

    monkeypatch.setattr(module, "connect_admin", refuse)
    result = run(host)
    assert result["msg"] == "auth: the inner cloud's compute API did not list the instances: connection refused"
