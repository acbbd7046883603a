# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""snap_tracking reads `snap list` as snapd prints it."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.nestedcloud.openstack.plugins.filter.snap_tracking import snap_tracking

SNAP_LIST = """Name          Version                    Rev    Tracking       Publisher   Notes
core22        20250822                   2133   latest/stable  canonical✓  base
maas          3.6.2-17200-g.0ea4e8a6b    40913  3.6/stable     canonical✓  -
maas-test-db  14.2-29-g.ed8d7f2          136    3.6/stable     canonical✓  -
mysnap        1.0                        x1     -              -           -
snapd         2.67.1                     23771  latest/stable  canonical✓  snapd
"""


def test_channels_of_installed_snaps():
    tracking = snap_tracking(SNAP_LIST)
    assert tracking["maas"] == "3.6/stable" and tracking["maas-test-db"] == "3.6/stable"
    assert tracking["core22"] == "latest/stable" and tracking["mysnap"] == ""


def test_no_snaps_yet():
    assert snap_tracking("No snaps are installed yet. Try 'snap install hello-world'.\n") == {}


def test_not_text():
    with pytest.raises(AnsibleFilterError, match="expected the text"):
        snap_tracking(None)
