# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""juju_inputs: Juju's files from the plan, written once, the secret one 0600, refused when inconsistent."""

from __future__ import annotations

import os
import stat

import yaml

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from ansible_collections.nestedcloud.openstack.plugins.modules import juju_inputs
from tests.labs import OUTER
from tests.unit.plugins._module_runner import run_module

TOP = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..")
KEY = "ConsumerKey123:TokenKey45678:TokenSecretAbCdEf"


def args(tmp_path, **changes):
    with open(os.path.join(TOP, "roles", "juju", "files", "openstack-bundle.yaml")) as handle:
        bundle = yaml.safe_load(handle)
    plan = build_plan({"name": "lab1", "cloud": "c", **OUTER, "undercloud_count": 3, "nested_vms": {"count": 5},
                       "overcloud": {"kind": "maas_juju", "hosts": "nested"}})
    base = {"plan": plan, "bundle": bundle, "virt": [{"inner_virt_type": "qemu"}], "api_key": KEY,
            "proxy": "http://10.33.0.1:3128/", "dest": str(tmp_path / "juju")}
    base.update(changes)
    return base


def test_writes_every_file_once_and_the_credential_root_only(tmp_path):
    first = run_module(args(tmp_path), main=juju_inputs.main)
    assert first["changed"] and first["machines"] == 3 and all(first["files"].values())
    dest = tmp_path / "juju"
    assert sorted(os.listdir(dest)) == ["bootstrap-config.yaml", "bundle.yaml", "clouds.yaml", "credentials.yaml",
                                        "model-defaults.yaml", "overlay.yaml"]
    assert stat.S_IMODE(os.stat(dest / "credentials.yaml").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o700
    creds = yaml.safe_load((dest / "credentials.yaml").read_text())
    assert creds["credentials"]["lab1-maas"]["admin"]["maas-oauth"] == KEY
    overlay = yaml.safe_load((dest / "overlay.yaml").read_text())
    assert overlay["applications"]["nova-compute"]["options"]["virt-type"] == "qemu"
    assert KEY not in str(first)
    again = run_module(args(tmp_path), main=juju_inputs.main)
    assert not again["changed"] and not any(again["files"].values())


def test_check_mode_writes_nothing(tmp_path):
    result = run_module(args(tmp_path), check_mode=True, main=juju_inputs.main)
    assert result["changed"] and not (tmp_path / "juju").exists()


def test_an_inconsistent_bundle_is_refused_before_anything_is_written(tmp_path):
    broken = args(tmp_path)
    broken["bundle"]["applications"]["keystone"]["channel"] = "latest/stable"
    broken["bundle"]["relations"].append(["nova-compute:amqp", "rabbit:amqp"])
    result = run_module(broken, main=juju_inputs.main)
    assert result["failed"] and len(result["problems"]) == 2
    assert "keystone: channel 'latest/stable'" in result["msg"] and "rabbit is not an application" in result["msg"]
    assert not (tmp_path / "juju").exists()


def test_a_plan_without_maas_names_the_fix(tmp_path):
    packaged = build_plan({"name": "lab1", "cloud": "c", **OUTER})
    result = run_module(args(tmp_path, plan=packaged), main=juju_inputs.main)
    assert result["failed"] and result["msg"].startswith("plan: lab lab1 has no maas_juju section")
