# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""pending_restarts: settings written by a run that was killed before its handlers are found on the next run."""

from __future__ import annotations

import os

from ansible_collections.nestedcloud.openstack.plugins.modules import pending_restarts as module
from tests.unit.plugins._module_runner import run_module


def run(check_mode=False, **args):
    return run_module(args, check_mode=check_mode, main=module.main)


def test_the_killed_runs_settings_are_pending_until_the_handler_records_them(tmp_path):
    conf, state = tmp_path / "squid.conf", str(tmp_path / "applied")
    topics = {"squid changed": [str(conf)], "chrony changed": [str(tmp_path / "absent.conf")]}
    assert run(topics=topics, state_dir=state)["pending"] == []  # nothing written yet, nothing to apply
    conf.write_text("http_port 3128\n")  # the run writes the settings... and is killed before the handler
    first = run(topics=topics, state_dir=state)
    assert first["pending"] == ["squid changed"] and not first["changed"]
    assert not os.path.exists(state)  # reading writes nothing
    recorded = run(applied=["squid changed"], state_dir=state)  # the handler restarted squid
    assert recorded["changed"] and run(topics=topics, state_dir=state)["pending"] == []
    os.utime(conf, (os.stat(conf).st_mtime + 5,) * 2)  # settings changed again after the restart
    assert run(topics=topics, state_dir=state)["pending"] == ["squid changed"]


def test_check_mode_records_nothing(tmp_path):
    state = tmp_path / "applied"
    result = run(check_mode=True, applied=["squid changed"], state_dir=str(state))
    assert result["changed"] and not state.exists()


def test_a_topic_needs_a_list_of_paths(tmp_path):
    result = run(topics={"squid changed": "/etc/squid/squid.conf"}, state_dir=str(tmp_path))
    assert result["failed"] and "topics[squid changed]" in result["msg"]
