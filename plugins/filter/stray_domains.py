# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``stray_domains``: the lab's oc- VMs defined on a uc- host where the plan does not place them."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.placement import stray_domains as _strays


def stray_domains(plan, host, defined):
    if not isinstance(plan, Mapping) or "placement" not in plan or "lab" not in plan:
        raise AnsibleFilterError("stray_domains: expected the lab's plan (nestedcloud.openstack.lab_plan), got %s"
                                 % type(plan).__name__)
    if isinstance(defined, str) or not isinstance(defined, (list, tuple)):
        raise AnsibleFilterError("stray_domains: expected a list of domain names, got %s" % type(defined).__name__)
    return _strays(plan, host, [str(name).strip() for name in defined if str(name).strip()])


class FilterModule:
    def filters(self):
        return {"stray_domains": stray_domains}
