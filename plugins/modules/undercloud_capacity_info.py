#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: undercloud_capacity_info
short_description: Compare what a lab needs with the project's quotas and usage, before anything is created
version_added: 0.1.0
description:
  - Reads the project's quotas with their usage from Nova, Neutron and Cinder (an ordinary member may), the sizes
    of the plan's flavors, and what the lab already owns, then tells for each resource (instances, cores, RAM,
    keypairs, volumes, gigabytes, networks, subnets, ports, routers, floating IPs, security groups and rules)
    whether what the lab still needs fits.
  - Read-only. The undercloud role fails with RV(table) when RV(sufficient) is false, before creating anything.
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
    details: Read-only.
  diff_mode:
    support: none
  platform:
    platforms: posix
"""

EXAMPLES = r"""
- name: Check the project has room for the lab
  nestedcloud.openstack.undercloud_capacity_info:
    cloud: mycloud
    plan: "{{ lab.plan }}"
  register: capacity

- name: Stop when it does not
  ansible.builtin.fail:
    msg: "{{ capacity.table }}"
  when: not capacity.sufficient
"""

RETURN = r"""
sufficient:
  description: Whether everything the lab still needs fits in the project's quotas.
  returned: always
  type: bool
rows:
  description: One entry per resource with needed, in_use, limit (-1 for none), available and ok.
  returned: always
  type: list
  elements: dict
table:
  description: The rows as a table a person reads, with the short resources marked.
  returned: always
  type: str
api_calls:
  description: HTTP requests sent to the cloud, by method.
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

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.capacity import assess
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import CloudModule, PLAN_ARG


def main():
    cm = CloudModule(PLAN_ARG, supports_check_mode=True)

    def body(cm):
        rows, text = assess(cm.conn, cm.params["plan"])
        cm.exit(False, sufficient=all(r["ok"] for r in rows), rows=rows, table=text)

    cm.run(body)


if __name__ == "__main__":
    main()
