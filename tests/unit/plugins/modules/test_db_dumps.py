# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""db_dumps: a set of dumps is whole or absent, 0700/0600, taken once and never replaced. mysqldump is a stand-in
here (a script on PATH); the lab tier dumps the inner cloud's real databases."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import stat

import pytest

from ansible_collections.nestedcloud.openstack.plugins.modules import db_dumps as module
from tests.unit.plugins._module_runner import run_module

FAKE = """#!/bin/sh
db=$(eval echo \\${$#})
for arg; do case "$arg" in --result-file=*) out=${arg#--result-file=};; esac; done
echo "$db" >> %(log)s
[ "$db" = broken ] && { echo "mysqldump: Got error: 1049: Unknown database 'broken'" >&2; exit 2; }
echo "CREATE DATABASE $db; -- dump of $db" > "$out"
"""


@pytest.fixture
def tool(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    path = bin_dir / "mysqldump"
    path.write_text(FAKE % {"log": tmp_path / "dumped.log"})
    path.chmod(0o755)
    monkeypatch.setenv("PATH", "%s:%s" % (bin_dir, os.environ["PATH"]))
    return tmp_path


def run(tool, databases, check_mode=False, name="upgrade-2025.1-to-2026.1"):
    return run_module({"databases": databases, "dir": str(tool / "backups"), "name": name}, check_mode=check_mode,
                      main=module.main)


def dumped(tool):
    log = tool / "dumped.log"
    return log.read_text().split() if log.exists() else []


def test_dumps_taken_once_private_and_described(tool):
    assert run(tool, ["keystone", "nova"], check_mode=True)["changed"] is True and dumped(tool) == []
    result = run(tool, ["keystone", "nova"])
    assert result["changed"] is True and dumped(tool) == ["keystone", "nova"]
    path = tool / "backups" / "upgrade-2025.1-to-2026.1"
    assert result["path"] == str(path)
    assert stat.S_IMODE(os.stat(tool / "backups").st_mode) == 0o700 and stat.S_IMODE(os.stat(path).st_mode) == 0o700
    for dump in result["dumps"]:
        file = path / dump["file"]
        assert stat.S_IMODE(os.stat(file).st_mode) == 0o600
        assert gzip.open(file).read().decode() == "CREATE DATABASE %s; -- dump of %s\n" % ((dump["database"],) * 2)
        assert dump["sha256"] == hashlib.sha256(file.read_bytes()).hexdigest() and dump["bytes"] == file.stat().st_size
    assert json.loads((path / "MANIFEST.json").read_text())["dumps"] == result["dumps"]
    assert sorted(p.name for p in path.iterdir()) == ["MANIFEST.json", "keystone.sql.gz", "nova.sql.gz"]
    again = run(tool, ["nova", "keystone"])
    assert again["changed"] is False and again["dumps"] == result["dumps"] and dumped(tool) == ["keystone", "nova"]


def test_a_failed_dump_leaves_no_set_and_the_next_run_starts_again(tool):
    result = run(tool, ["keystone", "broken", "nova"])
    assert result["failed"] is True
    assert result["msg"] == ("databases: mysqldump of broken failed (rc 2): mysqldump: Got error: 1049: Unknown "
                             "database 'broken'")
    assert not (tool / "backups" / "upgrade-2025.1-to-2026.1").exists()  # only the .partial, never a set
    assert run(tool, ["keystone", "nova"])["changed"] is True
    assert sorted(p.name for p in (tool / "backups").iterdir()) == ["upgrade-2025.1-to-2026.1"]


def test_a_set_lacking_a_database_is_never_replaced(tool):
    run(tool, ["keystone"])
    before = (tool / "backups" / "upgrade-2025.1-to-2026.1" / "keystone.sql.gz").read_bytes()
    result = run(tool, ["keystone", "nova"])
    assert result["failed"] is True and result["msg"].startswith("name: %s is there but does not hold a dump of every"
                                                                 % (tool / "backups" / "upgrade-2025.1-to-2026.1"))
    assert (tool / "backups" / "upgrade-2025.1-to-2026.1" / "keystone.sql.gz").read_bytes() == before


@pytest.mark.parametrize("databases, name, field", [
    (["nova; drop"], "x", "databases"), ([], "x", "databases"), (["nova"], "../etc", "name")])
def test_bad_input_names_the_field(tool, databases, name, field):
    result = run(tool, databases, name=name)
    assert result["msg"].startswith(field + ": ") and dumped(tool) == []
