#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: undercloud_floating_ip
short_description: Give r0 the lab's one floating IP
version_added: 0.1.0
description:
  - Makes sure the lab owns exactly one floating IP on the plan's external network, associated with r0's port.
    The lab reaches everything else through r0, so it needs no other.
  - The floating IP is found by the lab's tag or its C(nestedcloud:<lab>) description, never by address alone, so
    a re-run keeps the same address.
  - With O(state=absent) it is released.
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
  diff_mode:
    support: full
  platform:
    platforms: posix
options:
  state:
    description: Whether the floating IP should exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Give r0 its floating IP
  nestedcloud.openstack.undercloud_floating_ip:
    cloud: mycloud
    plan: "{{ lab.plan }}"
  register: fip

- name: Show how to reach the lab
  ansible.builtin.debug:
    msg: "ssh -J {{ fip.floating_ip.address }} uc-0001"
"""

RETURN = r"""
floating_ip:
  description: The floating IP (id, address, port it is on).
  returned: always
  type: dict
  sample: {"id": "2f1e...", "address": "203.0.113.17", "port_id": "9c0d..."}
actions:
  description: What was done, or would be done in check mode.
  returned: always
  type: list
  elements: dict
api_calls:
  description: HTTP requests sent to the cloud, by method; logins to Keystone are counted as C(auth).
  returned: always
  type: dict
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
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.reconcile import floating_ip


def main():
    cm = CloudModule(dict(PLAN_ARG, **STATE_ARG), supports_check_mode=True)

    def body(cm):
        changes = Changes(cm.check_mode)
        result = floating_ip(cm, cm.params["plan"], cm.params["state"], changes)
        cm.exit(changes.changed, floating_ip=result, **changes.result())

    cm.run(body)


if __name__ == "__main__":
    main()
