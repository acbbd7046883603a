# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The overcloud role's ebtables wrapper against this machine's real ebtables-nft, in a network namespace this test
makes: the linuxbridge agent's way of replacing a port's MAC rule (add the new one, delete the old one by the text
`ebtables -L` printed) works through it."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

WRAPPER = os.path.join(os.path.dirname(__file__), "..", "..", "roles", "overcloud", "files", "ebtables_compat.py")
CHAIN = "neutronMAC-tap1"


def sh(ns, *cmd, check=True):
    return subprocess.run(("ip", "netns", "exec", ns) + cmd, capture_output=True, text=True, check=check)


@pytest.fixture
def ns():
    if os.geteuid() != 0 or not shutil.which("ebtables-nft"):
        pytest.skip("needs root and ebtables-nft")
    name = "nc-ebt%d" % os.getpid()
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        yield name
    finally:
        subprocess.run(["ip", "netns", "del", name], check=False)


def rules(ns):
    out = sh(ns, "ebtables-nft", "-t", "nat", "-L", CHAIN).stdout
    return [line for line in out.splitlines() if line.startswith("-")]


def test_the_agents_mac_rule_update_goes_through_the_wrapper(ns):
    eb = ("python3", WRAPPER, "-t", "nat", "--concurrent")
    sh(ns, *eb, "-N", CHAIN, "-P", "DROP")
    sh(ns, *eb, "-A", CHAIN, "-i", "tap1", "--among-src", "fa:16:3e:00:00:01", "-j", "RETURN")
    old = rules(ns)
    assert old == ["-i tap1 --among-src fa:16:3e:0:0:1 -j RETURN"]
    # the port got a second MAC (allowed address pair): the agent adds the new rule, then deletes the old by its text
    sh(ns, *eb, "-A", CHAIN, "-i", "tap1", "--among-src", "fa:16:3e:00:00:01,fa:16:3e:00:00:02", "-j", "RETURN")
    plain = sh(ns, "ebtables-nft", "-t", "nat", "--concurrent", "-D", CHAIN, *old[0].split(), check=False)
    if plain.returncode == 0:  # an ebtables-nft that can (iptables >= 1.8.10): put the rule back for the wrapper
        sh(ns, *eb, "-I", CHAIN, "1", *old[0].split())
    else:
        assert "RULE_DELETE failed" in plain.stderr
    done = sh(ns, *eb, "-D", CHAIN, *old[0].split(), check=False)
    assert done.returncode == 0, done.stderr
    assert rules(ns) == ["-i tap1 --among-src fa:16:3e:0:0:1,fa:16:3e:0:0:2 -j RETURN"]
    # a rule that is not there is still refused, by ebtables-nft itself
    gone = sh(ns, *eb, "-D", CHAIN, *old[0].split(), check=False)
    assert gone.returncode != 0
    # everything else is ebtables-nft unchanged
    sh(ns, *eb, "-A", "PREROUTING", "-i", "tap1", "-j", CHAIN)
    sh(ns, *eb, "-D", "PREROUTING", "-i", "tap1", "-j", CHAIN)
    assert "entries: 0" in sh(ns, "ebtables-nft", "-t", "nat", "-L", "PREROUTING").stdout
