# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The maas role's API part, run by ansible-playbook against the contract test server (tests/maas/fake_maas.py):
the order of its calls (proxy before the image import, ranges before DHCP, machines last), progress while the
import runs and while the machines commission, check mode, and a second run that writes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from tests.integration._runner import recap
from tests.labs import OUTER
from tests.maas.fake_maas import API_KEY, running

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = {"name": "lab1", "cloud": "c", **OUTER, "undercloud_count": 3, "nested_vms": {"count": 5},
       "overcloud": {"kind": "maas_juju", "hosts": "nested"}}


@pytest.fixture
def maas():
    with running() as state:
        yield state


def play(maas, *options):
    plan = build_plan(LAB)
    with tempfile.TemporaryDirectory() as tmp:
        extra = os.path.join(tmp, "vars.json")
        with open(extra, "w") as handle:
            json.dump({"maas_plan": plan, "maas_install": False, "maas_url": maas.url, "maas_api_key": API_KEY,
                       "maas_import_timeout": 120, "maas_import_poll_delay": 1, "maas_power_password": "redfish-pw",
                       "maas_commission_timeout": 120, "maas_commission_poll_delay": 1}, handle)
        book = os.path.join(tmp, "maas.yml")
        with open(book, "w") as handle:
            json.dump([{"hosts": "localhost", "gather_facts": False,
                        "roles": [{"role": "nestedcloud.openstack.maas"}]}], handle)
        cmd = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), book, "-e", "@" + extra] + list(options)
        env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg"), ANSIBLE_NOCOLOR="1")
        run = subprocess.run(cmd, cwd=TOP, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    return run.stdout


def test_first_run_sets_the_proxy_before_the_import_and_dhcp_after_the_ranges(maas):
    out = play(maas)
    writes = [(method, path, op, data.get("name")) for method, path, op, data in maas.writes()]
    order = [w[3] or w[2] or w[1] for w in writes]
    assert order.index("http_proxy") < order.index("import")
    assert [w for w in writes if w[2] == "set_config"][0][3] == "http_proxy"  # the proxy is the very first setting
    assert max(i for i, w in enumerate(writes) if w[2] == "set_config") < order.index("import")
    assert order.index("import") < order.index("ipranges/") < order.index("fabrics/0/vlans/0/")
    assert maas.config["http_proxy"] == "http://10.33.0.1:3128/" and maas.config["upstream_dns"] == "10.33.0.1"
    assert maas.config["node_timeout"] == 60 and maas.config["ntp_external_only"] is True
    assert maas.subnets[0]["vlan"]["dhcp_on"] and maas.subnets[0]["vlan"]["mtu"] == 1400
    assert "boot images: 0 of 1 synced, importing" in out  # progress while the import runs
    assert "ubuntu/jammy amd64/ga-22.04 at" in out  # the bundle's release
    assert int(recap(out)["changed"]) == 4
    assert API_KEY.split(":")[2] not in out and "redfish-pw" not in out
    # the machines come last, after DHCP, and are all Ready at the end of the role
    assert order.index("fabrics/0/vlans/0/") < order.index("machines/")
    assert sorted(m["hostname"] for m in maas.machines) == ["oc-0002", "oc-0003", "oc-0004", "oc-0005"]
    assert all(m["status_name"] == "Ready" and m["_power"]["power_pass"] == "redfish-pw" for m in maas.machines)
    assert "MAAS machines: 0 of 4 Ready" in out


def test_second_run_writes_nothing_and_check_mode_never_writes(maas):
    checked = play(maas, "--check")
    assert maas.writes() == [] and int(recap(checked)["failed"]) == 0
    play(maas)
    before = len(maas.writes())
    out = play(maas)
    assert len(maas.writes()) == before
    assert recap(out)["changed"] == "0"
