#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ebtables_backend
short_description: Choose the ebtables that the Neutron linuxbridge agent can live with
version_added: 0.1.0
description:
  - The linuxbridge agent protects each port with ebtables rules and, on every update of a wired port, deletes the
    port's old MAC rule by its text. Debian 12's C(ebtables-nft) (iptables 1.8.9) cannot delete such an C(--among-src)
    rule (C(RULE_DELETE failed (Invalid argument))); the agent then retries for good and every VM scheduled to the
    host later fails to get its network. Neutron's guide says to use C(ebtables-legacy) with this agent.
  - With O(backend=auto) the module chooses, in this order, C(legacy) when the kernel has the legacy ebtables
    tables (C(ebtables-legacy -t filter -L) works, as Neutron's guide says); C(nft) when C(ebtables-nft) deletes an among
    rule by its text (iptables 1.8.10 and later; tried on a scratch chain that is removed again); else C(compat),
    the role's O(compat_path) wrapper that runs C(ebtables-nft) and turns such a delete into a delete by rule number.
  - Points the C(ebtables) alternative (C(update-alternatives)) at the chosen program and says why.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The probe still adds and removes a scratch chain of the filter table (it leaves nothing); the
      alternative is not changed.
  diff_mode:
    support: full
  platform:
    platforms: posix
options:
  backend:
    description:
      - C(auto) decides as described; the others force that program (C(compat) needs O(compat_path)).
    type: str
    choices: [auto, legacy, nft, compat]
    default: auto
  compat_path:
    description:
      - Where the wrapper (the role's C(files/ebtables-compat)) is installed; registered as an alternative of
        C(ebtables) when C(compat) is chosen.
    type: path
    default: /usr/local/sbin/ebtables-compat
"""

EXAMPLES = r"""
- name: The ebtables the linuxbridge agent uses
  nestedcloud.openstack.ebtables_backend:
  register: ebtables

- name: Say it
  ansible.builtin.debug:
    msg: "ebtables is {{ ebtables.path }} ({{ ebtables.reason }})"
"""

RETURN = r"""
backend:
  description: The program chosen.
  returned: always
  type: str
  choices: [legacy, nft, compat]
path:
  description: What the C(ebtables) alternative points at now (or would, in check mode).
  returned: always
  type: str
  sample: /usr/sbin/ebtables-legacy
reason:
  description: Why, in one sentence.
  returned: always
  type: str
  sample: the kernel has no legacy ebtables and ebtables-nft cannot delete an among rule by its text
previous:
  description: What the alternative pointed at before.
  returned: always
  type: str
"""

import os

from ansible.module_utils.basic import AnsibleModule

LEGACY = "/usr/sbin/ebtables-legacy"
NFT = "/usr/sbin/ebtables-nft"
PROBE_CHAIN = "NESTEDCLOUD-PROBE"
PROBE_RULE = ["-i", "nc-probe0", "--among-src", "fa:16:3e:00:00:01", "-j", "RETURN"]


def _ok(module, argv):
    rc, _out, _err = module.run_command(argv)
    return rc == 0


def nft_deletes_among(module):
    """Whether ebtables-nft deletes an among rule given by its text; the scratch chain is gone afterwards."""
    base = [NFT, "-t", "filter"]
    _ok(module, base + ["-X", PROBE_CHAIN])  # a leftover of a killed run
    if not _ok(module, base + ["-N", PROBE_CHAIN]):
        return False
    try:
        if not _ok(module, base + ["-A", PROBE_CHAIN] + PROBE_RULE):
            return False
        return _ok(module, base + ["-D", PROBE_CHAIN] + PROBE_RULE)
    finally:
        _ok(module, base + ["-F", PROBE_CHAIN])
        _ok(module, base + ["-X", PROBE_CHAIN])


def decide(legacy_works, nft_works):
    """(backend, reason) from what the host can do."""
    if legacy_works:
        return "legacy", "the kernel has the legacy ebtables tables (Neutron's guide for the linuxbridge agent)"
    if nft_works:
        return "nft", "the kernel has no legacy ebtables; ebtables-nft deletes an among rule by its text"
    return "compat", ("the kernel has no legacy ebtables and ebtables-nft cannot delete an among rule by its text "
                      "(iptables before 1.8.10): the wrapper deletes such a rule by its number")


def current(module):
    """(value, registered paths) of the ebtables alternative."""
    rc, out, _err = module.run_command(["update-alternatives", "--query", "ebtables"])
    if rc != 0:
        return "", []
    value = ""
    paths = []
    for line in out.splitlines():
        if line.startswith("Value:"):
            value = line.split(":", 1)[1].strip()
        elif line.startswith("Alternative:"):
            paths.append(line.split(":", 1)[1].strip())
    return value, paths


def main():
    module = AnsibleModule(argument_spec=dict(
        backend=dict(type="str", default="auto", choices=["auto", "legacy", "nft", "compat"]),
        compat_path=dict(type="path", default="/usr/local/sbin/ebtables-compat"),
    ), supports_check_mode=True)
    backend = module.params["backend"]
    compat = module.params["compat_path"]
    if not os.path.exists(NFT):
        module.fail_json(msg="%s is missing: install the ebtables package first" % NFT)
    if backend == "auto":
        legacy = os.path.exists(LEGACY) and _ok(module, [LEGACY, "-t", "filter", "-L"])
        backend, reason = decide(legacy, False if legacy else nft_deletes_among(module))
    else:
        reason = "forced by backend=%s" % backend
    path = {"legacy": LEGACY, "nft": NFT, "compat": compat}[backend]
    if not os.access(path, os.X_OK):
        module.fail_json(msg="backend: %s needs %s, which is not an executable here" % (backend, path))
    previous, registered = current(module)
    changed = previous != path
    if changed and not module.check_mode:
        if path not in registered:
            module.run_command(["update-alternatives", "--install", "/usr/sbin/ebtables", "ebtables", path, "5",
                                "--slave", "/usr/sbin/ebtables-restore", "ebtables-restore", NFT + "-restore",
                                "--slave", "/usr/sbin/ebtables-save", "ebtables-save", NFT + "-save"], check_rc=True)
        module.run_command(["update-alternatives", "--set", "ebtables", path], check_rc=True)
    module.exit_json(changed=changed, backend=backend, path=path, reason=reason, previous=previous,
                     diff=dict(before="ebtables -> %s\n" % previous, after="ebtables -> %s\n" % path))


if __name__ == "__main__":
    main()
