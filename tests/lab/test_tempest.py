# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The verify layer of the lab of `make lab`: Tempest judged the inner cloud and every selected test passed; its
configuration keeps the admin's password private."""

from __future__ import annotations

import json
import os
import re

import pytest

from test_lab import LAB, STATE, on  # tests/lab is on sys.path (pytest, rootdir import mode)

REPORTS = os.path.expanduser("~/.nestedcloud/%s" % LAB)
EXCLUDE = os.path.join(os.path.dirname(__file__), "..", "..", "roles", "verify", "files", "tempest-exclude.txt")


@pytest.fixture(scope="module")
def tempest():
    with open(os.path.join(REPORTS, "tempest-report.json")) as handle:
        return json.load(handle)


def test_every_selected_test_passed(tempest):
    counts = tempest["counts"]
    assert tempest["passed"], tempest["message"]
    assert counts["failed"] == 0 and tempest["failures"] == []
    assert counts["passed"] + counts["skipped"] == tempest["selected"] > 0
    # the default selection: smoke tests of the four core services and the two canonical scenarios ran
    assert counts["passed"] >= 60, counts
    with open(os.path.join(REPORTS, "tempest-report.md")) as handle:
        markdown = handle.read()
    assert "Result: **PASSED**" in markdown


def test_the_two_scenarios_ran_and_passed(tempest):
    skipped = {s["id"].split("[")[0] for s in tempest["skips"]}
    for scenario in ("tempest.scenario.test_server_basic_ops.TestServerBasicOps.test_server_basic_ops",
                     "tempest.scenario.test_network_basic_ops.TestNetworkBasicOps.test_network_basic_ops",
                     "tempest.scenario.test_network_basic_ops.TestNetworkBasicOps.test_hotplug_nic",
                     "tempest.scenario.test_network_basic_ops.TestNetworkBasicOps.test_subnet_details"):
        assert scenario not in skipped, scenario


def test_every_skip_and_every_exclusion_says_why(tempest):
    assert all(s["reason"] for s in tempest["skips"]), [s for s in tempest["skips"] if not s["reason"]]
    with open(EXCLUDE) as handle:
        lines = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    assert sorted(e["regex"] for e in tempest["excluded"]) == sorted(line.partition("#")[0].strip() for line in lines)
    assert all(e["reason"] for e in tempest["excluded"])


def test_tempest_left_nothing_behind(tempest):
    before, after = tempest["resources"]["before"], tempest["resources"]["after"]
    assert tempest["leftovers"] == {}
    for kind in ("projects", "users", "servers", "ports", "networks", "routers", "images"):
        assert after[kind] <= before[kind], (kind, before, after)
    rc, out, err = on("r0", ". /root/openrc && openstack project list -f value -c Name")
    assert rc == 0 and not re.search(r"^tempest-", out, re.M), (out, err)


def test_what_a_killed_run_left_was_deleted_before_the_next(tempest):
    """`scripts/lab.sh kill-tempest` SIGKILLed the verify layer in the middle of Tempest (tempest-kill.json); Tempest
    went on in the background with its dynamic credentials' projects until this report's run stopped it. This run
    deleted what that one left, before it listed its own 'before', and could delete all of it."""
    with open(os.path.join(STATE, "tempest-kill.json")) as handle:
        assert "Tempest, progress below" in json.load(handle)["task"]
    swept = tempest["swept"]
    assert swept and swept["errors"] == [], swept
    assert swept["swept"].get("projects") and swept["swept"].get("users"), swept
    assert set(swept["swept"]) <= set(tempest["resources"]["before"]), swept
    # the projects it deleted are gone, and this run's 'before' holds none of Tempest's
    rc, out, err = on("r0", ". /root/openrc && openstack project list -f value -c ID")
    assert rc == 0 and not set(swept["swept"]["projects"]) & set(out.split()), (out, err)


def test_the_subunit_stream_is_kept_for_tools():
    path = os.path.join(REPORTS, "tempest-results.subunit")
    assert os.path.getsize(path) > 0
    with open(path, "rb") as handle:
        assert handle.read(1) == b"\xb3"  # subunit v2's signature byte


def test_tempest_conf_is_private_and_its_password_never_printed():
    rc, out, err = on("r0", "stat -c '%a' /root/nestedcloud-tempest/etc/tempest.conf && "
                            "sed -n 's/^admin_password = //p' /root/nestedcloud-tempest/etc/tempest.conf")
    assert rc == 0, err
    mode, password = out.split()
    assert mode == "600" and len(password) >= 16
    for name in os.listdir(STATE):
        if name.endswith(".log"):
            with open(os.path.join(STATE, name), errors="replace") as handle:
                assert password not in handle.read(), name
    for name in os.listdir(REPORTS):
        if name.startswith("tempest-report"):
            with open(os.path.join(REPORTS, name)) as handle:
                assert password not in handle.read(), name
