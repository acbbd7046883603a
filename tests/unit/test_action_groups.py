# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""meta/runtime.yml's action groups: every module in one, and no group holds a module that would reject an option
that module_defaults sets for the group."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AUTH = ["cloud", "auth", "auth_type", "region_name", "interface", "validate_certs", "ca_cert", "client_cert",
        "client_key", "api_timeout"]
# what module_defaults may set for each group
SHARED = {
    "undercloud": AUTH + ["wait", "timeout", "concurrency", "retries"],
    "overcloud": ["auth", "region"],
    "maas": ["url", "api_key", "timeout"],
    "juju": ["juju"],
    "nestedcloud": [],
}
SHARED_AUTH = {"overcloud": ["auth_url", "username", "password", "project_name"]}


def _docs(modules):
    run = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-doc"), "-j"]
                         + ["nestedcloud.openstack." + m for m in modules], capture_output=True, text=True,
                         check=True, env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg")))
    return dict((name.rsplit(".", 1)[-1], dict(value["doc"], returns=value.get("return") or {}))
                for name, value in json.loads(run.stdout).items())


def test_every_module_is_in_exactly_one_group_whose_options_it_takes():
    with open(os.path.join(TOP, "meta", "runtime.yml")) as handle:
        groups = yaml.safe_load(handle)["action_groups"]
    modules = sorted(name[:-3] for name in os.listdir(os.path.join(TOP, "plugins", "modules"))
                     if name.endswith(".py") and not name.startswith("_"))
    grouped = [m for members in groups.values() for m in members]
    assert sorted(grouped) == modules, set(modules) ^ set(grouped)  # each once, none missing
    assert set(groups) == set(SHARED)
    docs = _docs(modules)
    for group, members in groups.items():
        for module in members:
            options = docs[module]["options"]
            missing = [o for o in SHARED[group] if o not in options]
            assert not missing, "%s (group %s) does not take %s" % (module, group, missing)
            for sub in SHARED_AUTH.get(group, []):
                assert sub in options["auth"]["suboptions"], (module, sub)
        if SHARED[group]:  # the shared options mean the same in every member
            kinds = set((m, o, docs[m]["options"][o]["type"]) for m in members for o in SHARED[group])
            assert len(set((o, t) for _m, o, t in kinds)) == len(SHARED[group]), kinds
    # the outer cloud's options come from one doc fragment, in the modules and the inventory plugin alike
    for module in groups["undercloud"]:
        assert docs[module]["options"]["cloud"]["type"] == "raw" and docs[module]["options"]["api_timeout"]["default"] == 60
    # what CloudModule adds to every result is documented in every module's RETURN
    for module in groups["undercloud"]:
        assert {"api_calls", "retries"} <= set(docs[module]["returns"]), module
