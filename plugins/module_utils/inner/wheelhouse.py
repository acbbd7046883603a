# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A release's wheelhouse: one directory holding a distribution of every package a release's lock pins (see
scripts/release-lock.sh), for the hosts' Python, so that the hosts install the inner cloud's services from it with no
index (``pip install --no-index --find-links``) and every host gets the same bytes.

Wheels are taken for the target Python and platform; a package published only as a source distribution is taken as
that, and built by pip on the host that installs it (pure Python ones, and ovs, whose C extension is optional).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile

MANYLINUX = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux_2_5_x86_64",
             "manylinux1_x86_64")
SDIST = (".tar.gz", ".zip", ".tar.bz2")
PYTHON = re.compile(r"^3\.[0-9]{1,2}$")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!_-]+)$")
NO_MATCH = re.compile(r"No matching distribution found for ([A-Za-z0-9._-]+)==([A-Za-z0-9.+!_-]+)")


class WheelhouseError(Exception):
    """A bad lock or a download that failed; the message names the line or the package."""


def normalize(name):
    """PEP 503's normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _version(text):
    """A version compared loosely (1.0 == 1.0.0 is not needed here; case and a leading v are)."""
    return text.lower().lstrip("v")


def parse_lock(text):
    """The lock's pins, [(normalized name, version)] in its order; comments and blank lines skipped. Anything but
    ``name==version`` is refused, naming the line: a lock pins everything."""
    pins, seen = [], set()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = PIN.match(line)
        if not match:
            raise WheelhouseError("lock line %d: %r is not name==version (a lock pins every package exactly)"
                                  % (number, raw.strip()))
        name = normalize(match.group(1))
        if name in seen:
            raise WheelhouseError("lock line %d: %s is pinned twice" % (number, name))
        seen.add(name)
        pins.append((name, match.group(2)))
    if not pins:
        raise WheelhouseError("lock: no package pinned")
    return pins


def distribution_of(filename):
    """(normalized name, version, kind) of a wheel or source distribution file name, or None for anything else."""
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        if len(parts) >= 5:
            return normalize(parts[0]), _version(parts[1]), "wheel"
        return None
    for ext in SDIST:
        if filename.endswith(ext):
            stem = filename[:-len(ext)]
            if "-" in stem:
                name, version = stem.rsplit("-", 1)
                return normalize(name), _version(version), "sdist"
    return None


def present(directory):
    """{(name, version): [file names]} of the distributions in ``directory`` (nothing when it does not exist)."""
    found = {}
    try:
        names = sorted(os.listdir(directory))
    except FileNotFoundError:
        return found
    for filename in names:
        dist = distribution_of(filename)
        if dist:
            found.setdefault(dist[:2], []).append(filename)
    return found


def missing(pins, directory):
    """The pins with no distribution in ``directory``, in the lock's order."""
    have = present(directory)
    return [(name, version) for name, version in pins if (name, _version(version)) not in have]


def wheel_args(python_version, platforms=MANYLINUX):
    """pip download's options that take wheels for CPython ``python_version`` (like 3.13) on these platforms only."""
    tag = "cp" + python_version.replace(".", "")
    args = ["--only-binary=:all:", "--python-version", python_version, "--implementation", "cp", "--abi", tag]
    for platform in platforms:
        args += ["--platform", platform]
    return args


def no_match(output):
    """The pins pip said it found no distribution for, from its output."""
    return [(normalize(name), version) for name, version in NO_MATCH.findall(output or "")]


def fill(directory, pins, pip, run, python_version, platforms=MANYLINUX, index_url=None):
    """Download into ``directory`` a distribution of each pin that has none there: wheels for the target first, in
    one pip call; a pin pip finds no wheel for is taken as a source distribution. Everything goes to a staging
    directory first and is moved in when pip has ended well, so a failed or killed download leaves nothing half
    written. ``pip`` is the pip command (a list), ``run`` AnsibleModule.run_command. Returns (wheels, sdists): the
    file names added."""
    wanted = missing(pins, directory)
    if not wanted:
        return [], []
    os.makedirs(directory, exist_ok=True)
    index = ["--index-url", index_url] if index_url else []
    stage = tempfile.mkdtemp(dir=directory, prefix=".incoming-")
    try:
        sources, todo = [], list(wanted)
        # each failed call names one pin with no wheel; a lock has a handful (at most one call per source-only pin)
        for _attempt in range(len(wanted) + 1):
            if not todo:
                break
            argv = pip + ["download", "--no-deps", "--disable-pip-version-check", "-d", stage] + index + \
                wheel_args(python_version, platforms) + ["%s==%s" % pin for pin in todo]
            rc, out, err = run(argv, check_rc=False)
            if rc == 0:
                todo = []
                break
            unmatched = [pin for pin in no_match(out + "\n" + err) if pin in todo]
            if not unmatched:
                raise WheelhouseError("pip download failed (rc %s) for %d pins: %s"
                                      % (rc, len(todo), _tail(err or out)))
            sources += unmatched
            todo = [pin for pin in todo if pin not in unmatched]
        if sources:
            argv = pip + ["download", "--no-deps", "--disable-pip-version-check", "-d", stage, "--no-binary=:all:"] + \
                index + ["%s==%s" % pin for pin in sources]
            rc, out, err = run(argv, check_rc=False)
            if rc != 0:
                names = ", ".join("%s==%s" % pin for pin in sources)
                raise WheelhouseError("%s: no wheel for CPython %s and the source distribution could not be "
                                      "downloaded either (rc %s): %s" % (names, python_version, rc, _tail(err or out)))
        got = present(stage)
        wheels, sdists = [], []
        for name, version in wanted:
            files = got.get((name, _version(version)))
            if not files:
                raise WheelhouseError("%s==%s: pip ended well but left no distribution of it" % (name, version))
            for filename in files:
                os.replace(os.path.join(stage, filename), os.path.join(directory, filename))
                (wheels if filename.endswith(".whl") else sdists).append(filename)
        return wheels, sdists
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _tail(text, lines=6):
    kept = [line for line in (text or "").strip().splitlines() if not line.startswith("WARNING: Location")]
    return " | ".join(kept[-lines:])
