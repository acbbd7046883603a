# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``lab_definition``: the lab definition with ``nestedcloud_lab_overrides`` laid over it."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.schema import merge


def _plain(value):
    """Ansible's lazy containers as plain dicts and lists (what the modules and the planner take)."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def lab_definition(definition, overrides=None):
    for name, value in (("nestedcloud_lab", definition), ("nestedcloud_lab_overrides", overrides)):
        if value is not None and not isinstance(value, Mapping):
            raise AnsibleFilterError("lab_definition: %s must be a mapping (a lab definition), got %s"
                                     % (name, type(value).__name__))
    return merge(_plain(definition or {}), _plain(overrides or {}))


class FilterModule:
    def filters(self):
        return {"lab_definition": lab_definition}
