#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: maas_settings
short_description: Set MAAS configuration items (upstream DNS, NTP, proxy, timeouts), in the order given
version_added: 0.1.0
description:
  - Reads each configuration item of O(settings) (C(get_config)) and sets only those whose value differs
    (C(set_config)), in the order of O(settings). Give the proxy items before anything that downloads, as the
    C(maas) role does before the boot image import.
  - Booleans are compared as MAAS stores them (C(true)/C(false)); lists are given as MAAS wants them, one string
    with the items separated by spaces (for example C(upstream_dns)).
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - nestedcloud.openstack.maas
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: posix
options:
  settings:
    description:
      - Configuration item names and values, for example C(http_proxy), C(enable_http_proxy), C(upstream_dns),
        C(dnssec_validation), C(ntp_servers), C(ntp_external_only), C(node_timeout). See MAAS's documentation of
        C(maas admin maas set-config) for every name.
      - A value of V(null) leaves the item alone.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Proxy, DNS and NTP through r0, before the image import
  nestedcloud.openstack.maas_settings:
    url: http://10.33.1.1:5240/MAAS
    api_key: "{{ maas_api_key }}"
    settings:
      http_proxy: http://10.33.0.1:3128/
      enable_http_proxy: true
      use_peer_proxy: true
      upstream_dns: 10.33.0.1
      dnssec_validation: "no"
      ntp_servers: 10.33.0.1
      ntp_external_only: true
"""

RETURN = r"""
changed_settings:
  description: The items that were (or in check mode would be) set, in order.
  returned: always
  type: list
  elements: str
  sample: [http_proxy, enable_http_proxy]
writes:
  description: Requests that changed something in MAAS.
  returned: always
  type: int
  sample: 0
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.nestedcloud.openstack.plugins.module_utils.maas.client import MAAS_ARGS, MaasError, connect


def as_maas(value):
    """How MAAS stores and returns ``value`` (booleans as JSON booleans, numbers and the rest as text)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return "" if value is None else str(value)


def wire(value):
    return ("true" if value else "false") if isinstance(value, bool) else value


def main():
    module = AnsibleModule(argument_spec=dict(MAAS_ARGS, settings=dict(type="dict", required=True)),
                           supports_check_mode=True)
    client = connect(module)
    wanted = dict((name, value) for name, value in module.params["settings"].items() if value is not None)
    before, after, changed = {}, {}, []
    try:
        for name, value in wanted.items():
            current = as_maas(client.read("maas/", op="get_config", query={"name": name}))
            before[name], after[name] = current, as_maas(value)
            if current != after[name]:
                changed.append(name)
                if not module.check_mode:
                    client.post("maas/", op="set_config", data={"name": name, "value": wire(after[name])})
    except MaasError as err:
        module.fail_json(msg="settings: %s" % err, changed_settings=changed, writes=client.writes)
    module.exit_json(changed=bool(changed), changed_settings=changed, writes=client.writes,
                     diff={"before": before, "after": after})


if __name__ == "__main__":
    main()
