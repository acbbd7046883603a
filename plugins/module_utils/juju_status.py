# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What `juju status --format=json` says about a model settling, in one line and a list. Pure.

A unit counts as settled when its workload is ``active`` and its agent ``idle``; subordinate units count like the
others. A machine counts when its agent is ``started``. Everything else is listed with what Juju says about it.
"""

from __future__ import annotations

SHOWN = 12  # lines of waiting_for; the rest is counted


def _state(unit):
    workload = unit.get("workload-status") or {}
    agent = unit.get("juju-status") or {}
    return workload.get("current", "unknown"), workload.get("message", ""), agent.get("current", "unknown")


def _units(status):
    """(unit name, unit) for every principal and subordinate unit of the model."""
    for app in (status.get("applications") or {}).values():
        for name, unit in (app.get("units") or {}).items():
            yield name, unit
            for sub_name, sub in (unit.get("subordinates") or {}).items():
                yield sub_name, dict(sub, machine=unit.get("machine"), principal=name)


def summarize(status):
    """{ready, summary, waiting_for, errors} of a model from its status document."""
    units = list(_units(status))
    waiting, errors, settled = [], [], 0
    for name, unit in sorted(units):
        workload, message, agent = _state(unit)
        if workload == "active" and agent == "idle":
            settled += 1
            continue
        where = " on %s" % unit["principal"] if unit.get("principal") else (
            " (machine %s)" % unit["machine"] if unit.get("machine") is not None else "")
        line = "%s%s: %s/%s%s" % (name, where, workload, agent, " - " + message if message else "")
        (errors if workload == "error" or agent == "error" else waiting).append(line)
    machines = status.get("machines") or {}
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
    summary = "%d of %d units active, %d of %d machines started" % (settled, len(units), started, len(machines))
    return {"ready": ready, "summary": summary, "waiting_for": lines, "errors": errors}
