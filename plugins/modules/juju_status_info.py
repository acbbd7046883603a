#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: juju_status_info
short_description: How far a Juju model has settled - units active and idle, machines started - and what it waits for
version_added: 0.1.0
description:
  - Runs C(juju status --format=json) for O(model) and reports how many units are C(active) with an C(idle) agent
    (subordinates included) and how many machines are C(started), with one line per unit or machine that is not,
    errors first, as Juju words it. Never changes anything.
  - With O(wait), its action plugin asks again every O(delay) seconds, prints the progress (for example
    C(juju model - 31 of 45 units active, 3 of 3 machines started (1800s)) and what is missing), and
    fails at the end of the wait naming what has not settled. Juju retries failed hooks by itself, so a unit in
    error does not end the wait early; it is listed first.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.juju
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - the client logged in to the model's controller
options:
  model:
    description: The model, as C(juju status -m) takes it (C(controller:model) works too).
    type: str
    default: openstack
  wait:
    description: Seconds to wait until the model has settled; V(0) looks once.
    type: int
    default: 0
  delay:
    description: Seconds between two looks while waiting.
    type: int
    default: 30
  applications:
    description:
      - Look at these applications only (with their subordinates), not at the machines; empty looks at the whole model.
    type: list
    elements: str
    default: []
  ready_states:
    description:
      - The workload states that count as settled. Vault, for example, is C(blocked) until it is initialised and
        unsealed, so waiting for it to be ready for that means O(ready_states=[active, blocked]).
    type: list
    elements: str
    default: [active]
  ready_message:
    description:
      - A regular expression that a unit's workload message must match, too, to count as settled; unset takes any.
    type: str
"""

EXAMPLES = r"""
- name: Wait for the OpenStack bundle to settle (hours under QEMU/TCG)
  nestedcloud.openstack.juju_status_info:
    model: openstack
    wait: 14400
"""

RETURN = r"""
ready:
  description: Whether every unit is active and idle and every machine started.
  returned: always
  type: bool
summary:
  description: Counts of settled units and started machines.
  returned: always
  type: str
  sample: 31 of 45 units active, 3 of 3 machines started
waiting_for:
  description: One line per unit or machine that has not settled, errors first (at most 12, then a count).
  returned: always
  type: list
  elements: str
  sample: ["vault/0 (machine 0/lxd/3): blocked/idle - Vault needs to be initialized"]
errors:
  description: The units in error.
  returned: always
  type: list
  elements: str
units:
  description: The principal units looked at, by name.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "vault/0", "application": "vault", "workload": "blocked", "agent": "idle", "leader": true,
            "message": "Vault needs to be initialized", "address": "10.33.2.17"}]
"""

import json

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.juju.status import summarize


def main():
    module = AnsibleModule(
        argument_spec=dict(
            model=dict(type="str", default="openstack"),
            juju=dict(type="path", default="juju"),
            wait=dict(type="int", default=0),
            delay=dict(type="int", default=30),
            applications=dict(type="list", elements="str", default=[]),
            ready_states=dict(type="list", elements="str", default=["active"]),
            ready_message=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    rc, out, err = module.run_command([module.params["juju"], "status", "-m", module.params["model"], "--format=json"])
    if rc != 0:
        module.fail_json(msg="model: juju status -m %s failed: %s" % (module.params["model"], (err or out).strip()[:500]))
    try:
        status = json.loads(out)
    except ValueError:
        module.fail_json(msg="juju status did not answer JSON: %s" % out[:200])
    module.exit_json(changed=False, **summarize(status, module.params["applications"],
                                                tuple(module.params["ready_states"]), module.params["ready_message"]))


if __name__ == "__main__":
    main()
