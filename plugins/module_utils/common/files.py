# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and writing a file whole, for the modules that keep state or secrets in files."""

from __future__ import annotations

import os
import tempfile


def staged(path, text, mode, owner=None):
    """A temporary file next to ``path`` holding ``text`` with ``mode`` (and ``owner``, a (uid, gid) pair), ready to
    be renamed over ``path``; mkstemp makes it 0600, so it is never wider than asked, not even for a moment. Nothing
    is left when it fails."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".nestedcloud-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        if owner is not None:
            os.chown(tmp, *owner)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def write_whole(path, text, mode):
    """Write ``text`` to ``path`` atomically with ``mode``: staged next to it, then renamed over ``path``. Ansible's
    atomic_move is not used: it would give the new file the old one's wider mode."""
    os.replace(staged(path, text, mode), path)


def read_text(path, default=None):
    """The file's text, or ``default`` when it cannot be read (missing, a directory...)."""
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return default
