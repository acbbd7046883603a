# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ownership of outer-cloud resources, and the find -> diff -> act shape every resource follows.

A lab owns a resource when it carries the lab's tag (``plan.tag``) or, for a resource whose
tagging call was lost (Neutron of Zed takes no tags in a POST, so tagging is a second call), the
``nestedcloud:<lab>`` marker that the create call itself wrote into its description. Found
resources with only the marker are tagged again. Nothing is ever matched by name alone, so
resources of the same project that are not the lab's are never touched.
"""

from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import CloudError

LAB_KEY = "nestedcloud-lab"  # metadata of servers and volumes (Cinder has no tags)
HOST_KEY = "nestedcloud-host"


def marker(plan):
    return "nestedcloud:%s" % plan["name"]


def owns(plan, resource):
    return plan["tag"] in (getattr(resource, "tags", None) or []) or getattr(resource, "description", None) == marker(plan)


class Changes:
    """What a run did (or, in check mode, would do): actions, diff before/after, changed."""

    def __init__(self, check_mode):
        self.check_mode = check_mode
        self.actions = []
        self.before = {}
        self.after = {}

    @property
    def changed(self):
        return bool(self.actions)

    def record(self, action, kind, name, before=None, after=None, **details):
        entry = dict(action=action, kind=kind, name=name)
        entry.update(details)
        self.actions.append(entry)
        key = "%s/%s" % (kind, name)
        self.before[key] = before
        self.after[key] = after

    def result(self):
        return dict(actions=self.actions, diff=dict(before=self.before, after=self.after))


def one_owned(plan, kind, name, candidates):
    """The single owned resource named ``name`` among ``candidates``; fail on duplicates."""
    mine = [r for r in candidates if r.name == name and owns(plan, r)]
    if len(mine) > 1:
        raise CloudError("%s %s" % (kind, name), "%d resources of this lab share the name (%s); delete all but one "
                         "or run the teardown" % (len(mine), ", ".join(sorted(r.id for r in mine))))
    return mine[0] if mine else None


def ensure_tag(conn, plan, proxy, resource, changes, kind):
    """Tag a resource that only carries the description marker (its tagging call was lost)."""
    if plan["tag"] in (resource.tags or []):
        return
    changes.record("tag", kind, resource.name, before={"tags": resource.tags}, after={"tags": [plan["tag"]]})
    if not changes.check_mode:
        proxy.set_tags(resource, list(resource.tags or []) + [plan["tag"]])


def differences(current, desired):
    """Keys of ``desired`` whose value differs from ``current`` (lists compared as given)."""
    return dict((key, value) for key, value in desired.items() if current.get(key) != value)


def owns_by_metadata(plan, resource):
    return owns(plan, resource) or (getattr(resource, "metadata", None) or {}).get(LAB_KEY) == plan["name"]


def host_of(server):
    """The lab host name a server stands for (its metadata, else its name)."""
    return (server.metadata or {}).get(HOST_KEY, server.name)


def owned_servers(conn, plan):
    """The lab's servers by host name, from one list call."""
    return dict((host_of(s), s) for s in conn.compute.servers(details=True) if owns_by_metadata(plan, s))


def owned_volumes(conn, plan):
    """The lab's volumes by volume name, from one list call."""
    return dict((v.name, v) for v in conn.block_storage.volumes(details=True) if owns_by_metadata(plan, v))


def owned_resources(conn, name):
    """Everything lab ``name`` owns, kind by kind, in the order a teardown must delete them."""
    plan = {"name": name, "tag": "nestedcloud-%s" % name}
    project = conn.current_project_id
    net = conn.network

    def mine(items):
        return [i for i in items if owns(plan, i)]

    keypair = conn.compute.find_keypair("%s-key" % name, ignore_missing=True)
    return [
        ("server", [s for s in conn.compute.servers(details=True) if owns_by_metadata(plan, s)]),
        ("volume", list(owned_volumes(conn, plan).values())),
        ("port", [p for p in mine(net.ports(project_id=project)) if not (p.device_owner or "").startswith("network:")]),
        ("router", mine(net.routers(project_id=project))),
        ("network", mine(net.networks(project_id=project))),
        ("security_group", mine(net.security_groups(project_id=project))),
        ("keypair", [keypair] if keypair is not None else []),
        ("floating_ip", mine(net.ips(project_id=project))),
    ]
