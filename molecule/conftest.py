# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the verifiers' commands (every podman scenario's tests/) with `podman exec` directly.

Molecule hands testinfra the Ansible inventory, and testinfra has no direct backend for Ansible's podman
connection, so every command would go through an Ansible module run (about 1 s each). The hosts are the
same podman containers either way; testinfra's own podman backend reaches them in a few milliseconds.
"""

from __future__ import annotations

import pytest
import testinfra


@pytest.fixture()
def host(_testinfra_host):
    return testinfra.get_host("podman://" + _testinfra_host.backend.get_hostname())
