# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""settings_files: a role's files written whole in one step, validated before any replaces its old version, and the
handler topics to notify - those of changed files and those a killed run left pending."""

from __future__ import annotations

import grp
import os
import pwd
import stat

from ansible_collections.nestedcloud.openstack.plugins.modules import pending_restarts
from ansible_collections.nestedcloud.openstack.plugins.modules import settings_files as module
from tests.unit.plugins._module_runner import run_module

ME = pwd.getpwuid(os.getuid()).pw_name
MY_GROUP = grp.getgrgid(os.getgid()).gr_name


def run(check_mode=False, diff=False, **args):
    args.setdefault("owner", ME)
    args.setdefault("group", MY_GROUP)
    return run_module(args, check_mode=check_mode, diff=diff, main=module.main)


def _files(tmp_path):
    return [
        {"path": str(tmp_path / "squid.conf"), "content": "http_port 3128\n", "topic": "squid changed"},
        {"file": str(tmp_path / "nova.conf"), "settings": {"api": {"auth_strategy": "keystone"},
                                                           "DEFAULT": {"debug": False, "gone": "x"}},
         "overrides": {"DEFAULT": {"debug": True, "gone": None}}, "mode": "0640", "notify": "nova changed"},
        {"path": str(tmp_path / "hosts"), "content": "10.0.0.1 r0\n"},
    ]


def test_writes_the_set_then_changes_nothing_and_notifies_by_topic(tmp_path):
    state = str(tmp_path / "applied")
    first = run(files=_files(tmp_path), header="# managed", state_dir=state)
    assert first["changed"] and first["changed_files"] == [str(tmp_path / n) for n in ("squid.conf", "nova.conf", "hosts")]
    assert first["notify"] == ["squid changed", "nova changed"]
    assert (tmp_path / "nova.conf").read_text() == "# managed\n[DEFAULT]\ndebug = true\n\n[api]\nauth_strategy = keystone\n"
    assert stat.S_IMODE(os.stat(tmp_path / "nova.conf").st_mode) == 0o640
    assert stat.S_IMODE(os.stat(tmp_path / "hosts").st_mode) == 0o644
    # the handlers ran and recorded their topics: a second run changes and notifies nothing
    run_module({"applied": first["notify"], "state_dir": state}, main=pending_restarts.main)
    again = run(files=_files(tmp_path), header="# managed", state_dir=state)
    assert again["changed"] is False and again["notify"] == [] and again["changed_files"] == []


def test_a_run_killed_before_its_handlers_is_notified_again(tmp_path):
    state = str(tmp_path / "applied")
    assert run(files=_files(tmp_path), state_dir=state)["notify"] == ["squid changed", "nova changed"]
    # killed here: no handler recorded anything; the next run finds the files as wanted and still notifies
    again = run(files=_files(tmp_path), state_dir=state)
    assert again["changed"] is False and again["pending"] == ["squid changed", "nova changed"]
    assert again["notify"] == ["squid changed", "nova changed"]


def test_pending_files_of_other_tasks_count_too(tmp_path):
    state, edited = str(tmp_path / "applied"), tmp_path / "uwsgi.ini"
    edited.write_text("processes = 2\n")  # written in place by another task, its handler never ran
    result = run(files=_files(tmp_path)[2:], pending={"uwsgi changed": [str(edited)]}, state_dir=state)
    assert result["notify"] == ["uwsgi changed"] and result["pending"] == ["uwsgi changed"]


def test_mode_alone_is_a_change(tmp_path):
    run(files=_files(tmp_path), state_dir=str(tmp_path / "applied"))
    os.chmod(tmp_path / "nova.conf", 0o644)
    fixed = run(files=_files(tmp_path), state_dir=str(tmp_path / "applied"))
    assert fixed["changed_files"] == [str(tmp_path / "nova.conf")]
    assert stat.S_IMODE(os.stat(tmp_path / "nova.conf").st_mode) == 0o640


def test_check_mode_and_diff_write_nothing_and_show_the_change(tmp_path):
    (tmp_path / "squid.conf").write_text("http_port 8080\n")
    result = run(check_mode=True, diff=True, files=_files(tmp_path)[:1], state_dir=str(tmp_path / "applied"))
    assert result["changed"] and result["notify"] == ["squid changed"]
    assert result["diff"] == [{"before_header": str(tmp_path / "squid.conf"), "after_header": str(tmp_path / "squid.conf"),
                               "before": "http_port 8080\n", "after": "http_port 3128\n"}]
    assert (tmp_path / "squid.conf").read_text() == "http_port 8080\n"
    assert not (tmp_path / "applied").exists()


def test_secret_files_stay_out_of_the_diff(tmp_path):
    result = run(diff=True, secret=True, files=_files(tmp_path)[1:2], state_dir=str(tmp_path / "applied"))
    assert result["changed"] and "diff" not in result


def test_a_refused_file_leaves_every_file_as_it_was(tmp_path):
    (tmp_path / "squid.conf").write_text("old\n")
    files = _files(tmp_path)
    files[2]["validate"] = "grep -q never-there %s"
    result = run(files=files, state_dir=str(tmp_path / "applied"))
    assert result["failed"] and "files[2]" in result["msg"] and "refused the new %s" % (tmp_path / "hosts") in result["msg"]
    assert (tmp_path / "squid.conf").read_text() == "old\n"
    assert not (tmp_path / "nova.conf").exists() and not (tmp_path / "hosts").exists()
    assert [n for n in os.listdir(tmp_path) if n.startswith(".nestedcloud-")] == []  # no staged file left


def test_a_validation_that_accepts_lets_the_file_in(tmp_path):
    files = _files(tmp_path)[:1]
    files[0]["validate"] = "grep -q http_port %s"
    assert run(files=files, state_dir=str(tmp_path / "applied"))["changed_files"] == [str(tmp_path / "squid.conf")]


def test_bad_entries_are_named_before_anything_is_written(tmp_path):
    cases = [
        (dict(_files(tmp_path)[0], content=None), "files[0]: give exactly one of content, ini, edits and keys"),
        (dict(_files(tmp_path)[0], ini={"DEFAULT": {}}), "files[0]: give exactly one of content, ini, edits and keys"),
        (dict(_files(tmp_path)[0], path="relative.conf"), "files[0].path: an absolute path is needed"),
        (dict(_files(tmp_path)[0], path=str(tmp_path / "no" / "x.conf")), "files[0].path: the directory"),
        (dict(_files(tmp_path)[0], group="no-such-group-here"), "files[0].group: no group 'no-such-group-here'"),
        (dict(_files(tmp_path)[0], owner="no-such-user-here"), "files[0].owner: no user 'no-such-user-here'"),
        (dict(_files(tmp_path)[0], mode="rw-r--r--"), "files[0].mode: 'rw-r--r--' is not an octal mode"),
        (dict(_files(tmp_path)[0], validate="nft -c -f"), "files[0].validate: the command must name the file"),
        (dict(_files(tmp_path)[1], settings={"DEFAULT": "debug"}, overrides=None), "files[0].ini: section [DEFAULT] must be a dict"),
    ]
    for entry, message in cases:
        result = run(files=[entry], state_dir=str(tmp_path / "applied"))
        assert result.get("failed") and message in result["msg"], (entry, result)
    twice = run(files=[_files(tmp_path)[0], _files(tmp_path)[0]], state_dir=str(tmp_path / "applied"))
    assert twice["failed"] and "files[1].path: %s is also files[0]" % (tmp_path / "squid.conf") in twice["msg"]
    assert os.listdir(tmp_path) == []


def test_edits_set_lines_in_a_file_as_it_is_and_keep_its_mode(tmp_path):
    ini = tmp_path / "keystone-uwsgi.ini"
    ini.write_text("[uwsgi]\nprocesses = 4\n# processes = 8\nthreads = 2\n")
    os.chmod(ini, 0o600)
    edits = [{"regexp": r"^processes\s*=", "line": "processes = 2"},
             {"regexp": r"^add-header\s*=\s*Connection:", "line": "add-header = Connection: close",
              "insertafter": r"^\[uwsgi\]"},
             {"regexp": r"^harakiri\s*=", "line": "harakiri = 60"}]
    entry = {"path": str(ini), "edits": edits, "topic": "keystone changed"}
    first = run(files=[entry], header="# never on a file of somebody else's", state_dir=str(tmp_path / "applied"))
    assert first["changed"] and first["notify"] == ["keystone changed"]
    assert ini.read_text() == ("[uwsgi]\nadd-header = Connection: close\nprocesses = 2\n# processes = 8\nthreads = 2\n"
                               "harakiri = 60\n")
    assert stat.S_IMODE(os.stat(ini).st_mode) == 0o600  # the file's own mode, not the module's default
    assert run(files=[entry], state_dir=str(tmp_path / "applied"))["changed_files"] == []
    missing = {"path": str(tmp_path / "libvirtd"), "edits": [{"regexp": "^#?LIBVIRTD_ARGS=", "line": 'LIBVIRTD_ARGS=""'}]}
    assert run(files=[missing], state_dir=str(tmp_path / "applied"))["changed"]
    assert (tmp_path / "libvirtd").read_text() == 'LIBVIRTD_ARGS=""\n'
    assert stat.S_IMODE(os.stat(tmp_path / "libvirtd").st_mode) == 0o644


def test_a_bad_edit_is_named(tmp_path):
    for edit, message in (({"regexp": "(", "line": "x"}, "files[0].edits[0]: not a regular expression"),
                          ({"line": "x"}, "files[0].edits[0]: a regexp and a line are needed")):
        result = run(files=[{"path": str(tmp_path / "f"), "edits": [edit]}], state_dir=str(tmp_path / "applied"))
        assert result["failed"] and message in result["msg"], result
    assert os.listdir(tmp_path) == []


def test_keys_set_a_key_value_file_as_lineinfile_did(tmp_path):
    """qemu.conf as Debian ships it: commented-out keys become set, a key it lacks goes at the end, the file keeps its
    mode; the same bytes as the lineinfile loop the hypervisor role had, so a host it configured does not change."""
    conf = tmp_path / "qemu.conf"
    conf.write_text("# user = \"root\"\n#remember_owner = 1\n#  namespaces = [ \"mount\" ]\nsecurity_driver = \"none\"\n")
    os.chmod(conf, 0o600)
    keys = {"remember_owner": "0", "namespaces": "[ ]", "cgroup_controllers": "[ ]", "max_files": 4096}
    entry = {"path": str(conf), "keys": keys, "topic": "libvirtd changed"}
    first = run(files=[entry], state_dir=str(tmp_path / "applied"))
    assert first["changed"] and first["notify"] == ["libvirtd changed"]
    assert conf.read_text() == ("# user = \"root\"\nremember_owner = 0\nnamespaces = [ ]\nsecurity_driver = \"none\"\n"
                                "cgroup_controllers = [ ]\nmax_files = 4096\n")
    assert stat.S_IMODE(os.stat(conf).st_mode) == 0o600
    assert not run(files=[entry], state_dir=str(tmp_path / "applied"))["changed"]
    shell = {"path": str(tmp_path / "libvirtd"), "keys": {"LIBVIRTD_ARGS": '""'}, "separator": "="}
    assert run(files=[shell], state_dir=str(tmp_path / "applied"))["changed"]
    assert (tmp_path / "libvirtd").read_text() == 'LIBVIRTD_ARGS=""\n'


def test_bad_keys_are_named(tmp_path):
    for keys, message in (({"remember_owner": True}, "files[0].keys.remember_owner: a string or a number"),
                          ({"a": ["x"]}, "files[0].keys.a: a string or a number")):
        result = run(files=[{"path": str(tmp_path / "f"), "keys": keys}], state_dir=str(tmp_path / "applied"))
        assert result["failed"] and message in result["msg"], result
    both = run(files=[{"path": str(tmp_path / "f"), "keys": {"a": "1"}, "content": "x"}],
               state_dir=str(tmp_path / "applied"))
    assert both["failed"] and "exactly one of content, ini, edits and keys" in both["msg"]
