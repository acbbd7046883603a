# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wait of overcloud_health (plugin_utils/poll.py): polling, progress lines, the failure at the end of the wait."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from ansible.plugins.action import ActionBase

from ansible_collections.nestedcloud.openstack.plugins.action import overcloud_health as action
from ansible_collections.nestedcloud.openstack.plugins.plugin_utils import poll


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def make(monkeypatch, answers, args):
    """An ActionModule whose module answers come from a list; returns (plugin, calls, shown lines)."""
    clock, calls, shown = FakeClock(), [], []
    monkeypatch.setattr(ActionBase, "run", lambda self, tmp=None, task_vars=None: {})
    monkeypatch.setattr(poll.display, "display", shown.append)
    plugin = object.__new__(action.ActionModule)
    plugin._task = SimpleNamespace(args=args, check_mode=False)
    plugin.clock = clock
    plugin.sleep = clock.sleep

    def execute(module_name, module_args, task_vars):
        calls.append((module_name, module_args))
        clock.now += 1  # each question takes a second
        return dict(answers[min(len(calls), len(answers)) - 1])

    plugin._execute_module = execute
    return plugin, calls, shown


def down(summary, *waiting):
    return {"changed": False, "ready": False, "summary": summary, "waiting_for": list(waiting)}


UP = {"changed": False, "ready": True, "summary": "12 of 12 up", "waiting_for": []}


def test_waits_until_ready_and_shows_each_change(monkeypatch):
    answers = [down("9 of 12 up", "neutron-l3-agent on uc-0001: Neutron agent not registered"),
               down("9 of 12 up", "neutron-l3-agent on uc-0001: Neutron agent not registered"),
               down("11 of 12 up", "nova-compute on uc-0003: Nova service is down/enabled"), UP]
    plugin, calls, shown = make(monkeypatch, answers, {"auth": {"password": "x"}, "wait": 300, "delay": 5})
    result = plugin.run(task_vars={})
    assert result["ready"] and not result.get("failed")
    assert len(calls) == 4
    # the module is asked once per round, never with a wait of its own; the plugin's options stay out of its args
    assert all(name == action.ActionModule.MODULE and args["wait"] == 0 and "delay" not in args for name, args in calls)
    # an unchanged state is not shown twice
    assert len(shown) == 2
    assert "9 of 12 up" in shown[0] and "neutron-l3-agent on uc-0001" in shown[0]
    assert "11 of 12 up" in shown[1] and "nova-compute on uc-0003" in shown[1]
    assert result["seconds"] == 19.0  # 4 questions of 1 s and 3 pauses of 5 s


def test_fails_at_the_end_of_the_wait_naming_what_is_down(monkeypatch):
    answers = [down("11 of 12 up", "neutron-dhcp-agent on uc-0001: Neutron agent is not alive "
                                   "(see /var/log/neutron/neutron-dhcp-agent.log on uc-0001)")]
    plugin, calls, shown = make(monkeypatch, answers, {"wait": 30, "delay": 5})
    result = plugin.run(task_vars={})
    assert result["failed"] and not result["ready"]
    assert result["msg"].startswith("inner cloud: not up after 30 s: neutron-dhcp-agent on uc-0001")
    assert "neutron-dhcp-agent.log on uc-0001" in result["msg"]
    assert 4 <= len(calls) <= 6
    assert len(shown) == 1


def test_repeats_an_unchanged_state_now_and_then(monkeypatch):
    plugin, calls, shown = make(monkeypatch, [down("1 of 2 up", "x")], {"wait": 200, "delay": 5})
    plugin.run(task_vars={})
    assert len(shown) >= 200 // poll.PROGRESS_EVERY - 1


def test_without_wait_asks_once(monkeypatch):
    plugin, calls, shown = make(monkeypatch, [down("1 of 2 up", "x")], {})
    result = plugin.run(task_vars={})
    assert len(calls) == 1 and not result.get("failed") and not result["ready"] and shown == []


def test_a_module_failure_ends_the_wait(monkeypatch):
    plugin, calls, shown = make(monkeypatch, [{"failed": True, "msg": "compute_services.nova-compute: expected a list"}],
                                {"wait": 300})
    result = plugin.run(task_vars={})
    assert len(calls) == 1 and result["msg"] == "compute_services.nova-compute: expected a list"


@pytest.mark.parametrize("args, word", [({"wait": -1}, "wait"), ({"wait": 10, "delay": 0}, "delay"),
                                        ({"wait": "soon"}, "whole seconds")])
def test_bad_wait_or_delay(monkeypatch, args, word):
    plugin, calls, shown = make(monkeypatch, [UP], args)
    result = plugin.run(task_vars={})
    assert result["failed"] and word in result["msg"] and calls == []


def test_a_round_that_acted_makes_the_task_changed(monkeypatch):
    acted = dict(down("0 of 1", "x"), changed=True)
    plugin, calls, shown = make(monkeypatch, [acted, UP], {"wait": 60})
    result = plugin.run(task_vars={})
    assert result["ready"] and result["changed"] and len(calls) == 2


def test_check_mode_does_not_wait_for_what_it_did_not_start(monkeypatch):
    acted = dict(down("0 of 1", "x"), changed=True)
    plugin, calls, shown = make(monkeypatch, [acted], {"wait": 600})
    plugin._task.check_mode = True
    result = plugin.run(task_vars={})
    assert len(calls) == 1 and result["changed"] and not result.get("failed") and not result["ready"]


def test_check_mode_still_waits_for_what_runs_already(monkeypatch):
    plugin, calls, shown = make(monkeypatch, [down("0 of 1", "x")], {"wait": 30, "delay": 5})
    plugin._task.check_mode = True
    result = plugin.run(task_vars={})
    assert len(calls) > 1 and result["failed"]
