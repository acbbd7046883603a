# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection tarball as a user gets it (the build tier builds it and sets NC_TARBALL): what only developers and
CI use is left out, the license matches the files' headers, galaxy.yml's links are real, and every collection the
collection's content uses is a declared dependency."""

from __future__ import annotations

import json
import os
import re
import tarfile

import pytest
import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARBALL = os.environ.get("NC_TARBALL")
# only for developers and CI: benchmarks, molecule scenarios, harness scripts, generators, build output, dev needs
LEFT_OUT = ("benchmarks/", "molecule/", "scripts/", "tools/", "build/", "requirements-dev.txt", "Makefile",
            "pytest.ini", ".ci/", ".venv/", ".git/", "tests/unit/", "tests/integration/", "tests/lab/",
            "tests/hosts/", "tests/undercloud/", "tests/maas/", "tests/juju/", "tests/build/", ".ansible-lint")
SHIPPED = ("LICENSE", "README.md", "MANIFEST.json", "FILES.json", "meta/runtime.yml", "meta/execution-environment.yml", "requirements.txt",
           "bindep.txt", "execution-environment.yml", "plugins/modules/lab_plan.py", "roles/overcloud/tasks/main.yml",
           "playbooks/site.yml", "inventory/lab.nestedcloud.yml", "changelogs/changelog.yaml", "docs/awx.md")
FQCN = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


@pytest.fixture(scope="module")
def tarball():
    if not TARBALL:
        pytest.skip("the build tier sets NC_TARBALL")
    with tarfile.open(TARBALL) as handle:
        names = handle.getnames()
        manifest = json.load(handle.extractfile("MANIFEST.json"))
        license_text = handle.extractfile("LICENSE").read().decode()
    return names, manifest, license_text


def test_what_only_developers_and_ci_use_is_left_out(tarball):
    names = tarball[0]
    stray = [n for n in names if n.startswith(LEFT_OUT) or "__pycache__" in n or n.endswith((".pyc", ".tar.gz"))]
    assert not stray, stray
    assert [n for n in SHIPPED if n not in names] == []
    assert all(n == "tests" or n.startswith("tests/sanity") for n in names if n.startswith("tests")), names


def test_the_license_is_the_one_the_headers_name(tarball):
    _names, manifest, text = tarball
    assert text.lstrip().startswith("GNU GENERAL PUBLIC LICENSE") and "Version 3, 29 June 2007" in text
    assert manifest["collection_info"]["license"] == ["GPL-3.0-or-later"]
    for folder in ("plugins", "roles"):
        for root, _dirs, files in os.walk(os.path.join(TOP, folder)):
            for name in files:
                if name.endswith(".py"):
                    with open(os.path.join(root, name)) as handle:
                        head = handle.read(400)
                    assert "GNU General Public License v3.0+" in head, os.path.join(root, name)


def test_galaxy_links_are_real(tarball):
    info = tarball[1]["collection_info"]
    for key in ("repository", "documentation", "homepage", "issues"):
        assert re.match(r"https://github\.com/nestedcloud/nestedcloud\.openstack(/|$)", info[key] or ""), (key, info[key])


def _modules(node):
    """FQCNs of the modules, roles and playbooks that tasks and plays name (keys of list items, role: values)."""
    if isinstance(node, list):
        for item in node:
            if isinstance(item, dict):
                for key, value in item.items():
                    if FQCN.fullmatch(str(key)):
                        yield key
                    if key in ("role", "name") and isinstance(value, str) and FQCN.fullmatch(value):
                        yield value
            yield from _modules(item)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _modules(value)


def test_every_collection_used_is_a_declared_dependency(tarball):
    declared = set(tarball[1]["collection_info"]["dependencies"])
    used = set()
    for folder in ("roles", "playbooks"):
        for root, _dirs, files in os.walk(os.path.join(TOP, folder)):
            for name in files:
                if name.endswith((".yml", ".yaml")) and "/templates" not in root:
                    with open(os.path.join(root, name)) as handle:
                        for fqcn in _modules(yaml.safe_load(handle)):
                            used.add(fqcn.rsplit(".", 1)[0])
    assert {"ansible.builtin", "nestedcloud.openstack"} <= used, "the scan found no module: it is broken"
    used -= {"ansible.builtin", "nestedcloud.openstack"}
    assert used <= declared, "used but not declared in galaxy.yml: %s" % sorted(used - declared)
    with open(os.path.join(TOP, "galaxy.yml")) as handle:
        assert yaml.safe_load(handle)["dependencies"] == tarball[1]["collection_info"]["dependencies"]
