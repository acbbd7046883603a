#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: maas_boot_images
short_description: Select one release's boot images in MAAS, import them, and wait with progress
version_added: 0.1.0
description:
  - Makes the boot source's selection hold O(os)/O(release) for O(arches) (adds or corrects it), starts an import
    when the images are not synced and none is running, and reports how far the import is (per architecture, from
    the resource's newest set).
  - "With O(wait), its action plugin asks again every O(delay) seconds and prints the progress (for example
    C(boot images: 0 of 1 synced (95s); waiting for: ubuntu/noble amd64/ga-24.04 at 45%)), and fails at the end of
    the wait naming what is not synced. Set MAAS's proxy (M(nestedcloud.openstack.maas_settings)) first."
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.maas
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  os:
    description: Operating system of the images.
    type: str
    default: ubuntu
  release:
    description: Release to import, for example C(noble) or C(jammy). One release keeps the download small.
    type: str
    required: true
  arches:
    description: Architectures.
    type: list
    elements: str
    default: [amd64]
  source_url:
    description: URL of the boot source to select from; by default MAAS's first (C(images.maas.io)) source.
    type: str
  wait:
    description: Seconds to wait until the images are synced; V(0) acts once and returns (C(ready) may be false).
    type: int
    default: 0
  delay:
    description: Seconds between two looks while waiting.
    type: int
    default: 15
"""

EXAMPLES = r"""
- name: Ubuntu 24.04 images, imported through r0's proxy
  nestedcloud.openstack.maas_boot_images:
    url: "{{ plan.maas_juju.maas.url }}"
    api_key: "{{ maas_api_key }}"
    release: noble
    wait: 3600
"""

RETURN = r"""
ready:
  description: Whether every architecture of the release is synced and no import runs.
  returned: always
  type: bool
summary:
  description: How many architectures are synced, of how many.
  returned: always
  type: str
  sample: 0 of 1 synced
waiting_for:
  description: One line per architecture not synced yet, with the import's progress.
  returned: always
  type: list
  elements: str
  sample: ["ubuntu/noble amd64/ga-24.04 at 45%"]
actions:
  description: What was (or in check mode would be) done.
  returned: always
  type: list
  elements: str
  sample: ["selection ubuntu/noble amd64", "import started"]
writes:
  description: Requests that changed something in MAAS.
  returned: always
  type: int
  sample: 0
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.maas.client import MAAS_ARGS, MaasError, connect


def newest_set(resource):
    sets = resource.get("sets") or {}
    return sets[max(sets)] if sets else {}


def progress(client, name, arches):
    """(synced arches, lines for the others): from the release's synced resources and their newest sets."""
    resources = [r for r in client.read("boot-resources/") if r.get("type") == "Synced" and r.get("name") == name]
    synced, waiting = [], []
    for arch in arches:
        mine = [r for r in resources if str(r.get("architecture", "")).split("/", maxsplit=1)[0] == arch]
        if not mine:
            waiting.append("%s %s: not downloaded yet" % (name, arch))
            continue
        details = [client.read("boot-resources/%s/" % r["id"]) for r in mine]
        done = [d for d in details if newest_set(d).get("complete")]
        if done:
            synced.append(arch)
        else:
            latest = newest_set(details[0])
            waiting.append("%s %s at %s%%" % (name, details[0].get("architecture", arch), latest.get("progress", 0)))
    return synced, waiting


def run(module, client):
    params = module.params
    name = "%s/%s" % (params["os"], params["release"])
    arches = sorted(set(params["arches"]))
    actions = []
    sources = client.read("boot-sources/")
    source = next((s for s in sources if params["source_url"] in (None, s.get("url"))), None)
    if source is None:
        module.fail_json(msg="source_url: MAAS has no boot source %s (it has: %s)" % (
            params["source_url"], ", ".join(s.get("url", "?") for s in sources) or "none"), writes=client.writes)
    path = "boot-sources/%s/selections/" % source["id"]
    selection = next((s for s in client.read(path) if s.get("os") == params["os"] and
                      s.get("release") == params["release"]), None)
    if selection is None:
        actions.append("selection %s %s" % (name, " ".join(arches)))
        if not module.check_mode:
            client.post(path, data={"os": params["os"], "release": params["release"], "arches": arches,
                                    "subarches": "*", "labels": "*"})
    elif sorted(selection.get("arches") or []) != arches:
        actions.append("selection %s: arches %s" % (name, " ".join(arches)))
        if not module.check_mode:
            client.put("%s%s/" % (path, selection["id"]), data={"arches": arches})
    synced, waiting = progress(client, name, arches)
    importing = bool(client.read("boot-resources/", op="is_importing"))
    if len(synced) < len(arches) and not importing:
        actions.append("import started")
        if not module.check_mode:
            client.post("boot-resources/", op="import")
        importing = True
    summary = "%d of %d synced%s" % (len(synced), len(arches), ", importing" if importing else "")
    return dict(changed=bool(actions), actions=actions, ready=len(synced) == len(arches) and not importing,
                summary=summary, waiting_for=waiting or (["the import to finish"] if importing else []),
                writes=client.writes)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            MAAS_ARGS,
            os=dict(type="str", default="ubuntu"),
            release=dict(type="str", required=True),
            arches=dict(type="list", elements="str", default=["amd64"]),
            source_url=dict(type="str"),
            wait=dict(type="int", default=0),
            delay=dict(type="int", default=15),
        ),
        supports_check_mode=True,
    )
    client = connect(module)
    try:
        module.exit_json(**run(module, client))
    except MaasError as err:
        module.fail_json(msg=str(err), writes=client.writes)


if __name__ == "__main__":
    main()
