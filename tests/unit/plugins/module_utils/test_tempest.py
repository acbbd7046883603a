# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tempest.conf from a discovered cloud, the exclude list's rules, and the results of a subunit stream."""

from __future__ import annotations

import configparser
import re
import datetime

import pytest
import yaml

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner import tempest

FACTS = {
    "auth_url": "http://10.33.0.11:5000",
    "region": "RegionOne",
    "interface": "public",
    "cacert": None,
    "admin": {"username": "admin", "password": "s3cret", "project_name": "admin", "user_domain_name": "Default",
              "project_domain_name": "Default"},
    "services": ["identity", "compute", "image", "network", "placement"],
    "network_extensions": ["router", "port-security", "net-mtu", "external-net"],
    "compute_microversions": {"min": "2.1", "max": "2.93"},
    "computes": 2,
    "image_id": "img-1", "image_alt_id": "img-1", "flavor_id": "f1", "flavor_alt_id": "f2",
    "public_network_id": "net-1", "public_network_name": "public",
}
PARAMS = {"workspace": "/root/ws", "image_ssh_user": "root", "virt_type": "qemu",
          "project_network_cidr": "10.45.0.0/16", "dns_servers": ["10.33.0.1"], "overrides": {}}


def parse(text):
    conf = configparser.ConfigParser(interpolation=None)
    conf.read_string(text)
    return conf


def test_what_the_cloud_runs_decides_what_tempest_tests():
    conf = parse(tempest.render_ini(tempest.conf_sections(FACTS, PARAMS), "header"))
    available = conf["service_available"]
    assert (available["nova"], available["glance"], available["neutron"]) == ("true", "true", "true")
    assert (available["cinder"], available["swift"], available["horizon"]) == ("false", "false", "false")
    assert conf["network-feature-enabled"]["api_extensions"] == "external-net,net-mtu,port-security,router"
    assert conf["network-feature-enabled"]["port_security"] == "true"
    assert conf["identity"]["uri_v3"] == "http://10.33.0.11:5000/v3"
    assert conf["compute"]["max_microversion"] == "2.93" and conf["compute"]["min_compute_nodes"] == "2"
    assert conf["network"]["public_network_id"] == "net-1" and conf["network"]["dns_servers"] == "10.33.0.1"
    assert conf["auth"]["use_dynamic_credentials"] == "true" and conf["auth"]["tempest_roles"] == "member"
    assert conf["compute-feature-enabled"]["metadata_service"] == "false"
    with_agents = tempest.conf_sections(FACTS, dict(PARAMS, metadata_service=True))
    assert with_agents["compute-feature-enabled"]["metadata_service"] == "true"
    assert conf["compute-feature-enabled"]["config_drive"] == "true"
    assert "ca_certificates_file" not in conf["identity"]


def test_tcg_guests_get_longer_timeouts_and_tls_its_ca():
    tcg = tempest.conf_sections(FACTS, PARAMS)
    kvm = tempest.conf_sections(dict(FACTS, cacert="/root/ca.pem"), dict(PARAMS, virt_type="kvm"))
    for section, key in (("compute", "build_timeout"), ("validation", "ssh_timeout"), ("validation", "ping_timeout")):
        assert int(tcg[section][key]) > int(kvm[section][key])
    assert kvm["identity"]["ca_certificates_file"] == "/root/ca.pem"


def test_overrides_are_merged_last_and_null_removes():
    conf = tempest.conf_sections(FACTS, dict(PARAMS, overrides={
        "compute-feature-enabled": {"resize": True, "console_output": None}, "new": {"k": 3}}))
    assert conf["compute-feature-enabled"]["resize"] == "true"
    assert "console_output" not in conf["compute-feature-enabled"]
    assert conf["new"] == {"k": "3"}


def test_the_file_is_stable_and_headed():
    one = tempest.render_ini(tempest.conf_sections(FACTS, PARAMS), "Written by\nnestedcloud")
    assert one == tempest.render_ini(tempest.conf_sections(dict(FACTS), dict(PARAMS)), "Written by\nnestedcloud")
    assert one.startswith("# Written by\n# nestedcloud\n\n[DEFAULT]\n")


def test_every_exclusion_says_why():
    text = "# header\n\n^tempest\\.api\\.compute\\.x  # no Cinder here\n"
    assert tempest.exclude_entries(text) == [(r"^tempest\.api\.compute\.x", "no Cinder here")]
    with pytest.raises(ValueError, match="line 2 .*no reason"):
        tempest.exclude_entries("# ok\n^tempest\\.api\\.compute\\.y\n")


