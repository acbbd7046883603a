#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: undercloud_plan_info
short_description: Read from the outer cloud what a lab's plan depends on besides its definition
version_added: 0.1.0
description:
  - Reads the three inputs every step that plans the lab must share, so that the undercloud role, the
    C(nestedcloud.openstack.lab) inventory plugin and the playbooks plan alike; pass RV(inputs) to
    M(nestedcloud.openstack.lab_plan) as its O(nestedcloud.openstack.lab_plan#module:inputs).
  - C(flavor_specs), the RAM and vCPUs of the lab's flavors as the cloud has them, so that a flavor of any name plans.
  - C(underlay_mtu), the MTU Neutron gave the lab's network, once it exists (else null).
  - C(existing_placement), the oc- VMs each uc- server records in its metadata C(nestedcloud-vms), which
    M(nestedcloud.openstack.undercloud_servers) writes from the plan. The planner keeps these VMs where they run and
    refuses to drop any the definition no longer has unless C(nestedcloud_lab.retire) names it.
  - With O(hosts), it also returns the lab's inventory as the C(nestedcloud.openstack.lab) inventory plugin makes it,
    from the same reading and the same code, so that a run whose inventory was read before the servers existed (an
    AWX job's synced inventory) can add them with M(ansible.builtin.add_host).
  - Read-only, with one list each of flavors, of the lab's networks, of servers and of floating IPs.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.auth
  - nestedcloud.openstack.cloud
attributes:
  check_mode:
    support: full
    details: Read-only; check mode returns the same.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  lab:
    description: The lab definition (C(nestedcloud_lab)); only its name and flavors are read here.
    type: dict
    required: true
  hosts:
    description:
      - Also plan the lab with the inputs read and return RV(plan) and RV(inventory).
      - The plan may refuse (a lowered count below running VMs, see M(nestedcloud.openstack.lab_plan)); the module then
        fails with the planner's message.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: What the plan depends on in the outer cloud
  nestedcloud.openstack.undercloud_plan_info:
    cloud: mycloud
    lab: "{{ nestedcloud_lab }}"
  register: found

- name: Plan with it
  nestedcloud.openstack.lab_plan:
    lab: "{{ nestedcloud_lab }}"
    inputs: "{{ found.inputs }}"
  register: lab

- name: The hosts that exist now, as the inventory plugin would list them
  nestedcloud.openstack.undercloud_plan_info:
    cloud: mycloud
    lab: "{{ nestedcloud_lab }}"
    hosts: true
  register: found
"""

RETURN = r"""
inputs:
  description: The planner's inputs, as M(nestedcloud.openstack.lab_plan) takes them in O(nestedcloud.openstack.lab_plan#module:inputs).
  returned: always
  type: dict
  contains:
    flavor_specs:
      description: RAM (MiB) and vCPUs of each of the lab's flavors the cloud offers, by flavor name.
      type: dict
      sample: {"c2.large": {"ram_mb": 16384, "vcpus": 8}}
    underlay_mtu:
      description: MTU of the lab's network; null before it exists.
      type: int
      sample: 1450
    existing_placement:
      description: The uc- host each running oc- VM is recorded on.
      type: dict
      sample: {"oc-0001": "uc-0001", "oc-0005": "uc-0001"}
servers:
  description: The lab's servers found, by host name, with their status.
  returned: always
  type: dict
  sample: {"r0": "ACTIVE", "uc-0001": "ACTIVE"}
floating_ip:
  description: r0's floating IP, or null.
  returned: always
  type: str
  sample: 203.0.113.5
plan:
  description: The lab's plan made with RV(inputs), as M(nestedcloud.openstack.lab_plan) returns it.
  returned: when O(hosts) is true
  type: dict
inventory:
  description: The lab's inventory hosts, as the inventory plugin makes them.
  returned: when O(hosts) is true
  type: dict
  contains:
    hosts:
      description: Variables of each host that exists (C(ansible_host), C(ansible_user), C(nestedcloud_host)...).
      type: dict
    groups:
      description: The plan's groups of each host.
      type: dict
      sample: {"r0": ["jumphost"], "uc-0001": ["hypervisors", "overcloud_controller", "undercloud"]}
api_calls:
  description: HTTP requests sent to the cloud, by method; there are no mutating ones.
  returned: always
  type: dict
retries:
  description: Requests repeated after a passing fault of the cloud, and why.
  returned: always
  type: dict
"""

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import CloudModule
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.hosts import inventory
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.schema import LabDefinitionError
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.plan_inputs import lab_stub, read_lab


def main():
    cm = CloudModule(dict(lab=dict(type="dict", required=True), hosts=dict(type="bool", default=False)),
                     supports_check_mode=True)
    try:
        lab_stub(cm.params["lab"])
    except LabDefinitionError as err:  # before any API call
        cm.module.fail_json(msg=str(err), field=err.field)

    def body(cm):
        inputs, servers, floating_ip = read_lab(cm.conn, cm.params["lab"])
        found = dict(inputs=inputs, servers=dict((host, s["status"]) for host, s in servers.items()),
                     floating_ip=floating_ip)
        if cm.params["hosts"]:
            try:
                found["plan"] = build_plan(cm.params["lab"], **inputs)
            except LabDefinitionError as err:
                cm.fail(str(err), field=err.field, **found)
            found["inventory"] = inventory(found["plan"], servers, floating_ip)
        cm.exit(False, **found)

    cm.run(body)


if __name__ == "__main__":
    main()
