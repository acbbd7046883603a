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
  - nestedcloud.openstack.cloud
attributes:
  check_mode:
    support: full
    details: Reports in RV(actions) what would change and calls no mutating API.
  diff_mode:
    support: full
  platform:
    platforms: posix
options:
  plan:
    description: The plan returned by M(nestedcloud.openstack.lab_plan).
    type: dict
    required: true
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
"""

from ansible_collections.nestedcloud.openstack.plugins.module_utils.cloud import CloudModule
from ansible_collections.nestedcloud.openstack.plugins.module_utils.owned import (
    Changes,
    ensure_tag,
    marker,
    one_owned,
)

SELF = "self"  # stands for the lab group's own id in desired rules
EGRESS = [("egress", "IPv4", None, None, None, None, None), ("egress", "IPv6", None, None, None, None, None)]


def desired_rules(plan):
    """Rules of each group as tuples (direction, ethertype, protocol, min, max, remote prefix, remote group)."""
    vxlan = plan["networks"]["overlay"]["udp_port"]
    lab = [("ingress", "IPv4", None, None, None, None, SELF),
           ("ingress", "IPv4", "udp", vxlan, vxlan, plan["networks"]["underlay"]["cidr"], None)] + EGRESS
    jump = [("ingress", "IPv4", "tcp", 22, 22, cidr, None) for cidr in plan["jumphost"]["ssh_allowed_cidrs"]] + EGRESS
    return {"lab": lab, "jumphost": jump}


def _key(rule, self_id):
    remote = rule.remote_group_id
    return (rule.direction, rule.ether_type, rule.protocol, rule.port_range_min, rule.port_range_max,
            rule.remote_ip_prefix, SELF if remote and remote == self_id else remote)


def _describe(rule):
    direction, ether, proto, low, high, prefix, group = rule
    ports = "" if low is None else ":%s" % (low if low == high else "%s-%s" % (low, high))
    source = prefix or ("the group" if group == SELF else group) or "anywhere"
    return "%s %s %s%s %s" % (direction, ether, proto or "any", ports, source)


def _group(cm, plan, changes, role, rules):
    net_api, name = cm.conn.network, "%s-%s" % (plan["name"], role)
    group = one_owned(plan, "security group", name, net_api.security_groups(name=name))
    if group is None:
        changes.record("create", "security_group", name, after=[_describe(r) for r in rules])
        if cm.check_mode:
            return {"name": name}
        group = net_api.create_security_group(name=name, description=marker(plan))
        net_api.set_tags(group, [plan["tag"]])
    else:
        ensure_tag(cm.conn, plan, net_api, group, changes, "security_group")
    have = dict((_key(r, group.id), r) for r in net_api.security_group_rules(security_group_id=group.id))
    want = set(rules)
    missing = [r for r in rules if r not in have]
    extra = [have[k] for k in have if k not in want]
    if missing or extra:
        changes.record("update", "security_group", name, before=sorted(_describe(k) for k in have),
                       after=[_describe(r) for r in rules])
    if not cm.check_mode:
        for rule in extra:
            net_api.delete_security_group_rule(rule)
        for direction, ether, proto, low, high, prefix, remote in missing:
            args = dict(security_group_id=group.id, direction=direction, ether_type=ether, protocol=proto,
                        port_range_min=low, port_range_max=high, remote_ip_prefix=prefix,
                        remote_group_id=group.id if remote == SELF else remote)
            net_api.create_security_group_rule(**dict((k, v) for k, v in args.items() if v is not None))
    return {"id": group.id, "name": name}


def main():
    cm = CloudModule(dict(plan=dict(type="dict", required=True),
                          state=dict(type="str", default="present", choices=["present", "absent"])),
                     supports_check_mode=True)

    def body(cm):
        plan, changes, groups = cm.params["plan"], Changes(cm.check_mode), {}
        if cm.params["state"] == "present":
            for role, rules in desired_rules(plan).items():
                groups[role] = _group(cm, plan, changes, role, rules)
        else:
            net_api = cm.conn.network
            for role in ("jumphost", "lab"):
                name = "%s-%s" % (plan["name"], role)
                group = one_owned(plan, "security group", name, net_api.security_groups(name=name))
                if group is not None:
                    changes.record("delete", "security_group", name, before={"id": group.id})
                    if not cm.check_mode:
                        net_api.delete_security_group(group)
        cm.exit(changes.changed, security_groups=groups, **changes.result())

    cm.run(body)


if __name__ == "__main__":
    main()
