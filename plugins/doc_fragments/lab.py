# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Documentation shared by everything that takes a lab definition."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  lab:
    description:
      - The lab definition, usually the inventory variable C(nestedcloud_lab) with C(nestedcloud_lab_overrides) laid
        over it (filter P(nestedcloud.openstack.lab_definition#filter)).
      - Every key, its type and default is listed in C(docs/lab_definition.md) of the collection and in the
        example inventory C(inventory/group_vars/all/lab.yml); C(cloud), C(image) and C(flavors) have no default,
        and a definition without them fails, naming each with an example, before any API call.
      - Unknown keys are rejected, and every error names the offending key with the valid values.
    type: dict
    required: true
  underlay_mtu:
    description:
      - MTU of the outer tenant network as Neutron reports it.
      - Used when C(underlay.mtu) of the lab is C(auto). Without it the planner assumes 1450 and says so.
    type: int
  flavor_specs:
    description:
      - 'RAM and vCPUs of outer-cloud flavors, by flavor name, as V({"m1.xlarge": {"ram_mb": 16384, "vcpus": 8}}).'
      - openstacksdk's keys (C(ram), C(vcpus)) are accepted too, so a flavor as returned by
        M(openstack.cloud.compute_flavor_info) fits.
      - The classic C(m1.tiny) to C(m1.xlarge) sizes are known without it.
    type: dict
requirements:
  - netaddr
"""
