# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of undercloud_servers: create without waiting, show progress while polling, then finish.

A module cannot print while it runs, so the wait happens here: the module is run once with
``wait: false`` (it creates what is missing and returns), then undercloud_servers_info is polled
and each change of "N/M servers ACTIVE" is printed, then the module runs again with ``wait: true``
to confirm, attach volumes and report. The two results are merged into one.
"""

from __future__ import annotations

import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()
MODULE = "nestedcloud.openstack.undercloud_servers"
INFO = "nestedcloud.openstack.undercloud_servers_info"


class ActionModule(ActionBase):
    _supports_check_mode = True

    def _module(self, name, args, task_vars):
        return self._execute_module(module_name=name, module_args=args, task_vars=task_vars)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        if not args.get("wait", True) or self._task.check_mode or args.get("state", "present") != "present":
            result.update(self._module(MODULE, args, task_vars))
            return result

        timeout = int(args.get("timeout", 900))
        start = time.monotonic()
        first = self._module(MODULE, dict(args, wait=False), task_vars)
        if first.get("failed"):
            result.update(first)
            return result
        info_args = dict((k, args[k]) for k in ("cloud", "plan") if k in args)
        last = None
        while time.monotonic() - start < timeout:
            info = self._module(INFO, info_args, task_vars)
            if info.get("failed"):
                break  # the final module run reports the error
            counts, total = info.get("counts", {}), info.get("total", 0)
            line = "%d/%d servers ACTIVE" % (counts.get("ACTIVE", 0), total)
            if counts.get("ERROR"):
                line += ", %d in ERROR" % counts["ERROR"]
            if line != last:
                display.display("  %s (%ds)" % (line, time.monotonic() - start))
                last = line
            if counts.get("ACTIVE", 0) == total or counts.get("ERROR"):
                break
            time.sleep(2)
        remaining = max(1, timeout - int(time.monotonic() - start))
        final = self._module(MODULE, dict(args, wait=True, timeout=remaining, replace_failed=False), task_vars)
        final["changed"] = bool(first.get("changed") or final.get("changed"))
        final["actions"] = first.get("actions", []) + final.get("actions", [])
        calls = dict(first.get("api_calls", {}))
        for method, count in final.get("api_calls", {}).items():
            calls[method] = calls.get(method, 0) + count
        final["api_calls"] = calls
        diff = {"before": {}, "after": {}}
        for part in (first, final):
            for side in ("before", "after"):
                diff[side].update((part.get("diff") or {}).get(side) or {})
        final["diff"] = diff
        result.update(final)
        return result
