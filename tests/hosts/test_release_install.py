# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The upgrade rehearsal's target release from its pinned source: the wheelhouse of
roles/overcloud/files/pypi/2026.1-cp313.txt, filled by the wheelhouse module from the real package index, installs
with no index and no network on a test host's Python (Debian 13's, the image of testhosts.sh), and every service of
the release then runs at the version the lock pins - its management command answers, and the modules a deployment
loads import (Neutron's OVN driver and metadata agent, Horizon's settings)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.wheelhouse import parse_lock
from tests.integration._runner import run_task

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOCK = os.path.join(TOP, "roles", "overcloud", "files", "pypi", "2026.1-cp313.txt")
# kept between runs on one machine (only what is missing is downloaded); a new machine downloads it whole (~130 MB)
WHEELHOUSE = os.environ.get("NC_WHEELHOUSE", "/var/tmp/nestedcloud-wheelhouse") + "/2026.1-cp313"
IMAGE = "localhost/nestedcloud-host:trixie"
SERVICES = {"nova": "nova-manage", "neutron": None, "keystone": "keystone-manage", "glance": "glance-manage",
            "openstack-placement": "placement-manage"}

INSIDE = r"""
set -e
python3 -m venv --without-pip /opt/openstack
pip=$(ls /wh/pip-*.whl)
/opt/openstack/bin/python "$pip/pip" install -q --no-index --find-links /wh -r /lock/lock.txt >&2
/opt/openstack/bin/python - <<'PY'
import json, re, subprocess, sys
from importlib import metadata
out = {"python": sys.version.split()[0], "versions": {}, "imports": {}, "commands": {}}
for dist in metadata.distributions():
    out["versions"][re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()] = dist.version
for name in ("neutron.plugins.ml2.drivers.ovn.mech_driver.mech_driver", "neutron.agent.ovn.metadata.agent",
             "nova.virt.libvirt.driver", "keystone.server.wsgi", "placement.wsgi", "glance.common.wsgi",
             "openstack_dashboard.settings"):
    # each in a process of its own, as each service runs (their options would clash in one)
    run = subprocess.run([sys.executable, "-c", "import " + name], capture_output=True, text=True)
    out["imports"][name] = "ok" if run.returncode == 0 else run.stderr.strip().splitlines()[-1]
for command in ("nova-manage", "keystone-manage", "glance-manage", "placement-manage", "nova-status",
                "neutron-ovn-metadata-agent"):
    run = subprocess.run(["/opt/openstack/bin/" + command, "--version"], capture_output=True, text=True)
    out["commands"][command] = (run.stdout + run.stderr).strip().splitlines()[-1:] or [""]
print(json.dumps(out))
PY
"""


def lock_text():
    with open(LOCK) as handle:
        return handle.read()


def pins():
    """{normalized name: version}, read as the wheelhouse module reads the lock."""
    return dict(parse_lock(lock_text()))


def fill():
    return run_task("nestedcloud.openstack.wheelhouse", {"lock": lock_text(), "dest": WHEELHOUSE, "python_version": "3.13"})


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    lock = lock_text()
    filled = fill()
    assert not filled.get("failed"), filled
    lock_dir = tmp_path_factory.mktemp("lock")
    (lock_dir / "lock.txt").write_text(lock)
    env = dict(os.environ, CONTAINERS_CONF=os.path.join(TOP, "tests", "hosts", "containers.conf"))
    run = subprocess.run(["podman", "run", "--rm", "--network", "none", "-v", WHEELHOUSE + ":/wh:ro",
                          "-v", "%s:/lock:ro" % lock_dir, IMAGE, "bash", "-c", INSIDE],
                         capture_output=True, text=True, env=env, timeout=900, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    return filled, json.loads(run.stdout.strip().splitlines()[-1])


def test_every_pin_is_in_the_wheelhouse_and_a_second_fill_downloads_nothing(installed):
    filled = installed[0]
    assert filled["pins"] == len(pins())
    again = fill()
    assert not again.get("changed") and again["missing"] == [], again


def test_the_release_installs_offline_at_the_locked_versions(installed):
    got = installed[1]
    assert got["python"].startswith("3.13.")
    wanted = pins()
    wrong = {name: (got["versions"].get(name), version) for name, version in wanted.items()
             if got["versions"].get(name) != version}
    assert not wrong, wrong


def test_each_service_runs_and_loads_what_a_deployment_loads(installed):
    got = installed[1]
    assert {name: state for name, state in got["imports"].items() if state != "ok"} == {}
    locked = pins()
    for service, command in SERVICES.items():
        if command:
            assert got["commands"][command] == [locked[service]], (command, got["commands"][command])
    assert got["commands"]["nova-status"] == [locked["nova"]]
    assert got["commands"]["neutron-ovn-metadata-agent"][0].endswith(locked["neutron"]) or \
        locked["neutron"] in got["commands"]["neutron-ovn-metadata-agent"][0], got["commands"]
