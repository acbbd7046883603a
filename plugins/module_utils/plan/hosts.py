# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab's inventory hosts and their connection variables, from the plan and the servers the outer cloud has.

One function for the inventory plugin (``nestedcloud.openstack.lab``) and for the undercloud layer, which adds the
hosts it has just created to the running play's inventory (so that one ``site.yml`` builds a lab from zero, as an
AWX job does with an inventory synced before the servers existed).
"""

from __future__ import annotations

import os


def default_user(image):
    """The login user cloud images of this name have by convention."""
    for user in ("ubuntu", "debian", "cirros", "centos", "fedora"):
        if user in (image or "").lower():
            return user
    return "root"


def login_user(lab):
    """The user for SSH on r0 and the uc- servers: the definition's ``image_user``, or by the image's name."""
    user = lab.get("image_user", "auto")
    return default_user(lab["image"]) if user == "auto" else user


def lab_hosts(plan, servers, floating_ip, ssh_user, ssh_key):
    """Host variables of every host, from the plan and ``servers`` ({host: {status, fixed_ip}})."""
    r0 = plan["groups"]["jumphost"][0]
    jump = "%s@%s" % (ssh_user, floating_ip) if floating_ip else None
    common = {"ansible_user": ssh_user, "ansible_ssh_private_key_file": ssh_key}
    hosts = {}
    for name, host in plan["hosts"].items():
        if host["kind"] != "nested" and name not in servers:
            continue  # r0 and uc- hosts exist only once their server does
        found = servers.get(name, {})
        variables = dict(common, nestedcloud_host=host, nestedcloud_server_status=found.get("status", "PLANNED"))
        if name == r0:
            variables["ansible_host"] = floating_ip or found.get("fixed_ip") or host["underlay_ip"]
        else:
            variables["ansible_host"] = found.get("fixed_ip") or host.get("underlay_ip") or host["overlay_ip"]
            if host["kind"] == "nested":
                variables["ansible_host"] = host["overlay_ip"]
            if jump:
                variables["ansible_ssh_common_args"] = "-o ProxyJump=%s -o StrictHostKeyChecking=accept-new" % jump
        hosts[name] = variables
    return hosts


def default_key(plan):
    """The lab's SSH key that the undercloud role makes on the controller."""
    return os.path.expanduser("~/.nestedcloud/%s/id_ed25519" % plan["name"])


def inventory(plan, servers, floating_ip, ssh_user=None, ssh_key=None):
    """The lab's inventory: ``{"hosts": {name: variables}, "groups": {name: [group, ...]}}`` for every host that
    exists (r0 and uc- hosts once their server does, oc- VMs as planned), each in the plan's groups."""
    hosts = lab_hosts(plan, servers, floating_ip, ssh_user or login_user(plan["lab"]), ssh_key or default_key(plan))
    groups = dict((name, sorted(g for g, members in plan["groups"].items() if name in members)) for name in hosts)
    return {"hosts": hosts, "groups": groups}
