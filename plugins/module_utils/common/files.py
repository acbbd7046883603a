# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and writing a file whole, for the modules that keep state or secrets in files."""

from __future__ import annotations

import os
import tempfile


def write_whole(path, text, mode):
    """Write ``text`` to ``path`` atomically with ``mode``: a temporary file in the same directory (mkstemp makes it
    0600, so it is never wider than asked, not even for a moment), then renamed over ``path``. Ansible's
    atomic_move is not used: it would give the new file the old one's wider mode."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=".nestedcloud-")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def read_text(path, default=None):
    """The file's text, or ``default`` when it cannot be read (missing, a directory...)."""
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return default
