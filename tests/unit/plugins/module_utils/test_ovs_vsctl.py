# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_config's reading of ovs-vsctl's JSON and the commands it runs, against a fake ovs-vsctl that keeps state."""

from __future__ import annotations

import json

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.host import ovs_vsctl


class FakeOvs:
    """Just enough of ovs-vsctl: list (JSON), list-ports, get-manager, and transactions of set/remove/add-br/add-port/
    set-manager."""

    def __init__(self, external_ids=None, other_config=None, bridges=None, managers=None):
        self.external_ids = dict(external_ids or {})
        self.other_config = dict(other_config or {})
        self.bridges = dict(bridges or {})  # name -> {"datapath_type": str, "ports": [...]}
        self.managers = list(managers or [])
        self.calls = []

    def __call__(self, argv):
        assert argv[:2] == ["ovs-vsctl", "--timeout=30"]
        args = argv[2:]
        self.calls.append(args)
        if args[0] == "--format=json":
            table = args[3]
            if table == "Open_vSwitch":
                row = [["map", sorted(self.external_ids.items())], ["map", sorted(self.other_config.items())]]
                return 0, json.dumps({"headings": ["external_ids", "other_config"], "data": [row]}), ""
            rows = [[n, b["datapath_type"] or ["set", []]] for n, b in sorted(self.bridges.items())]
            return 0, json.dumps({"headings": ["name", "datapath_type"], "data": rows}), ""
        if args[0] == "list-ports":
            return 0, "".join(p + "\n" for p in self.bridges[args[1]]["ports"]), ""
        if args[0] == "get-manager":
            return 0, "".join(m + "\n" for m in self.managers), ""
        commands, current = [], []
        for word in args:
            if word == "--" and current:
                commands.append(current)
                current = []
            elif word != "--":
                current.append(word)
        commands.append(current)
        for command in commands:
            if command[0] == "--may-exist":
                command = command[1:]
            verb = command[0]
            if verb == "set" and command[1] == "Open_vSwitch":
                column, _sep, kv = command[3].partition(":")
                key, _sep, value = kv.partition("=")
                getattr(self, column)[key] = value.strip('"')
            elif verb == "remove":
                getattr(self, command[3]).pop(command[4])
            elif verb == "add-br":
                self.bridges[command[1]] = {"datapath_type": "", "ports": []}
            elif verb == "set" and command[1] == "Bridge":
                self.bridges[command[2]]["datapath_type"] = command[3].split("=", 1)[1]
            elif verb == "set-manager":
                self.managers = command[1:]
            elif verb == "add-port":
                if command[2] not in self.bridges[command[1]]["ports"]:
                    self.bridges[command[1]]["ports"].append(command[2])
            else:
                return 1, "", "ovs-vsctl: unknown command '%s'" % verb
        return 0, "", ""


CHASSIS = {"system-id": "uc-0002", "ovn-remote": "tcp:10.22.0.11:6642", "ovn-encap-type": "geneve",
           "ovn-encap-ip": "10.66.0.12", "ovn-bridge-mappings": "external:br-ex"}
BRIDGES = [{"name": "br-ex", "datapath_type": "netdev", "ports": ["ovx-ovs"]}]


def converge(fake, **wanted):
    todo, changes = ovs_vsctl.commands(ovs_vsctl.read(fake), **wanted)
    ovs_vsctl.apply(fake, todo)
    return todo, changes


def test_a_fresh_switch_gets_everything_in_one_transaction_then_nothing():
    fake = FakeOvs(external_ids={"system-id": "random-uuid", "hostname": "uc-0002"})
    todo, changes = converge(fake, external_ids=CHASSIS, other_config={"userspace-tso-enable": "true"},
                             bridges=BRIDGES)
    assert fake.external_ids == dict(CHASSIS, hostname="uc-0002")
    assert fake.other_config == {"userspace-tso-enable": "true"}
    assert fake.bridges == {"br-ex": {"datapath_type": "netdev", "ports": ["ovx-ovs"]}}
    transactions = [c for c in fake.calls if c[0] not in ("--format=json", "list-ports", "get-manager")]
    assert len(transactions) == 1
    assert "external_ids:system-id=uc-0002 (was random-uuid)" in changes
    assert "bridge br-ex added (netdev)" in changes and "port ovx-ovs on br-ex" in changes
    again, nothing = converge(fake, external_ids=CHASSIS, other_config={"userspace-tso-enable": "true"},
                              bridges=BRIDGES)
    assert again == [] and nothing == []


def test_keys_not_named_stay_and_null_removes():
    fake = FakeOvs(external_ids={"hostname": "uc-0002", "ovn-cms-options": "enable-chassis-as-gw"})
    converge(fake, external_ids={"ovn-cms-options": None, "ovn-remote": "tcp:10.22.0.11:6642"})
    assert fake.external_ids == {"hostname": "uc-0002", "ovn-remote": "tcp:10.22.0.11:6642"}


def test_a_bridge_of_the_wrong_datapath_is_switched_and_ports_are_added():
    fake = FakeOvs(bridges={"br-ex": {"datapath_type": "system", "ports": ["other"]}})
    _todo, changes = converge(fake, bridges=BRIDGES)
    assert fake.bridges["br-ex"] == {"datapath_type": "netdev", "ports": ["other", "ovx-ovs"]}
    assert changes == ["bridge br-ex datapath_type=netdev (was system)", "port ovx-ovs on br-ex"]


