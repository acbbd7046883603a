# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The choice of ebtables for the linuxbridge agent, and the wrapper's delete-by-number for among rules."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os

import pytest

from ansible_collections.nestedcloud.openstack.plugins.modules import ebtables_backend

WRAPPER = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "roles", "overcloud", "files",
                       "ebtables_compat.py")


@pytest.fixture(scope="module")
def compat():
    loader = importlib.machinery.SourceFileLoader("ebtables_compat", WRAPPER)
    spec = importlib.util.spec_from_loader("ebtables_compat", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


# what `ebtables -t nat -L neutronMAC-tap1` prints on iptables 1.8.9
LISTING = """Bridge table: nat

Bridge chain: neutronMAC-tap1, entries: 3, policy: DROP
-i tap1 --among-src fa:16:3e:0:0:1 -j RETURN
-i tap1 --among-src fa:16:3e:0:0:2,fa:16:3e:a:b:c -j RETURN
-j DROP
"""


def test_legacy_first_then_nft_then_the_wrapper():
    assert ebtables_backend.decide(True, False)[0] == "legacy"
    assert ebtables_backend.decide(True, True)[0] == "legacy"
    assert ebtables_backend.decide(False, True)[0] == "nft"
    backend, reason = ebtables_backend.decide(False, False)
    assert backend == "compat" and "1.8.10" in reason


def test_a_delete_of_an_among_rule_by_its_text_becomes_a_delete_by_number(compat):
    # the same two MACs as rule 2, in another order and spelling
    argv = ["-t", "nat", "--concurrent", "-D", "neutronMAC-tap1", "-i", "tap1", "--among-src",
            "fa:16:3e:0a:0b:0c,fa:16:3e:00:00:02", "-j", "RETURN"]
    seen = []

    def lister(options, chain):
        seen.append((options, chain))
        return LISTING

    assert compat.command(argv, lister) == ["-t", "nat", "--concurrent", "-D", "neutronMAC-tap1", "2"]
    assert seen == [(["-t", "nat", "--concurrent"], "neutronMAC-tap1")]


def test_the_agents_own_listed_text_is_found(compat):
    rule = "-i tap1 --among-src fa:16:3e:0:0:1 -j RETURN".split()
    assert compat.command(["-t", "nat", "-D", "neutronMAC-tap1"] + rule, lambda o, c: LISTING)[-1] == "1"


def test_everything_else_passes_through_unchanged(compat):
    def lister(options, chain):
        raise AssertionError("listed for a command that needs no listing")

    for argv in (["-t", "nat", "-L"], ["-t", "nat", "-A", "c", "-i", "tap1", "--among-src", "fa:16:3e:0:0:1", "-j",
                                       "RETURN"],
                 ["-t", "nat", "-D", "PREROUTING", "-i", "tap1", "-j", "neutronMAC-tap1"],
                 ["-t", "nat", "-D", "c", "3"], ["--version"]):
        assert compat.command(list(argv), lister) == argv


def test_a_rule_not_in_the_chain_is_left_to_ebtables_to_refuse(compat):
    argv = ["-t", "nat", "-D", "neutronMAC-tap1", "-i", "tap1", "--among-src", "fa:16:3e:0:0:9", "-j", "RETURN"]
    assert compat.command(list(argv), lambda o, c: LISTING) == argv
    assert compat.command(list(argv), lambda o, c: "") == argv


def test_mac_spellings(compat):
    assert compat.normalize(["--among-src", "FA:16:3E:00:00:01,"]) == ("--among-src", "fa:16:3e:0:0:1")
    assert compat.normalize(["--among-dst", "fa:16:3e:0:0:1=10.0.0.5,fa:16:3e:0:0:0"]) == \
        ("--among-dst", "fa:16:3e:0:0:0,fa:16:3e:0:0:1=10.0.0.5")
    assert compat.normalize(["-i", "tap1"]) == ("-i", "tap1")
