# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action of juju_bootstrap: wait with progress (plugin_utils/poll.py), e.g.
"juju bootstrap: bootstrapping lab1: Running machine configuration script... (600s)"."""

from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.plugin_utils.poll import PollingAction


class ActionModule(PollingAction):
    MODULE = "nestedcloud.openstack.juju_bootstrap"
    LABEL = "juju bootstrap"
    NOT_READY = "no controller after %d s (the bootstrap goes on; run again to wait more)"
    DEFAULT_DELAY = 30
