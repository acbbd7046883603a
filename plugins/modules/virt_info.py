#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: virt_info
short_description: Decide whether nested VMs on this host run with KVM or fall back to QEMU/TCG
version_added: 0.1.0
description:
  - Reads the CPU vendor and its C(vmx)/C(svm) flag from C(/proc/cpuinfo), whether C(/dev/kvm) exists and can be
    opened, whether the vendor's KVM module is loaded and its C(nested) parameter, and whether C(/dev/kvm) belongs
    to C(kvm_pvm) (which runs only PVM guest kernels).
  - Decides the libvirt domain type of the nested C(oc-) VMs, C(kvm) with C(host-passthrough) or C(qemu) (TCG),
    and says why, naming the first missing piece.
  - Reports C(inner_virt_type), what the inner cloud's nova-compute inside a nested VM can use for its own guests
    (C(kvm) only when this host runs KVM with C(nested) on).
  - Read-only.
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
  root:
    description:
      - Directory under which C(proc/), C(sys/) and C(dev/) are read. C(/) on a real host; a recorded tree in
        tests, or the root of a chroot.
    type: path
    default: /
"""

EXAMPLES = r"""
- name: How can this host run its nested VMs?
  nestedcloud.openstack.virt_info:
  register: virt

- name: Say it
  ansible.builtin.debug:
    msg: "nested VMs use {{ virt.domain_type }} ({{ virt.reason }})"
"""

RETURN = r"""
domain_type:
  description: The libvirt domain type for the nested VMs.
  returned: always
  type: str
  choices: [kvm, qemu]
  sample: qemu
cpu_mode:
  description: The libvirt CPU mode that goes with it (C(custom) means a named model such as C(qemu64)).
  returned: always
  type: str
  choices: [host-passthrough, custom]
reason:
  description: Why, in one sentence.
  returned: always
  type: str
  sample: the CPU offers no svm to this host (the outer hypervisor does not pass virtualisation through)
inner_virt_type:
  description: What a nova-compute inside a nested VM can use for its own guests.
  returned: always
  type: str
  choices: [kvm, qemu]
vendor:
  description: C(intel), C(amd) or C(unknown).
  returned: always
  type: str
vendor_id:
  description: The C(vendor_id) line of C(/proc/cpuinfo).
  returned: always
  type: str
  sample: GenuineIntel
vmx:
  description: Whether the CPU flags include C(vmx) (Intel VT-x).
  returned: always
  type: bool
svm:
  description: Whether the CPU flags include C(svm) (AMD-V).
  returned: always
  type: bool
hypervisor:
  description: Whether this host is itself a virtual machine (the C(hypervisor) CPU flag).
  returned: always
  type: bool
dev_kvm:
  description: Whether C(/dev/kvm) exists.
  returned: always
  type: bool
dev_kvm_usable:
  description: Whether C(/dev/kvm) can be opened for reading and writing by this user.
  returned: always
  type: bool
kvm_module:
  description: The vendor's KVM module (C(kvm_intel) or C(kvm_amd)), null for an unknown vendor.
  returned: always
  type: str
kvm_module_loaded:
  description: Whether that module is loaded (or built in).
  returned: always
  type: bool
kvm_pvm:
  description: Whether the C(kvm_pvm) module is loaded.
  returned: always
  type: bool
nested:
  description: The KVM module's C(nested) parameter; null when it cannot be read.
  returned: always
  type: bool
container:
  description: The container manager this host runs in (C(podman), C(docker), C(lxc)...), as
    C(systemd-detect-virt --container) tells it; null on a VM or bare metal.
  returned: always
  type: str
  sample: podman
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestedcloud.openstack.plugins.module_utils.host.virt import report


def main():
    module = AnsibleModule(argument_spec=dict(root=dict(type="path", default="/")), supports_check_mode=True)
    if not os.path.isfile(os.path.join(module.params["root"], "proc", "cpuinfo")):
        module.fail_json(msg="root: %s has no proc/cpuinfo; give the directory that holds proc/, sys/ and dev/"
                         % module.params["root"])
    module.exit_json(changed=False, **report(module.params["root"]))


if __name__ == "__main__":
    main()
