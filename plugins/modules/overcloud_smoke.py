#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: overcloud_smoke
short_description: Prove the inner cloud works - networks, router, a tenant VM reached over its floating IP
version_added: 0.1.0
description:
  - As the inner cloud's admin, makes a project and an ordinary member user, a tiny flavor and the external (flat,
    provider) network on the overlay, unless the cloud has its own external network on that physical network (the
    verify layer's C(public)), which it then uses and keeps; as that user, uploads the test image, makes a tenant network, a router with its
    gateway on the external network, a security group (ICMP and SSH), a keypair, boots a VM and gives it a floating IP.
  - Checks, each timed - the VM reaches ACTIVE; it answers ping on its floating IP from this host; it accepts SSH with
    the keypair; from inside it reaches the router on the tenant network (L2) and this host's address on the external
    network (L3, through the router); its MTU is the tenant network's.
  - Then deletes what it made, unless O(keep=true) or O(canary=true). Runs on r0 (it pings and SSHes from there).
  - With O(canary=true) the VM (C(<name>-canary)) and everything it stands on are kept, and the external network is
    made as C(public), the name the verify layer uses. The first run boots it; each later run checks the running VM
    (ACTIVE, floating IP, ping, SSH with the private key kept in O(key_file), L2, L3, MTU) instead of booting another,
    and makes only what is missing. The canary is booted again only when it cannot be the same - in ERROR, or its key
    was lost (a new keypair). A shut-off canary is started. Such a run changes nothing when everything was there.
  - A sweep first removes what an interrupted run left in the test's project - everything in a one-off run (so a
    one-off run also removes a canary), whatever the canary does not use in a canary run.
  - Returns every check with its result; C(failed) is set when any check failed, after the cleanup.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.inner_admin
attributes:
  check_mode:
    support: none
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - openstacksdk >= 0.101
  - ssh, ssh-keygen and ping on the host it runs on
options:
  user_password:
    description: Password of the smoke test's own user (made if missing).
    type: str
    required: true
  name:
    description: Prefix of everything the test makes (project, user, networks, VM).
    type: str
    default: smoke
  external:
    description: The external network - C(cidr), C(gateway) (this host's address on it), C(pool_start), C(pool_end),
      C(physnet).
    type: dict
    required: true
  tenant:
    description:
      - The tenant network - C(cidr), C(gateway), C(dns) (list), and C(mtu), the MTU the plan derived for it (what
        Neutron must give it for the network backend's encapsulation; the check fails naming both when Neutron
        gives another). Without C(mtu), Neutron's is taken as it is.
    type: dict
    required: true
  image:
    description: The test image - either C(file) (a disk image on this host, with C(format)), or C(kernel) and
      C(initrd) (files on this host) for direct kernel boot of a tiny image with an empty root disk; C(cmdline) is then
      its kernel command line (Glance's C(os_command_line), default C(console=tty0 console=ttyS0) so that the console log
      shows the init's output).
    type: dict
    required: true
  flavor:
    description: The flavor the VM gets (made if missing) - C(name), C(ram), C(vcpus), C(disk).
    type: dict
    default: {name: smoke.tiny, ram: 256, vcpus: 1, disk: 1}
  ssh_user:
    description: User of the VM for SSH.
    type: str
    default: root
  timeout:
    description: Seconds allowed for the VM to become ACTIVE and then for it to answer.
    type: int
    default: 600
  keep:
    description: Keep everything a one-off run (O(canary=false)) made, for a look around afterwards.
    type: bool
    default: false
  canary:
    description:
      - Keep the VM and what it stands on between runs and check the running one in later runs (see above), rather
        than make, check and delete everything in each run.
      - The kept VM is the workload an upgrade rehearsal watches; a run that changes nothing then costs seconds.
    type: bool
    default: false
  key_file:
    description:
      - Private key of the canary's keypair on this host, made (ed25519, mode 0600, its directory 0700) when missing;
        its public key is O(key_file) with C(.pub). Required with O(canary=true).
      - When it is lost, the keypair is made anew and the canary booted again (its guest holds the old key only).
    type: path
"""

EXAMPLES = r"""
# Without canary (the default), everything is made, checked and deleted again in each run.
- name: Smoke test of the inner cloud, from r0, keeping its VM between runs (the next run checks the running VM)
  nestedcloud.openstack.overcloud_smoke:
    auth: {auth_url: "http://10.22.0.11:5000/v3", password: "{{ admin_password }}"}
    user_password: "{{ smoke_password }}"
    external: {cidr: 10.44.0.0/16, gateway: 10.44.0.1, pool_start: 10.44.1.1, pool_end: 10.44.255.254, physnet: external}
    tenant: {cidr: 10.55.0.0/16, gateway: 10.55.0.1, dns: [10.44.0.1]}
    image: {file: /var/tmp/cirros.img, format: qcow2}
    canary: true
    key_file: /etc/nestedcloud/smoke/id_ed25519
  register: smoke
"""

RETURN = r"""
passed:
  description: Whether every check passed (false as well when no check ran). Use this, not C(failed), after C(failed_when).
  returned: always
  type: bool
  sample: true
checks:
  description: Every check in order, with its result, its duration in seconds and what was seen.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "VM ACTIVE", "ok": true, "seconds": 41.2, "detail": "on uc-0002"}]
