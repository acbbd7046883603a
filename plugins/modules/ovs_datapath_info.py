#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ovs_datapath_info
short_description: Decide whether Open vSwitch uses the kernel's datapath or its userspace one on this host
version_added: 0.1.0
description:
  - Reads whether the kernel modules the OVS kernel datapath needs for OVN (C(openvswitch), and C(geneve) for its
    tunnels) are loaded (C(/sys/module)), built in (C(modules.builtin)) or can be loaded (a module file in
    C(modules.dep), and a kernel that loads modules at all - C(/proc/modules)).
  - Decides the datapath, C(kernel) (OVS C(datapath_type=system)) where the kernel gives both modules, else
    C(userspace) (C(datapath_type=netdev)), and says why, naming what is missing. As M(nestedcloud.openstack.virt_info)
    does for KVM.
  - Read-only; it loads nothing (RV(load) lists the modules to load before OVS starts).
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Read-only; check mode returns the same facts.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  datapath:
    description:
      - C(auto) decides from the kernel; C(userspace) is taken as asked; C(kernel) fails naming the missing modules
        when the kernel cannot give them.
    type: str
    choices: [auto, kernel, userspace]
    default: auto
  root:
    description:
      - Directory under which C(proc/), C(sys/) and C(lib/modules/) are read. C(/) on a real host; a recorded tree in
        tests.
    type: path
    default: /
  kernel_release:
    description: The kernel release whose C(lib/modules) directory is read; empty takes the running kernel's.
    type: str
    default: ""
"""

EXAMPLES = r"""
- name: Which datapath can Open vSwitch use here?
  nestedcloud.openstack.ovs_datapath_info:
    datapath: "{{ nestedcloud_plan.lab.overcloud.ovs_datapath }}"
  register: ovs

- name: Say it
  ansible.builtin.debug:
    msg: "OVS uses the {{ ovs.datapath }} datapath ({{ ovs.reason }})"
"""

RETURN = r"""
datapath:
  description: The datapath OVS uses on this host.
  returned: always
  type: str
  choices: [kernel, userspace]
  sample: userspace
datapath_type:
  description: The OVS bridges' C(datapath_type) that goes with it.
  returned: always
  type: str
  choices: [system, netdev]
  sample: netdev
reason:
  description: Why, in one sentence.
  returned: always
  type: str
  sample: the kernel lacks openvswitch (not in the kernel, and the kernel loads no modules)
load:
  description: The modules to load before OVS starts (kernel datapath only).
  returned: always
  type: list
  elements: str
  sample: []
kernel_release:
  description: The kernel release read.
  returned: always
  type: str
module_loading:
  description: Whether this kernel loads modules (C(/proc/modules) exists).
  returned: always
  type: bool
modules:
  description: Per module (C(openvswitch), C(geneve)) whether it is C(loaded), C(builtin) and C(loadable).
  returned: always
  type: dict
  sample: {"openvswitch": {"loaded": false, "builtin": false, "loadable": false}}
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestedcloud.openstack.plugins.module_utils.host.ovs import decide, gather


def main():
    module = AnsibleModule(argument_spec=dict(
        datapath=dict(type="str", choices=["auto", "kernel", "userspace"], default="auto"),
        root=dict(type="path", default="/"),
        kernel_release=dict(type="str", default=""),
    ), supports_check_mode=True)
    root = module.params["root"]
    if not os.path.isdir(os.path.join(root, "sys")):
        module.fail_json(msg="root: %s has no sys/; give the directory that holds proc/, sys/ and lib/modules/" % root)
    facts = gather(root, module.params["kernel_release"] or os.uname().release)
    try:
        decision = decide(facts, module.params["datapath"])
    except ValueError as err:
        module.fail_json(msg="datapath: %s" % err, **facts)
    module.exit_json(changed=False, **dict(facts, **decision))


if __name__ == "__main__":
    main()
