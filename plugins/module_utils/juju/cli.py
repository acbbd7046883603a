# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the juju modules share: run the juju client and read its JSON, and what its listings say. The readers are
pure, so unit tests reach them with the documents Juju 3 prints.

Every command gets ``--format=json`` where it has one and never prompts: the modules pass files, never stdin.
"""

from __future__ import annotations

import json


class JujuError(Exception):
    """A juju command failed; the message names the command and what juju said."""


def run(module, args, data=None):
    """Run ``juju <args>`` and return its stdout; JujuError with juju's own words if it fails."""
    cmd = [module.params["juju"]] + list(args)
    rc, out, err = module.run_command(cmd, data=data, environ_update={"NO_COLOR": "1"})
    if rc != 0:
        raise JujuError("juju %s failed (rc %d): %s" % (" ".join(args[:2]), rc, (err or out).strip()[-800:]))
    return out


def run_json(module, args):
    """Run ``juju <args> --format=json`` and return the document."""
    out = run(module, list(args) + ["--format=json"])
    try:
        return json.loads(out or "{}")
    except ValueError:
        raise JujuError("juju %s did not answer JSON: %s" % (" ".join(args[:2]), out[:200]))


def client_cloud(clouds, name):
    """The cloud ``name`` of ``juju clouds --client --format=json`` ({name: details}), or None."""
    return (clouds or {}).get(name)


def cloud_differs(current, wanted):
    """The fields of a cloud definition (type, auth-types, endpoint) that differ from the file's."""
    fields = []
    for key in ("type", "endpoint"):
        if (current or {}).get(key) != wanted.get(key):
            fields.append(key)
    if sorted((current or {}).get("auth-types") or []) != sorted(wanted.get("auth-types") or []):
        fields.append("auth-types")
    return fields


def client_credential(listing, cloud, name):
    """A credential's {auth-type, details} from ``juju credentials --client --show-secrets --format=json``, or None.

    Juju 3 prints ``client-credentials``; older clients printed ``local-credentials``.
    """
    listing = listing or {}
    by_cloud = listing.get("client-credentials") or listing.get("local-credentials") or {}
    return ((by_cloud.get(cloud) or {}).get("cloud-credentials") or {}).get(name)


def credential_differs(current, wanted):
    """Whether a stored credential differs from the file's {auth-type, attribute: value...}."""
    if current is None:
        return True
    attributes = {k: v for k, v in wanted.items() if k != "auth-type"}
    return current.get("auth-type") != wanted.get("auth-type") or (current.get("details") or {}) != attributes


def has_controller(listing, name):
    """Whether ``juju controllers --format=json`` lists the controller ``name``."""
    return name in ((listing or {}).get("controllers") or {})


def has_model(listing, name):
    """Whether ``juju models --format=json`` lists the model ``name`` (short name, or owner/name)."""
    for model in (listing or {}).get("models") or []:
        if name in (model.get("short-name"), model.get("name")):
            return True
    return False


def no_changes(dry_run_output):
    """Whether ``juju deploy --dry-run`` says that the bundle is deployed as it is."""
    return "no changes to apply" in (dry_run_output or "").lower()
