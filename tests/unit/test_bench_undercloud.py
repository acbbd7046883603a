# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""benchmarks/undercloud/bench.py (make bench-undercloud): reading the json callback's document and the report of
where the servers phase goes."""

from __future__ import annotations

import importlib.util
import json
import os

import pytest

HERE = os.path.dirname(__file__)
SPEC = importlib.util.spec_from_file_location(
    "bench_undercloud", os.path.join(HERE, "..", "..", "benchmarks", "undercloud", "bench.py"))
pytest.importorskip("openstack")
BENCH = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(BENCH)

SERVERS = {"phases": {"ports (one bulk create, then tags)": 1.0, "servers (create calls)": 4.0,
                      "servers ACTIVE (waiting)": 25.0},
           "api": [{"call": "POST compute /servers", "count": 21, "total_s": 30.5, "longest_s": 2.25},
                   {"call": "GET compute /servers/detail", "count": 25, "total_s": 5.0, "longest_s": 0.5}]}


def document(servers_changed=False):
    def task(name, start, end, result):
        return {"task": {"name": name, "duration": {"start": start, "end": end}}, "hosts": {"localhost": result}}

    return {"plays": [{"tasks": [
        task("Plan", "2026-12-06T19:00:00.000000Z", "2026-12-06T19:00:01.500000Z", {"changed": False}),
        task("nestedcloud.openstack.undercloud : " + BENCH.SERVERS_TASK, "2026-12-06T19:00:01.500000Z", "2026-12-06T19:00:33.750000Z",
             {"changed": servers_changed, "timings": SERVERS}),
    ]}], "stats": {"localhost": {"changed": int(servers_changed)}}}


def test_the_document_is_found_after_an_action_plugins_progress_lines():
    text = json.dumps(document(), indent=4)
    assert BENCH.callback_document(text) == document()
    assert BENCH.callback_document("  3/21 servers ACTIVE (4s)\n  21/21 servers ACTIVE (30s)\n" + text) == document()


def test_task_time_result_and_changes_come_from_the_document():
    got = document(servers_changed=True)
    assert BENCH.task_time(got, BENCH.SERVERS_TASK) == pytest.approx(32.25)
    assert BENCH.task_time(got, "not run") is None
    assert BENCH.task_result(got, BENCH.SERVERS_TASK)["timings"] == SERVERS
    assert BENCH.changed(got) == 1 and BENCH.changed(document()) == 0


def test_where_the_time_goes_reports_the_median_round_step_by_step():
    slow = {"phases": {"servers ACTIVE (waiting)": 90.0}, "api": []}
    runs = {"ours_servers": [40.0, 32.0, 100.0]}
    lines = BENCH.where_the_time_goes(runs, [SERVERS, SERVERS, slow], {"bulk": 28.0, "bulk_post": 2.5})
    text = "\n".join(lines)
    assert "round 1, the median" in text  # 40 s is the median of 32, 40, 100
    assert "| servers ACTIVE (waiting) | 25.0 | 83% |" in text
    assert "| the task itself (Ansible: module transfer, start, connection, lists before the steps) | 10.0 | |" in text
    assert "| bulk create: its one create call / all ACTIVE | 2.5 / 28.0 | |" in text
    assert "| `POST compute /servers` | 21 | 30.5 | 2.25 |" in text
    assert text.index("POST compute /servers") < text.index("GET compute /servers/detail")
