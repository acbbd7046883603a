# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""services_running: one systemctl show for every unit, one enable and one start for those that need it."""

from __future__ import annotations

import pytest

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.host import systemd_units
from ansible_collections.nestedcloud.openstack.plugins.modules import services_running as module
from tests.unit.plugins._module_runner import run_module


def show(**units):
    """systemctl show's answer: unit=(ActiveState, UnitFileState[, LoadState])."""
    blocks = []
    for unit, state in units.items():
        load = state[2] if len(state) > 2 else "loaded"
        blocks.append("Id=%s.service\nLoadState=%s\nActiveState=%s\nSubState=x\nUnitFileState=%s\n"
                      % (unit, load, state[0], state[1]))
    return "\n".join(blocks)


class Host:
    """A host's systemd as systemctl shows it, changed by enable and start."""

    def __init__(self, **units):
        self.units = {name: list(state) for name, state in units.items()}
        self.calls = []
        self.fail_start = set()

    def run_command(self, argv, **_kwargs):
        self.calls.append(argv[1:])
        verb, names = argv[1], [a for a in argv[2:] if not a.startswith("-")]
        if verb == "show":
            return 0, show(**{n: tuple(self.units[n]) if n in self.units else ("inactive", "", "not-found")
                              for n in names}), ""
        for name in names:
            if verb == "enable":
                self.units[name][1] = "enabled"
            elif verb == "start" and name not in self.fail_start:
                self.units[name][0] = "active"
            elif verb == "start":
                self.units[name][0] = "failed"
        return (1, "", "Job for %s failed" % names[0]) if verb == "start" and self.fail_start & set(names) else (0, "", "")


@pytest.fixture()
def host(monkeypatch):
    state = Host(mariadb=("active", "enabled"), memcached=("inactive", "disabled"), ssh=("inactive", "static"))
    monkeypatch.setattr(AnsibleModule, "run_command", lambda self, argv, **kw: state.run_command(argv, **kw))
    monkeypatch.setattr(AnsibleModule, "get_bin_path", lambda self, name, required=False: "/bin/" + name)
    return state


def run(check_mode=False, **args):
    return run_module(args, check_mode=check_mode, main=module.main)


def test_one_call_each_to_read_enable_and_start_and_nothing_on_the_second_run(host):
    first = run(names=["mariadb", "memcached", "ssh", "memcached"])
    assert first["changed"] and first["enabled"] == ["memcached"] and first["started"] == ["memcached", "ssh"]
    assert [c[0] for c in host.calls] == ["show", "enable", "start", "show"]
    assert host.calls[2][-2:] == ["memcached", "ssh"]  # one start for both: systemd starts them side by side
    host.calls.clear()
    second = run(names=["mariadb", "memcached", "ssh"])
    assert not second["changed"] and second["started"] == [] and [c[0] for c in host.calls] == ["show"]


def test_check_mode_and_enabled_false_change_nothing_they_should_not(host):
    checked = run(check_mode=True, names=["memcached"])
    assert checked["changed"] and checked["started"] == ["memcached"] and host.units["memcached"] == ["inactive", "disabled"]
    started_only = run(names=["memcached"], enabled=False)
    assert started_only["enabled"] == [] and host.units["memcached"] == ["active", "disabled"]


def test_a_missing_or_masked_unit_is_named_before_anything_changes(host):
    host.units["nova-api"] = ["inactive", "masked", "masked"]
    result = run(names=["memcached", "nova-apii", "nova-api"])
    assert result["failed"] and "nova-apii: no such unit" in result["msg"] and "nova-api: masked" in result["msg"]
    assert host.units["memcached"] == ["inactive", "disabled"]


def test_a_unit_that_does_not_start_is_named(host):
    host.fail_start.add("memcached")
    result = run(names=["memcached"])
    assert result["failed"] and "systemctl start memcached failed" in result["msg"]


def test_parse_show_needs_one_block_per_unit():
    with pytest.raises(ValueError, match="2 units for 3"):
        systemd_units.parse_show(show(a=("active", "enabled"), b=("active", "enabled")), ["a", "b", "c"])
    assert systemd_units.not_running({"a": {"ActiveState": "failed"}, "b": {"ActiveState": "active"}}) == ["a (failed)"]
