#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: maas_machines
short_description: Enlist the lab's oc- VMs in MAAS by MAC with their power parameters, tag and commission them
version_added: 0.1.0
description:
  - For each machine of O(machines) (the plan's C(maas_juju.machines)), finds it in MAAS by the MAC of its boot
    NIC, creates it when missing (C(commission=false), so that the module decides), corrects its host name and power
    parameters when they differ, adds its tags (creating the tags), and starts commissioning, without hardware
    tests, for machines that are C(New) (and, with O(recommission_failed), for those that failed it).
  - All machines commission at the same time. With O(wait), its action plugin asks again every O(delay) seconds and
    prints how many are C(Ready) and what the others are doing, and fails at the end of the wait naming each machine
    that is not ready with its MAAS status. Under QEMU/TCG give it time (an hour is not too much).
  - Machines of MAAS that are not in O(machines) are left alone.
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
  machines:
    description: The machines, as the plan lists them in C(maas_juju.machines); extra keys are ignored.
    type: list
    elements: dict
    required: true
  power_user:
    description: User of the power interface (sushy-emulator's Redfish) on every uc- host.
    type: str
    required: true
  power_password:
    description: Its password.
    type: str
    required: true
  architecture:
    description: MAAS architecture of the machines.
    type: str
    default: amd64/generic
  commission:
    description: Start commissioning machines that are C(New).
    type: bool
    default: true
  recommission_failed:
    description: Commission again the machines whose commissioning failed (for example after a timeout under TCG).
    type: bool
    default: true
  wait:
    description: Seconds to wait until every machine is C(Ready) (or further, for example C(Deployed)); V(0) acts once.
    type: int
    default: 0
  delay:
    description: Seconds between two looks while waiting.
    type: int
    default: 20
"""

EXAMPLES = r"""
- name: The oc- VMs enlisted and commissioned, an hour at most
  nestedcloud.openstack.maas_machines:
    url: "{{ plan.maas_juju.maas.url }}"
    api_key: "{{ maas_api_key }}"
    machines: "{{ plan.maas_juju.machines }}"
    power_user: "{{ power_user }}"
    power_password: "{{ power_password }}"
    wait: 3600
"""

RETURN = r"""
ready:
  description: Whether every machine is Ready or beyond.
  returned: always
  type: bool
summary:
  description: How many machines are ready, of how many.
  returned: always
  type: str
  sample: 2 of 3 Ready
waiting_for:
  description: One line per machine not ready, with its MAAS status.
  returned: always
  type: list
  elements: str
  sample: ["oc-0004 (uc-0002): Commissioning"]
machines:
  description: Name to MAAS system id and status.
  returned: always
  type: dict
  sample: {"oc-0002": {"system_id": "x7kq3e", "status": "Ready"}}
actions:
  description: What was (or in check mode would be) done.
  returned: always
  type: list
  elements: str
  sample: ["create oc-0002 (52:54:00:00:00:02)", "tag oc-0002 juju-controller", "commission oc-0002"]
writes:
  description: Requests that changed something in MAAS.
  returned: always
  type: int
  sample: 0
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.maas.client import MAAS_ARGS, MaasError, connect

READY = {"Ready", "Allocated", "Deploying", "Deployed"}
FAILED = {"Failed commissioning", "Failed testing"}


def check_machines(machines):
    """ValueError naming the field of the first bad entry."""
    seen = {}
    for index, machine in enumerate(machines):
        field = "machines[%d]" % index
        for key in ("name", "mac", "power"):
            if not machine.get(key):
                raise ValueError("%s.%s is required (the plan's maas_juju.machines have it)" % (field, key))
        for key in ("address", "node_id"):
            if not machine["power"].get(key):
                raise ValueError("%s.power.%s is required" % (field, key))
        mac = machine["mac"].lower()
        if mac in seen:
            raise ValueError("%s.mac %s is also the MAC of %s" % (field, mac, seen[mac]))
        seen[mac] = machine["name"]


def macs_of(found):
    macs = {(found.get("boot_interface") or {}).get("mac_address", "")}
    macs.update(nic.get("mac_address", "") for nic in found.get("interface_set") or [])
    return {mac.lower() for mac in macs if mac}


def power_fields(machine, params):
    power = machine["power"]
    return {"power_type": power.get("type", "redfish"),
            "power_parameters_power_address": power["address"],
            "power_parameters_node_id": power["node_id"],
            "power_parameters_power_user": params["power_user"],
            "power_parameters_power_pass": params["power_password"]}


def run(module, client):
    params = module.params
    actions, result = [], {}

    def act(text, method, path, op=None, data=None):
        actions.append(text)
        if not module.check_mode:
            return getattr(client, method)(path, op=op, data=data) if method == "post" else client.put(path, data=data)
        return None

    existing = client.read("machines/")
    tags = {tag["name"] for tag in client.read("tags/")}
    for machine in params["machines"]:
        name, mac = machine["name"], machine["mac"].lower()
        found = next((m for m in existing if mac in macs_of(m)), None)
        wanted_power = power_fields(machine, params)
        if found is None:
            created = act("create %s (%s)" % (name, mac), "post", "machines/", data=dict(
                wanted_power, architecture=params["architecture"], mac_addresses=mac, hostname=name, commission="false"))
            found = created or {"system_id": "(new)", "hostname": name, "status_name": "New", "tag_names": []}
        else:
            changes = {}
            if found.get("hostname") != name:
                changes["hostname"] = name
            current = client.read("machines/%s/" % found["system_id"], op="power_parameters") or {}
            if (found.get("power_type") != wanted_power["power_type"] or
                    any(current.get(key[len("power_parameters_"):]) != value
                        for key, value in wanted_power.items() if key.startswith("power_parameters_"))):
                changes.update(wanted_power)
            if changes:
                shown = sorted(k.replace("power_parameters_", "power ") for k in changes if k != "power_parameters_power_pass")
                act("update %s: %s" % (name, ", ".join(shown or ["power password"])), "put",
                    "machines/%s/" % found["system_id"], data=changes)
        for tag in machine.get("tags") or []:
            if tag not in tags:
                act("create tag %s" % tag, "post", "tags/", data={"name": tag, "comment": "nestedcloud lab"})
                tags.add(tag)
            if tag not in (found.get("tag_names") or []):
                act("tag %s %s" % (name, tag), "post", "tags/%s/" % tag, op="update_nodes",
                    data={"add": found["system_id"]})
        status = found.get("status_name", "New")
        if params["commission"] and (status == "New" or (status in FAILED and params["recommission_failed"])):
            act("commission %s%s" % (name, " again (%s)" % status if status != "New" else ""), "post",
                "machines/%s/" % found["system_id"], op="commission",
                data={"testing_scripts": "none", "enable_ssh": "0", "skip_networking": "0", "skip_storage": "0"})
            status = "Commissioning"
        result[name] = {"system_id": found["system_id"], "status": status, "hypervisor": machine.get("hypervisor")}
    waiting = ["%s%s: %s" % (name, " (%s)" % info["hypervisor"] if info["hypervisor"] else "", info["status"])
               for name, info in result.items() if info["status"] not in READY]
    ready = len(result) - len(waiting)
    for info in result.values():
        info.pop("hypervisor")
    return dict(changed=bool(actions), actions=actions, machines=result, ready=not waiting,
                summary="%d of %d Ready" % (ready, len(result)), waiting_for=waiting, writes=client.writes)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            MAAS_ARGS,
            machines=dict(type="list", elements="dict", required=True),
            power_user=dict(type="str", required=True),
            power_password=dict(type="str", required=True, no_log=True),
            architecture=dict(type="str", default="amd64/generic"),
            commission=dict(type="bool", default=True),
            recommission_failed=dict(type="bool", default=True),
            wait=dict(type="int", default=0),
            delay=dict(type="int", default=20),
        ),
        supports_check_mode=True,
    )
    try:
        check_machines(module.params["machines"])
    except ValueError as err:
        module.fail_json(msg=str(err))
    client = connect(module)
    try:
        module.exit_json(**run(module, client))
    except MaasError as err:
        module.fail_json(msg=str(err), writes=client.writes)


if __name__ == "__main__":
    main()
