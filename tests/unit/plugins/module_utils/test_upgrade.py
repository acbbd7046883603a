# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The upgrade rehearsal's refusals, decided before anything changes: which release steps OpenStack supports (the
next release, or one SLURP release to the next), and hosts left on different releases."""

from __future__ import annotations

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.releases import ReleaseError
from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.upgrade import (
    is_slurp, mixed, name_of, path, preflight, series)


def release(**extra):
    return dict({"network": "ovn", "sources": [{"distribution": "Debian", "version": "13", "from": "distribution"}]},
                **extra)


RELEASES = {name: release() for name in ("2024.1", "2024.2", "2025.1", "2025.2", "2026.1", "2026.2", "2027.1")}


def test_series_orders_two_releases_a_year_and_names_them_back():
    assert series("2025.1") + 1 == series("2025.2") == series("2026.1") - 1
    assert [name_of(series(n)) for n in sorted(RELEASES)] == sorted(RELEASES)


@pytest.mark.parametrize("name", ["2025.3", "epoxy", "25.1", "", None])
def test_a_name_that_is_no_release_is_refused_naming_the_field(name):
    with pytest.raises(ReleaseError) as err:
        series(name)
    assert err.value.field == "overcloud_upgrade_to"


def test_slurp_releases_are_the_year_1_ones_unless_the_data_says():
    assert is_slurp("2025.1") and is_slurp("2026.1") and not is_slurp("2025.2")
    assert not is_slurp("2022.1")  # SLURP began with 2023.1
    assert not is_slurp("2026.1", {"2026.1": release(slurp=False)})


@pytest.mark.parametrize("current,target,skips", [
    ("2025.1", "2025.2", []),          # the next release
    ("2025.2", "2026.1", []),
    ("2025.1", "2026.1", ["2025.2"]),  # SLURP to SLURP, the rehearsal's step
    ("2024.1", "2025.1", ["2024.2"]),
])
def test_the_supported_steps(current, target, skips):
    assert path(RELEASES, current, target) == {"from": current, "to": target, "skips": skips, "noop": False}


def test_the_running_release_as_target_is_nothing_to_do():
    assert path(RELEASES, "2026.1", "2026.1")["noop"] is True


@pytest.mark.parametrize("current,target,words", [
    ("2026.1", "2025.1", "older than the running release 2026.1"),
    ("2025.1", "2026.2", "skips 2 releases"),
    ("2025.1", "2027.1", "skips 3 releases"),
    ("2025.2", "2026.2", "2025.2 and 2026.2 are not SLURP"),
    ("2025.1", "2028.1", "not a known release"),
])
def test_refused_before_anything_changes_naming_the_reason(current, target, words):
    with pytest.raises(ReleaseError) as err:
        path(RELEASES, current, target)
    assert err.value.field == "overcloud_upgrade_to" and words in str(err.value), str(err.value)


def test_a_skip_from_a_release_the_data_marks_not_slurp_is_refused():
    releases = dict(RELEASES, **{"2025.1": release(slurp=False)})
    with pytest.raises(ReleaseError, match="2025.1 is not SLURP"):
        path(releases, "2025.1", "2026.1")


def test_hosts_on_one_release_upgrade_from_it():
    assert mixed({"uc-0001": "2025.1", "uc-0002": "2025.1"}) == "2025.1"


def test_hosts_an_interrupted_upgrade_left_on_two_releases_go_on_from_the_older():
    hosts = {"uc-0001": "2026.1", "uc-0002": "2025.1", "uc-0003": "2025.1"}
    assert mixed(hosts, {"from": "2025.1", "to": "2026.1"}) == "2025.1"


def test_hosts_on_mixed_releases_no_upgrade_of_ours_left_are_refused_naming_them():
    hosts = {"uc-0001": "2026.1", "uc-0002": "2025.1", "uc-0003": "2025.2"}
    for marker in (None, {"from": "2025.1", "to": "2026.1"}):
        with pytest.raises(ReleaseError) as err:
            mixed(hosts, marker)
        assert err.value.field == "hosts"
        assert "2025.1 on uc-0002; 2025.2 on uc-0003; 2026.1 on uc-0001" in str(err.value)


def test_no_host_reporting_a_release_is_refused():
    with pytest.raises(ReleaseError, match="no host"):
        mixed({})


def test_preflight_passes_a_quiet_healthy_cloud_with_room():
    got = preflight({"nova-status upgrade check": 0, "placement-status upgrade check": 0},
                    [{"name": "smoke-canary", "status": "ACTIVE", "task_state": None}], [],
                    {"path": "/var/lib/mysql", "free_bytes": 10 * 2 ** 30, "databases_bytes": 2 ** 28,
                     "packages_bytes": 2 ** 30})
    assert got == {"problems": [], "warnings": []}


def test_preflight_names_every_reason_not_to_start():
    got = preflight({"nova-status upgrade check": 2, "glance-status upgrade check": 1, "neutron-status upgrade check": 7},
                    [{"name": "a", "status": "ACTIVE", "task_state": "rebooting"},
                     {"name": "b", "status": "VERIFY_RESIZE", "task_state": None},
                     {"name": "c", "status": "SHUTOFF", "task_state": None}],
                    ["nova-compute on uc-0003 is down"],
                    {"path": "/var/lib/mysql", "free_bytes": 2 ** 29, "databases_bytes": 2 ** 29, "packages_bytes": 2 ** 29})
    assert got["problems"] == [
        "neutron-status upgrade check: error (exit 7)",
        "nova-status upgrade check: failure (exit 2)",
        "instances in a transitional state, let them settle (or confirm the resize) first: a (ACTIVE, task rebooting), "
        "b (VERIFY_RESIZE)",
        "not healthy before the upgrade: nova-compute on uc-0003 is down",
        "/var/lib/mysql: 512 MiB free, the database dumps and the new packages need 1126 MiB",
    ]
    assert got["warnings"] == ["glance-status upgrade check: warnings (exit 1), see its output"]
