# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The config drives of the oc- VMs: an OpenStack config drive (ISO 9660, label config-2) per VM, built from its
documents, and the documents kept beside it (root only) so that the next run can tell whether it must be built again.

Layout under the VMs' directory (the hypervisor role's hypervisor_vm_dir)::

    <dir>/<vm>/                                   0755 (QEMU's user opens the disks in it)
    <dir>/<vm>/config-drive/openstack/latest/     0700, the documents 0600
    <dir>/<vm>/config-drive.iso                   0644
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile

from ansible_collections.nestedcloud.openstack.plugins.module_utils.common import files

LATEST = os.path.join("config-drive", "openstack", "latest")
DOCUMENTS = ("meta_data.json", "network_data.json", "user_data")


class ConfigDriveError(Exception):
    """A drive that cannot be built; the message names the VM and the reason."""


def documents(drive):
    """The documents of one drive, {file name: text}: the two JSON documents as Ansible's to_nice_json writes them
    (the hypervisor role wrote them so before this module, and the same bytes keep a running VM's drive as it is)."""
    name = drive.get("name")
    for key in ("meta_data", "network_data"):
        if not isinstance(drive.get(key), dict):
            raise ConfigDriveError("drives[%s].%s: a dict is needed, not %r" % (name, key, drive.get(key)))
    if not isinstance(drive.get("user_data"), str):
        raise ConfigDriveError("drives[%s].user_data: a string is needed" % name)
    return {
        "meta_data.json": _nice_json(drive["meta_data"]),
        "network_data.json": _nice_json(drive["network_data"]),
        "user_data": drive["user_data"],
    }


def _nice_json(value):
    return json.dumps(value, indent=4, sort_keys=True, separators=(",", ": "))


def paths(base, name):
    """Where a VM's drive lives: its directory, the documents' directory and the ISO."""
    vm_dir = os.path.join(base, name)
    return vm_dir, os.path.join(vm_dir, LATEST), os.path.join(vm_dir, "config-drive.iso")


def stale(base, name, docs):
    """Why the VM's drive must be built: "missing" (no ISO yet), "changed" (a document differs from the one the ISO
    was built from), or None when it is current."""
    latest, iso = paths(base, name)[1:]
    if not os.path.isfile(iso):
        return "missing"
    for doc, text in docs.items():
        if files.read_text(os.path.join(latest, doc)) != text:
            return "changed"
    return None


def _directories(base, name):
    vm_dir, latest = paths(base, name)[:2]
    wanted = [(vm_dir, 0o755), (os.path.join(vm_dir, "config-drive"), 0o700),
              (os.path.join(vm_dir, "config-drive", "openstack"), 0o700), (latest, 0o700)]
    for path, mode in wanted:
        os.makedirs(path, mode=mode, exist_ok=True)
        os.chmod(path, mode)


def build(base, name, docs, label, run, tool="genisoimage"):
    """Build the VM's drive: the ISO from a staging copy of the documents first, renamed into place, then the kept
    documents - so that a run killed or failed half way leaves documents that differ from the wanted ones, and the
    next run builds again, never a current-looking set beside an old ISO. ``run`` is AnsibleModule.run_command,
    ``tool`` the path of genisoimage."""
    _directories(base, name)
    vm_dir, latest, iso = paths(base, name)
    stage = tempfile.mkdtemp(dir=vm_dir, prefix=".nestedcloud-drive-")
    try:
        tree = os.path.join(stage, "config-drive")
        source = os.path.join(tree, "openstack", "latest")
        os.makedirs(source)
        for doc, text in docs.items():
            files.write_whole(os.path.join(source, doc), text, 0o600)
        tmp_iso = os.path.join(stage, "config-drive.iso")
        rc, out, err = run([tool, "-quiet", "-o", tmp_iso, "-V", label, "-r", "-J", tree],
                           check_rc=False)
        if rc != 0 or not os.path.isfile(tmp_iso):
            raise ConfigDriveError("drives[%s]: genisoimage failed (rc %s): %s" % (name, rc, (err or out).strip()))
        os.chmod(tmp_iso, 0o644)
        os.replace(tmp_iso, iso)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    for doc, text in docs.items():
        files.write_whole(os.path.join(latest, doc), text, 0o600)


def reconcile(base, drives, label, run, tool="genisoimage", check_mode=False):
    """Build every drive that is missing or changed; returns [{"name", "reason"}] of those built (or that would be).
    Every drive's input is checked before any is built."""
    names = [d.get("name") for d in drives]
    for name in names:
        if not isinstance(name, str) or not name or "/" in name or name.startswith("."):
            raise ConfigDriveError("drives[].name: a VM name is needed (no '/', not hidden), not %r" % (name,))
    if len(set(names)) != len(names):
        raise ConfigDriveError("drives[].name: each VM once, %s given twice" %
                               sorted({n for n in names if names.count(n) > 1}))
    wanted = [(drive["name"], documents(drive)) for drive in drives]
    built = []
    for name, docs in wanted:
        reason = stale(base, name, docs)
        if reason is None:
            continue
        if not check_mode:
            build(base, name, docs, label, run, tool)
        built.append({"name": name, "reason": reason})
    return built
