#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: undercloud_servers
short_description: Reconcile the ports, volumes and servers of a lab in the outer cloud, in parallel
version_added: 0.1.0
description:
  - For r0 and every uc- host of the plan of M(nestedcloud.openstack.lab_plan) - a port with the planned fixed IP
    and the lab's security groups, the planned volumes, and a server booted on that port with the lab's keypair,
    then the volumes attached.
  - Each kind is listed once, and what is missing is created with at most O(concurrency) calls at a time.
    Servers carry the lab's tag from their create call. A re-run after a crash or a lost answer creates nothing
    twice; a server in ERROR is replaced; servers, volumes and ports of hosts no longer planned are deleted.
  - While it waits, the action plugin prints progress such as C(14/21 servers ACTIVE).
  - Servers whose flavor differs from the plan are reported in RV(drift), never rebuilt.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
  - nestedcloud.openstack.auth
  - nestedcloud.openstack.cloud
  - nestedcloud.openstack.plan
attributes:
  action:
    support: full
    details: The action plugin shows progress while waiting.
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: Reports in RV(actions) what would be created, replaced or deleted, and calls no mutating API.
  diff_mode:
    support: full
  platform:
    platforms: posix
options:
  user_data:
    description: Cloud-init user data by host name (C(r0), C(uc-0001)...), passed to the server at creation.
    type: dict
    default: {}
  replace_failed:
    description:
      - Delete servers in ERROR before creating what is missing, so that a run after the cause was fixed
        (a flavor too large, a quota) makes them again.
    type: bool
    default: true
  progress_file:
    description:
      - File to which the wait appends lines such as C(14/21 servers ACTIVE). The action plugin sets it and prints
        the lines while the module runs; there is no need to set it by hand.
    type: path
  state:
    description: Whether the servers should exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Create the servers of the lab, 8 API calls at a time
  nestedcloud.openstack.undercloud_servers:
    cloud: mycloud
    plan: "{{ lab.plan }}"
    concurrency: 8
    timeout: 1200
"""

RETURN = r"""
servers:
  description: Each planned host with its server id, name, status, port and fixed IP.
  returned: always
  type: dict
  sample: {"uc-0001": {"id": "c2a...", "name": "lab1-uc-0001", "status": "ACTIVE", "fixed_ip": "10.22.0.11"}}
drift:
  description: Differences between running servers and the plan that the module does not fix.
  returned: always
  type: list
  elements: str
actions:
  description: What was done, or would be done in check mode.
  returned: always
  type: list
  elements: dict
api_calls:
  description: HTTP requests sent to the cloud, by method; logins to Keystone are counted as C(auth).
  returned: always
  type: dict
timings:
  description:
    - Where this run's time went, to compare with the cloud's own speed (C(make bench-undercloud)).
    - C(phases) gives the wall-clock seconds of each step that ran, C(api) each kind of request (method, service,
      path without ids) with its count, total and longest seconds, the most time first.
  returned: success
  type: dict
  contains:
    phases:
      description: Seconds per step of the run, for example C(servers ACTIVE (waiting)).
      type: dict
      sample: {"ports (one bulk create, then tags)": 1.2, "servers (create calls)": 4.1, "servers ACTIVE (waiting)": 30.5}
    api:
      description: Requests by kind, the most time first.
      type: list
      elements: dict
      sample: [{"call": "POST compute /servers", "count": 21, "total_s": 30.2, "longest_s": 2.1}]
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

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import CloudError, CloudModule, PLAN_ARG, STATE_ARG
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.owned import Changes, one_owned
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.servers import ServerReconciler


def _network_and_groups(cm, plan):
    net_api = cm.conn.network
    name = plan["networks"]["underlay"]["name"]
    network = one_owned(plan, "network", name, net_api.networks(name=name))
    groups = {}
    for role in ("lab", "jumphost"):
        group_name = "%s-%s" % (plan["name"], role)
        group = one_owned(plan, "security group", group_name, net_api.security_groups(name=group_name))
        groups[role] = group.id if group else None
    return network, groups


def _progress_writer(path):
    """Append each new progress line to ``path`` (the action plugin prints them while it waits)."""
    if not path:
        return None
    last = []

    def write(line):
        if last != [line]:
            with open(path, "a") as handle:
                handle.write(line + "\n")
            last[:] = [line]

    return write


def main():
    cm = CloudModule(dict(PLAN_ARG,
                          user_data=dict(type="dict", default={}),
                          replace_failed=dict(type="bool", default=True),
                          progress_file=dict(type="path"),
                          **STATE_ARG),
                     supports_check_mode=True)

    def body(cm):
        plan, changes = cm.params["plan"], Changes(cm.check_mode)
        network, groups = _network_and_groups(cm, plan)
        if network is None:
            if cm.params["state"] == "absent":
                cm.exit(False, servers={}, drift=[], actions=[], diff={}, timings=dict(phases={}, api=cm.counter.timings()))
            raise CloudError("network %s" % plan["networks"]["underlay"]["name"],
                             "not found: run nestedcloud.openstack.undercloud_network first")
        if cm.params["state"] == "present" and not all(groups.values()):
            raise CloudError("security groups", "not found: run nestedcloud.openstack.undercloud_security_groups first")
        if cm.params["state"] == "absent":
            plan = dict(plan, groups=dict(plan["groups"], jumphost=[], undercloud=[]))  # nothing planned: all extra
        servers = ServerReconciler(cm, plan, changes, network.id, groups, "%s-key" % plan["name"],
                                   cm.params["user_data"])
        if cm.params["replace_failed"]:
            servers.replace_errored()
        servers.apply()
        if cm.params["wait"] and not cm.check_mode and cm.params["state"] == "present":
            servers.wait_active(cm.deadline(), progress=_progress_writer(cm.params["progress_file"]))
        if cm.params["state"] == "present" and (cm.params["wait"] or cm.check_mode):
            servers.attach_volumes()
        cm.exit(changes.changed, servers=servers.summary(), drift=servers.drift(),
                timings=dict(phases=servers.phases.seconds, api=cm.counter.timings()), **changes.result())

    cm.run(body)


if __name__ == "__main__":
    main()
