#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: htpasswd_bcrypt
short_description: One user with a bcrypt password in an htpasswd file (as sushy-emulator reads it)
version_added: 0.1.0
description:
  - Makes O(path) hold the line C(name:$2b$...) for O(name), a bcrypt digest of O(password), keeping the other
    users' lines. The digest is written again only when the password no longer matches it (bcrypt salts every
    digest, so a blind rewrite would change the file on every run).
  - sushy-emulator (the lab's Redfish power interface) accepts bcrypt digests only.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - bcrypt (Python; Debian and Ubuntu package it as python3-bcrypt)
options:
  path:
    description: The htpasswd file; created with O(mode) when missing.
    type: path
    required: true
  name:
    description: The user.
    type: str
    required: true
  password:
    description: Its password; never logged.
    type: str
    required: true
  mode:
    description: Mode of the file, in octal.
    type: str
    default: "0640"
  group:
    description: Group of the file (the service that reads it); owner is root.
    type: str
    default: root
"""

EXAMPLES = r"""
- name: The power interface's user
  nestedcloud.openstack.htpasswd_bcrypt:
    path: /etc/nestedcloud/sushy/htpasswd
    name: nestedcloud
    password: "{{ power_password }}"
"""

RETURN = r"""
changed_user:
  description: The user whose line was added or replaced; empty when nothing changed.
  returned: always
  type: str
"""

import os
import re
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.files import write_whole

try:
    import bcrypt
    HAS_BCRYPT, BCRYPT_ERROR = True, None
except ImportError:
    bcrypt, HAS_BCRYPT, BCRYPT_ERROR = None, False, traceback.format_exc()

NAME = re.compile(r"^[^:\s]+$")


def matches(digest, password):
    try:
        return bcrypt.checkpw(password.encode("utf-8"), digest.encode("utf-8"))
    except ValueError:  # not a bcrypt digest (an MD5 or SHA line of another tool)
        return False


def wanted_lines(lines, name, password):
    """(new lines, changed): ``lines`` with ``name``'s line made to match ``password``."""
    out, found, changed = [], False, False
    for line in lines:
        user, sep, digest = line.partition(":")
        if sep and user == name:
            if found:  # a second line for the user: drop it
                changed = True
                continue
            found = True
            if not matches(digest.strip(), password):
                line, changed = "%s:%s" % (name, bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode()), True
        out.append(line)
    if not found:
        out.append("%s:%s" % (name, bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode()))
        changed = True
    return out, changed


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            name=dict(type="str", required=True),
            password=dict(type="str", required=True, no_log=True),
            mode=dict(type="str", default="0640"),
            group=dict(type="str", default="root"),
        ),
        supports_check_mode=True,
    )
    if not HAS_BCRYPT:
        module.fail_json(msg=missing_required_lib("bcrypt (python3-bcrypt)"), exception=BCRYPT_ERROR)
    params = module.params
    if not NAME.match(params["name"]):
        module.fail_json(msg="name: %r may not be empty or hold ':' or spaces" % params["name"])
    if not params["password"]:
        module.fail_json(msg="password: may not be empty")
    if not re.match(r"^0?[0-7]{3}$", params["mode"]):
        module.fail_json(msg="mode: %r is not an octal mode such as 0640" % params["mode"])
    path = params["path"]
    lines = []
    if os.path.exists(path):
        with open(path) as handle:
            lines = [line.rstrip("\n") for line in handle if line.strip()]
    new, changed = wanted_lines(lines, params["name"], params["password"])
    if changed and not module.check_mode:
        directory = os.path.dirname(path) or "."
        if not os.path.isdir(directory):
            module.fail_json(msg="path: the directory %s does not exist" % directory)
        write_whole(path, "\n".join(new) + "\n", int(params["mode"], 8))
    file_args = module.load_file_common_arguments(dict(path=path, mode=params["mode"], owner="root",
                                                       group=params["group"]))
    if os.path.exists(path):
        changed = module.set_fs_attributes_if_different(file_args, changed)
    module.exit_json(changed=changed, changed_user=params["name"] if changed else "")


if __name__ == "__main__":
    main()
