"""Print what the outer cloud gave the lab: NAME=FIXED_IP per server, FIP=... and MTU=... (for scripts/lab.sh).

The argument is the inventory's group_vars/all (or a file): the definition there, as the inventory plugin reads it."""
import sys

import openstack

from ansible_collections.nestedcloud.openstack.plugins.inventory.lab import definition_from

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.owned import owned_servers
from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.plan_inputs import lab_stub


def main(lab_file):
    plan, lab = lab_stub(definition_from(lab_file))
    conn = openstack.connect(cloud=lab["cloud"])
    for name, server in sorted(owned_servers(conn, plan).items()):
        fixed = [a["addr"] for addrs in (server.addresses or {}).values() for a in addrs
                 if a.get("OS-EXT-IPS:type", "fixed") == "fixed"]
        if not fixed:
            sys.exit("%s has no fixed address yet" % name)
        print("HOST %s=%s" % (name, fixed[0]))
    for fip in conn.network.ips(project_id=conn.current_project_id):
        if plan["tag"] in (fip.tags or []) and fip.port_id:
            print("FIP %s" % fip.floating_ip_address)
    for net in conn.network.networks(tags=plan["tag"]):
        print("MTU %s" % net.mtu)


if __name__ == "__main__":
    main(sys.argv[1])
