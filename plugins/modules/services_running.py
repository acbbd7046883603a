#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: services_running
short_description: Several systemd services running and enabled, in one call
version_added: 0.1.0
description:
  - Reads the state of every unit of O(names) with one C(systemctl show), enables the disabled ones with one
    C(systemctl enable) and starts the stopped ones with one C(systemctl start) (systemd starts them side by side).
    A loop of M(ansible.builtin.systemd_service) costs one module run per unit; this costs one per host, which is
    what a converged host's run waits for.
  - Fails, naming them, when a unit does not exist or is masked (before changing anything), or when a unit is not
    running after the start.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports what would be enabled and started, and changes nothing.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  names:
    description: The units, as C(systemctl) names them (C(nova-api) or C(nova-api.service)).
    type: list
    elements: str
    required: true
  enabled:
    description: Also enable them at boot (units whose unit file state is C(disabled)).
    type: bool
    default: true
notes:
  - Units with nothing to enable (C(static), C(indirect), C(generated)) are only started.
"""

EXAMPLES = r"""
- name: Controller services running
  nestedcloud.openstack.services_running:
    names: [mariadb, rabbitmq-server, memcached]
"""

RETURN = r"""
enabled:
  description: The units that were enabled (would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [memcached]
started:
  description: The units that were started (would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [rabbitmq-server, memcached]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.host.systemd_units import (
    not_running, parse_show, plan, show_argv)


def states(module, systemctl, units):
    rc, out, err = module.run_command(show_argv(systemctl, units))
    if rc != 0:
        module.fail_json(msg="systemctl show failed: %s" % (err or out).strip())
    try:
        return parse_show(out, units)
    except ValueError as exc:
        module.fail_json(msg="names: %s" % exc)


def main():
    module = AnsibleModule(argument_spec=dict(
        names=dict(type="list", elements="str", required=True),
        enabled=dict(type="bool", default=True),
    ), supports_check_mode=True)
    names = list(dict.fromkeys(module.params["names"]))  # each unit once, in order
    if not names:
        module.fail_json(msg="names: give at least one unit")
    systemctl = module.get_bin_path("systemctl", required=True)
    to_enable, to_start, problems = plan(states(module, systemctl, names), module.params["enabled"])
    if problems:
        module.fail_json(msg="names: %s" % "; ".join(problems))
    result = dict(changed=bool(to_enable or to_start), enabled=to_enable, started=to_start)
    if module.check_mode or not result["changed"]:
        module.exit_json(**result)
    for verb, units in (("enable", to_enable), ("start", to_start)):
        if units:
            rc, out, err = module.run_command([systemctl, verb, "--"] + units)
            if rc != 0:
                module.fail_json(msg="systemctl %s %s failed: %s" % (verb, " ".join(units), (err or out).strip()),
                                 **result)
    down = not_running(states(module, systemctl, names))
    if down:
        module.fail_json(msg="not running after the start: %s" % ", ".join(down), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
