# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared by the lab's tests: the outer cloud (the local undercloud) the lab lives in."""

from __future__ import annotations

import os

import openstack
import pytest
from openstack.config.loader import OpenStackConfig

OUTER_CLOUDS = os.environ.get("OS_CLIENT_CONFIG_FILE", "/tmp/nestedcloud-undercloud/clouds.yaml")


@pytest.fixture(scope="module")
def outer():
    """The lab's project in the outer cloud, as the lab's clouds.yaml entry `undercloud` sees it."""
    return openstack.connection.Connection(config=OpenStackConfig(config_files=[OUTER_CLOUDS]).get_one("undercloud"))


@pytest.fixture(scope="module")
def outer_clouds():
    """The clouds.yaml of the local undercloud (its passwords are new on every `up`)."""
    return OUTER_CLOUDS
