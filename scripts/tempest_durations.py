# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The verify role's files/tempest-durations.yml from a lab's Tempest report: seconds of work per test group (a
class, or a scenario test), which a workspace's first Tempest run spreads its tests over the workers by.

  python scripts/tempest_durations.py ~/.nestedcloud/nclab/tempest-report.json > roles/verify/files/tempest-durations.yml
"""

from __future__ import annotations

import json
import os
import sys


def render(report, source):
    costs = report.get("costs") or {}
    if not costs:
        raise SystemExit("%s has no costs (a report of a finished run made by this collection's tempest_run)" % source)
    lines = ["# Seconds of work per Tempest test group (a class's tests with its setUpClass, or one scenario test), as",
             "# measured in a lab's run (scripts/tempest_durations.py %s): the first run in a workspace spreads" % source,
             "# its tests over the workers by them; later runs use their workspace's last finished run.",
             "# %d groups, %.0f s of work in all, %s workers then; the run took %s s." % (
                 len(costs), sum(costs.values()), report.get("concurrency", "?"), report.get("seconds", "?")),
             "---"]
    # a scenario test without its attribute list ([compute,id-...,network,slow]): what partition() also matches
    lines += ["%s: %s" % (json.dumps(group.split("[", 1)[0]), costs[group]) for group in sorted(costs)]
    return "\n".join(lines) + "\n"


def main(argv):
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0]) as handle:
        sys.stdout.write(render(json.load(handle), argv[0].replace(os.path.expanduser("~"), "~")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
