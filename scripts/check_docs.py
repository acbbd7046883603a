# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The docs tier's rendering check: ansible-doc renders every module, filter and role of the collection, each with
what its kind must show. One ansible-doc run per kind renders all of that kind (one run per plugin cost a Python start
and a collection scan each: most of the tier's time); the output is split at each plugin's header.

Usage: python scripts/check_docs.py   (from the checkout, with ansible.cfg's collection path)
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys

NAMESPACE = "nestedcloud.openstack"
# what each kind's rendering must contain
REQUIRED = {
    "module": ["OPTIONS", "EXAMPLES", "RETURN", "check_mode"],
    "filter": ["EXAMPLES"],
    "role": [re.compile(r"ENTRY POINT: .*main")],
}
HEADER = re.compile(r"^> (?:MODULE|FILTER|ROLE:) \*?(%s\.\w+)\*?(?: |$)" % re.escape(NAMESPACE), re.M)


def names(top):
    """The collection's modules, filters and roles, by kind, from the checkout's files."""
    def stems(pattern, part):
        return sorted("%s.%s" % (NAMESPACE, part(path)) for path in glob.glob(os.path.join(top, pattern)))

    return {
        "module": stems("plugins/modules/*.py", lambda p: os.path.basename(p)[:-3]),
        "filter": stems("plugins/filter/*.yml", lambda p: os.path.basename(p)[:-4]),
        "role": stems("roles/*/meta/argument_specs.yml", lambda p: p.split(os.sep)[-3]),
    }


def split(text):
    """{plugin name: its part of ansible-doc's output}, at each "> MODULE|FILTER|ROLE: name" header."""
    heads = list(HEADER.finditer(text))
    return dict((head.group(1), text[head.start():heads[i + 1].start() if i + 1 < len(heads) else len(text)])
                for i, head in enumerate(heads))


def problems(kind, wanted, text):
    """What is missing: a plugin ansible-doc did not render, or a rendering without a required part."""
    parts, found = split(text), []
    for name in wanted:
        if name not in parts:
            found.append("ansible-doc did not render %s %s" % (kind, name))
            continue
        for need in REQUIRED[kind]:
            present = need.search(parts[name]) if hasattr(need, "search") else need in parts[name]
            if not present:
                found.append("ansible-doc %s %s lacks %s" % (kind, name, getattr(need, "pattern", need)))
    return found


def render(kind, wanted):
    run = subprocess.run(["ansible-doc", "-t", kind] + wanted, capture_output=True, text=True, check=False,
                         env=dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0"))
    if run.returncode != 0:
        return None, run.stderr[-2000:]
    return run.stdout, None


def main():
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    failed, counts = [], {}
    for kind, wanted in names(top).items():
        text, error = render(kind, wanted)
        if text is None:
            failed.append("ansible-doc -t %s failed: %s" % (kind, error))
            continue
        failed += problems(kind, wanted, text)
        counts[kind] = len(wanted)
    for line in failed:
        print(line)
    if failed:
        return 1
    print("ansible-doc renders %d modules, %d filters and %d roles' entry points" % (
        counts["module"], counts["filter"], counts["role"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
