#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: deb_packages
short_description: Install Debian packages in one step, reading dpkg's status first so that a converged host needs no apt
version_added: 0.1.0
description:
  - Waits for a package run still going (one a killed play left running holds dpkg's C(lock-frontend)), then reads
    dpkg's status file and C(dpkg --audit). When every package of O(name) is installed (by its name, or an installed
    package provides it), nothing is left unconfigured and no C(policy-rc.d) of this module was left behind, it
    returns at once, unchanged, without loading apt's cache.
  - Otherwise, in this order - debconf answers (O(debconf)), daemons held back (O(hold_daemons)), what a failed or
    killed run left unconfigured finished (C(dpkg --configure --pending)), apt's lists read again when older than
    O(cache_valid_time), and one C(apt-get install) for every missing package. When a maintainer script fails (a
    package unpacked, not configured), the scripts run again and the install once more; what is still missing after
    that fails the task, naming the packages and apt's last lines.
  - Configuration files the host already has are kept (C(--force-confold)); nothing is asked (C(noninteractive)).
  - Packages are only ever installed; versions, removals and upgrades are not this module's.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reads dpkg's state and reports what would be installed or finished; changes nothing.
  diff_mode:
    support: none
  platform:
    platforms: debian
options:
  name:
    description: The packages, by name (an architecture qualifier such as C(:amd64) is allowed and ignored).
    type: list
    elements: str
    required: true
    aliases: [pkg]
  install_recommends:
    description: Install the packages' recommended packages too.
    type: bool
    default: false
  hold_daemons:
    description:
      - No daemon starts while the packages install - a C(policy-rc.d) that refuses every start, removed afterwards
        (and by the next run, when a killed run left it; one the host had before is never touched). For a role that
        writes every configuration file first and starts each service itself.
    type: bool
    default: false
  debconf:
    description:
      - debconf answers as C(debconf-set-selections) reads them, one C(package question type value) per item, set
        just before an install (a converged host does not see them; some maintainer scripts drop their questions).
    type: list
    elements: str
    default: []
  cache_valid_time:
    description: Read apt's lists again before an install when the last successful update is older than this many
      seconds (0, always before an install). A converged host never reads them.
    type: int
    default: 3600
  lock_timeout:
    description: How many seconds to wait for another package run to let go of dpkg's lock before failing.
    type: int
    default: 1800
"""

EXAMPLES = r"""
- name: The hypervisor's packages
  nestedcloud.openstack.deb_packages:
    name: [libvirt-daemon-system, qemu-system-x86, genisoimage]

- name: OpenStack's packages, started by the role itself once configured
  nestedcloud.openstack.deb_packages:
    name: [nova-api, nova-conductor, nova-scheduler]
    hold_daemons: true
    debconf:
      - nova-common nova/configure_db boolean false
"""

RETURN = r"""
missing:
  description: The packages of O(name) that were not installed when the task began.
  returned: always
  type: list
  elements: str
  sample: [squid]
installed:
  description: The packages of O(name) installed by this task (empty in check mode).
  returned: always
  type: list
  elements: str
unfinished:
  description: What C(dpkg --audit) reported left unconfigured when the task began (a failed or killed run), as text.
  returned: always
  type: str
cache_updated:
  description: Whether apt's lists were read again (C(apt-get update)).
  returned: always
  type: bool
policy_rc_d_removed:
  description: Whether a C(policy-rc.d) of this module that a killed run left behind was removed.
  returned: always
  type: bool
waited:
  description: Seconds spent waiting for another package run's lock.
  returned: always
  type: float
"""

import fcntl
import os
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.files import read_text, write_whole
from ansible_collections.nestedcloud.openstack.plugins.module_utils.host import dpkg

# the host's root; unit tests point it at a directory of their own
ROOT = "/"
ENV = {"DEBIAN_FRONTEND": "noninteractive", "APT_LISTCHANGES_FRONTEND": "none", "NEEDRESTART_MODE": "l"}


def _path(relative):
    return os.path.join(ROOT, relative)


def wait_for_lock(module, timeout):
    """Seconds waited until no package run holds dpkg's lock-frontend (the lock is let go at once: apt takes it)."""
    start = time.monotonic()
    try:
        handle = open(_path(dpkg.LOCK_FILE), "a")
    except OSError:
        return 0.0  # no dpkg lock file to wait on (not root in check mode, or no dpkg run ever)
    with handle:
        while True:
            try:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.lockf(handle, fcntl.LOCK_UN)
                return round(time.monotonic() - start, 1)
            except OSError:
                if time.monotonic() - start > timeout:
                    module.fail_json(msg="lock_timeout: another package run still holds %s after %d s"
                                     % (_path(dpkg.LOCK_FILE), timeout))
                time.sleep(1)


