# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Several systemd units at once: their state from one ``systemctl show``, and what it takes to have them all
running and enabled (for the services_running module)."""

from __future__ import annotations

PROPERTIES = ("Id", "LoadState", "ActiveState", "SubState", "UnitFileState")
# unit file states that `systemctl enable` changes; the others (static, indirect, generated, transient, alias...)
# have nothing to enable, and masked is refused
TO_ENABLE = ("disabled",)
RUNNING = ("active", "reloading", "activating")


def show_argv(systemctl, units):
    return [systemctl, "show", "--property=" + ",".join(PROPERTIES), "--"] + list(units)


def parse_show(text, units):
    """``systemctl show`` output for ``units`` (blocks in their order, separated by blank lines) as
    {unit: {property: value}}."""
    blocks = [block for block in text.strip().split("\n\n") if block.strip()]
    if len(blocks) != len(units):
        raise ValueError("systemctl show answered %d units for %d asked" % (len(blocks), len(units)))
    out = {}
    for unit, block in zip(units, blocks):
        out[unit] = dict(line.split("=", 1) for line in block.splitlines() if "=" in line)
    return out


def plan(states, enabled=True):
    """(to_enable, to_start, problems) for units wanted running (and enabled when ``enabled``); problems name the
    units that cannot be: not found, or masked."""
    to_enable, to_start, problems = [], [], []
    for unit, state in states.items():
        if state.get("LoadState") == "not-found":
            problems.append("%s: no such unit" % unit)
            continue
        if state.get("LoadState") == "masked" or state.get("UnitFileState", "").startswith("masked"):
            problems.append("%s: masked" % unit)
            continue
        if enabled and state.get("UnitFileState") in TO_ENABLE:
            to_enable.append(unit)
        if state.get("ActiveState") not in RUNNING:
            to_start.append(unit)
    return to_enable, to_start, problems


def not_running(states):
    """The units that are not running, each with its state, e.g. ``nova-api.service (failed)``."""
    return ["%s (%s)" % (unit, state.get("ActiveState", "?")) for unit, state in states.items()
            if state.get("ActiveState") not in RUNNING]
