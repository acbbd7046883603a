#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: undercloud_network
short_description: Reconcile the underlay network, subnet and router of a lab in the outer cloud
version_added: 0.1.0
description:
  - Makes the outer cloud hold exactly the underlay of the plan of M(nestedcloud.openstack.lab_plan) - a network,
    its subnet (range, gateway, allocation pools, DNS servers) and a router with a gateway on the plan's external
    network and an interface on the subnet. With O(state=absent) it deletes them.
  - Resources are owned by the lab's tag (and a C(nestedcloud:<lab>) marker in their description, written when
    they are created); resources that are not the lab's are never touched, even with the same name.
  - Works as an ordinary project member.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.auth
  - nestedcloud.openstack.cloud
  - nestedcloud.openstack.plan
attributes:
  check_mode:
    support: full
    details: Reports in RV(actions) what would be created, changed or deleted, and calls no mutating API.
  diff_mode:
    support: full
    details: The diff shows each resource before and after.
  platform:
    platforms: posix
options:
  state:
    description: Whether the underlay should exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Reconcile the underlay network of the lab
  nestedcloud.openstack.undercloud_network:
    cloud: mycloud
    plan: "{{ lab.plan }}"
  register: underlay

- name: Plan again with the MTU Neutron gave the network
  nestedcloud.openstack.lab_plan:
    lab: "{{ nestedcloud_lab }}"
    underlay_mtu: "{{ underlay.network.mtu }}"
"""

RETURN = r"""
network:
  description: The underlay network (id, name, mtu); empty when absent or in check mode before creation.
  returned: always
  type: dict
  sample: {"id": "6f3c...", "name": "lab1-underlay", "mtu": 1450}
subnet:
  description: The underlay subnet (id, cidr, gateway_ip).
  returned: always
  type: dict
router:
  description: The router (id, name, external gateway network id).
  returned: always
  type: dict
actions:
  description: What was done, or would be done in check mode, one entry per change.
  returned: always
  type: list
  elements: dict
  sample: [{"action": "create", "kind": "network", "name": "lab1-underlay"}]
api_calls:
  description:
    - HTTP requests sent to the cloud, by method; logins to Keystone are counted as C(auth).
    - A converged second run sends no POST, PUT, PATCH or DELETE.
  returned: always
  type: dict
  sample: {"GET": 7}
retries:
  description:
    - What the cloud's passing trouble cost - C(requests) repeated by themselves, and why the whole reconcile ran
      again (C(reconciles)); both empty on a healthy cloud.
  returned: always
  type: dict
  contains:
    requests:
      description: How many requests that can be repeated without effect were sent again.
      type: int
      sample: 0
    reconciles:
      description: One line per run of the reconcile that a passing fault ended (the error, shortened).
      type: list
      elements: str
      sample: []
"""

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import CloudModule, PLAN_ARG, STATE_ARG
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.owned import Changes
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.reconcile import network_absent, network_present


def main():
    cm = CloudModule(dict(PLAN_ARG, **STATE_ARG), supports_check_mode=True)

    def body(cm):
        changes = Changes(cm.check_mode)
        action = network_present if cm.params["state"] == "present" else network_absent
        result = action(cm, cm.params["plan"], changes)
        result.update(changes.result())
        cm.exit(changes.changed, **result)

    cm.run(body)


if __name__ == "__main__":
    main()
