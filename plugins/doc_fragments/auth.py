# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the modules and the inventory plugin reach the outer cloud: openstack.cloud's options, names and meaning."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  cloud:
    description:
      - The outer cloud - the project the lab lives in - as the name of a C(clouds.yaml) entry, or a dict of a cloud's
        whole configuration (C(auth), C(region_name), C(interface)... as in a C(clouds.yaml) entry), which is then
        used alone.
      - openstacksdk looks for C(clouds.yaml) in the current directory, C(~/.config/openstack/) and
        C(/etc/openstack/), or where E(OS_CLIENT_CONFIG_FILE) points (AWX's OpenStack credential sets it).
      - When not given, openstacksdk takes the entry named by E(OS_CLOUD), else the only entry of C(clouds.yaml),
        else the E(OS_*) variables of a sourced openrc (E(OS_AUTH_URL), E(OS_USERNAME)...).
      - The roles pass C(nestedcloud_lab.cloud) when the lab names one (not C(auto)).
    type: raw
  auth:
    description:
      - Authentication, as in a C(clouds.yaml) entry (C(auth_url), C(username), C(password), C(project_name),
        C(user_domain_name), C(project_domain_name), or C(application_credential_id) and
        C(application_credential_secret)...). It is laid over what O(cloud) names.
      - Not with a dict in O(cloud).
    type: dict
  auth_type:
    description: keystoneauth1's authentication plugin, such as C(password), C(v3applicationcredential) or C(token).
    type: str
  region_name:
    description: The region of the outer cloud.
    type: str
  interface:
    description: Which endpoints of the service catalog to use.
    type: str
    choices: [admin, internal, public]
    default: public
    aliases: [endpoint_type]
  validate_certs:
    description:
      - Whether to verify the cloud's TLS certificates. When not given, what the cloud's configuration says (yes,
        by default).
    type: bool
    aliases: [verify]
  ca_cert:
    description: A bundle of CA certificates that the cloud's TLS certificates are checked against.
    type: path
    aliases: [cacert]
  client_cert:
    description: A client certificate for TLS, if the cloud asks for one.
    type: path
    aliases: [cert]
  client_key:
    description: The key of O(client_cert), if it is a separate file.
    type: path
    aliases: [key]
  api_timeout:
    description:
      - Seconds one API request may wait for its answer. A cloud that accepts connections and never answers fails
        after this long, instead of hanging. A refused or unresolvable endpoint fails at once, naming it.
      - Modules with O(ignore:timeout) never wait longer than it for one answer.
    type: int
    default: 60
requirements:
  - openstacksdk >= 1.0.0
"""
