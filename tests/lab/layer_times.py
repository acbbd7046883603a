"""Seconds per layer of a site.yml run, read from its output (the profile_tasks callback stamps every task).

A play "X layer" or "X layer, ..." belongs to layer X; the "Check ..." plays that open each layer
playbook count toward the layer after them. Prints a Markdown table: layer, seconds, share of the run.
"""
import re
import sys

PLAY = re.compile(r"^PLAY \[(.*)\] \*+\s*$")
# Tuesday 24 November 2026  02:29:29 +0000 (0:00:00.021)       0:00:00.021 ******
STAMP = re.compile(r"^\w+ \d+ \w+ \d{4}\s+[\d:]+ \S+ \([\d:.]+\)\s+(\d+):(\d+):([\d.]+) \*+\s*$")


def layer_times(lines):
    """[(layer, seconds)] in the order the layers ran; a layer whose plays had no host to run on has 0."""
    marks, waiting, layer, last, seen = [], False, None, None, []
    for line in lines:
        play = PLAY.match(line)
        if play:
            name = play.group(1)
            layer = None if name.startswith("Check ") else name.split(",")[0].replace(" layer", "")
            if layer is not None and layer not in seen:
                seen.append(layer)
            waiting = True
            continue
        stamp = STAMP.match(line)
        if stamp:
            last = int(stamp.group(1)) * 3600 + int(stamp.group(2)) * 60 + float(stamp.group(3))
            if waiting:
                marks.append((layer, last))
                waiting = False
    if last is None:
        return []  # no task was stamped: the log says nothing about time
    spent, carry = {}, 0.0
    for index, (name, start) in enumerate(marks):
        end = marks[index + 1][1] if index + 1 < len(marks) else last
        if name is None:
            carry += end - start
            continue
        spent[name] = spent.get(name, 0.0) + carry + end - start
        carry = 0.0
    return [(name, spent.get(name, 0.0)) for name in seen]


def main(path):
    with open(path) as handle:
        times = layer_times(handle)
    if not times:
        sys.exit("%s: no timed plays (was the profile_tasks callback on?)" % path)
    total = sum(seconds for name, seconds in times)
    print("| layer | seconds | share |\n|---|---:|---:|")
    for name, seconds in times:
        print("| %s | %.0f | %.0f %% |" % (name, seconds, 100 * seconds / total if total else 0))
    print("| **site.yml** | **%.0f** | |" % total)


if __name__ == "__main__":
    main(sys.argv[1])
