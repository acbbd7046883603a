#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: undercloud_teardown
short_description: Delete every outer-cloud resource of a lab, by its tag, and prove nothing is left
version_added: 0.1.0
description:
  - Finds everything the lab owns - by the tag C(nestedcloud-<lab>), the C(nestedcloud:<lab>) description marker,
    or (servers, volumes) the lab metadata - whatever the current plan says, and deletes it in dependency order -
    servers (and waits), volumes, ports, router interfaces and routers, subnets and networks, security groups, the
    keypair C(<lab>-key), and the floating IPs last.
  - Conflicts (a resource still in use a moment after its user went) are retried until O(timeout).
  - Ends by listing again; RV(remaining) must be empty, otherwise the module fails and names what is left.
  - Resources of the project that are not the lab's are never touched.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.auth
  - nestedcloud.openstack.cloud
attributes:
  check_mode:
    support: full
    details: Lists in RV(actions) everything that would be deleted.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  name:
    description: The lab name (C(nestedcloud_lab.name)).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Remove the lab from the outer cloud
  nestedcloud.openstack.undercloud_teardown:
    cloud: mycloud
    name: lab1
"""

RETURN = r"""
deleted:
  description: How many resources of each kind were deleted (or would be, in check mode).
  returned: always
  type: dict
  sample: {"server": 5, "port": 5, "floating_ip": 1}
remaining:
  description: Resources of the lab still there after the teardown; empty on success.
  returned: always
  type: list
  elements: str
actions:
  description: Every deletion, in order.
  returned: always
  type: list
  elements: dict
api_calls:
  description: HTTP requests sent to the cloud, by method; logins to Keystone are counted as C(auth).
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

import time

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import CloudModule, parallel
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.owned import Changes, owned_resources

try:
    from openstack.exceptions import ConflictException, NotFoundException
except ImportError:  # pragma: no cover - CloudModule reports the missing SDK
    ConflictException = NotFoundException = Exception


def _label(kind, item):
    return getattr(item, "floating_ip_address", None) if kind == "floating_ip" else (item.name or item.id)


def _delete(conn, kind, item):
    if kind == "server":
        conn.compute.delete_server(item)
    elif kind == "volume":
        for attachment in item.attachments or []:
            conn.compute.delete_volume_attachment(attachment["server_id"], item.id, ignore_missing=True)
        conn.block_storage.delete_volume(item)
    elif kind == "port":
        conn.network.delete_port(item)
    elif kind == "router":
        if item.external_gateway_info:
            conn.network.update_router(item, external_gateway_info={})
        for port in conn.network.ports(device_id=item.id, device_owner="network:router_interface"):
            for ip in port.fixed_ips:
                conn.network.remove_interface_from_router(item, subnet_id=ip["subnet_id"])
        conn.network.delete_router(item)
    elif kind == "network":
        conn.network.delete_network(item)  # its subnets go with it
    elif kind == "security_group":
        conn.network.delete_security_group(item)
    elif kind == "keypair":
        conn.compute.delete_keypair(item)
    elif kind == "floating_ip":
        conn.network.delete_ip(item)


def _settle(conn, kind, items, deadline):
    """Wait until the items of ``kind`` are gone (servers and volumes take a while)."""
    for item in items:
        if kind == "server":
            conn.compute.wait_for_delete(item, wait=max(1, int(deadline - time.monotonic())))
        elif kind == "volume":
            conn.block_storage.wait_for_delete(item, wait=max(1, int(deadline - time.monotonic())))


def main():
    cm = CloudModule(dict(name=dict(type="str", required=True)), supports_check_mode=True)

    def body(cm):
        lab = {"name": cm.params["name"]}
        changes, deleted, deadline = Changes(cm.check_mode), {}, cm.deadline()
        for kind, items in owned_resources(cm.conn, lab["name"]):
            for item in items:
                changes.record("delete", kind, _label(kind, item), before={"id": item.id})
            deleted[kind] = len(items)
            if cm.check_mode or not items:
                continue
            pending = items
            while pending:
                _results, errors = parallel(pending, lambda item, kind=kind: _delete(cm.conn, kind, item),
                                            cm.params["concurrency"])
                errors = [(item, err) for item, err in errors if not isinstance(err, NotFoundException)]
                busy = [(item, err) for item, err in errors if isinstance(err, ConflictException)]
                if len(busy) < len(errors):
                    item, err = [e for e in errors if not isinstance(e[1], ConflictException)][0]
                    cm.fail("%s %s: %s" % (kind, _label(kind, item), err), resource="%s %s" % (kind, _label(kind, item)))
                if busy and time.monotonic() > deadline:
                    cm.fail("%s %s: still in use when the timeout ran out: %s"
                            % (kind, _label(kind, busy[0][0]), busy[0][1]))
                pending = [item for item, _err in busy]
                if pending:
                    time.sleep(2)
            _settle(cm.conn, kind, items, deadline)
        remaining = []
        if not cm.check_mode:
            remaining = ["%s %s" % (kind, _label(kind, item)) for kind, items in owned_resources(cm.conn, lab["name"])
                         for item in items]
        if remaining:
            cm.fail("the teardown left %d resources of lab %s: %s" % (len(remaining), lab["name"], ", ".join(remaining)),
                    remaining=remaining, deleted=deleted, actions=changes.actions)
        cm.exit(changes.changed, deleted=dict((k, v) for k, v in deleted.items() if v), remaining=remaining,
                actions=changes.actions)

    cm.run(body)


if __name__ == "__main__":
    main()
