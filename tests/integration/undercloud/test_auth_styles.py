# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The outer cloud reached in each style openstack.cloud's users know, by a module and by the inventory plugin:
a clouds.yaml entry's name, an inline dict, an openrc's OS_* variables, and AWX's OpenStack credential (a
clouds.yaml with one entry, no name given); and module_defaults setting the connection for the whole undercloud
layer. In every style but the first, no clouds.yaml names the member, so nothing else can have connected."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from .. import _runner
from .conftest import CLOUDS, TOP
from .test_inventory_plugin import plain
from .test_undercloud_layer import _lab, recap, remaining

NOWHERE = "/nonexistent/clouds.yaml"


def _member():
    with open(CLOUDS) as handle:
        return yaml.safe_load(handle)["clouds"]["undercloud"]


def _openrc(entry):
    auth = entry["auth"]
    return {"OS_AUTH_URL": auth["auth_url"], "OS_USERNAME": auth["username"], "OS_PASSWORD": auth["password"],
            "OS_PROJECT_NAME": auth["project_name"], "OS_USER_DOMAIN_NAME": auth["user_domain_name"],
            "OS_PROJECT_DOMAIN_NAME": auth["project_domain_name"], "OS_REGION_NAME": entry["region_name"],
            "OS_IDENTITY_API_VERSION": "3", "OS_INTERFACE": "public", "OS_CLIENT_CONFIG_FILE": NOWHERE}


def _style(name, tmp_path):
    """(connection options for the module and the plugin, environment) of one style."""
    entry = _member()
    if name == "clouds.yaml name":
        return {"cloud": "undercloud"}, {"OS_CLIENT_CONFIG_FILE": CLOUDS}
    if name == "inline dict":
        return {"cloud": entry}, {"OS_CLIENT_CONFIG_FILE": NOWHERE}
    if name == "openrc variables":
        return {}, _openrc(entry)
    awx = tmp_path / "awx-clouds.yaml"  # what AWX's OpenStack credential writes
    awx.write_text(yaml.safe_dump({"clouds": {"devstack": entry}}))
    return {}, {"OS_CLIENT_CONFIG_FILE": str(awx)}


def _environ(env):
    environ = dict((k, v) for k, v in os.environ.items() if not k.startswith("OS_"))
    environ.update(env, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg"))
    return environ


STYLES = ["clouds.yaml name", "inline dict", "openrc variables", "AWX credential"]


@pytest.mark.parametrize("style", STYLES)
def test_a_module_and_the_plugin_connect_in_each_style(clouds_yaml, tmp_path, monkeypatch, style):
    options, env = _style(style, tmp_path)
    lab = _lab("itauth", 1, cloud="auto")
    for name in [k for k in os.environ if k.startswith("OS_")]:
        monkeypatch.delenv(name)
    result = _runner.run_task("nestedcloud.openstack.undercloud_plan_info", dict(options, lab=lab), env=env)
    assert not result.get("failed"), result.get("msg")
    assert set(result["inputs"]["flavor_specs"]) == {"m1.tiny", "m1.small"}, result["inputs"]  # read from the cloud
    assert result["api_calls"].get("auth")
    assert _member()["auth"]["password"] not in json.dumps(result), "a secret in the result"

    config = tmp_path / "lab.nestedcloud.yml"
    config.write_text(yaml.safe_dump(dict({"plugin": "nestedcloud.openstack.lab", "lab": lab}, **options)))
    run = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i", str(config),
                          "--list", "--export"], cwd=TOP, env=_environ(env), capture_output=True, text=True, timeout=300,
                         check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    found = plain(json.loads(run.stdout))
    assert found["all"]["vars"]["nestedcloud_plan"]["name"] == "itauth"
    assert {"r0", "uc-0001"} & set(found["_meta"]["hostvars"]) == set()  # the cloud was asked: no server yet


def test_module_defaults_set_the_connection_for_the_whole_undercloud_layer(member, tmp_path):
    """As with group/openstack.cloud.openstack: one module_defaults entry, an inline cloud dict, no clouds.yaml."""
    lab = _lab("itgrp", 1, cloud="auto")
    defaults = {"group/nestedcloud.openstack.undercloud": {"cloud": _member(), "api_timeout": 30}}
    play = [{"name": "Undercloud layer, connection from module_defaults", "hosts": "localhost",
             "gather_facts": False, "module_defaults": defaults,
             "roles": [{"role": "nestedcloud.openstack.undercloud"}]}]
    down = [{"name": "Teardown, connection from module_defaults", "hosts": "localhost", "gather_facts": False,
             "module_defaults": defaults,
             "tasks": [{"nestedcloud.openstack.undercloud_teardown": {"name": "itgrp"}}]}]
    (tmp_path / "layer.yml").write_text(yaml.safe_dump(play))
    (tmp_path / "down.yml").write_text(yaml.safe_dump(down))
    env = dict(_environ({"OS_CLIENT_CONFIG_FILE": NOWHERE}), ANSIBLE_NOCOLOR="1", HOME=str(tmp_path))

    def playbook(path):
        cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), str(path), "-i",
               "inventory/hosts.yml", "-e", json.dumps({"nestedcloud_lab": lab})]
        return subprocess.run(cmd, cwd=TOP, env=env, capture_output=True, text=True, timeout=1200, check=False)

    try:
        made = playbook(tmp_path / "layer.yml")
        assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-2000:]
        assert recap(made)["changed"] > 0
        assert sorted(remaining(member, "itgrp")["server"]) == ["itgrp-r0", "itgrp-uc-0001"]
    finally:
        gone = playbook(tmp_path / "down.yml")
    assert gone.returncode == 0, gone.stdout[-3000:]
    assert remaining(member, "itgrp") == {}
