# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tempest against the inner cloud, the pure part: tempest.conf from what was discovered, the selection of tests,
the results of a subunit stream, and the resources counted before and after (nothing left behind).

Private to the collection (modules tempest_config and tempest_run); no import of openstacksdk or subunit here."""

from __future__ import annotations

import json
import re

# Catalog service types and the [service_available] switch each one turns on.
SERVICES = {
    "compute": "nova",
    "image": "glance",
    "network": "neutron",
    "volumev3": "cinder",
    "block-storage": "cinder",
    "object-store": "swift",
    "dashboard": "horizon",
}

# The last line of a Python traceback: the exception's class and message.
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Failure|Timeout|Exit)\w*(:|$)")

# A class-level fixture in a subunit stream: "setUpClass (tempest.api.compute.servers.test_x.ServersTest)".
FIXTURE = re.compile(r"^(setUpClass|tearDownClass) \((.+)\)$")

# What runs by default: the smoke tests of the four core services and the two canonical scenarios.
DEFAULT_INCLUDE = [
    r"^tempest\.api\.(identity|image|compute|network)\..*\[.*\bsmoke\b.*\]",
    r"^tempest\.scenario\.test_server_basic_ops\.",
    r"^tempest\.scenario\.test_network_basic_ops\.",
]

# Seconds Tempest waits, for KVM guests and for QEMU/TCG ones (a guest under TCG boots and answers 3-5 times slower).
TIMEOUTS = {
    "kvm": {"build": 300, "ssh": 300, "ping": 120, "connect": 60, "ready_wait": 0},
    "qemu": {"build": 600, "ssh": 600, "ping": 300, "connect": 120, "ready_wait": 0},
}

# What is counted before and after a run (Tempest with dynamic credentials must leave none of it behind).
COUNTED = ["projects", "users", "servers", "ports", "networks", "subnets", "routers", "floating_ips",
           "security_groups", "images", "flavors", "volumes"]

# The order in which what Tempest left behind can be deleted (servers free their ports, routers their interfaces).
SWEEP_ORDER = ["servers", "floating_ips", "routers", "ports", "networks", "subnets", "security_groups", "volumes",
               "images", "flavors", "users", "projects"]

# How Tempest's dynamic credentials begin the names of their projects and users (resource_prefix).
TEMPEST_PREFIX = "tempest-"


def _bool(value):
    return "true" if value else "false"


def conf_sections(facts, params):
    """tempest.conf as {section: {key: value}} (strings) from the discovered cloud (facts) and the module's params.

    facts: auth_url, region, interface, cacert, admin (username, password, project_name, user_domain_name,
      project_domain_name), services (catalog types), network_extensions, compute_microversions (min, max),
      image_id, image_alt_id, flavor_id, flavor_alt_id, public_network_id, public_network_name, computes (count),
      dashboard_url.
    params: image_ssh_user, virt_type (kvm or qemu), project_network_cidr, dns_servers, workspace, overrides.
    """
    admin = facts["admin"]
    services = set(facts["services"])
    t = TIMEOUTS["kvm" if params.get("virt_type") == "kvm" else "qemu"]
    region = facts["region"]
    interface = facts.get("interface") or "public"
    endpoint = interface + "URL" if interface in ("public", "internal", "admin") else interface
    cacert = facts.get("cacert") or ""
    keystone = facts["auth_url"].rstrip("/")
    conf = {
        "DEFAULT": {"log_dir": params["workspace"] + "/logs", "log_file": "tempest.log", "debug": "false"},
        "oslo_concurrency": {"lock_path": params["workspace"] + "/lock"},
        "auth": {
            "use_dynamic_credentials": "true",
            "create_isolated_networks": "true",
            # the role every ordinary user gets here (never the old _member_)
            "tempest_roles": "member",
            "admin_username": admin["username"],
            "admin_password": admin["password"],
            "admin_project_name": admin["project_name"],
            "admin_domain_name": admin.get("user_domain_name", "Default"),
            "admin_user_domain_name": admin.get("user_domain_name", "Default"),
            "admin_project_domain_name": admin.get("project_domain_name", "Default"),
            "default_credentials_domain_name": admin.get("user_domain_name", "Default"),
        },
        "identity": {
            "uri_v3": keystone if keystone.endswith("/v3") else keystone + "/v3",
            "auth_version": "v3",
            "region": region,
            "v3_endpoint_type": interface,
            "disable_ssl_certificate_validation": "false",
        },
        "identity-feature-enabled": {"api_v2": "false", "api_v2_admin": "false", "api_v3": "true"},
        "service_available": {name: "false" for name in sorted(set(SERVICES.values()))},
        "compute": {
            "region": region,
            "endpoint_type": endpoint,
            "image_ref": facts["image_id"],
            "image_ref_alt": facts["image_alt_id"],
            "flavor_ref": facts["flavor_id"],
            "flavor_ref_alt": facts["flavor_alt_id"],
            "build_timeout": str(t["build"]),
            "min_compute_nodes": str(max(1, int(facts.get("computes") or 1))),
        },
        "compute-feature-enabled": {
            # every inner cloud gives instances a config drive; ML2/OVN's metadata agents serve the metadata API too
            "config_drive": "true",
            "metadata_service": _bool(bool(params.get("metadata_service"))),
            "console_output": "true",
            "interface_attach": "true",
            "snapshot": "true",
            "pause": "true",
            "suspend": "true",
            "shelve": "true",
            # no SSH between the computes (the role sets up no migration): resize and migrations cannot work
            "resize": "false",
            "cold_migration": "false",
            "live_migration": "false",
            "change_password": "false",
            "vnc_console": "false",
            "serial_console": "false",
        },
        "image": {"region": region, "endpoint_type": endpoint, "build_timeout": str(t["build"])},
        "image-feature-enabled": {"api_v1": "false", "api_v2": "true"},
        "network": {
            "region": region,
            "endpoint_type": endpoint,
            "public_network_id": facts["public_network_id"],
            "floating_network_name": facts["public_network_name"],
            "project_network_cidr": params["project_network_cidr"],
            "project_networks_reachable": "false",
            "dns_servers": ",".join(params.get("dns_servers") or []),
            "build_timeout": str(t["build"]),
        },
        "network-feature-enabled": {
            "api_extensions": ",".join(sorted(facts.get("network_extensions") or [])) or "None",
            # the lab plans IPv4 ranges only (its tenant and external networks have no IPv6 prefix)
            "ipv6": "false",
            "port_security": _bool("port-security" in (facts.get("network_extensions") or [])),
        },
        "validation": {
            "run_validation": "true",
            "connect_method": "floating",
            "auth_method": "keypair",
            "ip_version_for_ssh": "4",
            "image_ssh_user": params.get("image_ssh_user") or "root",
            "image_alt_ssh_user": params.get("image_ssh_user") or "root",
            "ssh_timeout": str(t["ssh"]),
            "ping_timeout": str(t["ping"]),
            "connect_timeout": str(t["connect"]),
        },
        "scenario": {"dhcp_client": "udhcpc"},
    }
    for service_type in services:
        if service_type in SERVICES:
            conf["service_available"][SERVICES[service_type]] = "true"
    micro = facts.get("compute_microversions") or {}
    if micro.get("max"):
        conf["compute"]["min_microversion"] = micro.get("min") or "2.1"
        conf["compute"]["max_microversion"] = micro["max"]
    if cacert:
        conf["identity"]["ca_certificates_file"] = cacert
    if facts.get("dashboard_url"):
        conf["dashboard"] = {"dashboard_url": facts["dashboard_url"]}
    for section, values in (params.get("overrides") or {}).items():
        target = conf.setdefault(section, {})
        for key, value in (values or {}).items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = _bool(value) if isinstance(value, bool) else str(value)
    return conf


# How stestr spreads the tests over its workers: tests of one group run in one worker, in order. Tempest groups by
# class, so that a class's setUpClass resources serve its tests; that leaves a scenario class such as
# TestNetworkBasicOps (ten tests of a minute or two, each with its own networks and servers) to a single worker, the
# run's long tail. Scenario tests set up what they need in each test: each is a group of its own.
GROUP_REGEX = r"(tempest\.scenario\..*|([^\.]*\.)*)"
_GROUP = re.compile(GROUP_REGEX)


def group_of(test_id):
    """The stestr group of a test id (GROUP_REGEX): a scenario test itself, any other test its class."""
    match = _GROUP.match(test_id)
    return match.group(0) if match and match.group(0) else test_id


def _median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2.0


def partition(tests, costs, workers):
    """Spread the selected tests over the workers so that each has about the same work: whole groups (a class's
    tests share its setUpClass), the costliest first, each to the worker with the least so far (stestr's own rule
    when its repository knows the times - which it does not on a lab's first run, where it deals the groups out in
    turn and left one worker 530 s alone with the slow scenario tests while the other idled).

    ``costs`` are seconds per group (Results.group_costs() of an earlier run, or the role's data, which names a
    scenario test without its attribute list); a group with no
    cost gets the median of the known ones of its kind (scenario or not), or 1 s. Returns (partitions: the tests of
    each worker, in the selection's order; estimated seconds of each worker; how many groups had a cost)."""
    groups = {}
    for test in tests:
        groups.setdefault(group_of(test), []).append(test)
    # a scenario test's group is its id; costs may name it without its attribute list ([id-...,network])
    named = dict((g, g if g in costs else Results._name(g)) for g in groups)  # pylint: disable=protected-access
    known = dict((g, float(costs[named[g]])) for g in groups if named[g] in costs)

    def kind(group):
        return group.startswith("tempest.scenario.")
    medians = dict((k, _median([c for g, c in known.items() if kind(g) == k]) if any(kind(g) == k for g in known)
                    else 1.0) for k in (True, False))
    cost = dict((g, known.get(g, medians[kind(g)])) for g in groups)
    count = max(1, min(int(workers), len(groups) or 1))
    loads, members = [0.0] * count, [set() for dummy in range(count)]
    for group in sorted(groups, key=lambda g: (-cost[g], g)):
        worker = min(range(count), key=lambda w: (loads[w], len(members[w]), w))
        loads[worker] += cost[group]
        members[worker].update(groups[group])
    partitions = [[t for t in tests if t in chosen] for chosen in members]
    return partitions, [round(load, 1) for load in loads], len(known)


def worker_file(partitions):
    """stestr's worker file (YAML) that gives each worker exactly its tests: one anchored regex per test id."""
    lines = []
    for tests in partitions:
        lines.append("- worker:")
        lines.extend("  - %s" % json.dumps("^%s$" % re.escape(test)) for test in tests)
    return "\n".join(lines) + "\n"


def stestr_conf(package_dir):
    """The workspace's .stestr.conf for the Tempest package in package_dir (as `tempest run` writes it, but for the
    grouping)."""
    return "[DEFAULT]\ntest_path=%s/test_discover\ntop_dir=%s\ngroup_regex=%s\n" % (
        package_dir, package_dir, GROUP_REGEX)


def render_ini(sections, header):
    """INI text, sections and keys in a stable order (DEFAULT first), headed by the comment lines given."""
    lines = ["# " + line if line else "#" for line in header.splitlines()]
    for name in sorted(sections, key=lambda n: (n != "DEFAULT", n)):
        lines.append("")
        lines.append("[%s]" % name)
        for key in sorted(sections[name]):
            lines.append("%s = %s" % (key, sections[name][key]))
    return "\n".join(lines) + "\n"


def selection_file(regexes):
    """The include list (one regex per line) that `tempest run --include-list` reads."""
    return "".join(r.strip() + "\n" for r in regexes if r.strip())


def exclude_entries(text):
    """[(regex, reason)] of an exclude list: one test per line, `regex  # reason`; a line without a reason is an
    error (nothing is excluded without saying why)."""
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        regex, sep, reason = stripped.partition("#")
        if not sep or not reason.strip():
            raise ValueError("line %d of the exclude list has no reason (`regex  # why`): %s" % (number, stripped))
        entries.append((regex.strip(), reason.strip()))
    return entries


class Results:
    """Collects the status events of a subunit v2 stream (the calls testtools.StreamResult.status receives)."""

    FINAL = {"success": "passed", "fail": "failed", "skip": "skipped", "xfail": "passed", "uxsuccess": "failed"}

    def __init__(self):
        self.tests = {}
        self.first = None
        self.last = None

    def status(self, test_id=None, test_status=None, file_name=None, file_bytes=None, timestamp=None, test_tags=None,
               **_kwargs):
        if timestamp is not None:
            self.first = timestamp if self.first is None else min(self.first, timestamp)
            self.last = timestamp if self.last is None else max(self.last, timestamp)
        if not test_id or (test_status == "exists" and test_id not in self.tests):
            return  # "exists" only lists a test; a class skipped as a whole never starts its tests
        test = self.tests.setdefault(test_id, {"id": test_id, "status": "running", "details": {},
                                               "start": None, "end": None, "worker": None})
        worker = [tag for tag in test_tags or () if tag.startswith("worker-")]
        if worker:
            test["worker"] = worker[0]
        if file_name and file_bytes:
            test["details"][file_name] = test["details"].get(file_name, "") + bytes(file_bytes).decode(
                "utf-8", "replace")
        if test_status == "inprogress":
            test["start"] = timestamp
        elif test_status in self.FINAL:
            test["status"] = self.FINAL[test_status]
            test["end"] = timestamp

    def group_costs(self):
        """Seconds of work per group (group_of) in this run: on each worker's timeline, a test costs from the end of
        the one before it (so a class's setUpClass and cleanups count) to its own end."""
        timelines = {}
        for test in self.tests.values():
            if test["start"] is not None and test["end"] is not None and not FIXTURE.match(test["id"]):
                timelines.setdefault(test.get("worker"), []).append(test)
        costs = {}
        for timeline in timelines.values():
            timeline.sort(key=lambda t: t["start"])
            previous = None
            for test in timeline:
                began = previous if previous is not None and previous <= test["start"] else test["start"]
                group = group_of(test["id"])
                costs[group] = round(costs.get(group, 0.0) + (test["end"] - began).total_seconds(), 1)
                previous = test["end"]
        return costs

    @staticmethod
    def _name(test_id):
        """A test id without its attribute list: tempest.api...test_x[id-...,smoke] -> tempest.api...test_x."""
        return test_id.split("[", 1)[0]

    def _with_classes(self, selected):
        """The tests, where a class skipped or failed as a whole (`setUpClass (module.Class)`) stands for each of
        its selected tests that has no result of its own."""
        tests = dict(self.tests)
        for fixture in list(tests.values()):
            match = FIXTURE.match(fixture["id"])
            if not match or fixture["status"] not in ("skipped", "failed"):
                continue
            members = [t for t in selected or () if t.startswith(match.group(2) + ".") and t not in tests]
            if match.group(1) == "setUpClass" and members:
                del tests[fixture["id"]]
                for member in members:
                    tests[member] = dict(fixture, id=member, start=None, end=None)
        return tests.values()

    def summary(self, selected=None):
        """{passed, failed, skipped, running, failures: [{id, message}], skips: [{id, reason}], seconds, slowest};
        ``selected`` (the test ids of the run) lets a class skipped or failed in its setUpClass count per test. A
        class fixture that failed with no test to stand for (tearDownClass) is in failures, not in the counts."""
        out = {"passed": 0, "failed": 0, "skipped": 0, "running": 0, "failures": [], "skips": [], "seconds": 0,
               "slowest": []}
        timed = []
        for test in self._with_classes(selected):
            if FIXTURE.match(test["id"]):
                # a class's own setup or cleanup (tearDownClass) that failed: not a test, but a failure
                if test["status"] == "failed":
                    out["failures"].append({"id": test["id"], "message": _failure_message(test["details"])})
                continue
            out[test["status"]] += 1
            details = test["details"]
            if test["status"] == "failed":
                out["failures"].append({"id": test["id"], "message": _failure_message(details)})
            elif test["status"] == "skipped":
                out["skips"].append({"id": test["id"], "reason": (details.get("reason") or "").strip()})
            if test["start"] is not None and test["end"] is not None:
                timed.append((round((test["end"] - test["start"]).total_seconds(), 1), self._name(test["id"])))
        for key in ("failures", "skips"):
            out[key].sort(key=lambda item: item["id"])
        out["slowest"] = [{"id": name, "seconds": s} for s, name in sorted(timed, reverse=True)[:5]]
        if self.first is not None and self.last is not None:
            out["seconds"] = round((self.last - self.first).total_seconds(), 1)
        return out


def _failure_message(details):
    """The traceback's exception line (with Tempest's "Details:" line after it), or the last lines of the details."""
    text = details.get("traceback") or details.get("reason") or "".join(details.values())
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    for at in range(len(lines) - 1, -1, -1):
        if EXCEPTION_LINE.match(lines[at]):
            following = lines[at + 1] if at + 1 < len(lines) and lines[at + 1].startswith("Details") else ""
            return (lines[at] + (" " + following if following else ""))[:600]
    return " / ".join(lines[-3:])[:600] if lines else "(no details in the stream)"


def count_of(value):
    """The count of a kind in a snapshot ({id: entry}) or in the counts of an older run (an int)."""
    return len(value) if isinstance(value, (dict, list)) else int(value or 0)


def counted(snapshot):
    """{kind: count} of a snapshot."""
    return dict((kind, count_of(value)) for kind, value in snapshot.items())


def leftovers(before, after):
    """{kind: (before, after)} for every counted kind that grew: what a run left behind."""
    return dict((kind, (count_of(before.get(kind)), count_of(after.get(kind)))) for kind in COUNTED
                if count_of(after.get(kind)) > count_of(before.get(kind)))


def left_behind(before, after):
    """{kind: [entry, ...]} of what is in snapshot ``after`` and was not in ``before`` (each entry with its id);
    kinds that an older run only counted are left out."""
    found = {}
    for kind in COUNTED:
        then, now = before.get(kind), after.get(kind)
        if isinstance(then, dict) and isinstance(now, dict):
            new = [dict(now[key], id=key) for key in sorted(now) if key not in then]
            if new:
                found[kind] = new
    return found


def tempest_made(before, now):
    """What a Tempest run that began at snapshot ``before`` made and left in ``now``, in the order it can be
    deleted: [(kind, [entry, ...]), ...].

    Tempest's dynamic credentials name each project and user ``tempest-<class>-<number>``; a resource is Tempest's
    when it is new since ``before`` and belongs to such a new project, or to a project that no longer exists (the run
    deleted the project but not all that was in it), or, for images and flavors, when its name is Tempest's. Nothing
    that existed before the run, and nothing of a project that still exists and is not Tempest's, is ever named."""
    new = left_behind(before, now)
    projects_now = now.get("projects") if isinstance(now.get("projects"), dict) else {}
    ours = set(entry["id"] for entry in new.get("projects", []) if _tempest_name(entry))

    def made(kind, entry):
        if kind in ("projects", "users"):
            return _tempest_name(entry)
        project = entry.get("project_id")
        if project and (project in ours or project not in projects_now):
            return True
        return kind in ("images", "flavors") and _tempest_name(entry)

    plan = []
    for kind in SWEEP_ORDER:
        entries = [entry for entry in new.get(kind, []) if made(kind, entry)]
        if kind == "ports":
            # DHCP, router and metadata ports go with their network or router
            entries = [entry for entry in entries if not (entry.get("device_owner") or "").startswith("network:")]
        if entries:
            plan.append((kind, entries))
    return plan


def _tempest_name(entry):
    return (entry.get("name") or "").startswith(TEMPEST_PREFIX)


def describe(kind, entry):
    """One line for a report: 'servers 3d9e... (tempest-TestX-1, ERROR: Failed to delete ...)'."""
    details = [entry[key] for key in ("name", "status", "device_owner") if entry.get(key)]
    if entry.get("fault"):
        details.append("fault: %s" % entry["fault"])
    return "%s %s%s" % (kind, entry["id"], " (%s)" % ", ".join(details) if details else "")


def progress(summary, selected):
    """'41 of 97 tests done: 38 passed, 1 failed, 2 skipped' - one line while Tempest runs."""
    done = summary["passed"] + summary["failed"] + summary["skipped"]
    return "%d of %d tests done: %d passed, %d failed, %d skipped" % (
        done, selected, summary["passed"], summary["failed"], summary["skipped"])
