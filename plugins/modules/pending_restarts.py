#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: pending_restarts
short_description: Find the services whose settings changed after they last took them (a run killed before its handlers)
version_added: 0.1.0
description:
  - A run that writes a service's settings and is killed before its handlers run leaves the service running the old
    settings, and the next run sees the files unchanged and notifies nothing. This module closes that gap with a
    record per topic (a handler topic such as C(jumphost squid changed)) - a file in O(state_dir) that the handler
    touches after it restarted or reloaded the service (O(applied)).
  - Without O(applied), reports as RV(pending) every topic one of whose O(topics) files is newer than the topic's
    record, or exists while the record does not. Read-only then.
  - With O(applied), touches the record of each topic named, since those settings are now in effect.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reading changes nothing; with O(applied), check mode reports the change and touches nothing.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  topics:
    description: The files of each topic's settings, by topic name. Files that do not exist are left out.
    type: dict
    default: {}
  applied:
    description: Topics whose settings were just put in effect (a handler's last step); their records are touched.
    type: list
    elements: str
    default: []
  state_dir:
    description: Where the records are kept (one empty file per topic, made 0755 root when missing).
    type: path
    default: /var/lib/nestedcloud/applied
"""

EXAMPLES = r"""
- name: Settings an interrupted run wrote but never applied
  nestedcloud.openstack.pending_restarts:
    topics:
      jumphost squid changed: [/etc/squid/squid.conf]
  register: pending

- name: Restart them
  ansible.builtin.debug:
    msg: "{{ item }}"
  loop: "{{ pending.pending }}"
  changed_when: true
  notify: "{{ item }}"

# the last handler of the topic
- name: Record that squid took its settings
  nestedcloud.openstack.pending_restarts:
    applied: [jumphost squid changed]
  listen: jumphost squid changed
"""

RETURN = r"""
pending:
  description: Topics whose settings are newer than their record, in the order of O(topics).
  returned: always
  type: list
  elements: str
  sample: [jumphost chrony changed]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.settings import DEFAULT_STATE_DIR, mark_applied, pending


def main():
    module = AnsibleModule(argument_spec=dict(
        topics=dict(type="dict", default={}),
        applied=dict(type="list", elements="str", default=[]),
        state_dir=dict(type="path", default=DEFAULT_STATE_DIR),
    ), supports_check_mode=True)
    p = module.params
    for topic, paths in p["topics"].items():
        if not isinstance(paths, list) or not all(isinstance(x, str) for x in paths):
            module.fail_json(msg="topics[%s]: a list of file paths is needed, not %r" % (topic, paths))
    if p["applied"]:
        if not module.check_mode:
            mark_applied(p["applied"], p["state_dir"])
        module.exit_json(changed=True, pending=[])
    module.exit_json(changed=False, pending=pending(p["topics"], p["state_dir"]))


if __name__ == "__main__":
    main()
