# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's layout and generated files agree with their sources."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAYERS = ["undercloud", "jumphost", "overlay", "hypervisor", "overcloud", "smoke", "verify"]


def _read(*parts):
    with open(os.path.join(TOP, *parts)) as handle:
        return handle.read()


def test_generated_lab_docs_are_up_to_date():
    result = subprocess.run([sys.executable, os.path.join(TOP, "tools", "gen_lab_docs.py"), "--check"], check=False,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_example_lab_is_a_valid_definition_with_every_option():
    from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
    from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.schema import (
        LabDefinitionError,
        iter_fields,
        merge,
    )

    text = _read("inventory", "group_vars", "all", "lab.yml")
    lab = yaml.safe_load(text)["nestedcloud_lab"]
    required = {"image": "i", "flavors": {"jumphost": "m1.small", "undercloud": "m1.xlarge"}}
    for path, field in iter_fields():
        node = lab
        if field.required:  # shown, commented out, with an example: the user must set it
            assert "# %s: %s\n" % (path.rsplit(".", 1)[-1], field.example) in text, path
            continue
        for key in path.split("."):
            assert key in node, "example inventory lacks %s" % path
            node = node[key]
    # unedited, the example stops before any API call naming all it lacks; with them, its defaults plan
    with pytest.raises(LabDefinitionError) as err:
        build_plan(lab)
    assert err.value.field == "nestedcloud_lab.image"
    for path in ("image", "flavors.jumphost", "flavors.undercloud"):
        assert "nestedcloud_lab." + path in str(err.value)
    assert build_plan(merge(lab, required))["name"] == "lab"


def test_site_imports_the_seven_layers_in_order():
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


# What the local lab may set beyond the shipped example: what a cloud on one machine needs, nothing else.
LOCAL_LAB_KEYS = {"name", "cloud", "image", "image_user", "flavors", "undercloud_count", "nested_vms",
                  "ssh_allowed_cidrs"}
LOCAL_LAB_SIZES = {"count", "ram_mb", "vcpus"}
LOCAL_ROLE_VARS = {"jumphost_client_apt_proxy",  # r0's proxy has no way out on this machine
                   "smoke_image_kernel", "smoke_image_initrd", "smoke_ssh_user",  # the local tenant image
                   "verify_image_kernel", "verify_image_initrd", "verify_image_ssh_user",  # Tempest's guest
                   "hypervisor_guest_kernel", "hypervisor_guest_initrd"}  # the local oc- VM image


def _files(top):
    found = set()
    for root, _dirs, files in os.walk(top):
        found.update(os.path.relpath(os.path.join(root, name), top) for name in files)
    return found


def test_the_shipped_inventory_reads_the_whole_directory():
    cfg = _read("ansible.cfg")
    assert re.search(r"^inventory = \./inventory$", cfg, re.M)
    shipped = _files(os.path.join(TOP, "inventory"))
    assert {"hosts.yml", "lab.nestedcloud.yml", os.path.join("group_vars", "all", "lab.yml")} <= shipped
    # nothing else there that an inventory plugin would try to parse
    assert all(name.endswith((".yml", ".py")) or "__pycache__" in name for name in shipped), shipped
    shipped_plugin = yaml.safe_load(_read("inventory", "lab.nestedcloud.yml"))
    assert shipped_plugin == {"plugin": "nestedcloud.openstack.lab", "lab_file": "group_vars/all"}


def test_the_local_lab_is_the_shipped_example_and_one_override_file():
    local_top, shipped_top = os.path.join(TOP, "tests", "lab", "inventory"), os.path.join(TOP, "inventory")
    override = os.path.join("group_vars", "all", "local.yml")
    local = _files(local_top)
    assert local == {name for name in _files(shipped_top) if "__pycache__" not in name} | {override}
    for name in local - {override}:  # links to the shipped files, never copies that could drift
        path = os.path.join(local_top, name)
        assert os.path.islink(path) and os.path.realpath(path) == os.path.realpath(os.path.join(shipped_top, name))
    assert not os.path.islink(os.path.join(local_top, override))
    data = yaml.safe_load(_read("tests", "lab", "inventory", override))
    assert set(data) - {"nestedcloud_lab_overrides"} <= LOCAL_ROLE_VARS, set(data) - LOCAL_ROLE_VARS
    overrides = data["nestedcloud_lab_overrides"]
    assert set(overrides) <= LOCAL_LAB_KEYS and set(overrides["nested_vms"]) <= LOCAL_LAB_SIZES, overrides
    # the AWX-style run reads the same inventory
    assert os.path.realpath(os.path.join(TOP, "tests", "lab", "awx", "group_vars")) == os.path.realpath(
        os.path.join(local_top, "group_vars"))


def _markdown_files():
    skip = {".git", ".venv", ".collections", ".cache", "build", "node_modules"}
    for root, dirs, files in os.walk(TOP):
        dirs[:] = [d for d in dirs if d not in skip and not d.startswith(".tox")]
        for name in files:
            if name.endswith(".md"):
                yield os.path.join(root, name)


def test_every_relative_link_of_the_markdown_pages_names_a_file_that_exists():
    link = re.compile(r"\]\(([^)\s]+)\)")
    broken = []
    for path in _markdown_files():
        text = re.sub(r"```.*?```", "", open(path).read(), flags=re.S)  # code blocks hold no links
        for target in link.findall(text):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue  # a URL or an anchor of the same page
            if not os.path.exists(os.path.normpath(os.path.join(os.path.dirname(path), target.split("#")[0]))):
                broken.append("%s -> %s" % (os.path.relpath(path, TOP), target))
    assert not broken, "links to files that do not exist: %s" % broken


def test_the_architecture_page_names_every_layer_and_every_module_utils_file():
    page = _read("docs", "architecture.md")
    for layer in LAYERS:
        assert "`%s.yml`" % layer in page, layer
    utils = os.path.join(TOP, "plugins", "module_utils")
    assert not [n for n in os.listdir(utils) if n.endswith(".py")], "module_utils keeps its files in packages by layer"
    for package in sorted(os.listdir(utils)):
        for name in sorted(os.listdir(os.path.join(utils, package))):
            if name.endswith(".py") and name != "__init__.py":
                assert re.search(r"\b%s\b" % re.escape(name), page) and "module_utils/%s/" % package in page, \
                    "docs/architecture.md does not say where module_utils/%s/%s belongs" % (package, name)
    readme = _read("README.md")
    for page in ("architecture", "maas_juju", "verify", "overcloud_packaged", "testing", "undercloud"):
        assert "(docs/%s.md)" % page in readme, "the README does not link docs/%s.md" % page


def test_module_utils_packages_import_only_what_their_layer_may():
    """Each package of module_utils imports from itself and common/ only; outer/ also reads the planner."""
    allowed = {"outer": {"plan"}}
    utils = os.path.join(TOP, "plugins", "module_utils")
    found = []
    for package in sorted(os.listdir(utils)):
        for name in sorted(os.listdir(os.path.join(utils, package))):
            if not name.endswith(".py"):
                continue
            for other in re.findall(r"plugins\.module_utils\.(\w+)", _read("plugins", "module_utils", package, name)):
                if other not in {package, "common"} | allowed.get(package, set()):
                    found.append("%s/%s imports %s" % (package, name, other))
    assert not found, found
