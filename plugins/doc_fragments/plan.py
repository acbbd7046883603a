# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``plan`` option of the modules that act on a lab."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  plan:
    description:
      - The plan returned by M(nestedcloud.openstack.lab_plan) (its RV(nestedcloud.openstack.lab_plan#module:plan)).
      - Names, addresses, the lab's tag and what to create all come from it.
    type: dict
    required: true
"""