def _mtime(path):
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def run(module, argv, what, data=None):
    """Run one command; a failure fails the task, naming what it was for and the command's last lines."""
    rc, out, err = module.run_command(argv, data=data, environ_update=ENV, binary_data=True)
    if rc != 0:
        module.fail_json(msg="%s failed (%s, rc %d): %s" % (what, " ".join(argv[:3]), rc, dpkg.tail(err or out)),
                         rc=rc, stdout=out, stderr=err)
    return out


def configure_pending(module, tries=3):
    """dpkg --configure --pending until it succeeds (a maintainer script that fails at random: Debian #1069097)."""
    for attempt in range(tries):
        rc, out, err = module.run_command(["dpkg", "--configure", "--pending"], environ_update=ENV)
        if rc == 0:
            return
        if attempt + 1 < tries:
            time.sleep(1)
    module.fail_json(msg="the packages left unconfigured could not be configured (dpkg --configure --pending, "
                     "%d tries): %s" % (tries, dpkg.tail(err or out)), rc=rc, stdout=out, stderr=err)


def install(module, names, result):
    """apt-get install of every missing name; after a failed maintainer script, configure and try once more."""
    params = module.params
    stale = dpkg.cache_stale(time.time(), _mtime(_path(dpkg.UPDATE_STAMP)), _mtime(_path(dpkg.LISTS_DIR)),
                             params["cache_valid_time"])
    if stale:
        run(module, ["apt-get", "update"], "reading apt's lists")
        result["cache_updated"] = True
    argv = dpkg.install_argv(names, params["install_recommends"])
    rc, out, err = module.run_command(argv, environ_update=ENV)
    if rc != 0:
        audit = module.run_command(["dpkg", "--audit"])[1]
        if not audit.strip():
            module.fail_json(msg="name: apt-get could not install %s: %s" % (", ".join(names), dpkg.tail(err or out)),
                             rc=rc, stdout=out, stderr=err)
        configure_pending(module)
        run(module, argv, "installing %s after a failed maintainer script" % ", ".join(names))


def converge(module, wanted, result, ours):
    """Everything the host lacks, with daemons held back when asked; our policy-rc.d (``ours``: one a killed run left
    behind) gone whatever happens."""
    params = module.params
    policy = _path(dpkg.POLICY_RC_D)
    if ours and not result["missing"] and not result["unfinished"].strip():
        os.unlink(policy)
        result["policy_rc_d_removed"] = True
        return
    if params["debconf"]:
        run(module, ["debconf-set-selections"], "setting debconf answers", data=dpkg.selections(params["debconf"]))
    held = False
    if params["hold_daemons"] and not os.path.exists(policy):
        write_whole(policy, dpkg.POLICY_RC, 0o755)
        held = True
    try:
        if result["unfinished"].strip():
            configure_pending(module)
        if result["missing"]:
            install(module, result["missing"], result)
    finally:
        if held or ours:
            try:
                os.unlink(policy)
            except FileNotFoundError:
                pass
            result["policy_rc_d_removed"] = ours
    still = dpkg.missing(wanted, dpkg.parse_status(read_text(_path(dpkg.STATUS_FILE), "")))
    if still:
        module.fail_json(msg="name: apt-get ran but dpkg does not list %s as installed" % ", ".join(still), **result)
    result["installed"] = list(result["missing"])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="list", elements="str", required=True, aliases=["pkg"]),
            install_recommends=dict(type="bool", default=False),
            hold_daemons=dict(type="bool", default=False),
            debconf=dict(type="list", elements="str", default=[]),
            cache_valid_time=dict(type="int", default=3600),
            lock_timeout=dict(type="int", default=1800),
        ),
        supports_check_mode=True,
    )
    try:
        wanted = dpkg.checked_names(module.params["name"])
        dpkg.selections(module.params["debconf"])
    except dpkg.PackageError as exc:
        module.fail_json(msg=str(exc))
    if not os.path.isfile(_path(dpkg.STATUS_FILE)):
        module.fail_json(msg="name: this host has no %s; it is not a Debian-family host" % _path(dpkg.STATUS_FILE))
    result = dict(changed=False, installed=[], cache_updated=False, policy_rc_d_removed=False,
                  waited=wait_for_lock(module, module.params["lock_timeout"]))
    audit = module.run_command(["dpkg", "--audit"])[1]
    status = dpkg.parse_status(read_text(_path(dpkg.STATUS_FILE), ""))
    result["missing"] = dpkg.missing(wanted, status)
    result["unfinished"] = audit.strip()
    left_behind = dpkg.left_by_us(read_text(_path(dpkg.POLICY_RC_D)))
    if not result["missing"] and not result["unfinished"] and not left_behind:
        module.exit_json(**result)
    result["changed"] = True
    if not module.check_mode:
        converge(module, wanted, result, left_behind)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
