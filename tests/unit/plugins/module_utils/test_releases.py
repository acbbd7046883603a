# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The releases data of the packaged inner cloud: which release a host gets and where its packages come from."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.releases import ReleaseError, check, resolve

TOP = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..")
with open(os.path.join(TOP, "roles", "overcloud", "defaults", "main.yml")) as _handle:
    DEFAULTS = yaml.safe_load(_handle)["overcloud_releases"]

RELEASES = {
    "2025.1": {"codename": "epoxy", "network": "ovn", "sources": [
        {"distribution": "Debian", "version": "13", "from": "distribution", "proven": True},
        {"distribution": "Ubuntu", "version": "24.04", "from": "cloud-archive", "pocket": "epoxy"}]},
    "2024.1": {"codename": "caracal", "network": "ovn", "sources": [
        {"distribution": "Ubuntu", "version": "24.04", "from": "distribution"},
        {"distribution": "Ubuntu", "version": "22.04", "from": "cloud-archive", "pocket": "caracal"}]},
    "zed": {"network": "ovn", "sources": [{"distribution": "Debian", "version": "12", "from": "distribution"}]},
}


def test_auto_takes_what_the_distribution_ships_itself():
    assert resolve(RELEASES, "auto", "Debian", "13.2") == {
        "name": "2025.1", "codename": "epoxy", "network": "ovn", "from": "distribution", "pocket": "", "lock": "",
        "proven": True}
    assert resolve(RELEASES, "auto", "Debian", "12")["name"] == "zed"
    assert resolve(RELEASES, "auto", "Ubuntu", "24.04")["name"] == "2024.1"  # noble's own, not the Cloud Archive's
    # jammy ships none of them: the only release with a source for it
    assert resolve(RELEASES, "auto", "Ubuntu", "22.04") == {
        "name": "2024.1", "codename": "caracal", "network": "ovn", "from": "cloud-archive", "pocket": "caracal",
        "lock": "", "proven": False}


def test_a_named_release_comes_from_its_source_for_this_host():
    assert resolve(RELEASES, "2025.1", "Ubuntu", "24.04")["pocket"] == "epoxy"
    assert resolve(RELEASES, "zed", "Debian", "12.8")["codename"] == "zed"  # no codename: the name


def test_what_cannot_be_installed_is_refused_naming_the_variable():
    with pytest.raises(ReleaseError, match=r"^overcloud_release: zed has no packages for Ubuntu 24.04; it comes from "
                                           r"Debian 12 \(distribution\)"):
        resolve(RELEASES, "zed", "Ubuntu", "24.04")
    with pytest.raises(ReleaseError, match=r"'2026.1' is not a known release; use auto or one of 2025.1, 2024.1, zed"):
        resolve(RELEASES, "2026.1", "Debian", "13")
    with pytest.raises(ReleaseError, match=r"auto: Debian 11 has packages of none of the known releases"):
        resolve(RELEASES, "auto", "Debian", "11")
    # "1" must not serve 12 or 13
    with pytest.raises(ReleaseError, match=r"none of the known"):
        resolve({"x": {"network": "ovn", "sources": [{"distribution": "Debian", "version": "1",
                                                      "from": "distribution"}]}}, "auto", "Debian", "13")
    other = {"network": "ovn", "sources": [{"distribution": "Debian", "version": "13", "from": "distribution"}]}
    twice = dict(RELEASES, other=other)
    with pytest.raises(ReleaseError, match=r"several releases \(2025.1, other\)"):
        resolve(twice, "auto", "Debian", "13")


@pytest.mark.parametrize("bad,field", [
    ({}, "overcloud_releases"),
    ({"a": {"network": "ovs", "sources": []}}, "overcloud_releases['a'].network"),
    ({"a": {"network": "linuxbridge", "sources": []}}, "overcloud_releases['a'].network"),  # gone in Neutron 2025.1
    ({"a": {"network": "ovn", "sources": []}}, "overcloud_releases['a'].sources"),
    ({"a": {"network": "ovn", "sources": [{"distribution": "Debian"}]}}, "overcloud_releases['a'].sources[0]"),
    ({"a": {"network": "ovn", "sources": [{"distribution": "Debian", "version": "13", "from": "pip"}]}},
     "overcloud_releases['a'].sources[0].from"),
    ({"a": {"network": "ovn", "sources": [{"distribution": "Debian", "version": "13", "from": "pypi"}]}},
     "overcloud_releases['a'].sources[0].lock"),
    ({"a": {"network": "ovn", "sources": [{"distribution": "Ubuntu", "version": "24.04", "from": "cloud-archive"}]}},
     "overcloud_releases['a'].sources[0].pocket"),
])
def test_bad_data_names_the_entry(bad, field):
    with pytest.raises(ReleaseError) as err:
        check(bad)
    assert err.value.field == field


def test_the_roles_data_is_valid_and_what_ci_proves_is_debian():
    check(DEFAULTS)
    proven = [(name, s["distribution"], s["version"]) for name, r in DEFAULTS.items() for s in r["sources"]
              if s.get("proven")]
    assert proven and all(distribution == "Debian" for _name, distribution, _version in proven)
    assert resolve(DEFAULTS, "auto", "Debian", "13") == {
        "name": "2025.1", "codename": "epoxy", "network": "ovn", "from": "distribution", "pocket": "", "lock": "",
        "proven": True}
    assert all(release["network"] == "ovn" for release in DEFAULTS.values())


PYPI = dict(RELEASES, **{"2026.1": {"codename": "gazpacho", "network": "ovn", "sources": [
    {"distribution": "Debian", "version": "13", "from": "pypi", "lock": "2026.1-cp313.txt"}]}})


def test_a_pypi_release_is_the_upgrade_target_only():
    # auto never picks it: Debian 13 still gets its own 2025.1
    assert resolve(PYPI, "auto", "Debian", "13")["name"] == "2025.1"
    with pytest.raises(ReleaseError, match=r"^overcloud_release: 2026.1 on Debian 13 comes from pinned Python packages "
                                           r"\(2026.1-cp313.txt\), which only the upgrade rehearsal installs"):
        resolve(PYPI, "2026.1", "Debian", "13")
    target = resolve(PYPI, "2026.1", "Debian", "13", field="overcloud_upgrade_to", upgrade=True)
    assert target["from"] == "pypi" and target["lock"] == "2026.1-cp313.txt" and target["proven"] is False
    with pytest.raises(ReleaseError, match=r"it comes from Debian 13 \(pypi 2026.1-cp313.txt\)"):
        resolve(PYPI, "2026.1", "Ubuntu", "24.04", upgrade=True)


def test_a_pypi_source_names_its_lock_file():
    for lock in [None, "", "2026.1.txt", "../2026.1-cp313.txt"]:
        bad = {"x": {"network": "ovn", "sources": [{"distribution": "Debian", "version": "13", "from": "pypi",
                                                    "lock": lock}]}}
        with pytest.raises(ReleaseError, match=r"^overcloud_releases\['x'\].sources\[0\].lock: a pypi source names"):
            check(bad)


def test_the_defaults_pypi_locks_exist():
    for name, release in DEFAULTS.items():
        for source in release["sources"]:
            if source["from"] == "pypi":
                assert os.path.isfile(os.path.join(TOP, "roles", "overcloud", "files", "pypi", source["lock"])), name
    assert any(s["from"] == "pypi" for s in DEFAULTS["2026.1"]["sources"])
