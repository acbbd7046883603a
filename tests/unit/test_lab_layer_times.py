# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/lab/layer_times.py: seconds per layer from a site.yml log stamped by the profile_tasks callback."""

from __future__ import annotations

import importlib.util
import os

SPEC = importlib.util.spec_from_file_location(
    "layer_times", os.path.join(os.path.dirname(__file__), "..", "lab", "layer_times.py"))
LAYER_TIMES = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(LAYER_TIMES)

STAMP = "Tuesday 24 November 2026  02:29:29 +0000 (0:00:01.000)       0:%02d:%02d.000 ******"


def log(*events):
    """events: 'PLAY name' or a number of seconds since the start (a task starting then)."""
    lines = []
    for event in events:
        if isinstance(event, str):
            lines.append("PLAY [%s] ****" % event)
        else:
            lines += ["TASK [x] ****", STAMP % divmod(event, 60)]
    return lines


def test_layers_plays_and_checks():
    lines = log("Undercloud layer", 0, 3, "Check the inventory for the lab's hosts", 4,
                "Jumphost layer", 5, 50, "Jumphost layer, the uc- hosts use r0", 80, 90,
                "Check the inventory for the lab's hosts", 92, "Hypervisor layer",  # no host: no task
                "Check the inventory for the lab's hosts", 93, "Overcloud layer", 95, 600, 700)
    assert LAYER_TIMES.layer_times(lines) == [
        ("Undercloud", 4.0),     # 0 to the check that opens the next layer
        ("Jumphost", 88.0),      # its check (4-5), both of its plays (5-92)
        ("Hypervisor", 0.0),     # ran on no host
        ("Overcloud", 608.0)]    # both checks before it (92-95), its play to the last stamp (700)


def test_no_stamps_no_times():
    assert not LAYER_TIMES.layer_times(["PLAY [Smoke layer] ****", "TASK [x] ****"])
