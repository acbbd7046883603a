# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The juju modules against the fake juju client (tests/juju/fake_juju.py), vault_init against the fake Vault over
real HTTP on loopback, and the pure readers of juju_cli: what each changes, a second run that changes nothing, check
mode, and refusals that name the bad field."""

from __future__ import annotations

import json
import os
import stat
import time

import pytest
import yaml

from ansible_collections.nestedcloud.openstack.plugins.module_utils.juju import cli as juju_cli
from ansible_collections.nestedcloud.openstack.plugins.modules import juju_bootstrap, juju_cloud, juju_deploy, vault_init
from tests.juju import fake_vault, juju_command
from tests.unit.plugins._module_runner import run_module

KEY = "ConsumerKey123:TokenKey45678:TokenSecretAbCdEf"


@pytest.fixture
def vault():
    with fake_vault.running() as running:
        yield running


@pytest.fixture
def juju(tmp_path, vault):
    """(juju command, state file, files dir) with the lab's cloud and credential files written."""
    command, state = juju_command(tmp_path, vault[1], BOOTSTRAP_STEP="0.1")
    files = tmp_path / "files"
    files.mkdir()
    write(files / "clouds.yaml", {"clouds": {"lab1-maas": {"type": "maas", "auth-types": ["oauth1"],
                                                           "endpoint": "http://10.33.1.1:5240/MAAS"}}})
    write(files / "credentials.yaml", {"credentials": {"lab1-maas": {"admin": {"auth-type": "oauth1", "maas-oauth": KEY}}}})
    return command, state, files


def write(path, document):
    path.write_text(yaml.safe_dump(document))


def calls(state):
    return [" ".join(c) for c in json.loads(state.read_text())["calls"]] if state.exists() else []


def cloud_args(juju):
    return {"cloud": "lab1-maas", "clouds_file": str(juju[2] / "clouds.yaml"),
            "credentials_file": str(juju[2] / "credentials.yaml"), "juju": juju[0]}


def test_cloud_and_credential_added_once_then_updated_where_they_differ(juju):
    checked = run_module(cloud_args(juju), check_mode=True, main=juju_cloud.main)
    assert checked.get("cloud") == "added", checked
    assert not any(c.startswith("add-") for c in calls(juju[1]))  # check mode changes nothing
    first = run_module(cloud_args(juju), main=juju_cloud.main)
    assert first["changed"] and (first["cloud"], first["credential"]) == ("added", "added")
    again = run_module(cloud_args(juju), main=juju_cloud.main)
    assert not again["changed"] and (again["cloud"], again["credential"]) == ("unchanged", "unchanged")
    write(juju[2] / "clouds.yaml", {"clouds": {"lab1-maas": {"type": "maas", "auth-types": ["oauth1"],
                                                             "endpoint": "http://10.33.1.9:5240/MAAS"}}})
    write(juju[2] / "credentials.yaml", {"credentials": {"lab1-maas": {"admin": {"auth-type": "oauth1",
                                                                                 "maas-oauth": "a:b:new"}}}})
    moved = run_module(cloud_args(juju), main=juju_cloud.main)
    assert (moved["cloud"], moved["credential"]) == ("updated (endpoint)", "updated")
    assert "new" not in json.dumps(moved)
    state = json.loads(juju[1].read_text())
    assert state["clouds"]["lab1-maas"]["endpoint"] == "http://10.33.1.9:5240/MAAS"
    assert state["credentials"]["lab1-maas"]["admin"]["details"]["maas-oauth"] == "a:b:new"


def test_cloud_files_that_do_not_hold_the_cloud_are_named(juju):
    result = run_module(dict(cloud_args(juju), cloud="other"), main=juju_cloud.main)
    assert result["failed"] and result["msg"].startswith("clouds_file:") and "lab1-maas" in result["msg"]
    result = run_module(dict(cloud_args(juju), credential="nobody"), main=juju_cloud.main)
    assert result["failed"] and result["msg"].startswith("credentials_file:")
    assert calls(juju[1]) == []


def bootstrap_args(juju, tmp_path):
    return {"controller": "lab1", "cloud": "lab1-maas", "base": "ubuntu@22.04", "constraints": "tags=juju-controller",
            "config": {"bootstrap-timeout": 3600}, "state_dir": str(tmp_path / "boot"), "juju": juju[0]}


