#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: undercloud_lab_info
short_description: Tell in one call whether a lab's outer-cloud part matches its plan, and whether it fits
version_added: 0.1.0
description:
  - Runs the reconcilers of M(nestedcloud.openstack.undercloud_keypair), M(nestedcloud.openstack.undercloud_network),
    M(nestedcloud.openstack.undercloud_security_groups), M(nestedcloud.openstack.undercloud_servers) and
    M(nestedcloud.openstack.undercloud_floating_ip) in check mode, in one process, and compares what the lab still
    needs with the project's quotas (as M(nestedcloud.openstack.undercloud_capacity_info)).
  - RV(converged) is true when none of them would change anything; the undercloud role then skips them, which makes
    a re-run of a complete lab a few seconds of reading.
  - Read-only; it sends no mutating request.
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
options:
  public_key:
    description: The lab's OpenSSH public key; empty when it does not exist yet (then the lab is not converged).
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Is the lab already there?
  nestedcloud.openstack.undercloud_lab_info:
    cloud: mycloud
    plan: "{{ lab.plan }}"
    public_key: "{{ lookup('ansible.builtin.file', '~/.nestedcloud/lab1/id_ed25519.pub') }}"
  register: state
"""

RETURN = r"""
converged:
  description: Whether the outer cloud already holds exactly what the plan asks for.
  returned: always
  type: bool
pending:
  description: The changes the undercloud modules would make (their C(actions) in check mode).
  returned: always
  type: list
  elements: dict
sufficient:
  description: Whether what the lab still needs fits in the project's quotas.
  returned: always
  type: bool
rows:
  description: The capacity comparison, one entry per resource; empty when the lab has converged.
  returned: always
  type: list
  elements: dict
table:
  description: The capacity comparison as a table.
  returned: always
  type: str
underlay_mtu:
  description: MTU of the lab's underlay network, when it exists.
  returned: always
  type: int
plan:
  description: The plan again, with the measured underlay MTU when the network exists.
  returned: always
  type: dict
floating_ip:
  description: The address of r0's floating IP, when it exists.
  returned: always
  type: str
api_calls:
  description: HTTP requests sent to the cloud, by method; there are no mutating ones.
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
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import CloudModule, PLAN_ARG, parallel
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.owned import Changes
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.reconcile import (
    floating_ip,
    keypair,
    network_present,
    security_groups_present,
)
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.servers import ServerReconciler


class CheckOnly:
    """The module seen by the reconcilers, always in check mode."""

    check_mode = True

    def __init__(self, cm):
        self.conn, self.params, self.deadline = cm.conn, cm.params, cm.deadline


def main():
    cm = CloudModule(dict(PLAN_ARG, public_key=dict(type="str", default="")), supports_check_mode=True)

    def body(cm):
        plan, view = cm.params["plan"], CheckOnly(cm)
        key = cm.params["public_key"].strip()
        external = plan["jumphost"]["external_network"]

        def check(part):
            changes = Changes(True)
            if part == "keypair":
                if key:
                    keypair(view, plan, key, "present", changes)
                else:
                    changes.record("create", "keypair", "%s-key" % plan["name"])
                return changes, None
            if part == "network":
                return changes, network_present(view, plan, changes)["network"]
            if part == "security_groups":
                return changes, security_groups_present(view, plan, changes)
            return changes, (floating_ip(view, plan, "present", changes).get("address") if external else None)

        # The four parts read independent resources: read them at the same time.
        parts = ["keypair", "network", "security_groups", "floating_ip"]
        results, errors = parallel(parts, check, 4)
        if errors:
            raise errors[0][1]
        found = dict(zip(parts, results))
        changes = Changes(True)
        for part in parts:
            changes.actions.extend(found[part][0].actions)
        network, groups = found["network"][1], found["security_groups"][1]
        if network.get("id"):
            servers = ServerReconciler(view, plan, changes, network["id"],
                                       dict((role, g.get("id")) for role, g in groups.items()),
                                       "%s-key" % plan["name"], {})
            servers.replace_errored()
            servers.apply()
            servers.attach_volumes()
        else:
            changes.record("create", "server", "%d servers" % (len(plan["groups"]["undercloud"]) + 1))
        # A converged lab needs nothing more, so the quotas only matter when something is pending.
        rows, text = assess(cm.conn, plan) if changes.changed else ([], "nothing more is needed")
        mtu = network.get("mtu")
        # the plan's other inputs stay as they were read (plan.inputs): only the network's MTU may be new
        inputs = dict(plan.get("inputs") or {}, underlay_mtu=mtu)
        replanned = build_plan(plan["lab"], **inputs) if mtu else plan
        cm.exit(False, converged=not changes.changed, pending=changes.actions, sufficient=all(r["ok"] for r in rows),
                rows=rows, table=text, underlay_mtu=mtu, plan=replanned, floating_ip=found["floating_ip"][1])

    cm.run(body)


if __name__ == "__main__":
    main()
