#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: upgrade_probe
short_description: Sample a workload and the APIs for as long as an upgrade runs, and say what a tenant felt
version_added: 0.1.0
description:
  - The upgrade rehearsal's probes. With O(state=started), starts a sampler on this host (r0, the operator's host) as a
    process of its own, so that it goes on while the playbook upgrades the hosts and outlives a killed run - each of
    O(probes) at its period (a ping of the kept tenant VM's floating IP several times a second, an API call every few
    seconds), each sample a JSON line in O(dir)C(/samples.jsonl).
  - A sampler already running with the same probes is left alone (C(changed=false)); one with other probes is
    stopped and started with the new ones. The samples of every start are kept in the same file, so that a rehearsal
    killed and started again measures the whole upgrade.
  - With O(state=stopped), stops the sampler and returns the figures per probe (RV(report)) - the longest gap between
    two successes, the loss, each outage (from the last success before it to the first after it) and the downtime.
    O(state=absent) also removes the samples.
  - A sampler forgotten by a killed rehearsal stops itself after O(max_seconds).
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports whether the sampler would be started or stopped, and the figures so far; starts and stops nothing.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  state:
    description: C(started) - a sampler runs with O(probes); C(stopped) - none runs, figures returned; C(absent) - none
      runs and its samples are removed.
    type: str
    choices: [started, stopped, absent]
    default: started
  probes:
    description:
      - What is sampled (O(state=started)). Each probe has a C(name) and exactly one of C(ping) (an address, pinged with
        iputils C(ping); C(size) sends that many bytes with don't-fragment), C(http) (a URL, fetched with GET; any
        status but 200 is a failure) or C(openstack) (C(cloud), a C(clouds.yaml) entry on this host, and C(call), one of
        C(token) - a new token each time -, C(servers), C(networks) or C(images), each a one-item list).
      - C(period) is the seconds between two samples (default 0.2 for ping, 3 for the others), C(timeout) the seconds a
        sample may take (default 1 for ping, 5 for the others).
    type: list
    elements: dict
    default: []
  dir:
    description: Where the sampler keeps its PID, its probes and the samples (made 0700 when missing).
    type: path
    default: /var/lib/nestedcloud/upgrade-probe
  max_seconds:
    description: The sampler stops itself this many seconds after it started (a rehearsal that never stops it).
    type: int
    default: 14400
notes:
  - The figures are read from the samples, never from a clock of the task, so a sampler that ran through a killed run
    and its restart is measured whole.
"""

EXAMPLES = r"""
- name: Probes on for the upgrade - the kept VM pinged five times a second, three APIs every 3 s
  nestedcloud.openstack.upgrade_probe:
    probes:
      - {name: vm, ping: "{{ canary_floating_ip }}", period: 0.2}
      - {name: token, openstack: {cloud: overcloud, call: token}}
      - {name: servers, openstack: {cloud: overcloud, call: servers}}
      - {name: networks, openstack: {cloud: overcloud, call: networks}}

- name: The upgrade is done - what did the tenant feel?
  nestedcloud.openstack.upgrade_probe:
    state: stopped
  register: probe

- name: Show the longest ping gap
  ansible.builtin.debug:
    msg: "longest gap {{ probe.report.vm.longest_gap_s }} s, {{ probe.report.vm.loss_pct }} % lost"
"""

RETURN = r"""
running:
  description: Whether a sampler runs after the task.
  returned: always
  type: bool
pid:
  description: The sampler's PID (0 when none runs).
  returned: always
  type: int
stopped_by:
  description: How the task ended a running sampler - C(SIGTERM) (it finished its samples and ended), or C(SIGKILL)
    when it had not ended 15 s after its SIGTERM; null when the task stopped none.
  returned: always
  type: str
samples_file:
  description: The JSON lines of the samples.
  returned: always
  type: str
