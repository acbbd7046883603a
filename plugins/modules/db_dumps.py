#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: db_dumps
short_description: Dump databases once, for a rollback, into a directory that is whole or absent
version_added: 0.1.0
description:
  - Dumps each database of O(databases) with C(mysqldump --single-transaction) (a consistent copy while the services
    run), compressed, into O(dir)/O(name)/ - the directory mode 0700, each dump mode 0600 (they hold every password
    hash and token of the cloud) - and writes C(MANIFEST.json) last (each dump's database, size and sha256).
  - The dumps are built in O(dir)/O(name).partial and renamed into place when all are written, so a run killed midway
    leaves nothing that looks complete; the next run starts them again.
  - Dumps that are complete are never taken again - the upgrade rehearsal takes them once, before the first change,
    and a run started again after a kill must not replace them with dumps of a half-upgraded cloud. Remove the
    directory to take them again.
  - Restore one with C(zcat DATABASE.sql.gz | mysql) (each dump creates and selects its database).
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports whether the dumps would be taken; writes nothing.
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  databases:
    description: The databases to dump.
    type: list
    elements: str
    required: true
  dir:
    description: The directory that keeps every set of dumps (made 0700 when missing).
    type: path
    default: /var/backups/nestedcloud
  name:
    description: This set's directory under O(dir), for example C(upgrade-2025.1-to-2026.1).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The services' databases, before the upgrade
  nestedcloud.openstack.db_dumps:
    databases: [keystone, glance, placement, nova_api, nova, nova_cell0, neutron]
    name: upgrade-2025.1-to-2026.1
  register: dumps
"""

RETURN = r"""
path:
  description: The set's directory.
  returned: always
  type: str
  sample: /var/backups/nestedcloud/upgrade-2025.1-to-2026.1
dumps:
  description: Each dump - C(database), C(file), C(bytes) (compressed) and C(sha256).
  returned: always
  type: list
  elements: dict
"""

import gzip
import hashlib
import json
import os
import re
import shutil

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.files import read_text, write_whole

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MANIFEST = "MANIFEST.json"


def complete(path, databases):
    """The manifest of a complete set that holds every database, or None."""
    try:
        manifest = json.loads(read_text(os.path.join(path, MANIFEST)) or "null")
    except ValueError:
        return None
    if not isinstance(manifest, dict):
        return None
    held = {dump.get("database") for dump in manifest.get("dumps", [])}
    return manifest if set(databases) <= held else None


def private(path):
    """An empty file at path, mode 0600 from its first moment (the dumps hold every password hash of the cloud)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))


def dump_one(module, mysqldump, database, path):
    """One database into path (gzip, 0600) through a plain dump beside it; its size and sha256."""
    plain = path[:-len(".gz")]
    private(plain)
    rc, out, err = module.run_command([mysqldump, "--single-transaction", "--routines", "--events", "--triggers",
                                       "--result-file=" + plain, "--databases", database])
    if rc != 0:
        module.fail_json(msg="databases: mysqldump of %s failed (rc %d): %s"
                         % (database, rc, (err or out).strip()[-2000:]))
    private(path)
    with open(plain, "rb") as source, gzip.open(path, "wb") as out_file:
        shutil.copyfileobj(source, out_file, 1 << 20)
    os.unlink(plain)
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return {"database": database, "file": os.path.basename(path), "bytes": os.path.getsize(path),
            "sha256": digest.hexdigest()}


def main():
    module = AnsibleModule(
        argument_spec=dict(
            databases=dict(type="list", elements="str", required=True),
            dir=dict(type="path", default="/var/backups/nestedcloud"),
            name=dict(type="str", required=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not NAME.match(params["name"]):
        module.fail_json(msg="name: %r is not a directory name (letters, digits, '.', '_', '-')" % params["name"])
    for database in params["databases"]:
        if not NAME.match(database):
            module.fail_json(msg="databases: %r is not a database name" % database)
    if not params["databases"]:
        module.fail_json(msg="databases: name at least one")
    path = os.path.join(params["dir"], params["name"])
    manifest = complete(path, params["databases"])
    if manifest is not None:
        module.exit_json(changed=False, path=path, dumps=manifest["dumps"])
    if os.path.exists(path):  # never replaced: it may be the only copy from before a change
        module.fail_json(msg="name: %s is there but does not hold a dump of every database asked for (%s); move it "
                             "away or choose another name" % (path, ", ".join(params["databases"])))
    if module.check_mode:
        module.exit_json(changed=True, path=path, dumps=[])
    mysqldump = module.get_bin_path("mysqldump", required=True)
    os.makedirs(params["dir"], mode=0o700, exist_ok=True)
    partial = path + ".partial"
    if os.path.isdir(partial):  # a killed run's
        shutil.rmtree(partial)
    os.mkdir(partial, 0o700)
    dumps = [dump_one(module, mysqldump, database, os.path.join(partial, database + ".sql.gz"))
             for database in params["databases"]]
    write_whole(os.path.join(partial, MANIFEST), json.dumps({"dumps": dumps}, indent=2) + "\n", 0o600)
    os.rename(partial, path)
    module.exit_json(changed=True, path=path, dumps=dumps)


if __name__ == "__main__":
    main()
