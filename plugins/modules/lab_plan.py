#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: lab_plan
short_description: Turn a lab definition into the whole plan of a nested OpenStack lab
version_added: 0.1.0
description:
  - Validates a lab definition (C(nestedcloud_lab)) and derives everything the layers need from it, without
    talking to any cloud, so that a bad definition is rejected before anything is created.
  - The plan holds host names (C(r0), C(uc-0001), C(oc-0001)...), the fixed addresses of every host in each
    range, r0's gateway and SNAT addresses, the VXLAN peers of every host, the MTU of every layer, the placement
    of oc- VMs on uc- hosts within each host's RAM and vCPUs, the inner cloud's ranges and allocation pools,
    and the inventory groups.
  - The same input always gives the same plan. Adding a uc- host keeps every address already planned; with
    O(existing_placement), no running oc- VM is moved, and one the definition no longer has (its VM or its uc- host)
    is refused unless C(nestedcloud_lab.retire) names it.
  - To plan a lab that exists, pass what M(nestedcloud.openstack.undercloud_plan_info) read from the outer cloud as
    O(inputs), and every step that plans plans alike. The plan returns the inputs it was made from
    (RV(plan.inputs)).
  - Runs on the controller and changes nothing.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.lab
attributes:
  check_mode:
    support: full
    details: The module only computes; check mode returns the same plan.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  existing_placement:
    description:
      - 'oc- VMs that already run, mapped to their uc- host, as V({"oc-0001": "uc-0002"}).'
      - They stay where they are; only VMs not listed are placed. A listed VM the definition no longer plans, or
        one on a uc- host it no longer plans, is refused naming them, unless C(nestedcloud_lab.retire) names it.
    type: dict
  inputs:
    description:
      - The planner's inputs read from the outer cloud, as RV(nestedcloud.openstack.undercloud_plan_info#module:inputs)
        returns them (keys C(flavor_specs), C(underlay_mtu), C(existing_placement)), or as a plan's RV(plan.inputs).
      - O(underlay_mtu), O(flavor_specs) and O(existing_placement), when given, take precedence over them.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Plan the lab of the inventory
  nestedcloud.openstack.lab_plan:
    lab: "{{ nestedcloud_lab }}"
  register: lab

- name: Plan with the MTU Neutron reported and the cloud's flavor sizes
  nestedcloud.openstack.lab_plan:
    lab: "{{ nestedcloud_lab }}"
    underlay_mtu: "{{ underlay_network.mtu }}"
    flavor_specs: "{{ dict(flavors.flavors | map(attribute='name') | zip(flavors.flavors)) }}"

- name: Plan a lab that exists, with what the outer cloud holds
  nestedcloud.openstack.lab_plan:
    lab: "{{ nestedcloud_lab }}"
    inputs: "{{ found.inputs }}"  # from nestedcloud.openstack.undercloud_plan_info

- name: Print the plan as a table
  ansible.builtin.debug:
    msg: "{{ lab.plan | nestedcloud.openstack.plan_table }}"
"""

RETURN = r"""
plan:
  description: The plan of the lab.
  returned: success
  type: dict
  contains:
    name:
      description: Lab name.
      type: str
      sample: lab1
    tag:
      description: Tag carried by every outer-cloud resource of the lab.
      type: str
      sample: nestedcloud-lab1
    dns_domain:
      description: DNS domain of the lab host names.
      type: str
      sample: lab1.test
    lab:
      description: The lab definition with every default filled in.
      type: dict
    mtu:
      description:
        - MTU of each layer, and whether the underlay's was C(configured), C(measured) or C(assumed).
        - C(tenant_overhead) is what an inner tenant network costs on the overlay, as Neutron computes it for ML2/OVN
          (Geneve C(overcloud.geneve_header_size) plus 20 for the outer IPv4 header).
      type: dict
      sample: {"underlay": 1450, "overlay": 1400, "inner_external": 1400, "inner_tenant": 1342, "tenant_overhead": 58,
               "source": "assumed"}
    networks:
      description:
        - The four ranges (underlay, overlay, inner_external, inner_tenant) with gateway, MTU and pools.
        - C(inner_tunnel) is the Geneve tunnel range of a packaged ML2/OVN inner cloud (cidr, type, header_size), else
          null.
      type: dict
    hosts:
      description:
        - Every host by name with its kind, addresses, VXLAN peers, groups and, for oc- VMs, NICs and size.
        - An inner compute of a packaged ML2/OVN cloud has C(tunnel_ip), its Geneve endpoint.
      type: dict
    groups:
      description: Inventory groups and their members.
      type: dict
      sample: {"jumphost": ["r0"], "undercloud": ["uc-0001"], "nested": []}
    placement:
      description: uc- host of each oc- VM.
      type: dict
      sample: {"oc-0001": "uc-0001"}
    jumphost:
      description: r0's SSH sources, SNAT sources and the ranges its services answer.
      type: dict
    resources:
      description: What the lab takes from the outer project (instances, ports, floating IPs...).
      type: dict
    inputs:
      description: What the plan was made from besides the definition (C(underlay_mtu), C(flavor_specs), and as
        C(existing_placement) the placement it made, which keeps every VM where it is), to plan again alike.
      type: dict
    notes:
      description: Things a person should know before creating the lab; those on valid but risky input (SSH open to
        C(0.0.0.0/0)) start with C(Risk:) and are also warnings.
      type: list
      elements: str
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.addressing import HAS_NETADDR
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import RISK, build_plan
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.schema import LabDefinitionError


INPUTS = ("underlay_mtu", "flavor_specs", "existing_placement")


def merged_inputs(params):
    """The planner's inputs: O(inputs), then the options given one by one."""
    unknown = sorted(set(params["inputs"]) - set(INPUTS))
    if unknown:
        raise LabDefinitionError("inputs.%s" % unknown[0], "unknown key; valid keys are %s" % ", ".join(INPUTS))
    merged = dict((key, params["inputs"].get(key)) for key in INPUTS)
    merged.update((key, params[key]) for key in INPUTS if params[key] is not None)
    return merged


def main():
    module = AnsibleModule(
        argument_spec=dict(
            lab=dict(type="dict", required=True),
            underlay_mtu=dict(type="int"),
            flavor_specs=dict(type="dict"),
            existing_placement=dict(type="dict"),
            inputs=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    if not HAS_NETADDR:
        module.fail_json(msg=missing_required_lib("netaddr"), exception=traceback.format_exc())
    params = module.params
    try:
        plan = build_plan(params["lab"], **merged_inputs(params))
    except LabDefinitionError as err:
        module.fail_json(msg=str(err), field=err.field)
    for note in plan["notes"]:
        if note.startswith(RISK):  # valid, and risky: said where every run shows it
            module.warn(note)
    module.exit_json(changed=False, plan=plan)


if __name__ == "__main__":
    main()
