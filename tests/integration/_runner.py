# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run one task of a module through a real ansible-playbook and return its result (json callback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_task(module, args, check=False, diff=False, prefix=(), env=None):
    """``prefix`` goes in front of ansible-playbook, e.g. ``ip netns exec NS`` to act inside a namespace."""
    task = {"name": "task", module: args}
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [task]}]
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
        json.dump(play, handle)
    cmd = list(prefix) + [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), handle.name]
    cmd += ["--check"] if check else []
    cmd += ["--diff"] if diff else []
    environ = dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg"), ANSIBLE_STDOUT_CALLBACK="json",
                   ANSIBLE_LOAD_CALLBACK_PLUGINS="1")
    environ.update(env or {})
    try:
        run = subprocess.run(cmd, cwd=TOP, env=environ, capture_output=True, text=True, timeout=900, check=False)
    finally:
        os.unlink(handle.name)
    try:
        output = json.loads(run.stdout[run.stdout.index("{"):])
    except ValueError:
        raise AssertionError("no JSON from ansible-playbook:\n%s\n%s" % (run.stdout, run.stderr))
    result = output["plays"][0]["tasks"][0]["hosts"]["localhost"]
    if result.get("failed"):  # why first: pytest shortens a dict it shows, and the reason came last
        result = dict({"msg": result.get("msg")}, **result)
    return result


def recap(out, host="localhost"):
    """{ok: ..., changed: ...} of ``host``'s PLAY RECAP line (the last one) in ansible-playbook's output."""
    line = [row for row in out.splitlines() if row.startswith(host + " ") and "ok=" in row][-1]
    return dict(field.split("=") for field in line.split(":", 1)[1].split())
