# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of maas_boot_images: wait with progress (plugin_utils/poll.py), e.g.
"boot images: 0 of 1 synced, importing (95s); waiting for: ubuntu/noble amd64/ga-24.04 at 45%"."""

from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.plugin_utils.poll import PollingAction


class ActionModule(PollingAction):
    MODULE = "nestedcloud.openstack.maas_boot_images"
    LABEL = "boot images"
    NOT_READY = "not synced after %d s"
    DEFAULT_DELAY = 15
