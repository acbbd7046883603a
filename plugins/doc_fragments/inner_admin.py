# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the inner-cloud modules reach the inner cloud: its admin (module_utils/inner/api.py ADMIN_ARGS)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  auth:
    description:
      - The inner cloud's admin. The roles take it from r0's C(clouds.yaml) entry C(overcloud), which the overcloud
        role (packaged kind) and the juju role (charmed kind) both write.
    type: dict
    required: true
    suboptions:
      auth_url:
        description: Keystone's URL, with C(/v3); an http(s) URL.
        type: str
        required: true
      username:
        description: The admin user.
        type: str
        default: admin
      password:
        description: Its password.
        type: str
        required: true
      project_name:
        description: The admin project.
        type: str
        default: admin
      domain:
        description: Keystone domain of the user and the project (charmed OpenStack's is C(admin_domain)).
        type: str
        default: Default
      cacert:
        description: CA bundle of the inner cloud's TLS endpoints (charmed OpenStack's Vault CA); unset for plain HTTP.
        type: path
  region:
    description: The region of the inner cloud's endpoints.
    type: str
    default: RegionOne
"""
