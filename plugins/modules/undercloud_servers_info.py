#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: undercloud_servers_info
short_description: Report the servers of a lab in the outer cloud and how many are ACTIVE
version_added: 0.1.0
description:
  - Lists the servers the lab owns (by tag or lab metadata) and reports, for each host of the plan, its server's
    status, with counts by status. Read-only; M(nestedcloud.openstack.undercloud_servers) uses it to show progress.
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
    details: Read-only; check mode returns the same report.
  diff_mode:
    support: none
  platform:
    platforms: posix
"""

EXAMPLES = r"""
- name: How far is the lab?
  nestedcloud.openstack.undercloud_servers_info:
    cloud: mycloud
    plan: "{{ lab.plan }}"
  register: servers

- name: Show it
  ansible.builtin.debug:
    msg: "{{ servers.counts.ACTIVE | default(0) }}/{{ servers.total }} servers ACTIVE"
"""

RETURN = r"""
servers:
  description: Status of the server of each planned host (C(MISSING) when there is none), by host name.
  returned: always
  type: dict
  sample: {"r0": "ACTIVE", "uc-0001": "BUILD"}
counts:
  description: How many planned hosts have a server in each status.
  returned: always
  type: dict
  sample: {"ACTIVE": 14, "BUILD": 7}
total:
  description: How many servers the plan has.
  returned: always
  type: int
faults:
  description: The fault message of each server in ERROR, by host name.
  returned: always
  type: dict
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

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import CloudModule, PLAN_ARG
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.owned import owned_servers
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.servers import fault_of, outer_hosts


def main():
    cm = CloudModule(PLAN_ARG, supports_check_mode=True)

    def body(cm):
        plan = cm.params["plan"]
        found = owned_servers(cm.conn, plan)
        states, counts, faults = {}, {}, {}
        for host in outer_hosts(plan):
            server = found.get(host["name"])
            status = server.status if server is not None else "MISSING"
            states[host["name"]] = status
            counts[status] = counts.get(status, 0) + 1
            if status == "ERROR":
                faults[host["name"]] = fault_of(cm.conn, server)
        cm.exit(False, servers=states, counts=counts, total=len(states), faults=faults)

    cm.run(body)


if __name__ == "__main__":
    main()
