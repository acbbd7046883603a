# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bring up the taps of this host's VMs that Open vSwitch's userspace datapath left down.

With ML2/OVN, Nova lets os-vif add a VM's port to br-int before libvirt creates the tap (Nova always delegates the
port's creation, `delegate_create`). On the userspace (netdev) datapath, ovs-vswitchd opens the new tap when it
appears and turns promiscuous mode on by reading the interface's flags and writing them back (SIOCGIFFLAGS, then
SIOCSIFFLAGS). When libvirt sets the tap up between the two, ovs-vswitchd writes the flags back without IFF_UP: the
VM's NIC stays down, it gets no DHCP lease and answers no ping, and nothing reports an error. The kernel datapath adds
ports inside the kernel and never races like this, so this guard runs only on chassis on the userspace datapath.

Each sweep looks for tun/tap devices named like Nova's taps that are administratively down and brings up those that
ovs-vswitchd already holds (an OpenFlow port number) for a VM (os-vif's `external_ids:vm-uuid`). Once a port has its
number, ovs-vswitchd has done its read-modify-write and leaves the flags alone; `ip link set up` changes only IFF_UP.
A shut-off domain's tap is deleted by libvirt, so the guard never wakes a VM that was stopped on purpose.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

IFF_UP = 0x1
SYSFS = "/sys/class/net"
# Nova names a VM's tap "tap" + the first 11 characters of its Neutron port's ID
TAP_PREFIX = "tap"
LIST_INTERFACES = ["ovs-vsctl", "--timeout=5", "--format=json", "--columns=name,ofport,external_ids",
                   "list", "Interface"]


def down_taps(sysfs=SYSFS, prefix=TAP_PREFIX):
    """Names of the tun/tap devices named like Nova's taps that are administratively down."""
    found = []
    for name in sorted(os.listdir(sysfs)):
        if not name.startswith(prefix) or not os.path.exists(os.path.join(sysfs, name, "tun_flags")):
            continue
        try:
            with open(os.path.join(sysfs, name, "flags")) as handle:
                flags = int(handle.read().strip(), 16)
        except (OSError, ValueError):
            continue  # the device went away meanwhile
        if not flags & IFF_UP:
            found.append(name)
    return found


def _ovsdb_map(value):
    """An OVSDB map column of ovs-vsctl's JSON output (["map", [[key, value], ...]]) as a dict."""
    if isinstance(value, list) and len(value) == 2 and value[0] == "map":
        return dict(value[1])
    return {}


def held_vm_ports(listing):
    """Interfaces ovs-vswitchd holds (ofport > 0) for a VM (vm-uuid), from `ovs-vsctl --format=json ... list Interface`."""
    table = json.loads(listing)
    headings = table["headings"]
    held = set()
    for row in table["data"]:
        record = dict(zip(headings, row))
        ofport = record.get("ofport")
        # an interface not opened yet (or gone) has ofport -1 or an empty set (["set", []])
        if isinstance(ofport, int) and ofport > 0 and "vm-uuid" in _ovsdb_map(record.get("external_ids")):
            held.add(record["name"])
    return held


def sweep(run, sysfs=SYSFS, log=None):
    """One look: bring up each down tap that ovs-vswitchd holds for a VM. Returns the names brought up."""
    down = down_taps(sysfs)
    if not down:
        return []  # the usual case costs no ovs-vsctl call
    held = held_vm_ports(run(LIST_INTERFACES))
    raised = [name for name in down if name in held]
    for name in raised:
        run(["ip", "link", "set", "dev", name, "up"])
        if log:
            log("%s: a VM's tap on the userspace datapath was down (ovs-vswitchd cleared IFF_UP); brought it up" % name)
    return raised


def _run(argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=30).stdout


def _log(message):
    print(message, file=sys.stderr, flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between two sweeps (default 1)")
    parser.add_argument("--once", action="store_true", help="one sweep, then exit")
    args = parser.parse_args(argv)
    _log("watching for VM taps left down on the userspace datapath, every %.1f s" % args.interval)
    while True:
        try:
            sweep(_run, log=_log)
        except (OSError, ValueError, KeyError, subprocess.SubprocessError) as error:
            # ovs-vswitchd restarting, a tap deleted between the look and the fix: the next sweep sees again
            _log("sweep failed, trying again: %s" % error)
        if args.once:
            return 0
        time.sleep(args.interval)


if __name__ == "__main__":
    sys.exit(main())
