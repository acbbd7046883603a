# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wheelhouse against the real package index, with three pins of the 2026.1 lock: a wheel built for CPython 3.13 (not
for the Python that runs the module), a pure wheel, and a package published only as a source distribution. A second
run downloads nothing."""

from __future__ import annotations

import os

from ._runner import run_task

LOCK = "markupsafe==3.0.3\npbr==7.0.3\nsimplegeneric==0.8.1\n"


def test_wheels_for_the_hosts_python_and_the_source_only_package(tmp_path):
    dest = str(tmp_path / "wheelhouse")
    args = {"lock": LOCK, "dest": dest, "python_version": "3.13"}
    first = run_task("nestedcloud.openstack.wheelhouse", args)
    assert first.get("changed") and not first.get("failed"), first
    assert first["missing"] == ["markupsafe==3.0.3", "pbr==7.0.3", "simplegeneric==0.8.1"]
    assert first["sdists"] == ["simplegeneric-0.8.1.zip"]
    markupsafe = [w for w in first["wheels"] if w.startswith("markupsafe-")]
    assert markupsafe and "-cp313-cp313-manylinux" in markupsafe[0], first["wheels"]
    assert sorted(os.listdir(dest)) == sorted(first["wheels"] + first["sdists"])
    again = run_task("nestedcloud.openstack.wheelhouse", args)
    assert not again.get("changed") and again["missing"] == [] and again["pins"] == 3, again
