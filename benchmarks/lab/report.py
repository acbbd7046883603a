"""The Markdown of `make bench-lab` (benchmarks/lab/bench.sh): layers of the first site.yml and of the run that must
change nothing, the tasks that cost most in each, the floor of the overcloud layer (floor.py) and the two ratios.

  report.py FIRST_LOG NOOP_LOG FLOOR_JSON WARM_JSON > results
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "lab"))
import layer_times  # noqa: E402  (tests/lab/layer_times.py: the lab tier's figures read logs the same way)

GOAL_FLOOR = 1.5
GOAL_NOOP = 0.10
# profile_tasks' summary after the recap: "role : task name ------------------- 12.34s"
TASK = re.compile(r"^(.*\S) -+ (\d+\.\d+)s\s*$")


def costliest(lines, limit=8):
    """The tasks profile_tasks ranked at the end of a run: [(task, seconds)], most expensive first."""
    out, ranking = [], False
    for line in lines:
        if line.startswith("====="):
            ranking, out = True, []
            continue
        match = TASK.match(line) if ranking else None
        if match:
            out.append((match.group(1), float(match.group(2))))
    return sorted(out, key=lambda item: -item[1])[:limit]


def verdict(ratio, goal):
    return "goal met" if ratio <= goal else "goal missed"


def render(first, noop, floor, warm):
    first_layers, noop_layers = layer_times.layer_times(first), layer_times.layer_times(noop)
    first_total, noop_total = sum(layer[1] for layer in first_layers), sum(layer[1] for layer in noop_layers)
    overcloud = dict(first_layers).get("Overcloud")
    if not overcloud or not first_total:
        raise ValueError("the first run's log has no timed Overcloud layer")
    floor_ratio, noop_ratio = overcloud / floor["floor_s"], noop_total / first_total
    out = ["| figure | seconds | ratio | goal |", "|---|---:|---:|---|",
           "| overcloud layer of the first site.yml | %.0f | | |" % overcloud,
           "| its floor: apt-get install on every host at once + schema syncs | %.0f | | |" % floor["floor_s"],
           "| **overcloud layer / floor** | | **%.2f** | at most %.1f: %s |" % (
               floor_ratio, GOAL_FLOOR, verdict(floor_ratio, GOAL_FLOOR)),
           "| first site.yml, every layer | %.0f | | |" % first_total,
           "| site.yml again, nothing to change | %.0f | | |" % noop_total,
           "| **no-op run / first run** | | **%.2f** | at most %.2f: %s |" % (
               noop_ratio, GOAL_NOOP, verdict(noop_ratio, GOAL_NOOP)), ""]
    out += ["## Layers", "", "| layer | first run, s | no-op run, s | no-op / first |", "|---|---:|---:|---:|"]
    noop_by = dict(noop_layers)
    for name, seconds in first_layers:
        again = noop_by.get(name, 0.0)
        out.append("| %s | %.0f | %.0f | %s |" % (name, seconds, again, "%.2f" % (again / seconds) if seconds else "-"))
    out += ["", "## The floor of the overcloud layer", "",
            "Fresh test hosts from the same image, at the state the layer started from; the package cache was warmed "
            "before the first run (%d packages of the role's lists and their dependencies, %.0f s)." % (
                len(warm.get("packages", [])), warm.get("seconds", 0)),
            "", "| step | seconds |", "|---|---:|"]
    for name, host in sorted(floor["hosts"].items()):
        out.append("| %s: apt-get install of %d packages | %.0f |" % (name, len(host["packages"]), host["install_s"]))
    out.append("| all hosts at once (wall) | %.0f |" % floor["install_wall_s"])
    for name, seconds in floor["syncs"]:
        out.append("| schema sync: %s (on %s) | %.0f |" % (name, floor["controller"], seconds))
    out.append("| **floor** | **%.0f** |" % floor["floor_s"])
    if floor.get("tables"):
        out += ["", "Tables the syncs made: %s." % ", ".join("%s %d" % item for item in sorted(floor["tables"].items()))]
    for title, lines in (("the first run", first), ("the no-op run", noop)):
        out += ["", "## The tasks that cost most in %s" % title, "", "| task | seconds |", "|---|---:|"]
        out += ["| %s | %.1f |" % (name.replace("|", "\\|"), seconds) for name, seconds in costliest(lines)]
    out += ["", "Packages per host of the floor (what the layer installed on request):", ""]
    out += ["- %s: %s" % (name, " ".join(host["packages"])) for name, host in sorted(floor["hosts"].items())]
    return "\n".join(out) + "\n"


def main(first_log, noop_log, floor_json, warm_json):
    with open(first_log) as a, open(noop_log) as b, open(floor_json) as c, open(warm_json) as d:
        sys.stdout.write(render(a.read().splitlines(), b.read().splitlines(), json.load(c), json.load(d)))


if __name__ == "__main__":
    main(*sys.argv[1:5])