def test_managers_become_exactly_those_given_and_are_left_alone_when_not():
    fake = FakeOvs(managers=["ptcp:6641:0.0.0.0"])
    _todo, changes = converge(fake, external_ids=CHASSIS, managers=["ptcp:6640:127.0.0.1"])
    assert fake.managers == ["ptcp:6640:127.0.0.1"]
    assert "managers ptcp:6640:127.0.0.1 (was ptcp:6641:0.0.0.0)" in changes
    transactions = [c for c in fake.calls if c[0] not in ("--format=json", "list-ports", "get-manager")]
    assert len(transactions) == 1 and "set-manager" in transactions[0]  # with the keys, in one transaction
    assert converge(fake, managers=["ptcp:6640:127.0.0.1"]) == ([], [])
    assert converge(fake, external_ids={"hostname": "uc-0002"})[1] == ["external_ids:hostname=uc-0002 (was None)"]
    assert fake.managers == ["ptcp:6640:127.0.0.1"]  # not named: untouched
    assert converge(fake, managers=[])[1] == ["managers none (was ptcp:6640:127.0.0.1)"] and fake.managers == []


@pytest.mark.parametrize("bad", ["6640", "ptcp:", "http://127.0.0.1:6640", ""])
def test_a_target_that_is_no_ovsdb_target_is_refused_naming_it(bad):
    with pytest.raises(ovs_vsctl.OvsError, match=r"^managers\[1\]: .* is not an OVSDB target"):
        ovs_vsctl.check_targets(["ptcp:6640:127.0.0.1", bad])


def test_values_with_spaces_or_commas_are_quoted():
    todo, _changes = ovs_vsctl.commands(ovs_vsctl.read(FakeOvs()),
                                        external_ids={"ovn-bridge-mappings": "external:br-ex,phys2:br-2"})
    assert todo == [["set", "Open_vSwitch", ".", 'external_ids:ovn-bridge-mappings="external:br-ex,phys2:br-2"']]


def test_the_diff_shows_only_what_was_asked():
    state = ovs_vsctl.read(FakeOvs(external_ids={"hostname": "h", "system-id": "old"}))
    asked = ({"system-id": "new"}, {}, BRIDGES)
    assert ovs_vsctl.view(state, *asked) == "external_ids:system-id = old\n"
    wanted = "bridge:br-ex = netdev ovx-ovs\nexternal_ids:system-id = new\n"
    assert ovs_vsctl.view(state, *asked, wanted=True) == wanted
    managed = asked + (["ptcp:6640:127.0.0.1"],)
    assert ovs_vsctl.view(state, *managed) == "external_ids:system-id = old\n"  # none yet
    assert "managers = ptcp:6640:127.0.0.1\n" in ovs_vsctl.view(state, *managed, wanted=True)


def test_an_ovs_vsctl_error_names_the_command():
    def broken(argv):
        return 1, "", "ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed (No such file)\n"
    with pytest.raises(ovs_vsctl.OvsError, match=r"ovs-vsctl --format=json .*database connection failed"):
        ovs_vsctl.read(broken)


def test_the_module_converges_checks_and_diffs(module_on):
    from ansible_collections.nestedcloud.openstack.plugins.modules.ovs_config import main
    from .._module_runner import run_module
    fake = FakeOvs()
    module_on(fake)
    args = {"external_ids": CHASSIS, "other_config": {"userspace-tso-enable": "true"}, "bridges": BRIDGES,
            "managers": ["ptcp:6640:127.0.0.1"], "_ansible_diff": True}
    checked = run_module(args, check_mode=True, main=main)
    assert checked["changed"] and checked["other_config_changed"] and fake.external_ids == {}  # nothing made
    assert "external_ids:ovn-encap-ip = 10.66.0.12" in checked["diff"]["after"] and checked["diff"]["before"] == ""
    done = run_module(args, main=main)
    assert done["changed"] and fake.external_ids == CHASSIS and fake.bridges["br-ex"]["ports"] == ["ovx-ovs"]
    assert fake.managers == ["ptcp:6640:127.0.0.1"]
    again = run_module(args, main=main)
    assert not again["changed"] and again["changes"] == [] and not again["other_config_changed"]


def test_the_module_says_what_is_missing(module_on):
    from ansible_collections.nestedcloud.openstack.plugins.modules.ovs_config import main
    from .._module_runner import run_module
    module_on(FakeOvs(), installed=False)
    got = run_module({"external_ids": CHASSIS}, main=main)
    assert got["failed"] and "openvswitch-switch" in got["msg"]


def test_the_module_refuses_a_bad_manager_before_asking_ovs(module_on):
    from ansible_collections.nestedcloud.openstack.plugins.modules.ovs_config import main
    from .._module_runner import run_module
    fake = FakeOvs()
    module_on(fake)
    got = run_module({"managers": ["6640"]}, main=main)
    assert got["failed"] and got["field"] == "managers" and got["msg"].startswith("managers[0]: '6640'")
    assert fake.calls == []