mtu:
  description: MTU of the inner networks (as Neutron set them) and inside the VM.
  returned: always
  type: dict
  sample: {"inner_external": 1400, "inner_tenant": 1350, "guest": 1350}
console:
  description: The end of the VM's console log when a check failed.
  returned: when a check failed
  type: str
created:
  description: What the test made (and, in a one-off run, deleted again unless keep).
  returned: always
  type: list
  elements: str
vm:
  description:
    - The VM checked - C(name), C(id), C(host) (its compute), C(booted) (true when this run booted it, false for a
      canary kept from an earlier run), C(created_at), C(floating_ip) and C(fixed_ip).
  returned: when the VM was found or booted
  type: dict
  sample: {"name": "smoke-canary", "id": "0b6c...", "host": "uc-0002", "booted": false, "created_at": "2026-12-06T23:01:12Z",
           "floating_ip": "10.44.1.23", "fixed_ip": "10.55.0.12"}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.api import (
    ADMIN_ARGS, require_admin_auth, check_image_files, require_sdk)
from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.smoke import Smoke


def main():
    module = AnsibleModule(
        argument_spec=dict(
            user_password=dict(type="str", required=True, no_log=True),
            **ADMIN_ARGS,
            name=dict(type="str", default="smoke"),
            external=dict(type="dict", required=True),
            tenant=dict(type="dict", required=True),
            image=dict(type="dict", required=True),
            flavor=dict(type="dict", default={"name": "smoke.tiny", "ram": 256, "vcpus": 1, "disk": 1}),
            ssh_user=dict(type="str", default="root"),
            timeout=dict(type="int", default=600),
            keep=dict(type="bool", default=False),
            canary=dict(type="bool", default=False),
            key_file=dict(type="path", no_log=False),
        ),
        required_if=[("canary", True, ("key_file",))],
        supports_check_mode=False,
    )
    require_sdk(module)
    require_admin_auth(module)
    auth = module.params["auth"]
    # the test's user and project are made in the admin's domain
    p = dict(module.params, auth_url=auth["auth_url"], admin_user=auth["username"], admin_password=auth["password"],
             admin_project=auth["project_name"], domain=auth["domain"], cacert=auth["cacert"])
    for field, keys in (("external", ("cidr", "gateway", "pool_start", "pool_end")), ("tenant", ("cidr", "gateway")),
                        ("flavor", ("name", "ram", "vcpus", "disk"))):
        missing = [key for key in keys if not p[field].get(key)]
        if missing:
            module.fail_json(msg="%s: missing %s" % (field, ", ".join(missing)))
    bad = check_image_files(p["image"])
    if bad:
        module.fail_json(msg=bad)
    smoke = Smoke(p)
    smoke.run()
    failed, result = smoke.result()
    if failed:
        module.fail_json(msg="smoke test failed: %s" % ", ".join(failed), console=smoke.console, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