report:
  description:
    - Figures per probe name from every sample so far - C(samples), C(failed), C(loss_pct), C(longest_gap_s) (between
      two successes, null when fewer than two), C(downtime_s) (the sum of the outages), C(outages) (each with C(from),
      C(to), C(seconds), C(failed), the last C(error), and C(open) when still down at the last sample), C(up_at_end),
      C(first) and C(last) (epoch seconds).
  returned: always
  type: dict
  sample: {"vm": {"samples": 6012, "failed": 9, "loss_pct": 0.15, "longest_gap_s": 2.2, "downtime_s": 2.2,
           "outages": [{"from": 1765080000.2, "to": 1765080002.4, "seconds": 2.2, "failed": 9, "error": "no reply"}],
           "up_at_end": true, "first": 1765079000.0, "last": 1765080200.0}}
"""

import json
import os
import signal
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.files import read_text, write_whole
from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.processes import spawn, started_at
from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner import probe


def running(state_dir):
    """The PID of the sampler this directory's pid file names, when that very process still runs; else 0."""
    record = read_text(os.path.join(state_dir, "probe.pid"), "").split()
    if len(record) == 2 and record[0].isdigit() and started_at(record[0]) == record[1]:
        return int(record[0])
    return 0


def stop(pid, wait=15.0):
    """SIGTERM (the sampler finishes its samples), then SIGKILL after ``wait`` seconds; returns which ended it."""
    os.kill(pid, signal.SIGTERM)
    until = time.monotonic() + wait
    while started_at(pid) and time.monotonic() < until:
        time.sleep(0.1)
    if started_at(pid):
        os.kill(pid, signal.SIGKILL)
        return "SIGKILL"
    return "SIGTERM"


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", default="started", choices=["started", "stopped", "absent"]),
            probes=dict(type="list", elements="dict", default=[]),
            dir=dict(type="path", default="/var/lib/nestedcloud/upgrade-probe"),
            max_seconds=dict(type="int", default=14400),
        ),
        required_if=[("state", "started", ["probes"])],
        supports_check_mode=True,
    )
    params = module.params
    state_dir, wanted = params["dir"], params["probes"]
    samples = os.path.join(state_dir, "samples.jsonl")
    names = [spec.get("name") for spec in wanted]
    for index, spec in enumerate(wanted):
        error = None if spec.get("name") else "probes[%d].name: every probe needs a name" % index
        error = error or probe.bad_probe(spec, index)
        if error:
            module.fail_json(msg=error)
    if len(set(names)) != len(names):
        module.fail_json(msg="probes: names must be unique, got %s" % ", ".join(names))
    if params["max_seconds"] <= 0:
        module.fail_json(msg="max_seconds: must be more than 0")

    pid, changed, stopped_by = running(state_dir), False, None
    spec_text = json.dumps({"probes": wanted, "max_seconds": params["max_seconds"]}, sort_keys=True)
    if params["state"] == "started":
        same = pid and read_text(os.path.join(state_dir, "probe.json"), "") == spec_text
        if not same:
            changed = True
            if not module.check_mode:
                if pid:
                    stopped_by = stop(pid)
                if not os.path.isdir(state_dir):
                    os.makedirs(state_dir, 0o700)
                write_whole(os.path.join(state_dir, "probe.json"), spec_text, 0o600)
                pid = spawn(lambda: probe.run_until_told(wanted, samples, params["max_seconds"]))
                write_whole(os.path.join(state_dir, "probe.pid"), "%d %s\n" % (pid, started_at(pid)), 0o600)
    elif pid:
        changed = True
        if not module.check_mode:
            stopped_by = stop(pid)
            pid = 0
    if params["state"] == "absent" and os.path.exists(samples):
        changed = True
        if not module.check_mode:
            for name in ("samples.jsonl", "probe.json", "probe.pid"):
                if os.path.exists(os.path.join(state_dir, name)):
                    os.remove(os.path.join(state_dir, name))
    text = read_text(samples, "")
    module.exit_json(changed=changed, running=bool(pid), pid=pid, samples_file=samples, stopped_by=stopped_by,
                     report=probe.report(text.splitlines()))


if __name__ == "__main__":
    main()
