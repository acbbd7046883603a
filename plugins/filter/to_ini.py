# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``to_ini``: an oslo.config style INI file from {section: {key: value}} (the renderer the settings_files
module uses too, in module_utils/common/settings.py)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.nestedcloud.openstack.plugins.module_utils.common import settings

ini_value = settings.ini_value


def to_ini(sections):
    """Render sections in order, DEFAULT first; a key whose value is None in an override is left out, so that
    overrides can remove a default key."""
    try:
        return settings.to_ini(sections)
    except ValueError as err:
        raise AnsibleFilterError("to_ini: %s" % err)


class FilterModule:
    def filters(self):
        return {"to_ini": to_ini}
