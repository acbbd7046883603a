# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""config_drives: one call builds every oc- VM's drive, again only when a document changed or the ISO is missing, and
a failed build leaves nothing that looks current. genisoimage is a stand-in here (a script on PATH that records its
arguments and the tree it was given); the hosts tier boots real VMs from real drives."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.nestedcloud.openstack.plugins.filter.config_drive import config_drives
from ansible_collections.nestedcloud.openstack.plugins.module_utils.host import config_drive
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from ansible_collections.nestedcloud.openstack.plugins.modules import config_drives as module
from tests.labs import OUTER
from tests.unit.plugins._module_runner import run_module

PLAN = build_plan({"name": "cd", "cloud": "none", **OUTER, "undercloud_count": 2, "nested_vms": {"count": 2}},
                  underlay_mtu=1450)

# the stand-in: writes an "ISO" listing the files of the tree and their text, or fails when FAIL_ISO is set
FAKE = """#!%s
import json, os, sys
args = sys.argv[1:]
if os.environ.get("FAIL_ISO"):
    sys.stderr.write("genisoimage: no space left on device\\n")
    sys.exit(1)
out, label, tree = args[args.index("-o") + 1], args[args.index("-V") + 1], args[-1]
files = {}
for root, _, names in os.walk(tree):
    for name in names:
        path = os.path.join(root, name)
        files[os.path.relpath(path, tree)] = open(path).read()
with open(out, "w") as handle:
    json.dump({"label": label, "files": files}, handle)
"""


