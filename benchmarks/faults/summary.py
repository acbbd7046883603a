# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Markdown table of the fault-injection and interrupted-run figures the undercloud tier wrote into build/.

    python benchmarks/faults/summary.py build > benchmarks/faults/results.md
"""

from __future__ import annotations

import glob
import json
import os
import sys


def main(build):
    lines = ["# The undercloud layer against a misbehaving cloud", "",
             "Written by `python benchmarks/faults/summary.py build` from the figures of the `undercloud` tier",
             "(`tests/integration/undercloud/test_undercloud_faults.py` and `test_undercloud_interrupted.py`).", "",
             "| scenario | seed | requests | faults injected | created (planned: 3 servers, 3 ports, 2 volumes, "
             "1 network, 1 router, 2 security groups, 1 keypair, 1 floating IP) | duplicates | leaked after teardown |",
             "|---|---|---|---|---|---|---|"]
    for path in sorted(glob.glob(os.path.join(build, "fault-injection-*.json"))):
        with open(path) as handle:
            run = json.load(handle)
        counts = dict(run.get("all_runs", {}))
        requests = counts.pop("requests", 0)
        lines.append("| %s (rate %s%s) | %s | %d | %s | %s | %s | %s |" % (
            run["scenario"], run["rate"], ", %s only" % "/".join(run["methods"]) if run.get("methods") else "",
            run["seed"], requests, ", ".join("%s %d" % kv for kv in sorted(counts.items())) or "none",
            ", ".join("%s %d" % kv for kv in sorted(run.get("created", {}).items())),
            run.get("duplicates", "?") or "none", run.get("leaked", "?") or "none"))
    path = os.path.join(build, "interrupted-runs.json")
    if os.path.exists(path):
        with open(path) as handle:
            run = json.load(handle)
        lines += ["", "## The layer and its teardown killed at random points (SIGKILL to ansible-playbook's process group), one"
                  " after the other", "",
                  "Runs started: %d, killed: %d (the others ended before their moment and passed), seed %s; then one run"
                  " to the end: %s, duplicates: %s, servers: %s; leaked after the teardown: %s." % (
                      run["tried"], run.get("killed", 0), run["seed"], "converged" if run.get("converged") else "NOT converged",
                      run.get("duplicates") or "none", ", ".join(run.get("servers", [])) or "none",
                      run.get("leaked") or "none"), "",
                  "| run | killed after (s) | killed | what was there after it | duplicates |", "|---|---|---|---|---|"]
        for point in run["points"]:
            lines.append("| %s | %s | %s | %s | %s |" % (
                point.get("run", "undercloud"), point["kill_after_s"], "yes" if point.get("was_running") else "no, ended (exit %s)" % point.get("exit_status"),
                ", ".join("%s %d" % kv for kv in sorted(point["left_by_kill"].items())) or "nothing",
                point.get("duplicates") or "none"))
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build")
