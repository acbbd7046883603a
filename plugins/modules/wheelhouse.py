#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: wheelhouse
short_description: A directory with every Python package a release's lock pins, for the hosts' Python
version_added: 0.1.0
description:
  - Makes O(dest) hold a distribution of every package O(lock) pins, so that hosts install an OpenStack release's
    services from it with no package index (C(pip install --no-index --find-links)), every host the same bytes.
  - Takes wheels for CPython O(python_version) on x86_64 Linux (manylinux), whatever Python runs the module; a package
    published only as a source distribution is taken as that, and pip builds it on the host that installs it.
  - Downloads only the pins that have no distribution in O(dest) yet, in one pip call (one more per source-only
    package); files go to a staging directory first and are moved in when pip has ended well, so a failed or killed
    run leaves nothing half written.
  - Runs where the package index is reachable, the Ansible controller (with C(delegate_to)) or the jumphost.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports the pins that would be downloaded; downloads nothing.
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - pip for the Python that runs the module (or O(pip))
options:
  lock:
    description:
      - The lock's text, one C(name==version) a line (comments and blank lines allowed), as
        C(scripts/release-lock.sh) writes it; anything else is refused.
    type: str
    required: true
  dest:
    description: The wheelhouse directory (created when missing).
    type: path
    required: true
  python_version:
    description: The CPython version of the hosts that install from it, like C(3.13).
    type: str
    required: true
  pip:
    description: The pip command, as a list. Defaults to the pip of the Python that runs the module.
    type: list
    elements: str
  index_url:
    description: The package index to download from. Defaults to pip's own setting.
    type: str
seealso:
  - module: nestedcloud.openstack.settings_files
"""

EXAMPLES = r"""
- name: The wheelhouse of OpenStack 2026.1 for Debian 13's Python, on the controller
  nestedcloud.openstack.wheelhouse:
    lock: "{{ lookup('ansible.builtin.file', 'pypi/2026.1-cp313.txt') }}"
    dest: "{{ playbook_dir }}/.cache/wheelhouse/2026.1-cp313"
    python_version: "3.13"
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
pins:
  description: How many packages the lock pins.
  returned: always
  type: int
  sample: 216
missing:
  description: The pins that had no distribution in O(dest) before this run (downloaded now, or in check mode would
    be).
  returned: always
  type: list
  elements: str
  sample: ["ovs==3.7.0"]
wheels:
  description: The wheel files added.
  returned: always
  type: list
  elements: str
  sample: ["nova-33.0.2-py3-none-any.whl"]
sdists:
  description: The source distributions added (packages with no wheel for the target).
  returned: always
  type: list
  elements: str
  sample: ["ovs-3.7.0.tar.gz"]
"""

import sys

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner import wheelhouse


def main():
    module = AnsibleModule(argument_spec=dict(
        lock=dict(type="str", required=True),
        dest=dict(type="path", required=True),
        python_version=dict(type="str", required=True),
        pip=dict(type="list", elements="str"),
        index_url=dict(type="str"),
    ), supports_check_mode=True)
    p = module.params
    if not wheelhouse.PYTHON.match(p["python_version"]):
        module.fail_json(msg="python_version: %r is not a CPython version like 3.13" % p["python_version"])
    try:
        pins = wheelhouse.parse_lock(p["lock"])
        wanted = wheelhouse.missing(pins, p["dest"])
        wheels, sdists = [], []
        if wanted and not module.check_mode:
            wheels, sdists = wheelhouse.fill(p["dest"], pins, p["pip"] or [sys.executable, "-m", "pip"],
                                             module.run_command, p["python_version"], index_url=p["index_url"])
    except (wheelhouse.WheelhouseError, OSError) as err:
        module.fail_json(msg=str(err))
    module.exit_json(changed=bool(wanted), pins=len(pins), missing=["%s==%s" % pin for pin in wanted],
                     wheels=wheels, sdists=sdists)


if __name__ == "__main__":
    main()
