# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovs_config's reading of ovs-vsctl's JSON and the commands it runs, against a fake ovs-vsctl that keeps state."""

from __future__ import annotations

import json

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils import ovs_vsctl


class FakeOvs:
    """Just enough of ovs-vsctl: list (JSON), list-ports, and transactions of set/remove/add-br/add-port."""

    def __init__(self, external_ids=None, other_config=None, bridges=None):
        self.external_ids = dict(external_ids or {})
        self.other_config = dict(other_config or {})
        self.bridges = dict(bridges or {})  # name -> {"datapath_type": str, "ports": [...]}
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
    transactions = [c for c in fake.calls if c[0] not in ("--format=json", "list-ports")]
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


def test_an_ovs_vsctl_error_names_the_command():
    def broken(argv):
        return 1, "", "ovs-vsctl: unix:/var/run/openvswitch/db.sock: database connection failed (No such file)\n"
    with pytest.raises(ovs_vsctl.OvsError, match=r"ovs-vsctl --format=json .*database connection failed"):
        ovs_vsctl.read(broken)


@pytest.fixture()
def module_on(monkeypatch):
    """ovs_config's main() against a FakeOvs (and with or without ovs-vsctl on the path)."""
    from ansible.module_utils.basic import AnsibleModule

    def use(fake, installed=True):
        monkeypatch.setattr(AnsibleModule, "run_command", lambda self, argv, **kw: fake(argv))
        monkeypatch.setattr(AnsibleModule, "get_bin_path",
                            lambda self, name, *a, **kw: "/usr/bin/" + name if installed else None)
    return use


def test_the_module_converges_checks_and_diffs(module_on):
    from ansible_collections.nestedcloud.openstack.plugins.modules.ovs_config import main
    from .._module_runner import run_module
    fake = FakeOvs()
    module_on(fake)
    args = {"external_ids": CHASSIS, "other_config": {"userspace-tso-enable": "true"}, "bridges": BRIDGES,
            "_ansible_diff": True}
    checked = run_module(args, check_mode=True, main=main)
    assert checked["changed"] and checked["other_config_changed"] and fake.external_ids == {}  # nothing made
    assert "external_ids:ovn-encap-ip = 10.66.0.12" in checked["diff"]["after"] and checked["diff"]["before"] == ""
    done = run_module(args, main=main)
    assert done["changed"] and fake.external_ids == CHASSIS and fake.bridges["br-ex"]["ports"] == ["ovx-ovs"]
    again = run_module(args, main=main)
    assert not again["changed"] and again["changes"] == [] and not again["other_config_changed"]


def test_the_module_says_what_is_missing(module_on):
    from ansible_collections.nestedcloud.openstack.plugins.modules.ovs_config import main
    from .._module_runner import run_module
    module_on(FakeOvs(), installed=False)
    got = run_module({"external_ids": CHASSIS}, main=main)
    assert got["failed"] and "openvswitch-switch" in got["msg"]