def test_bootstrap_runs_in_the_background_and_is_picked_up_until_the_controller_is_there(juju, tmp_path):
    run_module(cloud_args(juju), main=juju_cloud.main)
    assert run_module(bootstrap_args(juju, tmp_path), check_mode=True, main=juju_bootstrap.main)["changed"]
    assert not any(c.startswith("bootstrap") for c in calls(juju[1]))
    started = run_module(bootstrap_args(juju, tmp_path), main=juju_bootstrap.main)
    assert started["changed"] and not started["ready"] and started["summary"] == "bootstrap of lab1 started"
    seen = []
    for dummy in range(100):
        look = run_module(bootstrap_args(juju, tmp_path), main=juju_bootstrap.main)
        seen.append(look["summary"])
        if look["ready"]:
            break
        assert not look["changed"]  # a bootstrap under way is not started twice
        time.sleep(0.1)
    assert look["ready"] and look["summary"] == "controller lab1 is up"
    assert any(s.startswith("bootstrapping lab1: ") for s in seen)
    assert len([c for c in calls(juju[1]) if c.startswith("bootstrap")]) == 1
    log = (tmp_path / "boot" / "bootstrap.log").read_text()
    assert "--bootstrap-constraints tags=juju-controller" in log and "Bootstrap complete" in log
    assert not run_module(bootstrap_args(juju, tmp_path), main=juju_bootstrap.main)["changed"]


def test_a_missing_config_file_is_named(juju, tmp_path):
    result = run_module(dict(bootstrap_args(juju, tmp_path), config_file=str(tmp_path / "nope.yaml")),
                        main=juju_bootstrap.main)
    assert result["failed"] and result["msg"].startswith("config_file:")


def deploy_args(juju, tmp_path):
    bundle, overlay, config = tmp_path / "bundle.yaml", tmp_path / "overlay.yaml", tmp_path / "model.yaml"
    write(bundle, {"applications": {"keystone": {"charm": "keystone", "channel": "2024.1/stable", "num_units": 1},
                                    "vault": {"charm": "vault", "channel": "1.8/stable", "num_units": 1}}})
    write(overlay, {"applications": {"keystone": {"num_units": 2}}})
    write(config, {"juju-http-proxy": "http://10.33.0.1:3128/"})
    return {"controller": "lab1", "model": "openstack", "bundle": str(bundle), "overlays": [str(overlay)],
            "config_file": str(config), "juju": juju[0]}


def test_deploy_makes_the_model_and_deploys_only_what_juju_would_change(juju, tmp_path):
    run_module(cloud_args(juju), main=juju_cloud.main)
    run_module(bootstrap_args(juju, tmp_path), main=juju_bootstrap.main)
    for dummy in range(100):
        if run_module(bootstrap_args(juju, tmp_path), main=juju_bootstrap.main)["ready"]:
            break
        time.sleep(0.1)
    args = deploy_args(juju, tmp_path)
    checked = run_module(dict(args, _ansible_diff=True), check_mode=True, main=juju_deploy.main)
    assert checked["changed"] and checked["model_added"] and "add model lab1:openstack" in checked["diff"]["prepared"]
    assert not any(c.startswith(("add-model", "deploy")) for c in calls(juju[1]))
    first = run_module(args, main=juju_deploy.main)
    assert first["changed"] and first["model_added"]
    assert "- deploy application keystone from charm-hub with channel 2024.1/stable" in first["changes"]
    state = json.loads(juju[1].read_text())
    assert state["models"]["lab1:openstack"]["applications"]["keystone"]["num_units"] == 2  # the overlay applied
    assert state["models"]["lab1:openstack"]["config"] == {"juju-http-proxy": "http://10.33.0.1:3128/"}
    again = run_module(dict(args, _ansible_diff=True), main=juju_deploy.main)
    assert not again["changed"] and again["changes"] == [] and "diff" not in again
    assert len([c for c in calls(juju[1]) if c.startswith("deploy") and "--dry-run" not in c]) == 1
    missing = run_module(dict(args, overlays=[str(tmp_path / "gone.yaml")]), main=juju_deploy.main)
    assert missing["failed"] and missing["msg"].startswith("overlays:")


