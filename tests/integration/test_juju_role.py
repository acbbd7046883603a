# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The juju role, run by ansible-playbook on localhost: its input files (written once, the credential root-only, the
overlay from the plan), then the whole deployment against the fake juju client (tests/juju/fake_juju.py) and the
fake Vault (tests/juju/fake_vault.py): order, no prompts, proxies, Vault's keys, the inner cloud's credentials,
progress, check mode and a second run that changes nothing."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import yaml

from tests.juju import fake_vault, juju_command

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from tests.integration._runner import recap
from tests.labs import OUTER

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEY = "ConsumerKey123:TokenKey45678:TokenSecretAbCdEf"


def play(tmp_path, juju_dir, extra_vars=None, check=False, env=None):
    plan = build_plan({"name": "lab1", "cloud": "c", **OUTER, "undercloud_count": 3, "nested_vms": {"count": 6},
                       "overcloud": {"kind": "maas_juju", "hosts": "nested", "ceph_disk_gb": 30}})
    extra = tmp_path / "vars.json"
    extra.write_text(json.dumps(dict({"juju_plan": plan, "juju_maas_api_key": KEY, "juju_dir": str(juju_dir),
                                      "juju_virt": [{"inner_virt_type": "kvm"}, {"inner_virt_type": "kvm"}],
                                      "juju_install": False, "juju_deploy": False}, **(extra_vars or {}))))
    book = tmp_path / "juju.yml"
    book.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False,
                                 "roles": [{"role": "nestedcloud.openstack.juju"}]}]))
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg"), ANSIBLE_NOCOLOR="1", **(env or {}))
    run = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(book), "-e",
                          "@%s" % extra] + (["--check"] if check else []), cwd=TOP, env=env, capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    return run.stdout, recap(run.stdout)


def test_inputs_written_once_from_the_plan(tmp_path):
    juju_dir = tmp_path / "juju"
    out, recap = play(tmp_path, juju_dir)
    assert recap["changed"] == "1" and KEY not in out
    assert stat.S_IMODE(os.stat(juju_dir / "credentials.yaml").st_mode) == 0o600
    overlay = yaml.safe_load((juju_dir / "overlay.yaml").read_text())
    assert overlay["applications"]["nova-compute"]["options"]["virt-type"] == "kvm"  # every hypervisor nests
    assert len(overlay["machines"]) == 4  # oc-0003..oc-0006: MAAS and the controller hold no OpenStack unit
    assert overlay["applications"]["ceph-osd"]["num_units"] == 4
    clouds = yaml.safe_load((juju_dir / "clouds.yaml").read_text())
    assert clouds["clouds"]["lab1-maas"]["endpoint"] == "http://10.33.1.1:5240/MAAS"
    out, recap = play(tmp_path, juju_dir)
    assert recap["changed"] == "0"


def calls(state):
    if not state.exists():
        return []
    return [" ".join(call) for call in json.loads(state.read_text())["calls"]]


