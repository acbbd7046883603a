#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: juju_deploy
short_description: A Juju model with a bundle and its overlays deployed, changes shown before they are made
version_added: 0.1.0
description:
  - Makes the model O(model) on O(controller) (C(juju add-model) with the settings of O(config_file), for example
    the lab's C(juju-*) proxy keys) when it is missing, then asks Juju what deploying O(bundle) with O(overlays) would
    change (C(juju deploy --dry-run)). Only when Juju names changes is the bundle deployed; Juju then adds what is
    missing and leaves the rest, so a second run changes nothing.
  - The dry run's plan is the diff (C(--diff)) and the result's C(changes); in check mode nothing is deployed.
  - It does not wait for the model to settle; M(nestedcloud.openstack.juju_status_info) does, with progress.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.juju
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
requirements:
  - the client logged in to O(controller) (M(nestedcloud.openstack.juju_bootstrap))
options:
  controller:
    description: The controller.
    type: str
    required: true
  model:
    description: The model.
    type: str
    default: openstack
  config_file:
    description: A YAML file of the model's settings, used when the model is made (C(juju add-model --config FILE)).
    type: path
  bundle:
    description: The bundle file.
    type: path
    required: true
  overlays:
    description: Overlay bundle files, applied in this order (C(--overlay)).
    type: list
    elements: path
    default: []
"""

EXAMPLES = r"""
- name: The OpenStack bundle with the lab's overlay in model openstack
  nestedcloud.openstack.juju_deploy:
    controller: lab1
    model: openstack
    config_file: /root/.nestedcloud-juju/model-defaults.yaml
    bundle: /root/.nestedcloud-juju/bundle.yaml
    overlays: [/root/.nestedcloud-juju/overlay.yaml]
"""

RETURN = r"""
model_added:
  description: Whether the model was made (or would be, in check mode).
  returned: success
  type: bool
changes:
  description: Juju's plan of the deployment (the dry run's lines); empty when the bundle is deployed as it is.
  returned: success
  type: list
  elements: str
  sample: ["- upload charm keystone from charm-hub for base ubuntu@22.04/stable with channel 2024.1/stable"]
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.juju import cli as juju_cli


def main():
    module = AnsibleModule(
        argument_spec=dict(
            controller=dict(type="str", required=True),
            model=dict(type="str", default="openstack"),
            config_file=dict(type="path"),
            bundle=dict(type="path", required=True),
            overlays=dict(type="list", elements="path", default=[]),
            juju=dict(type="path", default="juju"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    for field, path in [("bundle", params["bundle"]), ("config_file", params["config_file"])] + [
            ("overlays", path) for path in params["overlays"]]:
        if path and not os.path.isfile(path):
            module.fail_json(msg="%s: %s does not exist" % (field, path))
    target = "%s:%s" % (params["controller"], params["model"])
    deploy = ["deploy", "-m", target, params["bundle"]]
    for overlay in params["overlays"]:
        deploy += ["--overlay", overlay]
    try:
        added = not juju_cli.has_model(juju_cli.run_json(module, ["models", "-c", params["controller"]]), params["model"])
        if added and module.check_mode:
            changes = ["- add model %s" % target, "- deploy bundle %s" % params["bundle"]]
        else:
            if added:
                juju_cli.run(module, ["add-model", params["model"], "-c", params["controller"], "--no-switch"] + (
                    ["--config", params["config_file"]] if params["config_file"] else []))
            plan = juju_cli.run(module, deploy + ["--dry-run"])
            changes = [] if juju_cli.no_changes(plan) else [line for line in plan.splitlines() if line.strip()]
            if changes and not module.check_mode:
                juju_cli.run(module, deploy)
    except juju_cli.JujuError as err:
        module.fail_json(msg=str(err))
    result = dict(changed=added or bool(changes), model_added=added, changes=changes)
    if module._diff and result["changed"]:
        result["diff"] = {"prepared": "\n".join(changes) + "\n"}
    module.exit_json(**result)


if __name__ == "__main__":
    main()