@pytest.fixture
def fake_iso(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    tool = bin_dir / "genisoimage"
    tool.write_text(FAKE % os.path.realpath(os.sys.executable))
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", "%s:%s" % (bin_dir, os.environ["PATH"]))
    return tool


def run(base, drives, check_mode=False):
    return run_module({"dir": str(base), "drives": drives}, check_mode=check_mode, main=module.main)


def drives(**kw):
    return config_drives(PLAN, ["oc-0001", "oc-0002"], public_keys=["ssh-ed25519 AAAA k"], **kw)


def iso(base, name):
    return json.loads((base / name / "config-drive.iso").read_text())


def test_builds_every_drive_then_changes_nothing(tmp_path, fake_iso):
    base = tmp_path / "vms"
    first = run(base, drives())
    assert first["changed"] and first["built"] == [{"name": "oc-0001", "reason": "missing"},
                                                   {"name": "oc-0002", "reason": "missing"}]
    made = iso(base, "oc-0002")
    assert made["label"] == "config-2"
    assert sorted(made["files"]) == ["openstack/latest/meta_data.json", "openstack/latest/network_data.json",
                                     "openstack/latest/user_data"]
    meta = json.loads(made["files"]["openstack/latest/meta_data.json"])
    assert meta["hostname"] == "oc-0002.cd.test" and meta["public_keys"] == {"key-0": "ssh-ed25519 AAAA k"}
    # the kept documents: root only, the bytes Ansible's to_nice_json wrote before this module
    latest = base / "oc-0002" / "config-drive" / "openstack" / "latest"
    kept = (latest / "meta_data.json").read_text()
    assert kept == json.dumps(meta, indent=4, sort_keys=True, separators=(",", ": "))
    assert stat.S_IMODE(os.stat(latest / "user_data").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(latest).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(base / "oc-0002").st_mode) == 0o755
    assert stat.S_IMODE(os.stat(base / "oc-0002" / "config-drive.iso").st_mode) == 0o644
    # nothing staged left behind
    assert sorted(os.listdir(base / "oc-0002")) == ["config-drive", "config-drive.iso"]
    again = run(base, drives())
    assert not again["changed"] and again["built"] == []


def test_a_changed_document_or_a_lost_iso_builds_only_that_drive(tmp_path, fake_iso):
    base = tmp_path / "vms"
    run(base, drives())
    before = (base / "oc-0001" / "config-drive.iso").read_text()
    changed = run(base, drives(proxy="http://10.22.0.10:3128"))
    assert [b["reason"] for b in changed["built"]] == ["changed", "changed"]
    assert "http_proxy: http://10.22.0.10:3128" in iso(base, "oc-0001")["files"]["openstack/latest/user_data"]
    assert (base / "oc-0001" / "config-drive.iso").read_text() != before
    (base / "oc-0002" / "config-drive.iso").unlink()
    lost = run(base, drives(proxy="http://10.22.0.10:3128"))
    assert lost["built"] == [{"name": "oc-0002", "reason": "missing"}]


def test_check_mode_reports_and_writes_nothing(tmp_path, fake_iso):
    base = tmp_path / "vms"
    result = run(base, drives(), check_mode=True)
    assert result["changed"] and [b["name"] for b in result["built"]] == ["oc-0001", "oc-0002"]
    assert not base.exists()


def test_a_failed_build_is_built_again_by_the_next_run(tmp_path, fake_iso, monkeypatch):
    base = tmp_path / "vms"
    run(base, drives())
    monkeypatch.setenv("FAIL_ISO", "1")
    failed = run(base, drives(proxy="http://10.22.0.10:3128"))
    assert failed.get("failed") and "drives[oc-0001]: genisoimage failed" in failed["msg"]
    assert "no space left" in failed["msg"]
    # the old ISO and its old documents stay together; no staging directory is left
    assert "http_proxy" not in iso(base, "oc-0001")["files"]["openstack/latest/user_data"]
    assert sorted(os.listdir(base / "oc-0001")) == ["config-drive", "config-drive.iso"]
    monkeypatch.delenv("FAIL_ISO")
    retried = run(base, drives(proxy="http://10.22.0.10:3128"))
    assert [b["name"] for b in retried["built"]] == ["oc-0001", "oc-0002"]


def test_a_killed_build_never_looks_current(tmp_path, monkeypatch):
    """Killed after the ISO was renamed into place but before the documents were: the documents differ from the
    wanted ones, so the next run builds again."""
    base = str(tmp_path)
    docs = config_drive.documents(drives()[0])

    def fake_run(argv, check_rc=False):
        with open(argv[argv.index("-o") + 1], "w") as handle:
            handle.write("iso")
        return 0, "", ""

    original = config_drive.files.write_whole
    staged = []

    def dies_on_kept_documents(path, text, mode):
        if "/.nestedcloud-drive-" not in path:
            raise KeyboardInterrupt("killed")
        staged.append(path)
        return original(path, text, mode)

    monkeypatch.setattr(config_drive.files, "write_whole", dies_on_kept_documents)
    with pytest.raises(KeyboardInterrupt):
        config_drive.build(base, "oc-0001", docs, "config-2", fake_run)
    assert os.path.isfile(os.path.join(base, "oc-0001", "config-drive.iso")) and len(staged) == 3
    assert config_drive.stale(base, "oc-0001", docs) == "changed"


@pytest.mark.parametrize("bad, field", [
    ({"name": "../etc", "meta_data": {}, "network_data": {}, "user_data": ""}, "drives[].name"),
    ({"name": ".hidden", "meta_data": {}, "network_data": {}, "user_data": ""}, "drives[].name"),
])
def test_a_bad_name_is_refused_before_any_drive_is_built(tmp_path, fake_iso, bad, field):
    base = tmp_path / "vms"
    result = run(base, drives() + [bad])
    assert result.get("failed") and field in result["msg"]
    assert not base.exists()


def test_a_vm_named_twice_is_refused(tmp_path, fake_iso):
    result = run(tmp_path, drives() + [drives()[0]])
    assert result.get("failed") and "oc-0001" in result["msg"] and "twice" in result["msg"]


def test_documents_must_have_their_types():
    with pytest.raises(config_drive.ConfigDriveError, match=r"drives\[oc-0001\]\.network_data"):
        config_drive.documents({"name": "oc-0001", "meta_data": {}, "network_data": [], "user_data": ""})


def test_the_filter_gives_the_module_its_shape():
    got = config_drives(PLAN, ["oc-0002"], proxy="http://10.22.0.10:3128")
    assert [sorted(d) for d in got] == [["meta_data", "name", "network_data", "user_data"]]
    assert got[0]["name"] == "oc-0002" and got[0]["meta_data"]["hostname"] == "oc-0002.cd.test"
    from ansible.errors import AnsibleFilterError
    with pytest.raises(AnsibleFilterError, match="a list of oc- VM names"):
        config_drives(PLAN, "oc-0002")
