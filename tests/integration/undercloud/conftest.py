# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures for tests against the local undercloud (tests/undercloud/undercloud.sh up).

Tests act as the ordinary project member (cloud `undercloud`), as real users do; the admin
cloud is used only to arrange what a member cannot (lowering quotas, looking behind the API).
"""

from __future__ import annotations

import os

import pytest

from .. import _runner

openstack = pytest.importorskip("openstack")

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import use_monotonic_clock  # noqa: E402

# A wall clock stepped backwards would stall keystoneauth1's request pacing (time.time()).
use_monotonic_clock()

CLOUDS = os.environ.get("OS_CLIENT_CONFIG_FILE", "/tmp/nestedcloud-undercloud/clouds.yaml")


@pytest.fixture(scope="session")
def clouds_yaml():
    if not os.path.exists(CLOUDS):
        pytest.fail("no local undercloud: run tests/undercloud/undercloud.sh up (make test does)")
    os.environ["OS_CLIENT_CONFIG_FILE"] = CLOUDS
    return CLOUDS


@pytest.fixture(scope="session")
def member(clouds_yaml):
    return openstack.connect(cloud="undercloud")


@pytest.fixture(scope="session")
def admin(clouds_yaml):
    return openstack.connect(cloud="undercloud-admin")


TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def run_task(module, args, check=False, diff=False):
    """Run one task of ``module`` through ansible-playbook, as the member of the local cloud."""
    return _runner.run_task(module, args, check=check, diff=diff, env={"OS_CLIENT_CONFIG_FILE": CLOUDS})


def mutating(result):
    return sum(n for method, n in result.get("api_calls", {}).items() if method in ("POST", "PUT", "PATCH", "DELETE"))
