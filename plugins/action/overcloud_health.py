# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of overcloud_health: wait with progress.

The module runs on the controller, where a progress file would be out of reach, so with `wait` this plugin asks
the module once per round (wait=0) and prints how many of how many checks pass and what is still missing whenever
that changes, and at least every PROGRESS_EVERY seconds. At the end of the wait it fails naming what is down.
"""

from __future__ import annotations

import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()
MODULE = "nestedcloud.openstack.overcloud_health"
PROGRESS_EVERY = 30


def progress_line(result, elapsed):
    """'9 of 12 up (35s); waiting for: a; b' - what the operator sees while the wait goes on."""
    line = "inner cloud: %s (%ds)" % (result.get("summary", "?"), elapsed)
    if result.get("waiting_for"):
        line += "; waiting for: " + "; ".join(result["waiting_for"])
    return line


class ActionModule(ActionBase):
    _supports_check_mode = True

    # tests replace these two
    clock = staticmethod(time.monotonic)
    sleep = staticmethod(time.sleep)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        try:
            wait, delay = int(args.pop("wait", 0)), int(args.pop("delay", 5))
        except (TypeError, ValueError) as err:
            return dict(result, failed=True, msg="wait and delay must be whole seconds: %s" % err)
        if wait < 0 or delay <= 0:
            return dict(result, failed=True, msg="wait must be >= 0 and delay positive, got wait=%d delay=%d" % (wait, delay))
        start = self.clock()
        shown, shown_at = None, start
        while True:
            answer = self._execute_module(module_name=MODULE, module_args=dict(args, wait=0), task_vars=task_vars)
            elapsed = self.clock() - start
            if answer.get("failed") or answer.get("ready") or elapsed + delay > wait:
                break
            line = progress_line(answer, elapsed)
            state = (answer.get("summary"), tuple(answer.get("waiting_for") or ()))
            if state != shown or self.clock() - shown_at >= PROGRESS_EVERY:
                display.display("  " + line)
                shown, shown_at = state, self.clock()
            self.sleep(delay)
        answer["seconds"] = round(self.clock() - start, 1)
        if wait and not answer.get("failed") and not answer.get("ready"):
            answer.update(failed=True, msg="the inner cloud is not up after %d s: %s"
                          % (wait, "; ".join(answer.get("waiting_for") or ["(nothing reported)"])))
        result.update(answer)
        return result
