# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The upgrade rehearsal's first phase on the lab (playbooks/upgrade_preflight.yml): each refusal names its reason and
changes nothing; a target one SLURP step ahead passes the services' own upgrade checks and gets every service database
dumped once, private, restorable, and never replaced by a second run."""

from __future__ import annotations

import json
import os

import pytest
import yaml

from tests.lab.test_lab import on, run_layer

DUMPS = "/var/backups/nestedcloud"
SET = DUMPS + "/upgrade-2025.1-to-2026.1"
FACT = "/etc/ansible/facts.d/nestedcloud_overcloud.fact"
DATABASES = ["keystone", "glance", "placement", "nova_api", "nova", "nova_cell0", "neutron"]


def preflight(*args):
    """Run the phase; (return code, its output, {host: tasks changed})."""
    return run_layer("upgrade_preflight", *args)


@pytest.fixture(scope="module", autouse=True)
def no_dumps_yet():
    """This test owns the controller's dump directory: none before it starts."""
    rc, out, err = on("uc-0001", "rm -rf %s" % DUMPS)
    assert rc == 0, err


def refused(reason, *args):
    rc, out, recap = preflight(*args)
    assert rc != 0, out[-3000:]
    assert "refused before anything changed: " + reason in " ".join(out.split()), out[-3000:]
    assert recap and all(changed == 0 for changed in recap.values()), recap
    assert on("uc-0001", "test -e %s" % DUMPS)[0] != 0, "a refused run left dumps"


def test_every_inner_host_records_its_release():
    for host in ("uc-0001", "uc-0002", "uc-0003"):
        rc, out, err = on(host, "cat %s" % FACT)
        assert rc == 0, err
        assert json.loads(out) == {"release": "2025.1", "codename": "epoxy", "from": "distribution"}, (host, out)


def test_an_older_target_is_refused():
    refused("target: 2024.1 is older than the running release 2025.1", "-e", "overcloud_upgrade_to=2024.1")


def test_a_target_two_releases_ahead_is_refused(tmp_path):
    defaults = os.path.join(os.path.dirname(__file__), "..", "..", "roles", "overcloud", "defaults", "main.yml")
    with open(defaults) as handle:
        releases = yaml.safe_load(handle)["overcloud_releases"]
    releases["2026.2"] = releases["2025.1"]  # a release of the data, two steps ahead
    extra = tmp_path / "releases.json"
    extra.write_text(json.dumps({"overcloud_releases": releases}))
    refused("target: 2025.1 -> 2026.2 skips 2 releases", "-e", "overcloud_upgrade_to=2026.2", "-e", "@%s" % extra)


def test_hosts_on_mixed_releases_are_refused():
    rc, out, err = on("uc-0003", "cp %s /root/fact.keep && sed -i 's/2025.1/2024.1/' %s" % (FACT, FACT))
    assert rc == 0, err
    try:
        refused("hosts: the inner cloud's hosts run different releases (2024.1 on uc-0003; 2025.1 on uc-0001, "
                "uc-0002)", "-e", "overcloud_upgrade_to=2026.1")
    finally:
        assert on("uc-0003", "mv /root/fact.keep %s" % FACT)[0] == 0


def test_the_next_slurp_release_passes_and_the_databases_are_dumped_once_private_and_restorable():
    rc, out, recap = preflight("-e", "overcloud_upgrade_to=2026.1")
    assert rc == 0, out[-3000:]
    assert "2025.1 -> 2026.1: pre-flight passed (5 status checks" in out, out[-3000:]
    assert recap["uc-0001"] == 1, recap  # the dumps, nothing else
    rc, out, err = on("uc-0001", "stat -c '%%a %%n' %s %s %s/*" % (DUMPS, SET, SET))
    modes = dict(line.split(" ", 1)[::-1] for line in out.splitlines())
    assert modes.pop(DUMPS) == "700" and modes.pop(SET) == "700", modes
    assert sorted(os.path.basename(p) for p in modes) == sorted([d + ".sql.gz" for d in DATABASES] + ["MANIFEST.json"])
    assert set(modes.values()) == {"600"}, modes
    manifest = json.loads(on("uc-0001", "cat %s/MANIFEST.json" % SET)[1])
    # a restore, into a database of its own: the same users as the live keystone
    restore = ("zcat %s/keystone.sql.gz | sed 's/`keystone`/`restore_check`/g' | mariadb && "
               "mariadb -N -B -e 'SELECT COUNT(*) FROM restore_check.user; SELECT COUNT(*) FROM keystone.user; "
               "DROP DATABASE restore_check'" % SET)
    rc, out, err = on("uc-0001", restore)
    restored, live = out.split()
    assert rc == 0 and int(restored) == int(live) > 0, (rc, out, err)
    # a second run (an upgrade started again) keeps the dumps of the first: the cloud may be half-upgraded by then
    rc, out, recap = preflight("-e", "overcloud_upgrade_to=2026.1")
    assert rc == 0 and recap and all(changed == 0 for changed in recap.values()), recap
    assert json.loads(on("uc-0001", "cat %s/MANIFEST.json" % SET)[1]) == manifest
