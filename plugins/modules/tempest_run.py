#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: tempest_run
short_description: Run Tempest against the inner cloud, with progress, a report and a check that it left nothing behind
version_added: 0.1.0
description:
  - Runs C(tempest run) in O(workspace) (its C(etc/tempest.conf), see M(nestedcloud.openstack.tempest_config)) on the
    tests that match O(include) and none of the exclude list O(exclude_file) (one test per line, a regex, then C(#) and the reason)
    or O(exclude), with O(concurrency) workers, and keeps the subunit stream.
  - The run goes on in the background, so that the task can show its progress (C(41 of 97 tests done, ...)) and a
    killed play does not leave it orphaned - the next run with another O(run_id) stops it first. Calls with the same
    O(run_id) follow the same run.
  - Before the run and after it, lists what Tempest could leave behind in the inner cloud (projects, users, servers,
    ports, networks, subnets, routers, floating IPs, security groups, images, flavors, volumes) as the admin of
    C(clouds.yaml) entry O(cloud); anything new is reported (a server with its status and fault) and fails the task.
  - A new run first deletes what the earlier run made and left behind - a run stopped before its cleanup (a killed
    play, see above) or a delete that failed, that is what is new since the earlier run's list and belongs to a project of
    Tempest's dynamic credentials (C(tempest-*)) or to a project that no longer exists, and Tempest's own projects,
    users, images and flavors. Nothing that existed before that run is touched. What was deleted is in C(swept); what
    could not be deleted fails the task.
  - Its action plugin asks the module once per O(delay) and prints the progress while it waits (O(wait)).
  - Fails when a selected test failed, or Tempest ended without running the selection; the report
    (counts, each failure with its message, each skip with its reason, the slowest tests) is in the result either
    way. Running Tempest changes nothing in the cloud, so the task is never C(changed).
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Nothing is run in check mode.
  diff_mode:
    support: none
  platform:
    platforms: posix
requirements:
  - Tempest (C(tempest run)), python3-subunit and openstacksdk on the host it runs on
options:
  workspace:
    description: Tempest's working directory, with C(etc/tempest.conf); runs are kept under its C(runs/).
    type: path
    required: true
  run_id:
    description: Names this run; a call with a new one starts a run (stopping an unfinished earlier one).
    type: str
    required: true
  cloud:
    description: The C(clouds.yaml) entry of the inner cloud's admin, for the counts before and after.
    type: str
    default: overcloud
  include:
    description: Regular expressions of the tests to run (C(tempest run --include-list)).
    type: list
    elements: str
    default:
      - ^tempest\.api\.(identity|image|compute|network)\..*\[.*\bsmoke\b.*\]
      - ^tempest\.scenario\.test_server_basic_ops\.
      - ^tempest\.scenario\.test_network_basic_ops\.
  exclude_file:
    description: An exclude list on this host - one test per line, a regex, then C(#) and the reason; a line without a reason fails.
    type: path
  exclude:
    description: More regular expressions of tests not to run.
    type: list
    elements: str
    default: []
  concurrency:
    description:
      - Tempest's workers. The tests are spread over them by their cost (seconds of work per class, and per test for
        scenario tests), the costliest first, each to the worker with the least so far, and handed to
        C(tempest run --worker-file); the costs come from the last finished run in O(workspace), or else from
        O(durations).
    type: int
    default: 2
  durations:
    description:
      - Seconds of work per test group (a class, or a scenario test) measured in an earlier run elsewhere - the
        verify role's C(files/tempest-durations.yml) - for a workspace with no finished run yet. A group not in it gets
        the median of its kind.
    type: dict
    default: {}
  wait:
    description: Seconds to wait for the run to end; V(0) starts or looks at the run and returns (C(ready) may be false).
    type: int
    default: 0
  delay:
    description: Seconds between two looks while waiting.
    type: int
    default: 10
"""

EXAMPLES = r"""
- name: Tempest, progress below
  nestedcloud.openstack.tempest_run:
    workspace: /root/nestedcloud-tempest
    run_id: "{{ now(utc=true, fmt='%Y%m%dT%H%M%S') }}"
    exclude_file: /root/nestedcloud-tempest/exclude.txt
    concurrency: 2
    wait: 3600
  register: tempest
"""

RETURN = r"""
ready:
  description: Whether the run has ended (and the rest of the report is there).
  returned: always
  type: bool
summary:
  description: One line, for example C(97 of 97 tests done - 83 passed, 0 failed, 14 skipped).
  returned: always
  type: str
waiting_for:
  description: The tests running at the moment.
  returned: always
  type: list
  elements: str
selected:
  description: How many tests the selection holds.
  returned: when ready
  type: int
tests_passed:
  description: Tests passed.
  returned: when ready
  type: int
tests_failed:
  description: Tests failed (C(failed) is Ansible's own key).
  returned: when ready
  type: int
tests_skipped:
  description: Tests skipped.
  returned: when ready
  type: int
failures:
  description: Each failed test's C(id) and C(message).
  returned: when ready
  type: list
  elements: dict
skips:
  description: Each skipped test's C(id) and C(reason).
  returned: when ready
  type: list
  elements: dict
partition:
  description:
    - How the tests were spread over the workers - C(source) of the costs (C(run <id>), C(durations) or C(none)),
      C(known) groups with a cost, and per worker its C(tests) and C(estimated_s).
  returned: when ready
  type: dict
  sample: {"source": "run 20261206T231500", "known": 41, "workers": [{"tests": 47, "estimated_s": 829.0}]}
costs:
  description:
    - Seconds of work per test group in this run (a class, or a scenario test), what the next run spreads its tests
      by; C(scripts/tempest_durations.py) makes the verify role's C(files/tempest-durations.yml) from a report with them.
  returned: when ready
  type: dict
  sample: {"tempest.api.network.test_routers.RoutersTest.": 108.2}
slowest:
  description: The five slowest tests, C(id) and C(seconds).
  returned: when ready
  type: list
  elements: dict
excluded:
  description: The exclude list's entries, C(regex) and C(reason).
  returned: when ready
  type: list
  elements: dict
seconds:
  description: The run's time, from the first to the last event of the stream.
  returned: when ready
  type: float
counts:
  description: The counts of each kind C(before) and C(after) the run.
  returned: when ready
  type: dict
leftovers:
  description: Each kind whose count grew, with C([before, after]).
  returned: when ready
  type: dict
left_behind:
  description: One line per thing left behind (kind, id, name, status; a server's fault).
  returned: when ready
  type: list
  elements: str
swept:
  description: >-
    What was left by the earlier run and deleted before this one: C(run), C(swept) (ids by kind), C(errors) (what
    could not be deleted) and C(line) (one line of it all); empty when there was nothing.
  returned: when ready
  type: dict
subunit:
  description: The run's subunit v2 stream on this host.
  returned: when ready
  type: str
exit_code:
  description: The exit code of C(tempest run).
  returned: when ready
  type: int
"""

import json
import os
import shutil
import signal
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.files import read_text
from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.processes import alive, detach, stat_fields
from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.api import (
    catalog_types, delete_router, openstack, require_sdk)
from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.tempest import (
    DEFAULT_INCLUDE, Results, counted, describe, exclude_entries, left_behind, leftovers, partition, progress,
    selection_file, tempest_made, worker_file)


# Seconds an earlier run gets to end after SIGTERM, before SIGKILL.
STOP_GRACE = 10


def _write(path, text):
    with open(path, "w") as handle:
        handle.write(text)


def _group_alive(pgid):
    """Whether a process of group ``pgid`` is left that is not a zombie."""
    for name in os.listdir("/proc"):
        fields = stat_fields(name) if name.isdigit() else None
        if fields and len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
            return True
    return False


def parse_stream(path):
    """Results of a (possibly still growing) subunit v2 file."""
    import subunit  # pylint: disable=import-outside-toplevel
    import testtools  # pylint: disable=import-outside-toplevel

    results = Results()

    class Collector(testtools.StreamResult):
        def status(self, *args, **kwargs):  # pylint: disable=arguments-differ
            results.status(**kwargs)

    with open(path, "rb") as handle:
        try:
            subunit.ByteStreamToStreamResult(handle, non_subunit_name="stdout").run(Collector())
        except Exception:  # pylint: disable=broad-except
            pass  # a packet half-written at the end of a growing stream
    return results


def _entry(resource, **more):
    entry = dict(name=resource.name or "", project_id=getattr(resource, "project_id", None) or "")
    entry.update((key, value) for key, value in more.items() if value)
    return entry


def _fault(server):
    fault = getattr(server, "fault", None) or {}
    return (fault.get("message") or "")[:300] if isinstance(fault, dict) else ""


def snapshot(conn, services):
    """{kind: {id: entry}} of what Tempest could leave behind, as the admin sees it (every project)."""
    found = {
        "projects": dict((p.id, _entry(p)) for p in conn.identity.projects()),
        "users": dict((u.id, _entry(u, project_id=u.default_project_id)) for u in conn.identity.users()),
        "servers": dict((s.id, _entry(s, status=s.status, fault=_fault(s)))
                        for s in conn.compute.servers(all_projects=True)),
        "flavors": dict((f.id, dict(name=f.name or "", project_id="")) for f in conn.compute.flavors()),
        "images": dict((i.id, dict(name=i.name or "", project_id=i.owner or "", status=i.status))
                       for i in conn.image.images()),
    }
    if "network" in services:
        found.update(
            ports=dict((p.id, _entry(p, status=p.status, device_owner=p.device_owner, device_id=p.device_id))
                       for p in conn.network.ports()),
            networks=dict((n.id, _entry(n)) for n in conn.network.networks()),
            subnets=dict((n.id, _entry(n)) for n in conn.network.subnets()),
            routers=dict((r.id, _entry(r, status=r.status)) for r in conn.network.routers()),
            floating_ips=dict((f.id, dict(name=f.floating_ip_address or "", project_id=f.project_id or "",
                                          status=f.status)) for f in conn.network.ips()),
            security_groups=dict((g.id, _entry(g)) for g in conn.network.security_groups()))
    if "volumev3" in services or "block-storage" in services:
        found["volumes"] = dict((v.id, _entry(v, status=v.status))
                                for v in conn.block_storage.volumes(all_projects=True))
    return found


DELETE = {
    "servers": lambda conn, key: conn.compute.delete_server(key, ignore_missing=True),
    "floating_ips": lambda conn, key: conn.network.delete_ip(key, ignore_missing=True),
    "routers": delete_router,
    "ports": lambda conn, key: conn.network.delete_port(key, ignore_missing=True),
    "networks": lambda conn, key: conn.network.delete_network(key, ignore_missing=True),
    "subnets": lambda conn, key: conn.network.delete_subnet(key, ignore_missing=True),
    "security_groups": lambda conn, key: conn.network.delete_security_group(key, ignore_missing=True),
    "volumes": lambda conn, key: conn.block_storage.delete_volume(key, ignore_missing=True),
    "images": lambda conn, key: conn.image.delete_image(key, ignore_missing=True),
    "flavors": lambda conn, key: conn.compute.delete_flavor(key, ignore_missing=True),
    "users": lambda conn, key: conn.identity.delete_user(key, ignore_missing=True),
    "projects": lambda conn, key: conn.identity.delete_project(key, ignore_missing=True),
}


def _servers_gone(conn, keys, wait):
    """Wait until the servers are gone; the ids still there (in ERROR: their delete failed) after ``wait`` s."""
    deadline = time.monotonic() + wait
    left = list(keys)
    while left:
        left = [key for key in left if conn.compute.find_server(key, ignore_missing=True, all_projects=True)]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(2)
    return left


def sweep(conn, plan, wait=300):
    """Delete what an earlier run left behind (tempest_made's plan, in its order): ({kind: [id, ...]} deleted,
    [one line per thing that could not be])."""
    swept, errors = {}, []
    for kind, entries in plan:
        for entry in entries:
            try:
                DELETE[kind](conn, entry["id"])
            except Exception as error:  # pylint: disable=broad-except
                errors.append("%s: %s" % (describe(kind, entry), str(error).strip()[:300]))
                continue
            swept.setdefault(kind, []).append(entry["id"])
        if kind == "servers" and swept.get("servers"):
            stuck = set(_servers_gone(conn, swept["servers"], wait))
            if stuck:
                errors.extend("%s: still there %d s after its delete" % (describe(kind, entry), wait)
                              for entry in entries if entry["id"] in stuck)
                swept["servers"] = [key for key in swept["servers"] if key not in stuck]
    return swept, errors


class Run:
    def __init__(self, module):
        self.module = module
        self.p = module.params
        self.runs = os.path.join(self.p["workspace"], "runs")
        self.dir = os.path.join(self.runs, self.p["run_id"])

    def path(self, name):
        return os.path.join(self.dir, name)

    def connect(self):
        conn = openstack.connect(cloud=self.p["cloud"])
        return conn, set(catalog_types(conn))

    def tempest(self, *args):
        return ["tempest", "run", "--config-file", os.path.join(self.p["workspace"], "etc", "tempest.conf"),
                "--include-list", self.path("include.txt"), "--exclude-list", self.path("exclude.txt")] + list(args)

    def earlier_costs(self):
        """Seconds of work per test group in the last finished run of this workspace (its exit code written), and
        which run that was; ({}, None) when there is none."""
        finished = []
        for name in os.listdir(self.runs) if os.path.isdir(self.runs) else ():
            rc = os.path.join(self.runs, name, "rc")
            stream = os.path.join(self.runs, name, "results.subunit")
            if name != self.p["run_id"] and os.path.exists(rc) and os.path.exists(stream):
                finished.append((os.path.getmtime(rc), name, stream))
        for _mtime, name, stream in sorted(finished, reverse=True):
            costs = parse_stream(stream).group_costs()
            if costs:
                return costs, "run %s" % name
        return {}, None

    def earlier(self):
        """The run id of the last run started before this one, if any."""
        active = (read_text(os.path.join(self.runs, "active"), "") or "").strip()
        return active if active and active != self.p["run_id"] else None

    def stop_earlier(self, active):
        """Stop the earlier run if it is still going (a play killed while it waited), all of its process group."""
        pid = (read_text(os.path.join(self.runs, active, "pid"), "") or "").strip()
        if not (pid.isdigit() and alive(int(pid))):
            return None
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(int(pid), sig)
            except OSError:
                break
            for dummy in range(int(STOP_GRACE / 0.2)):
                if not _group_alive(int(pid)):
                    return "stopped the unfinished run %s" % active
                time.sleep(0.2)
        return "stopped the unfinished run %s" % active

    def sweep_earlier(self, active, conn, now):
        """Delete what the earlier run made and left behind in ``now`` (killed before its cleanup, or a delete that
        failed): {run, swept: {kind: [id]}, errors: [...], line}, or None when it left nothing."""
        before = json.loads(read_text(os.path.join(self.runs, active, "before.json"), "{}") or "{}")
        plan = tempest_made(before, now)
        if not plan:
            return None
        swept, errors = sweep(conn, plan)
        line = ", ".join("%d %s" % (len(ids), kind) for kind, ids in sorted(swept.items())) or "nothing"
        return dict(run=active, swept=swept, errors=errors, line="%s (run %s)%s" % (
            line, active, ", %d could not be deleted" % len(errors) if errors else ""))

    def start(self):
        active = self.earlier()
        stopped = self.stop_earlier(active) if active else None
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        entries = []
        text = ""
        if self.p["exclude_file"]:
            text = read_text(self.p["exclude_file"])
            if text is None:
                self.module.fail_json(msg="exclude_file: %s cannot be read" % self.p["exclude_file"])
        try:
            entries = exclude_entries(text)
        except ValueError as err:
            self.module.fail_json(msg="exclude_file: %s" % err)
        _write(self.path("include.txt"), selection_file(self.p["include"]))
        _write(self.path("exclude.txt"), selection_file([r for r, _why in entries] + self.p["exclude"]))
        _write(self.path("excluded.json"), json.dumps([{"regex": r, "reason": why} for r, why in entries]))
        if not os.path.isdir(os.path.join(self.p["workspace"], ".stestr")):
            # the test repository stestr keeps its runs in (tempest init would make it too)
            self.module.run_command(["stestr", "init"], cwd=self.p["workspace"])
        rc, out, err = self.module.run_command(self.tempest("--list-tests"), cwd=self.p["workspace"])
        tests = [line.strip() for line in out.splitlines() if line.strip().startswith("tempest.")]
        if rc != 0 or not tests:
            self.module.fail_json(msg="the selection holds no test (tempest run --list-tests, exit %d): %s" % (
                rc, (err or out).strip()[-2000:]))
        _write(self.path("selected.txt"), "\n".join(tests) + "\n")
        costs, source = self.earlier_costs()
        if not costs and self.p["durations"]:
            costs, source = dict(self.p["durations"]), "durations"
        parts, loads, known = partition(tests, costs or {}, self.p["concurrency"])
        _write(self.path("workers.yaml"), worker_file(parts))
        _write(self.path("partition.json"), json.dumps({
            "source": source or "none", "known": known,
            "workers": [{"tests": len(part), "estimated_s": load} for part, load in zip(parts, loads)]}))
        conn, services = self.connect()
        before = snapshot(conn, services)
        earlier = self.sweep_earlier(active, conn, before) if active else None
        if earlier:
            before = snapshot(conn, services)  # what is left after the sweep
        _write(self.path("swept.json"), json.dumps(earlier or {}))
        _write(self.path("before.json"), json.dumps(before))
        command = " ".join("'%s'" % a.replace("'", "'\\''") for a in self.tempest(
            "--worker-file", self.path("workers.yaml"), "--subunit"))
        pid = detach(["sh", "-c", "%s > %s 2> %s; echo $? > %s" % (
            command, self.path("results.subunit"), self.path("stderr.log"), self.path("rc"))], self.p["workspace"])
        _write(self.path("pid"), "%d\n" % pid)
        _write(os.path.join(self.runs, "active"), self.p["run_id"] + "\n")
        return stopped

    def look(self):
        """The run's state as the module's result (without exiting)."""
        selected_ids = (read_text(self.path("selected.txt"), "") or "").split()
        selected = len(selected_ids)
        report = read_text(self.path("report.json"))
        if report:
            return json.loads(report)
        rc = (read_text(self.path("rc"), "") or "").strip()
        results = parse_stream(self.path("results.subunit")) if os.path.exists(self.path("results.subunit")) \
            else Results()
        summary = results.summary(selected_ids)
        if not rc:
            pid = (read_text(self.path("pid"), "") or "0").strip()
            if not alive(int(pid or 0)):
                return dict(ready=True, failed=True, summary=progress(summary, selected),
                            msg="tempest run ended without an exit code (killed?); see %s" % self.path("stderr.log"),
                            waiting_for=[])
            running = sorted(t["id"].split("[", 1)[0] for t in results.tests.values() if t["status"] == "running")
            return dict(ready=False, summary=progress(summary, selected), waiting_for=running[:4])
        conn, services = self.connect()
        before = json.loads(read_text(self.path("before.json"), "{}"))
        after = snapshot(conn, services)
        left = leftovers(before, after)
        earlier = json.loads(read_text(self.path("swept.json"), "{}") or "{}")
        report = dict(ready=True, summary=progress(summary, selected), waiting_for=[], selected=selected,
                      tests_passed=summary["passed"], tests_failed=summary["failed"],
                      tests_skipped=summary["skipped"],
                      failures=summary["failures"], skips=summary["skips"], slowest=summary["slowest"],
                      excluded=json.loads(read_text(self.path("excluded.json"), "[]")), seconds=summary["seconds"],
                      counts={"before": counted(before), "after": counted(after)}, leftovers=left,
                      left_behind=[describe(kind, entry) for kind, entries in sorted(left_behind(before, after).items())
                                   for entry in entries],
                      swept=earlier,
                      subunit=self.path("results.subunit"), exit_code=int(rc), concurrency=self.p["concurrency"],
                      partition=json.loads(read_text(self.path("partition.json"), "{}") or "{}"),
                      costs=results.group_costs())
        problems = []
        if summary["failures"]:
            problems.append("%d of %d tests failed%s: %s" % (
                summary["failed"], selected, " and %d class fixtures" % (len(summary["failures"]) - summary["failed"])
                if len(summary["failures"]) > summary["failed"] else "",
                ", ".join(f["id"].split("[", 1)[0] for f in summary["failures"][:5])))
        done = summary["passed"] + summary["failed"] + summary["skipped"]
        if done < selected:
            problems.append("only %d of the %d selected tests ran (exit %s): %s" % (
                done, selected, rc, (read_text(self.path("stderr.log"), "") or "").strip()[-600:]))
        if left:
            problems.append("Tempest left behind: %s (%s)" % (", ".join(
                "%s %d -> %d" % (kind, b, a) for kind, (b, a) in sorted(left.items())),
                "; ".join(report["left_behind"][:5])))
        if earlier.get("errors"):
            problems.append("what the earlier run %s left behind could not all be deleted: %s" % (
                earlier["run"], "; ".join(earlier["errors"][:5])))
        if problems:
            report.update(failed=True, msg="; ".join(problems))
        _write(self.path("report.json"), json.dumps(report))
        return report


def main():
    module = AnsibleModule(
        argument_spec=dict(
            workspace=dict(type="path", required=True),
            run_id=dict(type="str", required=True),
            cloud=dict(type="str", default="overcloud"),
            include=dict(type="list", elements="str", default=list(DEFAULT_INCLUDE)),
            exclude_file=dict(type="path"),
            exclude=dict(type="list", elements="str", default=[]),
            concurrency=dict(type="int", default=2),
            durations=dict(type="dict", default={}),
            wait=dict(type="int", default=0),
            delay=dict(type="int", default=10),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not p["run_id"] or "/" in p["run_id"] or p["run_id"].startswith("."):
        module.fail_json(msg="run_id: a plain name is needed, got %r" % p["run_id"])
    if p["concurrency"] < 1:
        module.fail_json(msg="concurrency: at least 1, got %d" % p["concurrency"])
    if p["wait"] < 0:
        module.fail_json(msg="wait: must be >= 0, got %d" % p["wait"])
    if p["delay"] < 1:
        module.fail_json(msg="delay: must be positive, got %d" % p["delay"])
    if module.check_mode:
        module.exit_json(changed=False, ready=True, summary="check mode: Tempest not run", waiting_for=[])
    require_sdk(module)
    if not shutil.which("tempest"):
        module.fail_json(msg="tempest is not installed on this host (the verify role installs its package)")
    if not os.path.isfile(os.path.join(p["workspace"], "etc", "tempest.conf")):
        module.fail_json(msg="workspace: %s has no etc/tempest.conf (module tempest_config writes it)" % p["workspace"])
    run = Run(module)
    note = None
    if not os.path.exists(run.path("pid")):
        note = run.start()
    start = time.monotonic()
    while True:
        result = run.look()
        if result.get("ready") or time.monotonic() - start + p["delay"] > p["wait"]:
            break
        time.sleep(p["delay"])
    if note:
        result["note"] = note
    result["changed"] = False
    if result.get("failed"):
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
