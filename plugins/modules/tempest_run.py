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
  - Before the run and after it, counts what Tempest could leave behind in the inner cloud (projects, users, servers,
    ports, networks, subnets, routers, floating IPs, security groups, images, flavors, volumes) as the admin of
    C(clouds.yaml) entry O(cloud); any count that grew is reported and fails the task.
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
    description: Tempest's workers.
    type: int
    default: 2
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
from ansible_collections.nestedcloud.openstack.plugins.module_utils.files import read_text
from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner import catalog_types, openstack, require_sdk
from ansible_collections.nestedcloud.openstack.plugins.module_utils.tempest import (
    DEFAULT_INCLUDE, Results, exclude_entries, leftovers, progress, selection_file)


def _write(path, text):
    with open(path, "w") as handle:
        handle.write(text)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    # a zombie of ours counts as ended
    stat = read_text("/proc/%d/stat" % pid, "")
    return ") Z " not in stat


def detach(argv, cwd):
    """Start argv in a session of its own, with no tie to this module's output, and return its pid (also its process
    group's): the run outlives the module and a killed play."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.setsid()
            os.chdir(cwd)
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.closerange(3, 65536)
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)  # pylint: disable=protected-access
    return pid


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


def counts(conn, services):
    found = {
        "projects": len(list(conn.identity.projects())),
        "users": len(list(conn.identity.users())),
        "servers": len(list(conn.compute.servers(all_projects=True))),
        "flavors": len(list(conn.compute.flavors())),
        "images": len(list(conn.image.images())),
    }
    if "network" in services:
        found.update(ports=len(list(conn.network.ports())), networks=len(list(conn.network.networks())),
                     subnets=len(list(conn.network.subnets())), routers=len(list(conn.network.routers())),
                     floating_ips=len(list(conn.network.ips())),
                     security_groups=len(list(conn.network.security_groups())))
    if "volumev3" in services or "block-storage" in services:
        found["volumes"] = len(list(conn.block_storage.volumes(all_projects=True)))
    return found


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

    def stop_earlier(self):
        """Stop a run of another run_id that is still going (a play killed while it waited)."""
        active = (read_text(os.path.join(self.runs, "active"), "") or "").strip()
        if not active or active == self.p["run_id"]:
            return None
        pid = (read_text(os.path.join(self.runs, active, "pid"), "") or "").strip()
        if pid.isdigit() and _alive(int(pid)):
            try:
                os.killpg(int(pid), signal.SIGTERM)
            except OSError:
                pass
            for dummy in range(50):
                if not _alive(int(pid)):
                    break
                time.sleep(0.2)
            return "stopped the unfinished run %s" % active
        return None

    def start(self):
        stopped = self.stop_earlier()
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
        conn, services = self.connect()
        _write(self.path("before.json"), json.dumps(counts(conn, services)))
        command = " ".join("'%s'" % a.replace("'", "'\\''") for a in self.tempest(
            "--concurrency", str(self.p["concurrency"]), "--subunit"))
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
            if not _alive(int(pid or 0)):
                return dict(ready=True, failed=True, summary=progress(summary, selected),
                            msg="tempest run ended without an exit code (killed?); see %s" % self.path("stderr.log"),
                            waiting_for=[])
            running = sorted(t["id"].split("[", 1)[0] for t in results.tests.values() if t["status"] == "running")
            return dict(ready=False, summary=progress(summary, selected), waiting_for=running[:4])
        conn, services = self.connect()
        before = json.loads(read_text(self.path("before.json"), "{}"))
        after = counts(conn, services)
        left = leftovers(before, after)
        report = dict(ready=True, summary=progress(summary, selected), waiting_for=[], selected=selected,
                      tests_passed=summary["passed"], tests_failed=summary["failed"],
                      tests_skipped=summary["skipped"],
                      failures=summary["failures"], skips=summary["skips"], slowest=summary["slowest"],
                      excluded=json.loads(read_text(self.path("excluded.json"), "[]")), seconds=summary["seconds"],
                      counts={"before": before, "after": after}, leftovers=left,
                      subunit=self.path("results.subunit"), exit_code=int(rc), concurrency=self.p["concurrency"])
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
            problems.append("Tempest left behind: %s" % ", ".join(
                "%s %d -> %d" % (kind, b, a) for kind, (b, a) in sorted(left.items())))
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