def vault_args(vault, tmp_path, **extra):
    return dict({"urls": [vault[1]], "keys_file": str(tmp_path / "v" / "keys.json")}, **extra)


def test_vault_initialised_once_keys_root_only_and_unsealed(vault, tmp_path):
    checked = run_module(vault_args(vault, tmp_path), check_mode=True, main=vault_init.main)
    assert checked["changed"] and checked["initialized"] and not vault[0].initialized
    first = run_module(vault_args(vault, tmp_path, charm_token=True), main=vault_init.main)
    assert first["initialized"] and first["unsealed"] == [vault[1]] and not vault[0].sealed
    keys = tmp_path / "v" / "keys.json"
    assert stat.S_IMODE(os.stat(keys).st_mode) == 0o600
    saved = json.loads(keys.read_text())
    assert saved["keys"] == vault[0].keys and saved["root_token"] == vault[0].root_token
    assert first["charm_token"] in vault[0].tokens and first["charm_token"] != vault[0].root_token
    assert vault[0].root_token not in json.dumps(first) and vault[0].keys[0] not in json.dumps(first)
    again = run_module(vault_args(vault, tmp_path), main=vault_init.main)
    assert not again["changed"] and again["unsealed"] == []
    vault[0].sealed = True  # a restarted unit
    resealed = run_module(vault_args(vault, tmp_path), main=vault_init.main)
    assert resealed["changed"] and not resealed["initialized"] and not vault[0].sealed
    assert len([r for r in vault[0].requests if r == ("PUT", "/v1/sys/unseal")]) == 6  # threshold 3, twice


def test_vault_refuses_keys_that_do_not_belong_to_it_and_changes_nothing(vault, tmp_path):
    keys = tmp_path / "v" / "keys.json"
    keys.parent.mkdir()
    keys.write_text("{}")
    result = run_module(vault_args(vault, tmp_path), main=vault_init.main)
    assert result["failed"] and result["msg"].startswith("keys_file:") and "another Vault" in result["msg"]
    assert not vault[0].initialized
    keys.unlink()
    run_module(vault_args(vault, tmp_path), main=vault_init.main)
    keys.unlink()
    result = run_module(vault_args(vault, tmp_path), main=vault_init.main)
    assert result["failed"] and "is initialised but" in result["msg"]


def test_vault_bad_input_is_named(vault, tmp_path):
    result = run_module(vault_args(vault, tmp_path, shares=2, threshold=3), main=vault_init.main)
    assert result["failed"] and result["msg"].startswith("threshold:")
    result = run_module(vault_args(vault, tmp_path, urls=["http://127.0.0.1:1"]), main=vault_init.main)
    assert result["failed"] and result["msg"].startswith("urls: GET http://127.0.0.1:1/v1/sys/init")
    assert not vault[0].initialized


def test_juju_cli_readers_take_juju_3_and_older_listings():
    cred = {"auth-type": "oauth1", "details": {"maas-oauth": KEY}}
    for top in ("client-credentials", "local-credentials"):
        listing = {top: {"lab1-maas": {"cloud-credentials": {"admin": cred}}}}
        assert juju_cli.client_credential(listing, "lab1-maas", "admin") == cred
    assert juju_cli.client_credential({}, "lab1-maas", "admin") is None
    assert not juju_cli.credential_differs(cred, {"auth-type": "oauth1", "maas-oauth": KEY})
    assert juju_cli.credential_differs(cred, {"auth-type": "oauth1", "maas-oauth": "x:y:z"})
    models = {"models": [{"name": "admin/openstack", "short-name": "openstack"}]}
    assert juju_cli.has_model(models, "openstack") and juju_cli.has_model(models, "admin/openstack")
    assert not juju_cli.has_model(models, "other")
    assert juju_cli.cloud_differs({"type": "maas", "endpoint": "e", "auth-types": ["oauth1"]},
                                  {"type": "maas", "endpoint": "f", "auth-types": ["oauth1"]}) == ["endpoint"]
    assert juju_cli.no_changes("No changes to apply.") and not juju_cli.no_changes("Changes to deploy bundle:\n- x")