def _t(seconds):
    return datetime.datetime(2026, 12, 5, 8, 0, 0, tzinfo=datetime.timezone.utc) + datetime.timedelta(seconds=seconds)


def test_results_of_a_stream():
    r = tempest.Results()
    ok, bad, skip, run = ("tempest.api.a.Test.test_ok[id-1,smoke]", "tempest.api.a.Test.test_bad[id-2,smoke]",
                          "tempest.api.b.Test.test_skip[id-3]", "tempest.scenario.c.Test.test_run[id-4]")
    r.status(test_id=ok, test_status="inprogress", timestamp=_t(0))
    r.status(test_id=ok, test_status="success", timestamp=_t(12))
    r.status(test_id=bad, test_status="inprogress", timestamp=_t(1))
    r.status(test_id=bad, file_name="traceback", file_bytes=b"Traceback (most recent call last):\n  File x\n")
    r.status(test_id=bad, file_name="traceback",
             file_bytes=b"tempest.lib.exceptions.TimeoutException: Request timed out\nDetails: server BUILD\n")
    r.status(test_id=bad, test_status="fail", timestamp=_t(301))
    r.status(test_id=skip, test_status="skip", file_name="reason", file_bytes=b"Cinder is not available",
             timestamp=_t(302))
    r.status(test_id=run, test_status="inprogress", timestamp=_t(303))
    s = r.summary()
    assert (s["passed"], s["failed"], s["skipped"], s["running"]) == (1, 1, 1, 1)
    assert s["failures"] == [{"id": bad, "message": "tempest.lib.exceptions.TimeoutException: Request timed out "
                                                    "Details: server BUILD"}]
    assert s["skips"] == [{"id": skip, "reason": "Cinder is not available"}]
    assert s["slowest"][0] == {"id": "tempest.api.a.Test.test_bad", "seconds": 300.0}
    assert s["seconds"] == 303.0
    assert tempest.progress(s, 5) == "3 of 5 tests done: 1 passed, 1 failed, 1 skipped"


def test_the_failure_message_is_the_exception_line():
    details = {"traceback": "Traceback (most recent call last):\n  File \"x\", line 1\n    boom()\n"
                            "tempest.lib.exceptions.TimeoutException: Request timed out\n"}
    assert tempest._failure_message(details) == "tempest.lib.exceptions.TimeoutException: Request timed out"
    assert tempest._failure_message({}) == "(no details in the stream)"


def test_leftovers_are_what_grew():
    before = {"servers": 0, "ports": 5, "projects": 4, "images": 3}
    after = {"servers": 0, "ports": 7, "projects": 4, "images": 2}
    assert tempest.leftovers(before, after) == {"ports": (5, 7)}


def test_a_class_skipped_or_failed_as_a_whole_counts_for_each_of_its_tests():
    cls = "tempest.api.compute.servers.test_create_server.ServersTestBootFromVolume"
    one, two = cls + ".test_list_servers[id-1,smoke]", cls + ".test_verify_server_details[id-2,smoke]"
    other = "tempest.api.compute.test_versions.TestVersions.test_list_api_versions[id-3,smoke]"
    broken = "tempest.api.network.test_ports.PortsTestJSON"
    r = tempest.Results()
    for test in (one, two):
        r.status(test_id=test, test_status="exists")  # listed, never started
    r.status(test_id="setUpClass (%s)" % cls, file_name="reason", file_bytes=b"Cinder is not available")
    r.status(test_id="setUpClass (%s)" % cls, test_status="skip", timestamp=_t(1))
    r.status(test_id=other, test_status="success", timestamp=_t(2))
    r.status(test_id="setUpClass (%s)" % broken, file_name="traceback", file_bytes=b"KeyError: 'ports'\n")
    r.status(test_id="setUpClass (%s)" % broken, test_status="fail", timestamp=_t(3))
    # without the selection a class fixture is no test (a failed one is still a failure)
    alone = r.summary()
    assert tempest.progress(alone, 5) == "1 of 5 tests done: 1 passed, 0 failed, 0 skipped"
    assert [f["id"] for f in alone["failures"]] == ["setUpClass (%s)" % broken]
    s = r.summary([one, two, other, broken + ".test_list_ports[id-4,smoke]", broken + ".test_show_port[id-5]"])
    assert (s["passed"], s["failed"], s["skipped"], s["running"]) == (1, 2, 2, 0)
    assert s["skips"] == [{"id": one, "reason": "Cinder is not available"},
                          {"id": two, "reason": "Cinder is not available"}]
    assert [f["message"] for f in s["failures"]] == ["KeyError: 'ports'"] * 2


