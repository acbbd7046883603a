# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The execution environment's build context (the ee tier runs `ansible-builder create` and sets NC_EE_CONTEXT): it
holds this checkout's collection tarball, an ansible-core that meets requires_ansible on a Python it supports, the
collections the roles use and the collection's Python and system needs. The image itself is not built here: its
base image comes from a registry this machine cannot reach."""

from __future__ import annotations

import glob
import os
import re

import pytest
import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONTEXT = os.environ.get("NC_EE_CONTEXT")


def _version(text):
    return tuple(int(part) for part in text.split("."))


@pytest.fixture(scope="module")
def context():
    if not CONTEXT:
        pytest.skip("the ee tier sets NC_EE_CONTEXT")
    return CONTEXT


def _read(*path):
    with open(os.path.join(*path)) as handle:
        return handle.read()


def test_the_context_holds_this_checkouts_collection(context):
    assert glob.glob(os.path.join(context, "_build", "collection", "nestedcloud-openstack-*.tar.gz"))
    assert "ansible-galaxy collection install --no-deps /build/collection/*.tar.gz" in _read(context, "Containerfile")


def test_ansible_core_meets_requires_ansible_on_a_supported_python(context):
    containerfile = _read(context, "Containerfile")
    refs = re.search(r'ARG ANSIBLE_INSTALL_REFS="([^"]*)"', containerfile).group(1)
    lowest = re.search(r"ansible-core>=([0-9.]+)", refs).group(1)
    required = re.search(r">=\s*([0-9.]+)", yaml.safe_load(_read(TOP, "meta", "runtime.yml"))["requires_ansible"])
    assert _version(lowest) >= _version(required.group(1)), (lowest, required.group(1))
    assert "ansible-runner" in refs  # AWX runs jobs through it
    python = re.search(r'ARG PYCMD="[^"]*python(3\.\d+)"', containerfile).group(1)
    assert _version(python) >= (3, 11), python  # ansible-core 2.19's controller needs 3.11 or later
    assert "awx-ee:24" not in containerfile


def test_the_context_names_what_the_roles_need(context):
    collections = dict((c["name"], c) for c in yaml.safe_load(_read(context, "_build", "requirements.yml"))["collections"])
    with open(os.path.join(TOP, "galaxy.yml")) as handle:
        needed = yaml.safe_load(handle)["dependencies"]
    assert set(needed) <= set(collections), set(needed) - set(collections)
    python = _read(context, "_build", "requirements.txt")
    for package in ("openstacksdk", "netaddr", "jmespath"):
        assert re.search(r"^%s\b" % package, python, re.M), python
    assert "openssh-client" in _read(context, "_build", "bindep.txt")


def test_the_collection_declares_its_own_needs():
    meta = yaml.safe_load(_read(TOP, "meta", "execution-environment.yml"))
    assert meta["dependencies"] == {"python": "requirements.txt", "system": "bindep.txt"}
    for name in meta["dependencies"].values():
        assert os.path.exists(os.path.join(TOP, name)), name
