# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""htpasswd_bcrypt: a bcrypt line per user, rewritten only when the password changed."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.nestedcloud.openstack.plugins.modules import htpasswd_bcrypt as module
from tests.unit.plugins._module_runner import run_module

bcrypt = pytest.importorskip("bcrypt")


def run(path, password="s3cret", name="nestedcloud", check_mode=False):
    return run_module({"path": str(path), "name": name, "password": password}, check_mode=check_mode, main=module.main)


def test_adds_the_user_then_changes_nothing(tmp_path):
    path = tmp_path / "htpasswd"
    first = run(path)
    assert first["changed"] and first["changed_user"] == "nestedcloud"
    line = path.read_text().strip()
    user, digest = line.split(":", 1)
    assert user == "nestedcloud" and digest.startswith("$2") and bcrypt.checkpw(b"s3cret", digest.encode())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    again = run(path)
    assert not again["changed"] and path.read_text().strip() == line
    assert "s3cret" not in str(first) + str(again)


def test_a_new_password_replaces_only_that_users_line(tmp_path):
    path = tmp_path / "htpasswd"
    path.write_text("other:$apr1$abc$def\nnestedcloud:%s\n" % bcrypt.hashpw(b"old", bcrypt.gensalt()).decode())
    result = run(path, password="new")
    lines = path.read_text().splitlines()
    assert result["changed"] and lines[0] == "other:$apr1$abc$def"
    assert bcrypt.checkpw(b"new", lines[1].split(":", 1)[1].encode())


def test_check_mode_writes_nothing(tmp_path):
    path = tmp_path / "htpasswd"
    assert run(path, check_mode=True)["changed"] and not path.exists()


@pytest.mark.parametrize("name, password, field", [("a:b", "x", "name:"), ("user", "", "password:")])
def test_bad_input_names_the_field(tmp_path, name, password, field):
    result = run(tmp_path / "htpasswd", name=name, password=password)
    assert result["failed"] and result["msg"].startswith(field)


def test_a_symbolic_mode_is_refused(tmp_path):
    result = run_module({"path": str(tmp_path / "h"), "name": "u", "password": "p", "mode": "u=rw"}, main=module.main)
    assert result["failed"] and result["msg"].startswith("mode:") and not (tmp_path / "h").exists()
