# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``snap_tracking``: {snap: the channel it tracks} from the output of ``snap list``."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError


def snap_tracking(text):
    """Parse ``snap list`` (columns Name Version Rev Tracking Publisher Notes); '-' (a local snap) maps to ''."""
    if not isinstance(text, str):
        raise AnsibleFilterError("snap_tracking: expected the text of 'snap list', got %s" % type(text).__name__)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or lines[0].split()[:4] != ["Name", "Version", "Rev", "Tracking"]:
        return {}  # "No snaps are installed yet."
    tracking = {}
    for line in lines[1:]:
        fields = line.split()
        if len(fields) >= 4:
            tracking[fields[0]] = "" if fields[3] == "-" else fields[3]
    return tracking


class FilterModule:
    def filters(self):
        return {"snap_tracking": snap_tracking}
