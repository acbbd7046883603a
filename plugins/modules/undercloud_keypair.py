#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: undercloud_keypair
short_description: Reconcile the SSH keypair of a lab in the outer cloud
version_added: 0.1.0
description:
  - Makes the outer cloud hold the keypair C(<lab>-key) with the given public key; r0 and the uc- instances boot
    with it.
  - Nova keypairs carry neither tags nor descriptions, so the name is the only handle. The module therefore never
    replaces a keypair of that name that holds another key; it fails and says so. With O(state=absent) it deletes
    the keypair only if it holds the given key.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.auth
  - nestedcloud.openstack.cloud
  - nestedcloud.openstack.plan
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  public_key:
    description: The OpenSSH public key, one line.
    type: str
    required: true
  state:
    description: Whether the keypair should exist.
    type: str
    choices: [present, absent]
    default: present
"""

EXAMPLES = r"""
- name: Upload the lab's public key
  nestedcloud.openstack.undercloud_keypair:
    cloud: mycloud
    plan: "{{ lab.plan }}"
    public_key: "{{ lookup('ansible.builtin.file', '~/.ssh/nestedcloud-lab1.pub') }}"
"""

RETURN = r"""
keypair:
  description: Name and fingerprint of the keypair.
  returned: always
  type: dict
  sample: {"name": "lab1-key", "fingerprint": "9e:3b:..."}
actions:
  description: What was done, or would be done in check mode.
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

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import CloudModule, PLAN_ARG, STATE_ARG
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.owned import Changes
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.reconcile import check_public_key, keypair


def main():
    cm = CloudModule(dict(PLAN_ARG, public_key=dict(type="str", required=True), **STATE_ARG),
                     supports_check_mode=True)

    def body(cm):
        key, changes = cm.params["public_key"].strip(), Changes(cm.check_mode)
        check_public_key(key)
        result = keypair(cm, cm.params["plan"], key, cm.params["state"], changes)
        cm.exit(changes.changed, keypair=result, actions=changes.actions)

    cm.run(body)


if __name__ == "__main__":
    main()
