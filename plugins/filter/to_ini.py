# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``to_ini``: an oslo.config style INI file from {section: {key: value}}."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError


def ini_value(value):
    """One value as oslo.config reads it: booleans lower case, lists comma separated, None as empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ",".join(ini_value(item) for item in value)
    if isinstance(value, dict):
        return ",".join("%s:%s" % (key, ini_value(item)) for key, item in value.items())
    return str(value)


def to_ini(sections):
    """Render sections in order, DEFAULT first; a key whose value is None in an override is left out, so that
    overrides can remove a default key."""
    if not isinstance(sections, dict):
        raise AnsibleFilterError("to_ini: expected a dict of sections, got %s" % type(sections).__name__)
    names = sorted(sections, key=lambda name: (name != "DEFAULT", ))
    lines = []
    for name in names:
        keys = sections[name]
        if not isinstance(keys, dict):
            raise AnsibleFilterError("to_ini: section [%s] must be a dict of keys, got %s" % (name, type(keys).__name__))
        if lines:
            lines.append("")
        lines.append("[%s]" % name)
        for key, value in keys.items():
            if value is None:
                continue
            lines.append("%s = %s" % (key, ini_value(value)))
    return "\n".join(lines) + "\n"


class FilterModule:
    def filters(self):
        return {"to_ini": to_ini}
