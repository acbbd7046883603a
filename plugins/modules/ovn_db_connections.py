#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ovn_db_connections
short_description: Where OVN's northbound and southbound databases listen
version_added: 0.1.0
description:
  - Brings the connections of OVN's northbound and southbound databases (C(ovn-nbctl)/C(ovn-sbctl)
    C(set-connection)) to the targets given, on the host that runs them (Debian's and Ubuntu's C(ovn-central)).
    Neutron's ML2/OVN driver reaches both, the chassis' ovn-controller the southbound one.
  - A database given gets exactly those targets; a database not given is left alone. A second run with the same
    options changes nothing.
  - A passive TCP target is C(ptcp:PORT:ADDRESS) - port first, unlike the active C(tcp:ADDRESS:PORT) its clients use.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports what would change and changes nothing.
  diff_mode:
    support: full
    details: Each database's targets before and after.
  platform:
    platforms: posix
requirements:
  - ovn-nbctl and ovn-sbctl (OVN's central package) on the host, its databases running
options:
  northbound:
    description: The targets the northbound database listens on, for example C(ptcp:6641:10.22.0.11); an empty list
      removes every one.
    type: list
    elements: str
  southbound:
    description: The targets the southbound database listens on, for example C(ptcp:6642:10.22.0.11); an empty list
      removes every one.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: OVN's databases answer Neutron and the chassis on the controller's address
  nestedcloud.openstack.ovn_db_connections:
    northbound: [ptcp:6641:10.22.0.11]
    southbound: [ptcp:6642:10.22.0.11]
"""

RETURN = r"""
changes:
  description: What changed (or would change in check mode), one line a database.
  returned: always
  type: list
  elements: str
  sample: ["southbound ptcp:6642:10.22.0.11 (was none)"]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestedcloud.openstack.plugins.module_utils.host.ovn_ctl import CTL, apply, commands, read, view
from ansible_collections.nestedcloud.openstack.plugins.module_utils.host.ovs_vsctl import OvsError, check_targets


def main():
    module = AnsibleModule(argument_spec=dict(
        northbound=dict(type="list", elements="str"),
        southbound=dict(type="list", elements="str"),
    ), supports_check_mode=True)
    wanted = dict((db, module.params[db]) for db in CTL if module.params[db] is not None)
    for db, targets in wanted.items():
        try:
            check_targets(targets, field=db)
        except OvsError as err:
            module.fail_json(msg=str(err), field=db)
    for db in wanted:
        if not module.get_bin_path(CTL[db]):
            module.fail_json(msg="%s is not installed on this host (package ovn-central)" % CTL[db], field=db)

    def run(argv):
        return module.run_command(argv)

    before, todo, changes = {}, [], []
    try:
        before = read(run, sorted(wanted))
        todo, changes = commands(before, wanted)
        if todo and not module.check_mode:
            apply(run, todo)
    except OvsError as err:
        module.fail_json(msg=str(err))
    result = dict(changed=bool(todo), changes=changes)
    if module._diff:
        after = dict((db, sorted(set(targets))) for db, targets in wanted.items())
        result["diff"] = {"before": view(before), "after": view(after)}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