def test_the_role_bootstraps_deploys_unseals_and_writes_the_credentials(tmp_path):
    juju_dir, client = tmp_path / "juju", tmp_path / "r0-root"
    with fake_vault.running() as (vault, url):
        command, state = juju_command(tmp_path, url)
        extra = {"juju_deploy": True, "juju_command": command, "juju_vault_port": int(url.rsplit(":", 1)[1]),
                 "juju_vault_keys_file": str(tmp_path / "vault" / "keys.json"), "juju_client_dir": str(client),
                 "juju_client_packages": False, "juju_poll_delay": 1, "juju_bootstrap_timeout": 120,
                 "juju_settle_timeout": 120, "juju_maas_release": "jammy"}
        env = {"FAKE_JUJU_STATE": str(state)}

        out, recap = play(tmp_path, juju_dir, extra, check=True, env=env)  # a first --check writes nothing
        assert not any(call.startswith(("add-", "bootstrap", "deploy")) for call in calls(state))
        assert not (juju_dir / "clouds.yaml").exists() and vault.requests == []

        out, recap = play(tmp_path, juju_dir, extra, env=env)
        done = calls(state)
        order = [next(i for i, c in enumerate(done) if c.startswith(word)) for word in
                 ("add-cloud", "add-credential", "bootstrap", "add-model", "deploy", "run -m lab1:openstack vault/leader authorize-charm")]
        assert order == sorted(order), done
        bootstrap = next(c for c in done if c.startswith("bootstrap"))
        assert "--bootstrap-constraints tags=juju-controller" in bootstrap and "--bootstrap-base ubuntu@22.04" in bootstrap
        assert "--config bootstrap-timeout=120" in bootstrap and "--config %s/bootstrap-config.yaml" % juju_dir in bootstrap
        assert any(c.startswith("deploy") and "--dry-run" in c for c in done)  # asked before deploying
        juju = json.loads(state.read_text())
        assert juju["controllers"]["lab1"]["config"]["http-proxy"] == "http://10.33.0.1:3128/"  # legacy at bootstrap
        assert juju["models"]["lab1:openstack"]["config"]["juju-no-proxy"].startswith("10.33.0.0/16")
        assert "vault" in juju["models"]["lab1:openstack"]["applications"]
        # progress while waiting
        assert "juju bootstrap: bootstrapping lab1:" in out
        assert "juju model: 0 of 1 units active/blocked" in out
        # Vault: initialised once, keys root-only on the vault host, unsealed, the charm authorised
        keys = tmp_path / "vault" / "keys.json"
        assert stat.S_IMODE(os.stat(keys).st_mode) == 0o600 and not vault.sealed and juju["authorized"]
        assert json.loads(keys.read_text())["root_token"] == vault.root_token
        # the inner cloud's credentials on r0
        openrc = (client / "openrc").read_text()
        assert stat.S_IMODE(os.stat(client / "openrc").st_mode) == 0o600
        assert "export OS_PASSWORD=Keystone-Admin-Pw-42" in openrc and "OS_AUTH_URL=https://127.0.0.1:5000/v3" in openrc
        assert "OS_CACERT=%s/overcloud-ca.pem" % client in openrc and openrc.startswith("#")
        clouds = yaml.safe_load((client / ".config/openstack/clouds.yaml").read_text())
        assert clouds["clouds"]["overcloud"]["auth"]["user_domain_name"] == "admin_domain"
        assert "BEGIN CERTIFICATE" in (client / "overcloud-ca.pem").read_text()
        # no secret in the output
        for secret in [vault.root_token, "Keystone-Admin-Pw-42", KEY.split(":")[2]] + vault.keys:
            assert secret not in out

        calls_before = len(calls(state))
        out, recap = play(tmp_path, juju_dir, extra, env=env)
        assert recap["changed"] == "0", out[-3000:]
        again = calls(state)[calls_before:]
        assert not any(c.startswith(("add-", "bootstrap", "update-")) or "authorize-charm" in c or
                       (c.startswith("deploy") and "--dry-run" not in c) for c in again), again
        assert len([r for r in vault.requests if r[1] == "/v1/sys/init" and r[0] == "PUT"]) == 1


def test_a_failed_bootstrap_fails_with_its_log_and_the_next_run_starts_again(tmp_path):
    juju_dir = tmp_path / "juju"
    with fake_vault.running() as (_vault, url):
        command, state = juju_command(tmp_path, url)
        play(tmp_path, juju_dir, {"juju_deploy": False})
        (juju_dir / "bootstrap-config.yaml").write_text("http-proxy: http://a:1/\njuju-http-proxy: http://a:1/\n")
        env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg"))
        book = tmp_path / "boot.yml"
        book.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": [
            {"name": "bootstrap", "nestedcloud.openstack.juju_cloud": {
                "cloud": "lab1-maas", "clouds_file": str(juju_dir / "clouds.yaml"),
                "credentials_file": str(juju_dir / "credentials.yaml"), "juju": command}},
            {"name": "bootstrap", "nestedcloud.openstack.juju_bootstrap": {
                "controller": "lab1", "cloud": "lab1-maas", "base": "ubuntu@22.04", "state_dir": str(juju_dir),
                "config_file": str(juju_dir / "bootstrap-config.yaml"), "juju": command, "wait": 60, "delay": 1}}]}]))
        run = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(book)],
                             cwd=TOP, env=env, capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode != 0
        assert "juju bootstrap of lab1 failed (exit 1)" in run.stdout
        assert "cannot specify both legacy proxy values and juju proxy values" in run.stdout  # the log's end
        assert not (juju_dir / "bootstrap.rc").exists()  # so the next run starts again
        assert "lab1" not in json.loads(state.read_text())["controllers"]
