# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Open vSwitch's database through ovs-vsctl: read the switch's settings and bridges, and the commands that bring
them to what is wanted. ``run(argv)`` returns (rc, stdout, stderr), as AnsibleModule.run_command does."""

from __future__ import annotations

import json

COLUMNS = ("external_ids", "other_config")
# the connection methods of an OVSDB target (ovsdb-server(1), "Database Connection Methods")
TARGETS = ("ptcp:", "pssl:", "punix:", "tcp:", "ssl:", "unix:")


class OvsError(Exception):
    pass


def tool(run, name, *args):
    """The output of the OVSDB client ``name`` (ovs-vsctl, ovn-nbctl, ovn-sbctl) run with ``args``; fail naming the
    command."""
    rc, out, err = run([name, "--timeout=30"] + list(args))
    if rc != 0:
        raise OvsError("%s %s: %s" % (name, " ".join(args), (err or out).strip()))
    return out


def _vsctl(run, *args):
    return tool(run, "ovs-vsctl", *args)


def _map(value):
    """An OVSDB map as ovs-vsctl --format=json prints it: ["map", [[k, v], ...]]."""
    if isinstance(value, list) and len(value) == 2 and value[0] == "map":
        return dict((str(k), str(v)) for k, v in value[1])
    return {}


def _atom(value):
    """A scalar, or an empty set (["set", []]) as ''."""
    if isinstance(value, list) and len(value) == 2 and value[0] == "set":
        return "" if not value[1] else str(value[1][0])
    return str(value)


def _table(run, table, columns, record=None):
    args = ["--format=json", "--columns=%s" % ",".join(columns), "list", table] + ([record] if record else [])
    data = json.loads(_vsctl(run, *args) or '{"data": [], "headings": []}')
    return [dict(zip(data["headings"], row)) for row in data["data"]]


def check_targets(targets, field="managers"):
    """Fail naming the first entry of ``targets`` (ovsdb-server connections) that is no OVSDB target; return them."""
    for index, target in enumerate(targets or []):
        if not isinstance(target, str) or not target.startswith(TARGETS) or target in TARGETS:
            raise OvsError("%s[%d]: %r is not an OVSDB target (one of %s followed by its port or path, for example "
                           "ptcp:6640:127.0.0.1)" % (field, index, target, ", ".join(TARGETS)))
    return targets


def targets_change(label, wanted, have):
    """``wanted`` targets as a sorted list, and the line that says they replace ``have`` (None when they are the
    same)."""
    targets = sorted(set(wanted))
    if targets == have:
        return targets, None
    return targets, "%s %s (was %s)" % (label, ",".join(targets) or "none", ",".join(have) or "none")


def read(run):
    """The switch's external_ids and other_config, the targets its database listens on besides its unix socket
    (managers), and each bridge's datapath type and ports."""
    switch = _table(run, "Open_vSwitch", COLUMNS, ".")
    state = {"external_ids": {}, "other_config": {}, "bridges": {},
             "managers": sorted(m for m in _vsctl(run, "get-manager").split("\n") if m)}
    if switch:
        for column in COLUMNS:
            state[column] = _map(switch[0].get(column))
    for bridge in _table(run, "Bridge", ("name", "datapath_type")):
        name = _atom(bridge["name"])
        ports = [p for p in _vsctl(run, "list-ports", name).split("\n") if p]
        state["bridges"][name] = {"datapath_type": _atom(bridge["datapath_type"]), "ports": ports}
    return state


def commands(state, external_ids=None, other_config=None, bridges=None, managers=None):
    """The ovs-vsctl argument lists that bring ``state`` to what is wanted (keys not named are left alone; the
    managers, when given, become exactly those), and which keys, bridges, ports and managers each changes."""
    todo, changes = [], []
    if managers is not None:
        targets, change = targets_change("managers", managers, state["managers"])
        if change:
            todo.append(["set-manager"] + targets)
            changes.append(change)
    for column, wanted in (("external_ids", external_ids or {}), ("other_config", other_config or {})):
        for key, value in sorted(wanted.items()):
            have = state[column].get(key)
            if value is None:
                if have is not None:
                    todo.append(["remove", "Open_vSwitch", ".", column, key])
                    changes.append("%s:%s removed" % (column, key))
            elif have != str(value):
                todo.append(["set", "Open_vSwitch", ".", "%s:%s=%s" % (column, key, _quote(str(value)))])
                changes.append("%s:%s=%s (was %s)" % (column, key, value, have))
    for bridge in bridges or []:
        name, dp_type = bridge["name"], bridge.get("datapath_type") or ""
        have = state["bridges"].get(name)
        if have is None:
            todo.append(["add-br", name, "--", "set", "Bridge", name, "datapath_type=%s" % (dp_type or "system")])
            changes.append("bridge %s added (%s)" % (name, dp_type or "system"))
            ports_have = []
        else:
            if dp_type and have["datapath_type"] != dp_type:
                todo.append(["set", "Bridge", name, "datapath_type=%s" % dp_type])
                changes.append("bridge %s datapath_type=%s (was %s)" % (name, dp_type, have["datapath_type"] or "-"))
            ports_have = have["ports"]
        for port in bridge.get("ports") or []:
            if port not in ports_have:
                todo.append(["--may-exist", "add-port", name, port])
                changes.append("port %s on %s" % (port, name))
    return todo, changes


def view(state, external_ids=None, other_config=None, bridges=None, managers=None, wanted=False):
    """The part of ``state`` the options name, as it is, or (``wanted``) as it will be: for a diff."""
    out = {}
    if managers is not None:
        listening = sorted(set(managers)) if wanted else state["managers"]
        if listening:
            out["managers"] = ",".join(listening)
    for column, keys in (("external_ids", external_ids or {}), ("other_config", other_config or {})):
        for key, value in keys.items():
            have = state[column].get(key)
            now = (None if value is None else str(value)) if wanted else have
            if now is not None:
                out["%s:%s" % (column, key)] = now
    for bridge in bridges or []:
        have = state["bridges"].get(bridge["name"])
        if wanted:
            dp_type = bridge.get("datapath_type") or (have["datapath_type"] if have else "system")
            ports = sorted(set((have["ports"] if have else []) + list(bridge.get("ports") or [])))
            out["bridge:%s" % bridge["name"]] = "%s %s" % (dp_type, ",".join(ports))
        elif have is not None:
            out["bridge:%s" % bridge["name"]] = "%s %s" % (have["datapath_type"] or "system", ",".join(sorted(have["ports"])))
    return "".join("%s = %s\n" % item for item in sorted(out.items()))


def _quote(value):
    """ovs-vsctl parses values: quote anything beyond plain characters."""
    if value and all(c.isalnum() or c in "-_.:/@" for c in value):
        return value
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


def apply(run, todo):
    """Run every command in one ovs-vsctl transaction."""
    if not todo:
        return
    args = []
    for index, command in enumerate(todo):
        args += (["--"] if index else []) + command
    _vsctl(run, *args)
