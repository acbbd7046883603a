#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: overcloud_health
short_description: Report which of the inner cloud's APIs, compute services and network agents are up
version_added: 0.1.0
description:
  - Asks each API for its version document, Nova for its services and Neutron for its agents, and compares them with
    what the inner cloud should run. Returns C(ready) and, for everything not up yet, one line naming the service, the
    host and the log file to read. Never changes anything.
  - With O(wait), it asks again every O(delay) seconds until everything is up, and fails at the end of the wait naming
    what is still down. Its action plugin prints the progress meanwhile (how many of how many are up, what is missing).
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.inner_admin
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - openstacksdk >= 0.101
options:
  apis:
    description: Name and root URL of each API that must answer (any status below 500).
    type: dict
    default: {}
  compute_services:
    description: Host names per Nova binary that must be up and enabled, for example C(nova-compute) with C([uc-0002, uc-0003]).
    type: dict
    default: {}
  network_agents:
    description: Host names per Neutron agent binary that must be alive, for example C(neutron-ovn-metadata-agent) with C([uc-0002, uc-0003]).
    type: dict
    default: {}
  wait:
    description: Seconds to wait for everything to be up; V(0) asks once and returns (C(ready) may be false).
    type: int
    default: 0
  delay:
    description: Seconds between two rounds of questions while waiting.
    type: int
    default: 5
"""

EXAMPLES = r"""
- name: Wait until the inner cloud is up
  nestedcloud.openstack.overcloud_health:
    auth: {auth_url: "http://10.22.0.11:5000/v3", password: "{{ admin_password }}"}
    apis: {nova: "http://10.22.0.11:8774/"}
    compute_services: {nova-compute: [uc-0002, uc-0003]}
    network_agents: {neutron-ovn-metadata-agent: [uc-0002, uc-0003]}
    wait: 300

- name: Ask once, without waiting
  nestedcloud.openstack.overcloud_health:
    auth: {auth_url: "http://10.22.0.11:5000/v3", password: "{{ admin_password }}"}
    network_agents: {ovn-controller: [uc-0002]}
  register: health
"""

RETURN = r"""
ready:
  description: Whether everything asked for is up.
  returned: always
  type: bool
summary:
  description: How many of how many checks pass.
  returned: always
  type: str
  sample: "9 of 11 up"
waiting_for:
  description: What is not up yet, one line each, naming the host and the log to read.
  returned: always
  type: list
  elements: str
  sample: ["nova-compute on uc-0003: not registered (see /var/log/nova/nova-compute.log on uc-0003)"]
seconds:
  description: How long it waited.
  returned: always
  type: float
  sample: 41.5
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import open_url

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.api import (
    ADMIN_ARGS, require_admin_auth, connect_admin, openstack, require_sdk)

LOGS = {"nova": "/var/log/nova/%s.log", "neutron": "/var/log/neutron/%s.log"}


def log_of(binary, host):
    project = binary.split("-")[0]
    path = LOGS.get(project, "/var/log/%s/%%s.log" % project) % binary
    return "see %s on %s" % (path, host)


def compare(expected, found, what):
    """expected {binary: [host]}, found {(binary, host): (up, detail)} -> (passed, total, waiting lines)."""
    passed, total, waiting = 0, 0, []
    for binary, hosts in sorted(expected.items()):
        for host in hosts:
            total += 1
            up, detail = found.get((binary, host), (False, "not registered"))
            if up:
                passed += 1
            else:
                waiting.append("%s on %s: %s %s (%s)" % (binary, host, what, detail, log_of(binary, host)))
    return passed, total, waiting


def api_status(url, timeout=5):
    try:
        response = open_url(url, timeout=timeout, validate_certs=False)
        return response.getcode() < 500, "HTTP %s" % response.getcode()
    except Exception as err:  # pylint: disable=broad-except
        code = getattr(err, "code", None)
        if code is not None and code < 500:
            return True, "HTTP %s" % code
        return False, str(err)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            **ADMIN_ARGS,
            apis=dict(type="dict", default={}),
            compute_services=dict(type="dict", default={}),
            network_agents=dict(type="dict", default={}),
            wait=dict(type="int", default=0),
            delay=dict(type="int", default=5),
        ),
        supports_check_mode=True,
    )
    require_sdk(module)
    require_admin_auth(module)
    for field in ("compute_services", "network_agents"):
        for binary, hosts in module.params[field].items():
            if not isinstance(hosts, list):
                module.fail_json(msg="%s.%s: expected a list of host names, got %r" % (field, binary, hosts))
    for field in ("wait", "delay"):
        if module.params[field] < 0 or (field == "delay" and module.params[field] == 0):
            module.fail_json(msg="%s: must be %s, got %d" % (field, "positive" if field == "delay" else ">= 0",
                                                             module.params[field]))
    start = time.monotonic()
    while True:
        passed, total, waiting = check(module.params)
        elapsed = time.monotonic() - start
        if not waiting or elapsed + module.params["delay"] > module.params["wait"]:
            break
        time.sleep(module.params["delay"])
    result = dict(changed=False, ready=not waiting, summary="%d of %d up" % (passed, total), waiting_for=waiting,
                  seconds=round(time.monotonic() - start, 1))
    if waiting and module.params["wait"]:
        module.fail_json(msg="the inner cloud is not up after %d s: %s" % (module.params["wait"], "; ".join(waiting)),
                         **result)
    module.exit_json(**result)


def check(params):
    """One round of questions: (passed, total, waiting lines)."""
    passed, total, waiting = 0, 0, []
    for name, url in sorted(params["apis"].items()):
        total += 1
        up, detail = api_status(url)
        if up:
            passed += 1
        else:
            waiting.append("%s API at %s: %s (%s)" % (name, url, detail, log_of(name, "the controller")))
    services, agents = {}, {}
    try:
        conn = connect_admin(params, timeout=15)
        if params["compute_services"]:
            for service in conn.compute.services():
                up = service.state == "up" and service.status == "enabled"
                services[(service.binary, service.host)] = (up, "is %s/%s" % (service.state, service.status))
        if params["network_agents"]:
            for agent in conn.network.agents():
                agents[(agent.binary, agent.host)] = (bool(agent.is_alive), "is not alive")
    except openstack.exceptions.SDKException as err:
        waiting.append("the APIs did not answer the health queries: %s" % err)
        total += 1
    for expected, found, what in ((params["compute_services"], services, "Nova service"),
                                  (params["network_agents"], agents, "Neutron agent")):
        p, t, w = compare(expected, found, what)
        passed, total, waiting = passed + p, total + t, waiting + w
    return passed, total, waiting


if __name__ == "__main__":
    main()
