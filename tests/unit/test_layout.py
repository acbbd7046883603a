# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's layout and generated files agree with their sources."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAYERS = ["undercloud", "jumphost", "overlay", "hypervisor", "overcloud", "smoke"]


def _read(*parts):
    with open(os.path.join(TOP, *parts)) as handle:
        return handle.read()


def test_generated_lab_docs_are_up_to_date():
    result = subprocess.run([sys.executable, os.path.join(TOP, "tools", "gen_lab_docs.py"), "--check"], check=False,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_example_lab_is_a_valid_definition_with_every_option():
    from ansible_collections.nestedcloud.openstack.plugins.module_utils.lab_planner import build_plan
    from ansible_collections.nestedcloud.openstack.plugins.module_utils.lab_schema import iter_fields

    lab = yaml.safe_load(_read("inventory", "group_vars", "all", "lab.yml"))["nestedcloud_lab"]
    for path, _field in iter_fields():
        node = lab
        for key in path.split("."):
            assert key in node, "example inventory lacks %s" % path
            node = node[key]
    assert build_plan(lab)["name"] == "lab"


def test_site_imports_the_six_layers_in_order():
    site = yaml.safe_load(_read("playbooks", "site.yml"))
    assert [p["ansible.builtin.import_playbook"] for p in site] == ["nestedcloud.openstack.%s" % n for n in LAYERS]
    root = _read("site.yml").strip().splitlines()
    assert len(root) == 1
    assert yaml.safe_load(root[0])[0]["ansible.builtin.import_playbook"] == "nestedcloud.openstack.site"
    for name in LAYERS + ["plan", "teardown"]:
        assert os.path.exists(os.path.join(TOP, "playbooks", name + ".yml")), name


def test_requires_ansible_is_a_full_version():
    runtime = yaml.safe_load(_read("meta", "runtime.yml"))
    assert re.match(r"^>=\d+\.\d+\.\d+$", runtime["requires_ansible"])


def test_python_requirement_ranges_agree_everywhere():
    ranges = [line.strip() for line in _read("requirements.txt").splitlines() if line and not line.startswith("#")]
    assert {r.split(">=")[0] for r in ranges} == {"openstacksdk", "netaddr", "jmespath"}
    readme = _read("README.md")
    for spec in ranges:
        assert re.search(r"[<>=]", spec), "%s is not a range" % spec
        assert spec in readme, "README.md does not state %s" % spec
    ee = yaml.safe_load(_read("execution-environment.yml"))
    assert ee["dependencies"]["python"] == "requirements.txt"
    pins = dict(line.split("==") for line in _read("requirements-dev.txt").splitlines() if "==" in line)
    assert "-r requirements.txt" in _read("requirements-dev.txt")
    for name in ("openstacksdk", "netaddr", "jmespath"):
        assert name in pins, "requirements-dev.txt should pin %s for reproducible tests" % name


def test_galaxy_dependencies_ship_in_the_ansible_package():
    galaxy = yaml.safe_load(_read("galaxy.yml"))
    assert (galaxy["namespace"], galaxy["name"]) == ("nestedcloud", "openstack")
    import ansible_collections
    bundled = set()
    for base in ansible_collections.__path__:
        for namespace in os.listdir(base) if os.path.isdir(base) else []:
            if os.path.isdir(os.path.join(base, namespace)):
                bundled.update("%s.%s" % (namespace, n) for n in os.listdir(os.path.join(base, namespace)))
    for dependency in galaxy.get("dependencies") or {}:
        assert dependency in bundled, "%s is not in the ansible package" % dependency
