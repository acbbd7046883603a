# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where OVN's northbound and southbound databases listen, through ovn-nbctl and ovn-sbctl (``get-connection``,
``set-connection``). ``run(argv)`` returns (rc, stdout, stderr), as AnsibleModule.run_command does."""

from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.module_utils.host.ovs_vsctl import targets_change, tool

CTL = {"northbound": "ovn-nbctl", "southbound": "ovn-sbctl"}


def _ctl(run, database, *args):
    return tool(run, CTL[database], *args)


def read(run, databases):
    """{database: sorted targets} of each of ``databases``. ``get-connection`` prints one connection a line, the
    target last (ovn-sbctl puts its role before it: ``read-write role="" ptcp:6642:10.22.0.11``)."""
    return dict((db, sorted(line.split()[-1] for line in _ctl(run, db, "get-connection").splitlines() if line.split()))
                for db in databases)


def commands(state, wanted):
    """[(database, argv)] that bring ``state`` to ``wanted`` ({database: targets}, exactly those), and the changes."""
    todo, changes = [], []
    for db in sorted(wanted):
        targets, change = targets_change(db, wanted[db], state[db])
        if change:
            todo.append((db, ["set-connection"] + targets))
            changes.append(change)
    return todo, changes


def apply(run, todo):
    for db, argv in todo:
        _ctl(run, db, *argv)


def view(state):
    return "".join("%s = %s\n" % (db, ",".join(targets)) for db, targets in sorted(state.items()) if targets)