def test_scenario_tests_spread_over_the_workers_api_tests_stay_with_their_class():
    conf = tempest.stestr_conf("/usr/lib/python3/dist-packages/tempest")
    assert "test_path=/usr/lib/python3/dist-packages/tempest/test_discover\n" in conf
    regex = re.compile(re.search(r"^group_regex=(.*)$", conf, re.M).group(1))

    def group(test_id):
        return regex.match(test_id).group(0)

    api = "tempest.api.network.test_routers.RoutersTest.test_add_multiple_router_interfaces[id-1,smoke]"
    api2 = "tempest.api.network.test_routers.RoutersTest.test_create_show_list_update_delete_router[id-2,smoke]"
    assert group(api) == group(api2) == "tempest.api.network.test_routers.RoutersTest."
    one = "tempest.scenario.test_network_basic_ops.TestNetworkBasicOps.test_hotplug_nic[id-3,network]"
    two = "tempest.scenario.test_network_basic_ops.TestNetworkBasicOps.test_subnet_details[id-4,network]"
    assert group(one) == one and group(two) == two


def test_a_failed_class_cleanup_is_a_failure_but_not_a_test():
    ok = "tempest.api.identity.admin.v3.test_domains.DomainsTestJSON.test_list_domains[id-1,smoke]"
    r = tempest.Results()
    r.status(test_id=ok, test_status="success", timestamp=_t(1))
    fixture = "tearDownClass (tempest.api.identity.admin.v3.test_domains.DomainsTestJSON)"
    r.status(test_id=fixture, file_name="traceback", file_bytes=b"ConnectionResetError: reset by peer\n")
    r.status(test_id=fixture, test_status="fail", timestamp=_t(2))
    s = r.summary([ok])
    assert (s["passed"], s["failed"]) == (1, 0)
    assert s["failures"] == [{"id": fixture, "message": "ConnectionResetError: reset by peer"}]
    assert tempest.progress(s, 1) == "1 of 1 tests done: 1 passed, 0 failed, 0 skipped"


def _snapshot(**kinds):
    found = dict((kind, {}) for kind in tempest.COUNTED)
    for kind, entries in kinds.items():
        found[kind] = dict((key, dict(entry)) for key, entry in entries.items())
    return found


def test_what_tempest_made_is_new_and_of_its_projects_or_of_none_and_in_delete_order():
    admin, smoke = {"name": "admin"}, {"name": "nclab-smoke"}
    before = _snapshot(projects={"p-admin": admin, "p-smoke": smoke},
                       servers={"s-old": {"name": "tempest-kept", "project_id": "p-gone"}},
                       images={"i-cirros": {"name": "tempest-guest", "project_id": "p-admin"}})
    now = _snapshot(
        projects={"p-admin": admin, "p-smoke": smoke, "p-t": {"name": "tempest-ServersTestJSON-12"}},
        users={"u-t": {"name": "tempest-ServersTestJSON-12", "project_id": "p-t"}, "u-x": {"name": "alice"}},
        servers={"s-old": {"name": "tempest-kept", "project_id": "p-gone"},  # there before: never touched
                 "s-t": {"name": "vm", "project_id": "p-t", "status": "ACTIVE"},
                 "s-orphan": {"name": "vm", "project_id": "p-deleted", "status": "ERROR"},
                 "s-smoke": {"name": "smoke-vm", "project_id": "p-smoke"}},  # a live project's, not Tempest's
        ports={"port-vm": {"project_id": "p-t", "device_owner": "compute:nova"},
               "port-dhcp": {"project_id": "p-t", "device_owner": "network:dhcp"}},
        networks={"n-t": {"name": "tempest-network", "project_id": "p-t"}},
        images={"i-cirros": {"name": "tempest-guest", "project_id": "p-admin"},
                "i-t": {"name": "tempest-image-3", "project_id": "p-admin"},
                "i-user": {"name": "my-image", "project_id": "p-admin"}})
    plan = tempest.tempest_made(before, now)
    assert [(kind, [e["id"] for e in entries]) for kind, entries in plan] == [
        ("servers", ["s-orphan", "s-t"]), ("ports", ["port-vm"]), ("networks", ["n-t"]), ("images", ["i-t"]),
        ("users", ["u-t"]), ("projects", ["p-t"])]


def test_a_run_that_only_counted_gives_nothing_to_sweep():
    assert tempest.tempest_made({"servers": 0, "projects": 2},
                                _snapshot(servers={"s": {"name": "x", "project_id": "gone"}})) == []
    assert tempest.leftovers({"servers": 0}, _snapshot(servers={"s": {"project_id": "p"}})) == {"servers": (0, 1)}


