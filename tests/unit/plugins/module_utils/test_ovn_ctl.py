# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ovn_db_connections: reading ovn-nbctl/ovn-sbctl get-connection, the set-connection it runs, against fakes that
keep state and print as OVN 25.03's tools do."""

from __future__ import annotations

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.host import ovn_ctl
from ansible_collections.nestedcloud.openstack.plugins.module_utils.host.ovs_vsctl import OvsError

NB, SB = "ptcp:6641:10.22.0.11", "ptcp:6642:10.22.0.11"


class FakeOvn:
    """ovn-nbctl and ovn-sbctl get-connection / set-connection; the southbound one prints its role first."""

    def __init__(self, northbound=(), southbound=()):
        self.targets = {"ovn-nbctl": list(northbound), "ovn-sbctl": list(southbound)}
        self.calls = []

    def __call__(self, argv):
        ctl, timeout, verb = argv[0], argv[1], argv[2]
        assert timeout == "--timeout=30"
        self.calls.append(argv)
        if verb == "get-connection":
            role = 'read-write role="" ' if ctl == "ovn-sbctl" else ""
            return 0, "".join("%s%s\n" % (role, t) for t in self.targets[ctl]), ""
        if verb == "set-connection":
            self.targets[ctl] = argv[3:]
            return 0, "", ""
        return 1, "", "%s: unknown command '%s'" % (ctl, verb)

    def writes(self):
        return [c for c in self.calls if c[2] != "get-connection"]


def converge(fake, **wanted):
    todo, changes = ovn_ctl.commands(ovn_ctl.read(fake, sorted(wanted)), wanted)
    ovn_ctl.apply(fake, todo)
    return todo, changes


def test_fresh_databases_get_their_targets_then_nothing_changes():
    fake = FakeOvn(northbound=["punix:/var/run/ovn/ovnnb_db.sock"])
    _todo, changes = converge(fake, northbound=[NB], southbound=[SB])
    assert fake.targets == {"ovn-nbctl": [NB], "ovn-sbctl": [SB]}
    assert changes == ["northbound %s (was punix:/var/run/ovn/ovnnb_db.sock)" % NB, "southbound %s (was none)" % SB]
    assert converge(fake, northbound=[NB], southbound=[SB]) == ([], [])
    assert len(fake.writes()) == 2


def test_the_southbound_role_is_not_read_as_a_target_and_a_database_not_given_is_left_alone():
    fake = FakeOvn(northbound=[NB], southbound=[SB])
    assert ovn_ctl.read(fake, ["southbound"]) == {"southbound": [SB]}
    converge(fake, northbound=[])
    assert fake.targets == {"ovn-nbctl": [], "ovn-sbctl": [SB]}
    assert [c[0] for c in fake.calls] == ["ovn-sbctl", "ovn-nbctl", "ovn-nbctl"]


def test_a_failing_tool_is_named():
    def down(argv):
        return 1, "", "%s: unix:/var/run/ovn/ovnsb_db.sock: database connection failed (No such file)\n" % argv[0]
    with pytest.raises(OvsError, match=r"^ovn-sbctl get-connection: .*database connection failed"):
        ovn_ctl.read(down, ["southbound"])


def test_the_module_converges_checks_and_diffs(module_on):
    from ansible_collections.nestedcloud.openstack.plugins.modules.ovn_db_connections import main
    from .._module_runner import run_module
    fake = FakeOvn()
    module_on(fake)
    args = {"northbound": [NB], "southbound": [SB], "_ansible_diff": True}
    checked = run_module(args, check_mode=True, main=main)
    assert checked["changed"] and fake.writes() == []
    assert checked["diff"] == {"before": "", "after": "northbound = %s\nsouthbound = %s\n" % (NB, SB)}
    done = run_module(args, main=main)
    assert done["changed"] and fake.targets == {"ovn-nbctl": [NB], "ovn-sbctl": [SB]}
    again = run_module(args, main=main)
    assert not again["changed"] and again["changes"] == []


@pytest.mark.parametrize("args,field,text", [
    ({"southbound": ["6642"]}, "southbound", "southbound[0]: '6642' is not an OVSDB target"),
    ({"northbound": [NB, "tcp:"]}, "northbound", "northbound[1]: 'tcp:' is not an OVSDB target"),
])
def test_the_module_refuses_a_bad_target_naming_it_before_asking_ovn(module_on, args, field, text):
    from ansible_collections.nestedcloud.openstack.plugins.modules.ovn_db_connections import main
    from .._module_runner import run_module
    fake = FakeOvn()
    module_on(fake)
    got = run_module(args, main=main)
    assert got["failed"] and got["field"] == field and got["msg"].startswith(text), got
    assert fake.calls == []


def test_the_module_says_what_is_missing(module_on):
    from ansible_collections.nestedcloud.openstack.plugins.modules.ovn_db_connections import main
    from .._module_runner import run_module
    module_on(FakeOvn(), installed=False)
    got = run_module({"southbound": [SB]}, main=main)
    assert got["failed"] and "ovn-central" in got["msg"] and got["field"] == "southbound"
