# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of maas_machines: wait with progress (plugin_utils/poll.py), e.g.
"MAAS machines: 2 of 3 Ready (640s); waiting for: oc-0004 (uc-0002): Commissioning"."""

from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.plugin_utils.poll import PollingAction


class ActionModule(PollingAction):
    MODULE = "nestedcloud.openstack.maas_machines"
    LABEL = "MAAS machines"
    NOT_READY = "not Ready after %d s"
    DEFAULT_DELAY = 20
