#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: upgrade_preflight
short_description: Decide, before anything changes, whether the packaged inner cloud may be upgraded to a release
version_added: 0.1.0
description:
  - Runs on the inner cloud's controller, reads and changes nothing, and fails naming every reason not to start an
    upgrade to O(target); the upgrade rehearsal (C(playbooks/upgrade.yml)) runs it before it touches any host.
  - First the release step, from the releases data alone - a target that is unknown, older than the running release,
    more than one release ahead, or one release skipped without both ends being SLURP releases is refused; hosts on
    different releases (O(hosts)) are refused unless the record of an upgrade of this playbook (O(marker)) says it
    left them so, and then the upgrade goes on from that record's release.
  - Then the cloud - each C(*-status upgrade check) of O(status_checks) (failure or error refuses, warnings are
    reported), no instance of any project in a transitional state (building, resizing, migrating, rebooting, a
    resize waiting for its confirmation), what the health check found down (O(not_ready)), and room on the disk of
    O(dump_dir) for the dumps of the services' databases (as big as the databases) and the new release's packages
    (O(packages_bytes)), with a tenth to spare.
  - When the hosts already run O(target), reports C(noop) and checks nothing more.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.inner_admin
attributes:
  check_mode:
    support: full
    details: Read-only; check mode runs the same checks.
  diff_mode:
    support: none
  platform:
    platforms: debian
