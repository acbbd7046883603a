# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: lab
short_description: The hosts of a nested OpenStack lab, from the outer cloud and the plan
version_added: 0.1.0
description:
  - Asks the outer cloud for the servers the lab owns (by its tag) and for what the plan depends on besides the
    definition, exactly as M(nestedcloud.openstack.undercloud_plan_info) reads it for the undercloud role (the
    sizes of the lab's flavors, the network's MTU, the uc- host each running oc- VM is recorded on), and plans the
    lab with it (as M(nestedcloud.openstack.lab_plan) does), so that both plan alike.
  - r0 and every uc- server that exists become hosts, with C(ansible_host) set to the fixed IP and,
    for every host but r0, SSH going through r0's floating IP (ProxyJump). The oc- VMs of the plan are hosts too,
    reached on their overlay address through r0.
  - Groups are those of the plan - C(jumphost), C(undercloud), C(hypervisors), C(overcloud_controller),
    C(overcloud_compute), C(nested), C(maas), C(juju_controller) - plus any from O(groups) and O(keyed_groups).
  - Every host gets C(nestedcloud_host) (its part of the plan) and C(nestedcloud_server_status); C(nestedcloud_plan)
    is set on the group C(all).
  - The inventory file's name must end in C(nestedcloud.yml) or C(nestedcloud.yaml).
author:
  - nestedcloud.openstack developers (@nestedcloud)
requirements:
  - openstacksdk >= 1.0.0
  - netaddr
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
  - nestedcloud.openstack.auth