def test_describe_says_what_an_operator_looks_for():
    assert tempest.describe("servers", {"id": "s-1", "name": "vm", "status": "ERROR", "fault": "libvirt timeout"}) == \
        "servers s-1 (vm, ERROR, fault: libvirt timeout)"
    assert tempest.describe("networks", {"id": "n-1", "name": ""}) == "networks n-1"


# --- spreading the tests over the workers -------------------------------------------------------------------------

SCEN = "tempest.scenario.test_network_basic_ops.TestNetworkBasicOps.%s[compute,id-%d,network]"
ROUTERS = "tempest.api.network.test_routers.RoutersTest.%s[id-%d,smoke]"


def test_group_of_follows_the_stestr_grouping():
    assert tempest.group_of(SCEN % ("test_hotplug_nic", 1)) == SCEN % ("test_hotplug_nic", 1)
    assert tempest.group_of(ROUTERS % ("test_x", 2)) == "tempest.api.network.test_routers.RoutersTest."


def test_costs_per_group_count_each_workers_gaps_as_the_next_tests_work():
    """On one worker a class's setUpClass runs before its first test: the gap is that class's work."""
    r = tempest.Results()
    events = [  # worker, test, start, end
        ("worker-0", ROUTERS % ("test_a", 1), 10, 20), ("worker-0", ROUTERS % ("test_b", 2), 20, 25),
        ("worker-0", SCEN % ("test_slow", 3), 40, 200),
        ("worker-1", SCEN % ("test_fast", 4), 5, 65),
        ("worker-1", "setUpClass (tempest.api.x.Test)", 66, 67),
    ]
    for worker, test, start, end in events:
        r.status(test_id=test, test_status="inprogress", timestamp=_t(start), test_tags={worker, "smoke"})
        r.status(test_id=test, test_status="success", timestamp=_t(end), test_tags={worker})
    assert r.group_costs() == {"tempest.api.network.test_routers.RoutersTest.": 15.0,
                               SCEN % ("test_slow", 3): 175.0, SCEN % ("test_fast", 4): 60.0}


def test_the_costliest_groups_go_first_each_to_the_least_loaded_worker():
    """What the lab's first Tempest run showed: dealt out in turn, one worker got the three slowest scenario tests and
    ran 530 s alone; by cost they end within a test of each other."""
    slow = [SCEN % (name, n) for n, name in enumerate(("test_a", "test_b", "test_c", "test_d"))]
    api = [ROUTERS % ("test_%d" % n, n) for n in range(4)]
    tests = sorted(slow + api)
    costs = {slow[0]: 175, slow[1]: 60, slow[2]: 115, slow[3]: 80, "tempest.api.network.test_routers.RoutersTest.": 110}
    parts, loads, known = tempest.partition(tests, costs, 2)
    assert known == 5 and sorted(loads) == [255.0, 285.0]  # 175 + 80 and 115 + 110 + 60
    assert sorted(t for part in parts for t in part) == tests  # every test once
    assert any(set(api) <= set(part) for part in parts)  # a class stays on one worker
    assert all(part == sorted(part) for part in parts)  # in the selection's order


def test_groups_with_no_cost_get_the_median_of_their_kind():
    tests = [SCEN % ("test_%d" % n, n) for n in range(4)] + [ROUTERS % ("test_x", 9)]
    costs = {tests[0]: 100, tests[1].split("[")[0]: 50, tests[2]: 150}  # the data names a scenario test bare
    # tests[3] and the routers class are new
    parts, loads, known = tempest.partition(tests, costs, 2)
    assert known == 3 and sorted(loads) == [200.0, 201.0]  # test_3 counted 100 (median), the class 1 s


def test_no_costs_at_all_still_spread_every_test_and_never_more_workers_than_groups():
    tests = [ROUTERS % ("test_%d" % n, n) for n in range(3)]
    parts, loads, known = tempest.partition(tests, {}, 4)
    assert parts == [tests] and loads == [1.0] and known == 0


def test_the_worker_file_gives_each_worker_exactly_its_tests():
    tests = [SCEN % ("test_hotplug_nic", 1), ROUTERS % ("test_x", 2), ROUTERS % ("test_x_more", 3)]
    text = tempest.worker_file([[tests[0]], tests[1:]])
    workers = yaml.safe_load(text)
    assert [list(w) for w in workers] == [["worker"], ["worker"]]
    for worker, expected in zip(workers, ([tests[0]], tests[1:])):
        # stestr's selection: re.search of each regex in the test ids
        chosen = [t for t in tests if any(re.search(regex, t) for regex in worker["worker"])]
        assert chosen == expected