options:
  target:
    description: The release to upgrade to, a name of O(releases).
    type: str
    required: true
  releases:
    description: The releases data (the overcloud role's C(overcloud_releases)).
    type: dict
    required: true
  hosts:
    description: The release each host of the inner cloud runs (its local fact C(nestedcloud_overcloud.release)).
    type: dict
    required: true
  marker:
    description: The record an upgrade of this playbook keeps on the controller (C(from), C(to)) while it runs; a
      missing file means none runs.
    type: path
    default: /var/lib/nestedcloud/overcloud/upgrade.json
  status_checks:
    description: The services' upgrade checks, each C(name) and C(argv) (run as the service's user); a command
      that is not installed is reported and skipped.
    type: list
    elements: dict
    default: []
  not_ready:
    description: What the health check found down (M(nestedcloud.openstack.overcloud_health)'s C(waiting_for)).
    type: list
    elements: str
    default: []
  databases:
    description: The services' databases, dumped before the upgrade; their size is read from MariaDB.
    type: list
    elements: str
    default: []
  dump_dir:
    description: Where the dumps go; its file system must hold them and the new packages.
    type: path
    default: /var/backups/nestedcloud
  packages_bytes:
    description: Room the new release's packages take (its virtualenv and wheels).
    type: int
    default: 1610612736
"""

EXAMPLES = r"""
- name: May the inner cloud be upgraded to 2026.1?
  nestedcloud.openstack.upgrade_preflight:
    auth: "{{ admin_auth }}"
    target: "2026.1"
    releases: "{{ overcloud_releases }}"
    hosts: {uc-0001: "2025.1", uc-0002: "2025.1"}
    databases: [keystone, glance, placement, nova_api, nova, nova_cell0, neutron]
    status_checks:
      - {name: nova-status, argv: [runuser, -u, nova, --, nova-status, upgrade, check]}
"""

RETURN = r"""
path:
  description: The upgrade's step - C(from), C(to), C(skips) (the release skipped), C(noop).
  returned: always
  type: dict
  sample: {from: "2025.1", to: "2026.1", skips: ["2025.2"], noop: false}
checks:
  description: Each status check - C(name), C(rc), C(verdict) (success, warning, failure, error, not installed) and
    its last lines of output.
  returned: when the path is not a no-op
  type: list
  elements: dict
warnings_found:
  description: What does not stop the upgrade but an operator should read.
  returned: always
  type: list
  elements: str
servers:
  description: How many instances the inner cloud has (all projects).
  returned: when the path is not a no-op
  type: int
databases_bytes:
  description: The size of O(databases) in MariaDB.
  returned: when the path is not a no-op
  type: int
free_bytes:
  description: Free room on O(dump_dir)'s file system.
  returned: when the path is not a no-op
  type: int
"""

import json
import os
import shutil

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.files import read_text
from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner import upgrade
from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.api import (
    ADMIN_ARGS, connect_admin, openstack, require_admin_auth, require_sdk)
from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.releases import ReleaseError

SIZE_QUERY = ("SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables "
              "WHERE table_schema IN (%s)")


def read_marker(module, path):
    text = read_text(path)
    if text is None:
        return None
    try:
        marker = json.loads(text)
    except ValueError:
        module.fail_json(msg="marker: %s is not the JSON record of an upgrade; move it away if no upgrade runs" % path)
    return marker if isinstance(marker, dict) else None


def step(module):
    """The release step, or fail naming the field that refuses it."""
    params = module.params
    try:
        marker = read_marker(module, params["marker"])
        current = upgrade.mixed(params["hosts"], marker)
        return upgrade.path(params["releases"], current, params["target"], field="target")
    except ReleaseError as err:
        module.fail_json(msg="refused before anything changed: %s" % err)


def status_checks(module):
    """{name: rc} of the checks that ran, and each one's report."""
    statuses, reports = {}, []
    for check in module.params["status_checks"]:
        if not isinstance(check, dict) or not check.get("name") or not isinstance(check.get("argv"), list):
            module.fail_json(msg="status_checks: each item needs name and argv (a list), got %r" % (check,))
        argv = [str(part) for part in check["argv"]]
        command = argv[argv.index("--") + 1] if "--" in argv else argv[0]
        if not shutil.which(command):
            reports.append({"name": check["name"], "rc": None, "verdict": "not installed", "output": ""})
            continue
        rc, out, err = module.run_command(argv)
        statuses[check["name"]] = rc
        reports.append({"name": check["name"], "rc": rc, "verdict": upgrade.STATUS_CHECK.get(rc, "error"),
                        "output": "\n".join((out + err).strip().splitlines()[-20:])})
    return statuses, reports


def database_bytes(module):
    names = module.params["databases"]
    if not names:
        return 0
    for name in names:
        if not name.replace("_", "").isalnum():
            module.fail_json(msg="databases: %r is not a database name" % name)
    query = SIZE_QUERY % ", ".join("'%s'" % name for name in names)
    rc, out, err = module.run_command(["mysql", "--batch", "--skip-column-names", "-e", query])
    if rc != 0:
        module.fail_json(msg="databases: MariaDB did not tell their size (mysql, rc %d): %s" % (rc, err.strip()))
    return int(float(out.strip() or 0))


def free_bytes(path):
    """Free room on the file system that holds ``path`` (its nearest existing parent)."""
    while not os.path.exists(path):
        path = os.path.dirname(path)
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize


def servers(module):
    try:
        conn = connect_admin(module.params, timeout=30)
        return [{"name": s.name, "status": s.status, "task_state": s.task_state}
                for s in conn.compute.servers(all_projects=True)]
    except openstack.exceptions.SDKException as err:
        module.fail_json(msg="auth: the inner cloud's compute API did not list the instances: %s" % err)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            **ADMIN_ARGS,
            target=dict(type="str", required=True),
            releases=dict(type="dict", required=True),
            hosts=dict(type="dict", required=True),
            marker=dict(type="path", default="/var/lib/nestedcloud/overcloud/upgrade.json"),
            status_checks=dict(type="list", elements="dict", default=[]),
            not_ready=dict(type="list", elements="str", default=[]),
            databases=dict(type="list", elements="str", default=[]),
            dump_dir=dict(type="path", default="/var/backups/nestedcloud"),
            packages_bytes=dict(type="int", default=1536 * 2 ** 20),
        ),
        supports_check_mode=True,
    )
    path = step(module)
    result = dict(changed=False, path=path, warnings_found=[])
    if path["noop"]:
        module.exit_json(**result)
    require_sdk(module)
    require_admin_auth(module)
    statuses, result["checks"] = status_checks(module)
    listed = servers(module)
    result["servers"] = len(listed)
    result["databases_bytes"] = database_bytes(module)
    result["free_bytes"] = free_bytes(module.params["dump_dir"])
    verdict = upgrade.preflight(statuses, listed, module.params["not_ready"], {
        "path": module.params["dump_dir"], "free_bytes": result["free_bytes"],
        "databases_bytes": result["databases_bytes"], "packages_bytes": module.params["packages_bytes"]})
    result["warnings_found"] = verdict["warnings"] + ["%s is not installed here; not checked" % r["name"]
                                                      for r in result["checks"] if r["verdict"] == "not installed"]
    if verdict["problems"]:
        module.fail_json(msg="refused before anything changed: %s" % "; ".join(verdict["problems"]), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
