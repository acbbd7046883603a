# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of overcloud_health: wait with progress (plugin_utils/poll.py), e.g.
"inner cloud: 10 of 14 up (7s); waiting for: nova-compute on uc-0002: ... (see /var/log/nova/nova-compute.log ...)".
"""

from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.plugin_utils.poll import PollingAction


class ActionModule(PollingAction):
    MODULE = "nestedcloud.openstack.overcloud_health"
    LABEL = "inner cloud"
    NOT_READY = "not up after %d s"
