# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of juju_status_info: wait with progress (plugin_utils/poll.py), e.g.
"juju model: 31 of 45 units active, 3 of 3 machines started (1800s); waiting for: vault/0 ...: blocked/idle - ..."."""

from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.plugin_utils.poll import PollingAction


class ActionModule(PollingAction):
    MODULE = "nestedcloud.openstack.juju_status_info"
    LABEL = "juju model"
    NOT_READY = "not settled after %d s"
    DEFAULT_DELAY = 30
