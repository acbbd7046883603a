# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one write-or-check step of the tools that generate committed files from the lab schema."""

from __future__ import annotations

import os


def sync(top, files, tool, check):
    """Write each (relative path, text) of files under top; with check, only report those that differ (rc 1)."""
    stale = []
    for rel, text in files:
        path = os.path.join(top, rel)
        current = open(path).read() if os.path.exists(path) else None
        if current == text:
            continue
        if check:
            stale.append(rel)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as handle:
                handle.write(text)
            print("wrote %s" % rel)
    if stale:
        print("out of date with the schema (run %s): %s" % (tool, ", ".join(stale)))
        return 1
    return 0
