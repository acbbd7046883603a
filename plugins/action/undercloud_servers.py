# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of undercloud_servers: show the progress of the wait while the module runs.

A module cannot print while it runs. So the module runs in a thread here, appending lines such
as "14/21 servers ACTIVE" to a progress file, and this plugin prints each new line. One module
process and one connection do the whole job: polling from separate processes would cost a
Python start and a login per poll, which a small cloud's CPU feels.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()
MODULE = "nestedcloud.openstack.undercloud_servers"


class ActionModule(ActionBase):
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        if not args.get("wait", True) or self._task.check_mode or args.get("state", "present") != "present":
            result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
            return result

        handle, progress = tempfile.mkstemp(prefix="nestedcloud-progress-")
        os.close(handle)
        outcome = {}

        def work():
            outcome["result"] = self._execute_module(module_name=MODULE, module_args=dict(args, progress_file=progress),
                                                     task_vars=task_vars)

        worker = threading.Thread(target=work, name="undercloud_servers")
        start, shown = time.monotonic(), 0
        worker.start()
        try:
            while worker.is_alive() or shown == 0:
                worker.join(1)
                with open(progress) as lines:
                    new = lines.read().splitlines()[shown:]
                for line in new:
                    display.display("  %s (%ds)" % (line, time.monotonic() - start))
                shown += len(new)
                if not worker.is_alive():
                    break
        finally:
            worker.join()
            os.unlink(progress)
        result.update(outcome.get("result", {"failed": True, "msg": "undercloud_servers returned nothing"}))
        return result
