# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The MAAS modules against the contract test server (tests/maas/fake_maas.py) over real HTTP on loopback:
OAuth signing, what each writes, idempotency (a second run writes nothing), check mode, and refusals."""

from __future__ import annotations

import copy
import json

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.maas import client as client_lib
from ansible_collections.nestedcloud.openstack.plugins.modules import maas_boot_images, maas_machines, maas_network, maas_settings
from tests.maas.fake_maas import API_KEY, running
from tests.labs import OUTER
from tests.unit.plugins._module_runner import run_module


@pytest.fixture
def maas():
    with running() as state:
        yield state


def call(maas, module, args, check_mode=False):
    return run_module(dict(args, url=maas.url, api_key=API_KEY), check_mode=check_mode, main=module.main)


SETTINGS = {"http_proxy": "http://10.33.0.1:3128/", "enable_http_proxy": True, "upstream_dns": "10.33.0.1",
            "dnssec_validation": "no", "ntp_servers": "10.33.0.1", "ntp_external_only": True, "node_timeout": 60}
NETWORK = {"subnet": "10.33.0.0/16", "gateway": "10.33.0.1", "dns_servers": ["10.33.0.1"], "mtu": 1450,
           "reserved": [{"start": "10.33.0.1", "end": "10.33.0.255", "comment": "r0 and uc-"},
                        {"start": "10.33.1.1", "end": "10.33.1.1", "comment": "MAAS"}],
           "dynamic": {"start": "10.33.2.1", "end": "10.33.2.254", "comment": "enlistment"}}


def test_oauth_header_is_plaintext_rfc5849():
    header = client_lib.oauth_header("ck:tk:s3cr&t", nonce="n1", timestamp=1700000000)
    assert header == ('OAuth realm="", oauth_version="1.0", oauth_signature_method="PLAINTEXT", '
                      'oauth_consumer_key="ck", oauth_token="tk", oauth_signature="%26s3cr%2526t", '
                      'oauth_nonce="n1", oauth_timestamp="1700000000"')


@pytest.mark.parametrize("key", ["", "ck:tk", "ck::ts", "a:b:c:d"])
def test_a_malformed_api_key_is_refused_without_showing_it(maas, key):
    result = run_module({"url": maas.url, "api_key": key, "settings": {}}, main=maas_settings.main)
    assert result["failed"] and result["msg"].startswith("api_key must be MAAS's API key")
    assert maas.log == []


def test_a_wrong_secret_is_refused_by_maas(maas):
    result = run_module({"url": maas.url, "api_key": "ConsumerKey123:TokenKey45678:wrong", "settings": {"node_timeout": 5}},
                        main=maas_settings.main)
    assert result["failed"] and "401" in result["msg"] and "Invalid oauth_signature" in result["msg"]
    assert "wrong" not in result["msg"]


def test_settings_are_set_in_order_once(maas):
    first = call(maas, maas_settings, {"settings": SETTINGS})
    differing = [name for name in SETTINGS if name != "enable_http_proxy"]  # MAAS's default is already true
    assert first["changed"] and first["changed_settings"] == differing
    assert [w[3]["name"] for w in maas.writes()] == differing
    assert maas.config["ntp_external_only"] is True and maas.config["node_timeout"] == 60
    again = call(maas, maas_settings, {"settings": SETTINGS})
    assert not again["changed"] and again["writes"] == 0 and len(maas.writes()) == len(differing)


def test_settings_check_mode_writes_nothing_and_shows_the_diff(maas):
    result = call(maas, maas_settings, {"settings": {"upstream_dns": "10.33.0.1", "enable_http_proxy": True}},
                  check_mode=True)
    assert result["changed"] and result["changed_settings"] == ["upstream_dns"] and maas.writes() == []
    assert result["diff"]["before"]["upstream_dns"] == "" and result["diff"]["after"]["upstream_dns"] == "10.33.0.1"


def test_an_unknown_setting_fails_naming_it(maas):
    result = call(maas, maas_settings, {"settings": {"upstream_dsn": "10.33.0.1"}})
    assert result["failed"] and "upstream_dsn" in result["msg"] and "not a valid config setting" in result["msg"]


def test_network_first_run_sets_ranges_before_dhcp_and_a_second_run_writes_nothing(maas):
    first = call(maas, maas_network, NETWORK)
    assert first["changed"], first
    writes = [(w[0], w[1]) for w in maas.writes()]
    assert writes == [("PUT", "subnets/1/"), ("POST", "ipranges/"), ("POST", "ipranges/"), ("POST", "ipranges/"),
                      ("PUT", "fabrics/0/vlans/0/")]
    vlan = maas.subnets[0]["vlan"]
    assert (vlan["mtu"], vlan["dhcp_on"], vlan["primary_rack"]) == (1450, True, "rk7q3a")
    assert maas.subnets[0]["gateway_ip"] == "10.33.0.1" and maas.subnets[0]["dns_servers"] == ["10.33.0.1"]
    assert sorted((r["type"], r["start_ip"]) for r in maas.ipranges) == [
        ("dynamic", "10.33.2.1"), ("reserved", "10.33.0.1"), ("reserved", "10.33.1.1")]
    again = call(maas, maas_network, NETWORK)
    assert not again["changed"] and again["writes"] == 0 and again["actions"] == []


def test_network_check_mode_lists_the_actions_and_writes_nothing(maas):
    result = call(maas, maas_network, NETWORK, check_mode=True)
    assert result["changed"] and len(result["actions"]) == 5 and maas.writes() == []


def test_an_overlapping_range_fails_before_anything_is_written(maas):
    maas.ipranges.append({"id": 9, "type": "reserved", "start_ip": "10.33.2.100", "end_ip": "10.33.2.120",
                          "comment": "someone's", "subnet": {"id": 1}})
    result = call(maas, maas_network, NETWORK)
    assert result["failed"] and "dynamic 10.33.2.1-10.33.2.254 overlaps MAAS's reserved range" in result["msg"]
    assert maas.writes() == []


@pytest.mark.parametrize("change, field", [({"gateway": "10.99.0.1"}, "gateway"), ({"subnet": "10.33.0.0/33"}, "subnet"),
                                           ({"dns_servers": ["r0"]}, "dns_servers[0]"), ({"mtu": 99999}, "mtu"),
                                           ({"dynamic": {"start": "10.33.2.9", "end": "10.33.2.1"}}, "dynamic")])
def test_bad_network_input_names_the_field(maas, change, field):
    result = call(maas, maas_network, dict(NETWORK, **change))
    assert result["failed"] and result["msg"].startswith(field + ":"), result["msg"]
    assert maas.log == []


def test_network_without_the_subnet_says_what_maas_needs(maas):
    result = call(maas, maas_network, dict(NETWORK, subnet="10.34.0.0/16", gateway="10.34.0.1",
                                           dns_servers=[], reserved=[], dynamic={"start": "10.34.2.1", "end": "10.34.2.9"}))
    assert result["failed"] and "MAAS has no subnet 10.34.0.0/16" in result["msg"]


def test_boot_images_select_import_and_report_progress_until_synced(maas):
    first = call(maas, maas_boot_images, {"release": "jammy"})
    assert first["actions"] == ["selection ubuntu/jammy amd64", "import started"] and not first["ready"]
    assert [(w[1], w[2]) for w in maas.writes()] == [("boot-sources/1/selections/", None), ("boot-resources/", "import")]
    seen = []
    for attempt in range(5):
        answer = dict(call(maas, maas_boot_images, {"release": "jammy"}), attempt=attempt)
        seen.append(answer)
        if answer["ready"]:
            break
    assert seen[-1]["ready"] and seen[-1]["summary"] == "1 of 1 synced" and seen[-1]["waiting_for"] == []
    assert any("ubuntu/jammy amd64/ga-22.04 at" in line for a in seen[:-1] for line in a["waiting_for"])
    assert all(a["writes"] == 0 and not a["changed"] for a in seen)  # waiting starts no second import


def test_boot_images_check_mode_starts_nothing(maas):
    result = call(maas, maas_boot_images, {"release": "jammy", "arches": ["amd64", "arm64"]}, check_mode=True)
    assert result["changed"] and maas.writes() == []


def test_boot_images_fix_the_arches_of_an_existing_selection(maas):
    result = call(maas, maas_boot_images, {"release": "noble", "arches": ["amd64", "arm64"]})
    assert result["actions"][0] == "selection ubuntu/noble: arches amd64 arm64"
    assert maas.selections[1][0]["arches"] == ["amd64", "arm64"]


def _machines():
    from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
    plan = build_plan({"name": "lab1", "cloud": "c", **OUTER, "undercloud_count": 3, "nested_vms": {"count": 5},
                       "overcloud": {"kind": "maas_juju", "hosts": "nested"}})
    return plan["maas_juju"]["machines"]


POWER = {"power_user": "nestedcloud", "power_password": "redfish-secret"}


def test_machines_are_created_by_mac_with_redfish_power_tagged_and_commissioned_together(maas):
    machines = _machines()
    first = call(maas, maas_machines, dict(POWER, machines=machines))
    assert first["changed"] and not first["ready"] and first["summary"] == "0 of 4 Ready"
    assert len([a for a in first["actions"] if a.startswith("commission ")]) == 4  # all at once, no waiting between
    oc2 = next(m for m in maas.machines if m["hostname"] == "oc-0002")
    assert oc2["_power"] == {"power_address": machines[0]["power"]["address"], "node_id": machines[0]["uuid"],
                             "power_user": "nestedcloud", "power_pass": "redfish-secret"}
    assert oc2["power_type"] == "redfish" and oc2["tag_names"] == ["juju-controller"]
    assert oc2["_commission_args"]["testing_scripts"] == "none"
    assert sorted(t["name"] for t in maas.tags) == ["juju-controller", "openstack"]
    assert all(line.split(": ")[1] == "Commissioning" for line in first["waiting_for"])
    assert "redfish-secret" not in json.dumps(first)
    rounds = [dict(call(maas, maas_machines, dict(POWER, machines=machines)), attempt=n) for n in range(4)]
    assert rounds[-1]["ready"] and rounds[-1]["summary"] == "4 of 4 Ready"
    assert any("Testing" in line for r in rounds for line in r["waiting_for"])
    assert all(r["writes"] == 0 and not r["changed"] for r in rounds)


def test_a_failed_commissioning_is_started_again(maas):
    machines = _machines()[:2]
    maas.fail_commission = {"oc-0003"}
    call(maas, maas_machines, dict(POWER, machines=machines))
    answer = {}
    for attempt in range(3):
        answer = dict(call(maas, maas_machines, dict(POWER, machines=machines, recommission_failed=False)), attempt=attempt)
    assert "oc-0003 (%s): Failed commissioning" % machines[1]["hypervisor"] in answer["waiting_for"]
    maas.fail_commission = set()
    again = call(maas, maas_machines, dict(POWER, machines=machines))
    assert "commission oc-0003 again (Failed commissioning)" in again["actions"]


def test_a_known_machine_gets_its_name_and_power_back(maas):
    machines = _machines()[:1]
    call(maas, maas_machines, dict(POWER, machines=machines))
    maas.machines[0]["hostname"] = "fancy-cat"
    maas.machines[0]["_power"]["power_address"] = "http://10.33.0.99:8000"
    answer = call(maas, maas_machines, dict(POWER, machines=machines, commission=False))
    assert answer["actions"] == ["update oc-0002: hostname, power node_id, power power_address, power power_user, power_type"]
    assert maas.machines[0]["hostname"] == "oc-0002"
    assert maas.machines[0]["_power"]["power_address"] == machines[0]["power"]["address"]
    assert len(maas.machines) == 1  # found by MAC, not created twice


def test_machines_check_mode_writes_nothing(maas):
    answer = call(maas, maas_machines, dict(POWER, machines=_machines()), check_mode=True)
    assert answer["changed"] and maas.writes() == [] and len(answer["actions"]) >= 4


@pytest.mark.parametrize("change, field", [
    (lambda ms: ms[0].pop("mac"), "machines[0].mac is required"),
    (lambda ms: ms[1]["power"].pop("node_id"), "machines[1].power.node_id is required"),
    (lambda ms: ms[2].update(mac=ms[0]["mac"].upper()), "machines[2].mac"),
])
def test_bad_machines_name_the_field(maas, change, field):
    machines = copy.deepcopy(_machines())
    change(machines)
    answer = call(maas, maas_machines, dict(POWER, machines=machines))
    assert answer["failed"] and answer["msg"].startswith(field) and maas.log == []
