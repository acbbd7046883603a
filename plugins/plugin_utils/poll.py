# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wait with progress for modules that run on a remote host: ask the module once per round.

A module on a remote host cannot show progress, and a second exec on the same connection from another thread is
unsafe with become. So the action asks the module once per round with ``wait=0``; the module answers ``ready``,
a ``summary`` ("3 of 5 Ready") and ``waiting_for`` (one line per missing thing). The action prints that whenever
it changes, and at least every PROGRESS_EVERY seconds, and at the end of the wait fails naming what is missing.
In check mode a round that would act ends the wait (nothing was started, so nothing can get ready).
A subclass names its MODULE, the LABEL of the progress lines and what the timeout message says.
"""

from __future__ import annotations

import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()
PROGRESS_EVERY = 30


def progress_line(label, result, elapsed):
    """'<label>: 9 of 12 up (35s); waiting for: a; b' - what the operator sees while the wait goes on."""
    line = "%s: %s (%ds)" % (label, result.get("summary", "?"), elapsed)
    if result.get("waiting_for"):
        line += "; waiting for: " + "; ".join(result["waiting_for"])
    return line


class PollingAction(ActionBase):
    _supports_check_mode = True
    MODULE = ""
    LABEL = ""
    NOT_READY = "not ready after %d s"  # % wait
    DEFAULT_DELAY = 5

    # tests replace these two
    clock = staticmethod(time.monotonic)
    sleep = staticmethod(time.sleep)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        try:
            wait, delay = int(args.pop("wait", 0)), int(args.pop("delay", self.DEFAULT_DELAY))
        except (TypeError, ValueError) as err:
            return dict(result, failed=True, msg="wait and delay must be whole seconds: %s" % err)
        if wait < 0 or delay <= 0:
            return dict(result, failed=True, msg="wait must be >= 0 and delay positive, got wait=%d delay=%d" % (wait, delay))
        start = self.clock()
        shown, shown_at, changed = None, start, False
        while True:
            answer = self._execute_module(module_name=self.MODULE, module_args=dict(args, wait=0), task_vars=task_vars)
            changed = changed or bool(answer.get("changed"))
            elapsed = self.clock() - start
            if answer.get("failed") or answer.get("ready") or elapsed + delay > wait:
                break
            if self._task.check_mode and answer.get("changed"):
                break  # it would have started something; in check mode nothing started, so nothing can get ready
            state = (answer.get("summary"), tuple(answer.get("waiting_for") or ()))
            if state != shown or self.clock() - shown_at >= PROGRESS_EVERY:
                display.display("  " + progress_line(self.LABEL, answer, elapsed))
                shown, shown_at = state, self.clock()
            self.sleep(delay)
        answer["seconds"] = round(self.clock() - start, 1)
        answer["changed"] = changed  # a round that acted (started an import...) makes the task changed
        if wait and not answer.get("failed") and not answer.get("ready") and not (self._task.check_mode and changed):
            missing = "; ".join(answer.get("waiting_for") or ["(nothing reported)"])
            answer.update(failed=True, msg="%s: %s: %s" % (self.LABEL, self.NOT_READY % wait, missing))
        result.update(answer)
        return result
