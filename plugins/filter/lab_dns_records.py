# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``lab_dns_records``: the names r0's resolver answers for the lab, from the plan."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

KIND_ORDER = {"jumphost": 0, "undercloud": 1, "nested": 2}


def lab_dns_records(plan):
    """Return [{"ip": ..., "names": [fqdn, short]}, ...]: every host's overlay address under its name, and r0 and
    each uc- host's underlay address under <name>.underlay.<domain>; r0 also answers as gateway.<domain> on the
    inner external range's gateway address."""
    try:
        domain = plan["dns_domain"]
        hosts = sorted(plan["hosts"].values(), key=lambda h: (KIND_ORDER.get(h["kind"], 9), h["name"]))
        records = []
        for host in hosts:
            if host.get("overlay_ip"):
                records.append({"ip": host["overlay_ip"], "names": [host["fqdn"], host["name"]]})
            if host.get("underlay_ip"):
                records.append({"ip": host["underlay_ip"], "names": ["%s.underlay.%s" % (host["name"], domain)]})
        external = plan["networks"]["inner_external"]["gateway"]
        records.append({"ip": external, "names": ["gateway.%s" % domain]})
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("lab_dns_records: the input is not a plan of nestedcloud.openstack.lab_plan "
                                 "(missing %s)" % exc) from exc
    return records


class FilterModule:
    def filters(self):
        return {"lab_dns_records": lab_dns_records}
