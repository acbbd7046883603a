#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: undercloud_floating_ip
short_description: Give r0 the lab's one floating IP
version_added: 0.1.0
description:
  - Makes sure the lab owns exactly one floating IP on the plan's external network, associated with r0's port.
    The lab reaches everything else through r0, so it needs no other.
  - The floating IP is found by the lab's tag or its C(nestedcloud:<lab>) description, never by address alone, so
    a re-run keeps the same address.
  - With O(state=absent) it is released.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.cloud
attributes:
  check_mode:
    support: full
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
    description: Whether the floating IP should exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Give r0 its floating IP
  nestedcloud.openstack.undercloud_floating_ip:
    cloud: mycloud
    plan: "{{ lab.plan }}"
  register: fip

- name: Show how to reach the lab
  ansible.builtin.debug:
    msg: "ssh -J {{ fip.floating_ip.address }} uc-0001"
"""

RETURN = r"""
floating_ip:
  description: The floating IP (id, address, port it is on).
  returned: always
  type: dict
  sample: {"id": "2f1e...", "address": "203.0.113.17", "port_id": "9c0d..."}
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

from ansible_collections.nestedcloud.openstack.plugins.module_utils.cloud import CloudError, CloudModule
from ansible_collections.nestedcloud.openstack.plugins.module_utils.owned import Changes, ensure_tag, marker, owns


def _port_of_r0(cm, plan):
    r0 = plan["hosts"][plan["groups"]["jumphost"][0]]
    name = "%s-%s" % (plan["name"], r0["name"])
    ports = [p for p in cm.conn.network.ports(name=name) if owns(plan, p)]
    if not ports:
        raise CloudError("port %s" % name, "not found: run nestedcloud.openstack.undercloud_servers first")
    return ports[0]


def main():
    cm = CloudModule(dict(plan=dict(type="dict", required=True),
                          state=dict(type="str", default="present", choices=["present", "absent"])),
                     supports_check_mode=True)

    def body(cm):
        plan, changes, net_api = cm.params["plan"], Changes(cm.check_mode), cm.conn.network
        mine = [f for f in net_api.ips(project_id=cm.conn.current_project_id) if owns(plan, f)]
        if cm.params["state"] == "absent":
            for fip in mine:
                changes.record("delete", "floating_ip", fip.floating_ip_address, before={"id": fip.id})
                if not cm.check_mode:
                    net_api.delete_ip(fip)
            cm.exit(changes.changed, floating_ip={}, **changes.result())
        external = plan["jumphost"]["external_network"]
        if not external:
            raise CloudError("floating IP", "the lab has no external_network, so r0 cannot get a floating IP")
        network = net_api.find_network(external, ignore_missing=True)
        if network is None:
            raise CloudError("external network %s" % external, "not found")
        port = _port_of_r0(cm, plan)
        keep, extra = (mine[0], mine[1:]) if mine else (None, [])
        for fip in extra:  # a lost answer once made a second one: release it
            changes.record("delete", "floating_ip", fip.floating_ip_address, before={"id": fip.id})
            if not cm.check_mode:
                net_api.delete_ip(fip)
        if keep is None:
            changes.record("create", "floating_ip", "r0", after={"port": port.name})
            if not cm.check_mode:
                keep = net_api.create_ip(floating_network_id=network.id, port_id=port.id, description=marker(plan))
                net_api.set_tags(keep, [plan["tag"]])
        else:
            ensure_tag(cm.conn, plan, net_api, keep, changes, "floating_ip")
            if keep.port_id != port.id:
                changes.record("update", "floating_ip", keep.floating_ip_address, before={"port_id": keep.port_id},
                               after={"port_id": port.id})
                if not cm.check_mode:
                    keep = net_api.update_ip(keep, port_id=port.id)
        result = dict(id=keep.id, address=keep.floating_ip_address, port_id=keep.port_id) if keep else {}
        cm.exit(changes.changed, floating_ip=result, **changes.result())

    cm.run(body)


if __name__ == "__main__":
    main()
