# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What `juju status --format=json` says about a model settling, in one line and a list. Pure.

A unit counts as settled when its workload is ``active`` and its agent ``idle``; subordinate units count like the
others. A machine counts when its agent is ``started``. Everything else is listed with what Juju says about it.
"""

from __future__ import annotations

import re

SHOWN = 12  # lines of waiting_for; the rest is counted


def _state(unit):
    workload = unit.get("workload-status") or {}
    agent = unit.get("juju-status") or {}
    return workload.get("current", "unknown"), workload.get("message", ""), agent.get("current", "unknown")


def _units(status, applications=None):
    """(unit name, unit) for every principal and subordinate unit of the model (of ``applications`` only if given)."""
    for app_name, app in (status.get("applications") or {}).items():
        for name, unit in (app.get("units") or {}).items():
            if applications and app_name not in applications:
                continue
            yield name, unit
            for sub_name, sub in (unit.get("subordinates") or {}).items():
                yield sub_name, dict(sub, machine=unit.get("machine"), principal=name)


def unit_list(status, applications=None):
    """[{name, application, workload, message, agent, address, leader}] of the principal units, by name."""
    found = []
    for app_name, app in sorted((status.get("applications") or {}).items()):
        if applications and app_name not in applications:
            continue
        for name, unit in sorted((app.get("units") or {}).items()):
            workload, message, agent = _state(unit)
            found.append({"name": name, "application": app_name, "workload": workload, "message": message,
                          "agent": agent, "address": unit.get("public-address", ""), "leader": bool(unit.get("leader"))})
    return found


def summarize(status, applications=None, ready_states=("active",), ready_message=None):
    """{ready, summary, waiting_for, errors, units} of a model from its status document.

    ``applications`` restricts the look to those applications (and their subordinates) and skips the machines;
    ``ready_states`` are the workload states that count as settled (Vault says ``blocked`` until it is initialised);
    ``ready_message``, a regular expression, must then also match the unit's message (a Vault that is ``blocked``
    waiting for a relation is not ready to be initialised).
    """
    units = list(_units(status, applications))
    waiting, errors, settled = [], [], 0
    for name, unit in sorted(units):
        workload, message, agent = _state(unit)
        if workload in ready_states and agent == "idle" and (not ready_message or re.search(ready_message, message)):
            settled += 1
            continue
        where = " on %s" % unit["principal"] if unit.get("principal") else (
            " (machine %s)" % unit["machine"] if unit.get("machine") is not None else "")
        line = "%s%s: %s/%s%s" % (name, where, workload, agent, " - " + message if message else "")
        (errors if workload == "error" or agent == "error" else waiting).append(line)
    machines = {} if applications else status.get("machines") or {}
    started = 0
    for number, machine in sorted(machines.items()):
        agent = (machine.get("juju-status") or {}).get("current", "unknown")
        if agent == "started":
            started += 1
            continue
        instance = machine.get("machine-status") or {}
        detail = instance.get("current", "?") + (", " + instance["message"] if instance.get("message") else "")
        waiting.append("machine %s: %s (%s)" % (number, agent, detail))
    lines = errors + waiting
    if len(lines) > SHOWN:
        lines = lines[:SHOWN] + ["and %d more" % (len(lines) - SHOWN)]
    ready = bool(units) and not errors and not waiting
    summary = "%d of %d units %s" % (settled, len(units), "/".join(ready_states))
    if not applications:
        summary += ", %d of %d machines started" % (started, len(machines))
    return {"ready": ready, "summary": summary, "waiting_for": lines, "errors": errors,
            "units": unit_list(status, applications)}
