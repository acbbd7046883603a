# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""scripts/tempest_durations.py and the data file it made: what the verify role hands tempest_run as durations."""

from __future__ import annotations

import importlib.util
import os

import pytest
import yaml

TOP = os.path.join(os.path.dirname(__file__), "..", "..")
spec = importlib.util.spec_from_file_location("tempest_durations", os.path.join(TOP, "scripts", "tempest_durations.py"))
durations = importlib.util.module_from_spec(spec)
spec.loader.exec_module(durations)


def test_a_report_becomes_yaml_of_seconds_per_group_with_where_it_came_from():
    text = durations.render({"costs": {"tempest.api.a.Test.": 12.5, "tempest.scenario.b.T.test_x[id-1]": 100.0},
                             "concurrency": 2, "seconds": 80.0}, "~/.nestedcloud/nclab/tempest-report.json")
    assert "~/.nestedcloud/nclab/tempest-report.json" in text and "2 groups, 112 s of work" in text
    assert yaml.safe_load(text) == {"tempest.api.a.Test.": 12.5, "tempest.scenario.b.T.test_x": 100.0}


def test_a_report_without_costs_is_refused():
    with pytest.raises(SystemExit, match="has no costs"):
        durations.render({"seconds": 1}, "old.json")


def test_the_shipped_durations_cover_the_default_selection_s_slow_groups():
    with open(os.path.join(TOP, "roles", "verify", "files", "tempest-durations.yml")) as handle:
        shipped = yaml.safe_load(handle)
    assert all(isinstance(v, float) and v >= 0 for v in shipped.values())
    scenario = [g for g in shipped if g.startswith("tempest.scenario.test_network_basic_ops.")]
    assert len(scenario) >= 8  # one per scenario test, as stestr groups them (without the attribute list)
    assert not [g for g in shipped if "[" in g] and max(len(g) for g in shipped) < 150
