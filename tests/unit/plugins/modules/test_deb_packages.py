# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""deb_packages: a converged host is answered from dpkg's status file with no apt call; what is missing is installed
in one apt-get call, daemons held back, a failed maintainer script finished, our policy-rc.d never left behind.
dpkg, apt-get and debconf-set-selections are stand-ins here (scripts on PATH that keep a status file under a root of
the test's own and log each call); the hosts and lab tiers install real packages with it."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.host import dpkg
from ansible_collections.nestedcloud.openstack.plugins.modules import deb_packages as module
from tests.unit.plugins._module_runner import run_module

STATUS = """Package: libc6
Status: install ok installed
Architecture: amd64
Version: 2.36-9

Package: mawk
Status: install ok installed
Provides: awk
Description: a pattern scanning language
 with a continuation line: Provides: fake

Package: gone
Status: deinstall ok config-files

Package: half
Status: install ok half-configured
"""

# apt-get/dpkg stand-in: one script, its behaviour from files under $FAKE_ROOT
FAKE = r"""#!%(python)s
import json, os, sys
root = os.environ["FAKE_ROOT"]
tool, args = os.path.basename(sys.argv[0]), sys.argv[1:]
def read(name, default=""):
    try:
        return open(os.path.join(root, name)).read()
    except OSError:
        return default
def write(name, text):
    with open(os.path.join(root, name), "w") as handle:
        handle.write(text)
with open(os.path.join(root, "calls.log"), "a") as log:
    log.write(json.dumps({"argv": [tool] + args, "policy": read("usr/sbin/policy-rc.d"),
                          "stdin": sys.stdin.read() if tool == "debconf-set-selections" else None}) + "\n")
status = "var/lib/dpkg/status"
if tool == "dpkg" and args == ["--audit"]:
    sys.stdout.write(read("audit"))
elif tool == "dpkg" and args[:1] == ["--configure"]:
    left = int(read("configure-fails", "0") or 0)
    if left:
        write("configure-fails", str(left - 1))
        sys.stderr.write("dpkg: error processing package horizon (--configure): compress failed\n")
        sys.exit(1)
    write("audit", "")
elif tool == "apt-get" and args == ["update"]:
    os.makedirs(os.path.join(root, "var/lib/apt/periodic"), exist_ok=True)
    write("var/lib/apt/periodic/update-success-stamp", "")
elif tool == "apt-get" and args[0] == "install":
    names = [a for a in args[1:] if not a.startswith("-") and not a.startswith("Dpkg::")]
    unknown = [n for n in names if n in read("unknown").split()]
    if unknown:
        sys.stderr.write("E: Unable to locate package %%s\n" %% unknown[0])
        sys.exit(100)
    if read("script-fails"):
        write("script-fails", "")
        write("audit", "The following packages are only half configured:\n horizon\n")
        sys.stderr.write("E: Sub-process /usr/bin/dpkg returned an error code (1)\n")
        sys.exit(100)
    write(status, read(status) + "".join("\nPackage: %%s\nStatus: install ok installed\n" %% n for n in names))
"""


@pytest.fixture
def host(tmp_path, monkeypatch):
    root = tmp_path / "root"
    for sub in ("var/lib/dpkg", "var/lib/apt/lists", "usr/sbin", "bin"):
        (root / sub).mkdir(parents=True)
    (root / "var/lib/dpkg/status").write_text(STATUS)
    os.utime(root / "var/lib/apt/lists", (0, 0))  # read long ago
    (root / "var/lib/dpkg/lock-frontend").write_text("")
    script = FAKE % {"python": os.path.realpath(sys.executable)}
    for tool in ("dpkg", "apt-get", "debconf-set-selections"):
        path = root / "bin" / tool
        path.write_text(script)
        path.chmod(0o755)
    monkeypatch.setenv("PATH", "%s:%s" % (root / "bin", os.environ["PATH"]))
    monkeypatch.setenv("FAKE_ROOT", str(root))
    monkeypatch.setattr(module, "ROOT", str(root))
    monkeypatch.setattr(module.time, "sleep", lambda seconds: None)
    return root


def calls(root):
    log = root / "calls.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def argvs(root):
    return [" ".join(call["argv"]) for call in calls(root)]


def run(args, check_mode=False):
    return run_module(args, check_mode=check_mode, main=module.main)


def test_parse_status_installed_and_provided():
    status = dpkg.parse_status(STATUS)
    assert status["installed"] == {"libc6", "mawk"}  # not gone (config-files) nor half (half-configured)
    assert status["provided"] == {"awk"}  # not "fake" from a description's continuation line
    assert dpkg.missing(["awk", "libc6", "squid", "half"], status) == ["squid", "half"]


def test_checked_names_strip_architecture_and_refuse_what_is_no_name():
    assert dpkg.checked_names(["libc6:amd64", "libc6", "python3-pip"]) == ["libc6", "python3-pip"]
    for bad in ["squid=6.1", "squid*", "/tmp/x.deb", "Squid", ""]:
        with pytest.raises(dpkg.PackageError, match="name: "):
            dpkg.checked_names([bad])


def test_cache_stale():
    assert dpkg.cache_stale(1000, None, None, 3600)  # never read
    assert not dpkg.cache_stale(1000, 900, None, 3600)
    assert dpkg.cache_stale(10000, 900, 9999, 3600)  # the stamp wins over the lists' directory
    assert not dpkg.cache_stale(10000, None, 9999, 3600)
    assert dpkg.cache_stale(1000, 999, None, 0)


def test_converged_host_needs_no_apt(host):
    result = run({"name": ["libc6:amd64", "awk"]})
    assert result["changed"] is False and result["missing"] == [] and result["installed"] == []
    assert argvs(host) == ["dpkg --audit"]


def test_missing_packages_installed_in_one_call_with_daemons_held_then_unchanged(host):
    result = run({"name": ["libc6", "squid", "nova-api"], "hold_daemons": True,
                  "debconf": ["nova-common nova/configure_db boolean false"]})
    assert result["changed"] is True, result
    assert result["missing"] == ["squid", "nova-api"] and result["installed"] == ["squid", "nova-api"]
    assert result["cache_updated"] is True  # no stamp, lists read long ago
    log = calls(host)
    assert [c["argv"][0] for c in log] == ["dpkg", "debconf-set-selections", "apt-get", "apt-get"]
    assert log[1]["stdin"] == "nova-common nova/configure_db boolean false\n"
    install = log[3]
    assert install["argv"][:2] == ["apt-get", "install"] and install["argv"][-2:] == ["squid", "nova-api"]
    assert "--no-install-recommends" in install["argv"] and "Dpkg::Options::=--force-confold" in install["argv"]
    assert install["policy"] == dpkg.POLICY_RC  # held back while installing
    assert not (host / "usr/sbin/policy-rc.d").exists()  # and not after
    (host / "calls.log").unlink()
    again = run({"name": ["libc6", "squid", "nova-api"], "hold_daemons": True})
    assert again["changed"] is False and argvs(host) == ["dpkg --audit"]


def test_fresh_lists_are_not_read_again(host):
    (host / "var/lib/apt/periodic").mkdir(parents=True)
    (host / "var/lib/apt/periodic/update-success-stamp").write_text("")
    result = run({"name": ["squid"], "install_recommends": True})
    assert result["changed"] is True and result["cache_updated"] is False
    assert "apt-get update" not in argvs(host)
    assert "--no-install-recommends" not in calls(host)[-1]["argv"]


def test_check_mode_reports_and_changes_nothing(host):
    result = run({"name": ["squid", "libc6"]}, check_mode=True)
    assert result["changed"] is True and result["missing"] == ["squid"] and result["installed"] == []
    assert argvs(host) == ["dpkg --audit"]
    assert "squid" not in dpkg.parse_status((host / "var/lib/dpkg/status").read_text())["installed"]


def test_failed_maintainer_script_is_configured_again_and_the_install_repeated(host):
    (host / "script-fails").write_text("yes")
    (host / "configure-fails").write_text("1")  # Horizon's compression fails at random: once here
    result = run({"name": ["openstack-dashboard"], "cache_valid_time": 0})
    assert result["changed"] is True and result["installed"] == ["openstack-dashboard"], result
    seen = argvs(host)
    assert seen.count("dpkg --configure --pending") == 2
    assert sum(1 for a in seen if a.startswith("apt-get install")) == 2


def test_unfinished_packages_alone_are_finished(host):
    (host / "audit").write_text("The following packages are only half configured:\n half\n")
    result = run({"name": ["libc6"]})
    assert result["changed"] is True and "half" in result["unfinished"] and result["missing"] == []
    assert "dpkg --configure --pending" in argvs(host)
    assert not any(a.startswith("apt-get") for a in argvs(host))
    assert run({"name": ["libc6"]})["changed"] is False


def test_unknown_package_fails_naming_it_and_leaves_no_policy(host):
    (host / "unknown").write_text("no-such-package")
    result = run({"name": ["no-such-package"], "hold_daemons": True})
    assert result["failed"] is True
    assert result["msg"].startswith("name: apt-get could not install no-such-package")
    assert "Unable to locate package no-such-package" in result["msg"]
    assert not (host / "usr/sbin/policy-rc.d").exists()


def test_policy_left_by_a_killed_run_is_removed_and_a_foreign_one_kept(host):
    policy = host / "usr/sbin/policy-rc.d"
    policy.write_text(dpkg.POLICY_RC)
    result = run({"name": ["libc6"]})
    assert result["changed"] is True and result["policy_rc_d_removed"] is True and not policy.exists()
    assert run({"name": ["libc6"]})["changed"] is False
    policy.write_text("#!/bin/sh\nexit 101")  # the apt module's, left by an older jumphost run killed in squid's install
    assert run({"name": ["libc6"]})["policy_rc_d_removed"] is True and not policy.exists()
    policy.write_text("#!/bin/sh\nexit 0\n")  # the host's own
    result = run({"name": ["squid"], "hold_daemons": True})
    assert result["changed"] is True and policy.read_text() == "#!/bin/sh\nexit 0\n"
    assert calls(host)[-1]["policy"] == "#!/bin/sh\nexit 0\n"


def test_bad_names_and_debconf_lines_fail_naming_the_field(host):
    assert run({"name": ["squid=6.1"]})["msg"].startswith("name: 'squid=6.1' is not a Debian package name")
    assert run({"name": ["squid"], "debconf": ["only three words"]})["msg"].startswith("debconf: ")
    assert calls(host) == []


def test_waits_for_a_package_run_holding_the_lock(host, monkeypatch):
    monkeypatch.setattr(module.time, "sleep", time.sleep)
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time\n"
                               "h = open(sys.argv[1], 'a'); fcntl.lockf(h, fcntl.LOCK_EX); print('held', flush=True)\n"
                               "time.sleep(float(sys.argv[2]))", str(host / "var/lib/dpkg/lock-frontend"), "30"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = run({"name": ["libc6"], "lock_timeout": 1})
        assert result["failed"] is True and result["msg"].startswith("lock_timeout: another package run still holds")
    finally:
        holder.kill()
        holder.wait()
    result = run({"name": ["libc6"], "lock_timeout": 1})
    assert result["changed"] is False and result["waited"] < 1
    with open(host / "var/lib/dpkg/lock-frontend", "a") as handle:  # let go: the module took and released it
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
