# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of tempest_run: wait with progress (plugin_utils/poll.py), e.g.
"Tempest: 41 of 97 tests done: 38 passed, 1 failed, 2 skipped (612s); waiting for: tempest.api.compute...".
"""

from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.plugin_utils.poll import PollingAction


class ActionModule(PollingAction):
    MODULE = "nestedcloud.openstack.tempest_run"
    LABEL = "Tempest"
    NOT_READY = "the run has not ended after %d s (it goes on; the next run stops it)"
    DEFAULT_DELAY = 10
