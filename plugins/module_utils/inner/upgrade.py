# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether the packaged inner cloud may be upgraded from the release it runs to a target, decided before anything
changes (the upgrade rehearsal's refusals).

OpenStack names its releases YEAR.1 and YEAR.2, two a year; the YEAR.1 ones are SLURP releases ("Skip Level Upgrade
Release Process", from 2023.1 on): an upgrade goes to the next release, or from one SLURP release to the next one,
skipping the release in between. Nothing else is supported upstream, so nothing else is tried here. A release of the
data may say ``slurp: true`` or ``false`` itself; without it the name decides.
"""

from __future__ import annotations

import re

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.releases import ReleaseError, check

NAME = re.compile(r"^(20[0-9]{2})\.([12])$")


def series(name, field="overcloud_upgrade_to"):
    """The position of a release in OpenStack's series (two a year), for names like 2025.1."""
    found = NAME.match(str(name))
    if not found:
        raise ReleaseError(field, "%r is not a release name like 2026.1 (YEAR.1 or YEAR.2)" % (name,))
    return int(found.group(1)) * 2 + int(found.group(2)) - 1


def name_of(position):
    """The release name at a position of the series (the inverse of series())."""
    return "%d.%d" % (position // 2, position % 2 + 1)


def is_slurp(name, releases=None):
    """A SLURP release: the data's ``slurp`` when it says, else a YEAR.1 release from 2023.1 on."""
    release = (releases or {}).get(name) or {}
    if "slurp" in release:
        return bool(release["slurp"])
    return str(name).endswith(".1") and series(name, "release") >= series("2023.1", "release")


def path(releases, current, target, field="overcloud_upgrade_to"):
    """The upgrade from ``current`` to ``target``: {"from", "to", "skips" (releases skipped), "noop"}. Raises
    ReleaseError naming ``field`` when the target is unknown, older than the running release, more than one release
    ahead without being the next SLURP release of a SLURP release, or skips more than one release."""
    check(releases)
    if target not in releases:
        raise ReleaseError(field, "%r is not a known release (overcloud_releases has %s)"
                           % (target, ", ".join(sorted(releases))))
    here, there = series(current, "the running release"), series(target, field)
    if there == here:
        return {"from": current, "to": target, "skips": [], "noop": True}
    if there < here:
        raise ReleaseError(field, "%s is older than the running release %s: an upgrade never goes back (restore the "
                                  "database dumps of the upgrade to %s instead)" % (target, current, current))
    skipped = there - here - 1
    if skipped > 1:
        raise ReleaseError(field, "%s -> %s skips %d releases; OpenStack upgrades skip at most one, from one SLURP "
                                  "release to the next" % (current, target, skipped))
    if skipped == 1 and not (is_slurp(current, releases) and is_slurp(target, releases)):
        which = [name for name in (current, target) if not is_slurp(name, releases)]
        raise ReleaseError(field, "%s -> %s skips a release, which only SLURP releases may do, and %s %s not SLURP"
                                  % (current, target, " and ".join(which), "is" if len(which) == 1 else "are"))
    skips = [name_of(here + 1)] if skipped else []
    return {"from": current, "to": target, "skips": skips, "noop": False}


def mixed(hosts, marker=None):
    """Refuse hosts on different releases unless an upgrade this playbook started left them so: ``hosts`` maps each
    host to the release it runs; ``marker`` is that upgrade's record ({"from", "to"}) or None. Returns the release to
    upgrade from (the oldest), or raises ReleaseError naming the hosts of each release."""
    found = sorted(set(hosts.values()), key=lambda name: series(name, "the running release"))
    if not found:
        raise ReleaseError("hosts", "no host of the inner cloud reported its release")
    if len(found) == 1:
        return found[0]
    by_release = "; ".join("%s on %s" % (name, ", ".join(sorted(h for h, r in hosts.items() if r == name)))
                           for name in found)
    if marker and set(found) <= {marker.get("from"), marker.get("to")}:
        return marker["from"]
    raise ReleaseError("hosts", "the inner cloud's hosts run different releases (%s), and no upgrade of this playbook "
                                "left them so; bring them to one release first" % by_release)


# What `<service>-status upgrade check` exits with (oslo.upgradecheck): 0 success, 1 warnings, 2 failures, 255 error.
STATUS_CHECK = {0: "success", 1: "warning", 2: "failure", 255: "error"}
# Nova's states an upgrade must not find an instance in: busy, or waiting for the user (a resize to confirm).
TRANSITIONAL = ("BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "REVERT_RESIZE", "MIGRATING", "REBOOT", "HARD_REBOOT",
                "PASSWORD")


def preflight(status_checks=None, servers=None, not_ready=None, disk=None):
    """Every reason not to start an upgrade, before anything changes, as {"problems": [...], "warnings": [...]}.
    ``status_checks``: {command: exit status} of the ``*-status upgrade check`` commands; ``servers``: [{"name",
    "status", "task_state"}] of every project; ``not_ready``: what the health check found down; ``disk``: {"path",
    "free_bytes", "databases_bytes", "packages_bytes"} - the dumps (as big as the databases) and the new packages must
    fit with a tenth to spare."""
    problems, warnings = [], []
    for command, status in sorted((status_checks or {}).items()):
        verdict = STATUS_CHECK.get(status, "error")
        if verdict in ("failure", "error"):
            problems.append("%s: %s (exit %s)" % (command, verdict, status))
        elif verdict == "warning":
            warnings.append("%s: warnings (exit 1), see its output" % command)
    busy = ["%s (%s%s)" % (s["name"], s.get("status"), ", task " + s["task_state"] if s.get("task_state") else "")
            for s in servers or [] if s.get("status") in TRANSITIONAL or s.get("task_state")]
    if busy:
        problems.append("instances in a transitional state, let them settle (or confirm the resize) first: %s"
                        % ", ".join(sorted(busy)))
    if not_ready:
        problems.append("not healthy before the upgrade: %s" % "; ".join(not_ready))
    if disk:
        need = int((disk.get("databases_bytes", 0) + disk.get("packages_bytes", 0)) * 1.1)
        if disk["free_bytes"] < need:
            problems.append("%s: %d MiB free, the database dumps and the new packages need %d MiB"
                            % (disk["path"], disk["free_bytes"] // 2 ** 20, need // 2 ** 20))
    return {"problems": problems, "warnings": warnings}
