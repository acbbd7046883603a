# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Processes a module leaves running after it returns (Tempest's run, the upgrade probes' sampler), and what /proc says
of a process: whether it runs, and since when."""

from __future__ import annotations

import os


def stat_fields(pid):
    """The fields of /proc/PID/stat after the command's name (state first), or None when there is no such process."""
    try:
        with open("/proc/%d/stat" % int(pid)) as handle:
            return handle.read().rsplit(")", 1)[-1].split()
    except (OSError, ValueError):
        return None


def alive(pid):
    """Whether the process runs (a zombie waiting to be reaped has ended)."""
    fields = stat_fields(pid)
    return bool(fields) and fields[0] != "Z"


def started_at(pid):
    """The running process's start time (clock ticks after boot, field 22 of /proc/PID/stat), or None: a PID with its
    start time names one process, never a later one that got the same PID."""
    fields = stat_fields(pid)
    return fields[19] if fields and fields[0] != "Z" else None


def _cut_loose():
    # stdio on /dev/null and no other descriptor of the module's: nothing ties the process to the task's output
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(3, 65536)


def detach(argv, cwd):
    """Start argv in a session of its own, with no tie to this module's output, and return its pid (also its process
    group's): the run outlives the module and a killed play."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.setsid()
            os.chdir(cwd)
            _cut_loose()
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)  # pylint: disable=protected-access
    return pid


def spawn(target):
    """Run the Python callable ``target()`` in a daemon - a grandchild in a session of its own, cut loose like
    detach() - so that it outlives the task and a killed run; returns its PID."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child
        try:
            os.close(reader)
            os.setsid()
            grandchild = os.fork()
            if grandchild:
                os.write(writer, str(grandchild).encode())
                os._exit(0)  # pylint: disable=protected-access
            _cut_loose()
            target()
        finally:
            os._exit(0)  # pylint: disable=protected-access
    os.close(writer)
    with os.fdopen(reader) as handle:
        pid = int(handle.read() or 0)
    os.waitpid(child, 0)
    return pid
