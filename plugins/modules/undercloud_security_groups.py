#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: undercloud_security_groups
short_description: Reconcile the security groups of a lab in the outer cloud
version_added: 0.1.0
description:
  - Makes the outer cloud hold exactly the two security groups of a lab, with exactly these rules.
  - C(<lab>-lab), on every lab instance - all traffic from other members of the group, VXLAN (UDP 4789 or the
    plan's port) from the underlay range, and the usual egress.
  - C(<lab>-jumphost), on r0 only - SSH (TCP 22) from each of the plan's C(ssh_allowed_cidrs), nothing else.
  - Rules that someone added to these groups by hand are removed; groups that are not the lab's are never touched.
  - Port security stays on; the nested addresses never leave the VXLAN tunnel, so no allowed address pairs
    are needed.
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
    details: Reports in RV(actions) what would change and calls no mutating API.
  diff_mode:
    support: full
  platform:
    platforms: posix
options:
  state:
    description: Whether the groups should exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Reconcile the security groups of the lab
  nestedcloud.openstack.undercloud_security_groups:
    cloud: mycloud
    plan: "{{ lab.plan }}"
"""

RETURN = r"""
security_groups:
  description: The groups by role (C(lab), C(jumphost)), each with id and name.
  returned: always
  type: dict
  sample: {"lab": {"id": "0b1c...", "name": "lab1-lab"}, "jumphost": {"id": "9a2e...", "name": "lab1-jumphost"}}
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
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.reconcile import (
    security_groups_absent,
    security_groups_present,
)


def main():
    cm = CloudModule(dict(PLAN_ARG, **STATE_ARG), supports_check_mode=True)

    def body(cm):
        changes = Changes(cm.check_mode)
        action = security_groups_present if cm.params["state"] == "present" else security_groups_absent
        groups = action(cm, cm.params["plan"], changes)
        cm.exit(changes.changed, security_groups=groups, **changes.result())

    cm.run(body)


if __name__ == "__main__":
    main()
