#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: overcloud_identity
short_description: Reconcile projects, users, role assignments, services and endpoints in the inner cloud's Keystone
version_added: 0.1.0
description:
  - Makes the inner cloud's Keystone hold the given projects, users (with their roles on a project), services and
    their endpoints, creating what is missing and correcting endpoint URLs. It never deletes anything.
  - A user's password is set when the user is created; with O(update_password=always) it is set on every run (and
    the module then always reports a change for that user).
  - Runs where Keystone is reachable (the controller), with the Keystone admin's credentials; works with the
    openstacksdk of Debian 12 (0.101) and newer.
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
  roles:
    description: Roles that must exist besides those Keystone's bootstrap makes (C(admin), C(member), C(reader)).
    type: list
    elements: str
    default: []
  projects:
    description: Projects that must exist (in the admin's domain).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Project name.
        type: str
        required: true
      description:
        description: Its description, used when it is created.
        type: str
        default: ""
  users:
    description: Users that must exist, each with roles on one project.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: User name.
        type: str
        required: true
      password:
        description: The user's password.
        type: str
        required: true
      project:
        description: The project the roles are on; also the user's default project.
        type: str
        required: true
      roles:
        description: Roles on O(users[].project); each must exist or be in O(roles).
        type: list
        elements: str
        default: [member]
  services:
    description: Services of the catalog, with their endpoints.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Service name (C(nova), C(glance), ...).
        type: str
        required: true
      type:
        description: Service type (C(compute), C(image), ...).
        type: str
        required: true
      description:
        description: Its description.
        type: str
        default: ""
      url:
        description: URL of its public, internal and admin endpoints.
        type: str
        required: true
  update_password:
    description: Set users' passwords only when they are created (C(on_create)) or on every run (C(always)).
    type: str
    choices: [on_create, always]
    default: on_create
  timeout:
    description: Seconds for each API call.
    type: int
    default: 60
"""

EXAMPLES = r"""
- name: Service users and the catalog of the inner cloud
  nestedcloud.openstack.overcloud_identity:
    auth:
      auth_url: http://10.22.0.11:5000/v3
      password: "{{ overcloud_secrets.admin }}"
    users:
      - {name: nova, password: "{{ overcloud_secrets.nova }}", project: service, roles: [admin, service]}
    projects:
      - {name: service, description: Service users}
    services:
      - {name: nova, type: compute, url: "http://10.22.0.11:8774/v2.1"}
  no_log: true
"""

RETURN = r"""
actions:
  description: What was done, or would be done in check mode, one line each.
  returned: always
  type: list
  elements: str
  sample: ["create project service", "create user nova", "grant admin on service to nova",
           "create service nova (compute)", "create public endpoint of nova"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.api import (
    ADMIN_ARGS, require_admin_auth, connect_admin, openstack, require_sdk)

INTERFACES = ("public", "internal", "admin")


class Identity:
    """The reconciliation, on an openstacksdk connection; ``check`` only lists the actions."""

    def __init__(self, conn, domain, region, check):
        self.conn, self.region, self.check = conn, region, check
        self.domain = conn.identity.find_domain(domain, ignore_missing=False)
        self.actions = []
        self.planned_roles = set()

    def act(self, line, call, *args, **kwargs):
        self.actions.append(line)
        return None if self.check else call(*args, **kwargs)

    def role(self, name):
        found = self.conn.identity.find_role(name)
        return found or self.act("create role %s" % name, self.conn.identity.create_role, name=name)

    def project(self, name, description=""):
        found = self.conn.identity.find_project(name, domain_id=self.domain.id)
        return found or self.act("create project %s" % name, self.conn.identity.create_project, name=name,
                                 description=description, domain_id=self.domain.id)

    def user(self, spec, always_password):
        project = self.project(spec["project"])
        user = self.conn.identity.find_user(spec["name"], domain_id=self.domain.id)
        if user is None:
            user = self.act("create user %s" % spec["name"], self.conn.identity.create_user, name=spec["name"],
                            password=spec["password"], domain_id=self.domain.id,
                            default_project_id=project.id if project else None)
        elif always_password:
            self.act("set the password of user %s" % spec["name"], self.conn.identity.update_user, user,
                     password=spec["password"])
        for role_name in spec["roles"]:
            role = self.conn.identity.find_role(role_name)
            if role is None and role_name not in self.planned_roles:
                raise LookupError("users[%s].roles: role %s does not exist in Keystone" % (spec["name"], role_name))
            if role is not None and user is not None and project is not None and \
                    self.conn.identity.validate_user_has_project_role(project, user, role):
                continue
            self.act("grant %s on %s to %s" % (role_name, spec["project"], spec["name"]),
                     self.conn.identity.assign_project_role_to_user, project, user, role)

    def service(self, spec):
        service = None
        for candidate in self.conn.identity.services():
            if candidate.name == spec["name"] and candidate.type == spec["type"]:
                service = candidate
        if service is None:
            service = self.act("create service %s (%s)" % (spec["name"], spec["type"]),
                               self.conn.identity.create_service, name=spec["name"], type=spec["type"],
                               description=spec["description"], is_enabled=True)
        existing = {}
        if service is not None:
            for endpoint in self.conn.identity.endpoints(service_id=service.id):
                if endpoint.region_id in (self.region, None):
                    existing[endpoint.interface] = endpoint
        for interface in INTERFACES:
            endpoint = existing.get(interface)
            if endpoint is None:
                self.act("create %s endpoint of %s" % (interface, spec["name"]), self.conn.identity.create_endpoint,
                         service_id=service.id if service else None, interface=interface, url=spec["url"],
                         region_id=self.region, is_enabled=True)
            elif endpoint.url != spec["url"]:
                self.act("set the %s endpoint of %s to %s" % (interface, spec["name"], spec["url"]),
                         self.conn.identity.update_endpoint, endpoint, url=spec["url"])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            **ADMIN_ARGS,
            roles=dict(type="list", elements="str", default=[]),
            projects=dict(type="list", elements="dict", default=[], options=dict(
                name=dict(type="str", required=True),
                description=dict(type="str", default=""))),
            users=dict(type="list", elements="dict", default=[], options=dict(
                name=dict(type="str", required=True),
                password=dict(type="str", required=True, no_log=True),
                project=dict(type="str", required=True),
                roles=dict(type="list", elements="str", default=["member"]))),
            services=dict(type="list", elements="dict", default=[], options=dict(
                name=dict(type="str", required=True),
                type=dict(type="str", required=True),
                description=dict(type="str", default=""),
                url=dict(type="str", required=True))),
            update_password=dict(type="str", choices=["on_create", "always"], default="on_create"),
            timeout=dict(type="int", default=60),
        ),
        supports_check_mode=True,
    )
    require_sdk(module)
    auth = module.params["auth"]
    require_admin_auth(module)
    for index, spec in enumerate(module.params["services"]):
        if not spec["url"].startswith(("http://", "https://")):
            module.fail_json(msg="services[%d].url: %r is not an http(s) URL" % (index, spec["url"]))
    try:
        conn = connect_admin(module.params, timeout=module.params["timeout"])
        identity = Identity(conn, auth["domain"], module.params["region"], module.check_mode)
        for name in module.params["roles"]:
            identity.planned_roles.add(name)
            identity.role(name)
        for spec in module.params["projects"]:
            identity.project(spec["name"], spec["description"])
        for spec in module.params["users"]:
            identity.user(spec, module.params["update_password"] == "always")
        for spec in module.params["services"]:
            identity.service(spec)
    except LookupError as err:
        module.fail_json(msg=str(err))
    except openstack.exceptions.SDKException as err:
        module.fail_json(msg="Keystone at %s: %s" % (auth["auth_url"], err))
    module.exit_json(changed=bool(identity.actions), actions=identity.actions)


if __name__ == "__main__":
    main()