options:
  plugin:
    description: Marks this file as a configuration of this plugin.
    type: str
    required: true
    choices: [nestedcloud.openstack.lab]
  lab:
    description:
      - The lab definition (as C(nestedcloud_lab)). When empty, it is read from O(lab_file).
    type: dict
    default: {}
  lab_file:
    description:
      - Where the lab definition is, relative to this inventory file when not absolute - a YAML file, or a
        directory whose YAML files are read in name order as Ansible reads C(group_vars/all/) (the default).
      - C(nestedcloud_lab) is taken from them, with C(nestedcloud_lab_overrides) laid over it key by key, exactly
        as the playbooks do (filter P(nestedcloud.openstack.lab_definition#filter)) - for example the shipped
        example lab and one file of a site's differences.
    type: str
    default: group_vars/all
  ssh_user:
    description:
      - User for SSH on r0 and the uc- servers. When not set, the lab's C(image_user), which by default follows the
        image name - C(ubuntu), C(debian), C(cirros) - or is C(root).
    type: str
  ssh_private_key:
    description: Private key for SSH; defaults to C(~/.nestedcloud/<lab>/id_ed25519), which the undercloud role made.
    type: path
"""

EXAMPLES = r"""
# inventory/lab.nestedcloud.yml
plugin: nestedcloud.openstack.lab
lab_file: group_vars/all
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/nestedcloud-inventory
keyed_groups:
  - key: nestedcloud_server_status | default('planned')
    prefix: status
"""

import os

import yaml
from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

try:
    import openstack
    from keystoneauth1 import exceptions as ksa_exceptions

    HAS_SDK = True
except ImportError:
    HAS_SDK = False

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import (
    AUTH_ARGS, CloudError, connect, use_monotonic_clock)
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.hosts import inventory as lab_inventory
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.schema import LabDefinitionError, merge
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.plan_inputs import lab_stub, read_lab


def _yaml_files(path):
    if not os.path.isdir(path):
        return [path]
    return [os.path.join(path, name) for name in sorted(os.listdir(path))
            if name.endswith((".yml", ".yaml", ".json")) and os.path.isfile(os.path.join(path, name))]


def definition_from(path):
    """The lab definition in ``path`` (a YAML file or a group_vars directory, read as Ansible reads it: files in
    name order, a later file's variable replacing an earlier one), with ``nestedcloud_lab_overrides`` laid over
    ``nestedcloud_lab``. ``ValueError`` when no file sets ``nestedcloud_lab``."""
    found = {}
    for name in _yaml_files(path):
        with open(name) as handle:
            data = yaml.safe_load(handle) or {}
        if not isinstance(data, dict):
            raise ValueError("%s is not a mapping of variables" % name)
        for key in ("nestedcloud_lab", "nestedcloud_lab_overrides"):
            if key in data:
                found[key] = data[key]
    if "nestedcloud_lab" not in found:
        raise ValueError("no file there sets nestedcloud_lab")
    for key, value in found.items():
        if not isinstance(value, dict):
            raise ValueError("%s must be a mapping, not %s" % (key, type(value).__name__))
    return merge(found["nestedcloud_lab"], found.get("nestedcloud_lab_overrides") or {})


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "nestedcloud.openstack.lab"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("nestedcloud.yml", "nestedcloud.yaml"))

    def _lab(self, path):
        lab = self.get_option("lab")
        if lab:
            return lab
        lab_file = os.path.expanduser(self.get_option("lab_file"))
        if not os.path.isabs(lab_file):
            lab_file = os.path.join(os.path.dirname(path), lab_file)
        try:
            return definition_from(lab_file)
        except (OSError, ValueError, yaml.YAMLError) as err:
            raise AnsibleParserError("lab_file %s: cannot read nestedcloud_lab from it: %s" % (lab_file, err))

    def _query(self, lab, params):
        if not HAS_SDK:
            raise AnsibleParserError("the nestedcloud.openstack.lab inventory needs openstacksdk")
        use_monotonic_clock()
        where = params["cloud"] if isinstance(params["cloud"], str) else "(from the environment)" \
            if params["cloud"] is None else "(the cloud dict)"
        try:
            inputs, servers, floating_ip = read_lab(connect(params), lab)
        except CloudError as err:
            raise AnsibleParserError("cloud %s: %s" % (where, err))
        except (openstack.exceptions.SDKException, ksa_exceptions.ClientException) as err:
            if isinstance(err, ksa_exceptions.ConnectTimeout):
                raise AnsibleParserError("cloud %s: no answer within api_timeout (%s s): %s"
                                         % (where, params["api_timeout"], err))
            raise AnsibleParserError("cloud %s: %s" % (where, err))
        return {"servers": servers, "floating_ip": floating_ip, "inputs": inputs}

    def _connection_options(self, definition):
        """The connection options (doc fragment nestedcloud.openstack.auth); cloud defaults to the lab's."""
        params = dict((name, self.get_option(name)) for name in AUTH_ARGS)
        if params["cloud"] in (None, "") and definition["cloud"] != "auto":
            params["cloud"] = definition["cloud"]
        return params

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        lab = self._lab(path)
        try:
            _stub, definition = lab_stub(lab)  # a bad definition fails before the cloud is asked
        except LabDefinitionError as err:
            raise AnsibleParserError(str(err))
        params = self._connection_options(definition)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        found = None
        if use_cache:
            try:
                found = self._cache[cache_key]
            except KeyError:
                found = None
        if found is None or "inputs" not in found:
            found = self._query(lab, params)
            if self.get_option("cache"):
                self._cache[cache_key] = found
        try:  # the same inputs as the undercloud role plans with (nestedcloud.openstack.undercloud_plan_info)
            plan = build_plan(lab, **found["inputs"])
        except LabDefinitionError as err:
            raise AnsibleParserError(str(err))
        # the same hosts as the undercloud layer adds to a run whose inventory predates them
        hosts = lab_inventory(plan, found["servers"], found["floating_ip"], self.get_option("ssh_user"),
                              self.get_option("ssh_private_key"))
        for group in plan["groups"]:
            self.inventory.add_group(group)
        self.inventory.set_variable("all", "nestedcloud_plan", plan)
        strict = self.get_option("strict")
        for name, variables in hosts["hosts"].items():
            self.inventory.add_host(name)
            for group in hosts["groups"][name]:
                self.inventory.add_child(group, name)
            for key, value in variables.items():
                self.inventory.set_variable(name, key, value)
            self._set_composite_vars(self.get_option("compose"), variables, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, name, strict=strict)
