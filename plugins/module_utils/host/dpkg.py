# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Debian packages: what dpkg has installed, read from its status file, and how to install the rest. Pure functions.

A converged host needs no apt at all: dpkg's status file says every wanted package is installed (by its name, or a
package installed that provides it), ``dpkg --audit`` names nothing left unconfigured, and no policy-rc.d of ours
was left behind by a killed run. Only when something is missing does the module run apt-get, once for all of them.
"""

from __future__ import annotations

import re

STATUS_FILE = "var/lib/dpkg/status"
LOCK_FILE = "var/lib/dpkg/lock-frontend"
POLICY_RC_D = "usr/sbin/policy-rc.d"
# Apt refreshes this stamp after every successful `apt-get update` (apt's own periodic hook; Debian ships it)
UPDATE_STAMP = "var/lib/apt/periodic/update-success-stamp"
LISTS_DIR = "var/lib/apt/lists"
# what we write as policy-rc.d while packages install: no daemon starts (invoke-rc.d asks it, 101 = not allowed);
# recognised by its text when a killed run left it behind, so that one of the host's own is never removed
POLICY_RC = "#!/bin/sh\n# nestedcloud.openstack deb_packages: no daemon starts during package installs\nexit 101\n"
# policy-rc.d files that only a run of ours, killed while it installed, leaves behind: this module's, the overcloud
# role's before this module, and the apt module's (policy_rc_d: 101), which the jumphost role used for squid
OURS = (POLICY_RC, "#!/bin/sh\n# nestedcloud.openstack overcloud: no daemon starts during package installs\nexit 101\n",
        "#!/bin/sh\nexit 101\n")

# a Debian package name (Debian Policy 5.6.1), optionally with an architecture qualifier
_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?$")


class PackageError(Exception):
    """A wanted package, or an option, that the module cannot act on; the message names it."""


def left_by_us(text):
    """Is this policy-rc.d text one that only a killed run of ours leaves behind (trailing newlines aside)?"""
    return text is not None and text.rstrip("\n") in {known.rstrip("\n") for known in OURS}


def checked_names(names):
    """The wanted names in order, each once, without architecture qualifiers; a name that is not one fails."""
    seen = []
    for name in names:
        if not isinstance(name, str) or not _NAME.match(name):
            raise PackageError("name: %r is not a Debian package name (no versions, globs or paths here)" % (name,))
        plain = name.split(":", 1)[0]
        if plain not in seen:
            seen.append(plain)
    return seen


def _stanzas(text):
    """Each stanza of a deb822 file (dpkg's status file) as a dict; continuation lines joined to their field."""
    stanza, key = {}, None
    for line in text.splitlines():
        if not line.strip():
            if stanza:
                yield stanza
            stanza, key = {}, None
        elif line[0] in " \t":
            if key is not None:
                stanza[key] += "\n" + line.strip()
        else:
            key, _sep, value = line.partition(":")
            key = key.strip()
            stanza[key] = value.strip()
    if stanza:
        yield stanza


def parse_status(text):
    """From dpkg's status file: {'installed': names installed, 'provided': names an installed package provides}.
    What a failed or killed run left between states is dpkg --audit's to say (it checks more than the states)."""
    installed, provided = set(), set()
    for stanza in _stanzas(text):
        name = stanza.get("Package")
        state = stanza.get("Status", "").split()
        if not name or not state or state[-1] != "installed":
            continue
        installed.add(name)
        for item in stanza.get("Provides", "").split(","):
            item = item.strip().split(" ", 1)[0].split(":", 1)[0]
            if item:
                provided.add(item)
    return {"installed": installed, "provided": provided}


def missing(wanted, status):
    """The wanted names that neither an installed package is nor one provides, in the order wanted."""
    present = status["installed"] | status["provided"]
    return [name for name in wanted if name not in present]


def install_argv(names, install_recommends):
    """One apt-get call that installs every name, keeps configuration files the host has, asks nothing."""
    argv = ["apt-get", "install", "--yes", "-o", "Dpkg::Options::=--force-confdef",
            "-o", "Dpkg::Options::=--force-confold"]
    if not install_recommends:
        argv.append("--no-install-recommends")
    return argv + list(names)


def cache_stale(now, stamp_mtime, lists_mtime, valid_time):
    """Must apt's lists be read again before an install? When they were never read (no stamp and no lists), or
    the last successful update is older than valid_time seconds (0: always)."""
    newest = stamp_mtime if stamp_mtime is not None else lists_mtime
    if newest is None:
        return True
    return valid_time <= 0 or now - newest > valid_time


def selections(lines):
    """debconf-set-selections input from 'package question type value' lines; a malformed line fails."""
    out = []
    for line in lines:
        if len(str(line).split(None, 3)) < 4:
            raise PackageError("debconf: %r is not 'package question type value'" % (line,))
        out.append(str(line).strip())
    return "\n".join(out) + "\n" if out else ""


def tail(text, lines=15):
    """The last lines of a command's output, for an error message."""
    return "\n".join((text or "").strip().splitlines()[-lines:])
