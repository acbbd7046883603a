# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""wheelhouse: every pin of a lock gets a distribution, downloaded once; a pin with no wheel is taken as a source
distribution; a failed download leaves nothing. pip is a stand-in here (it "publishes" a fixed index); the integration
tier downloads from the real index, and the committed 2026.1 lock is checked for shape."""

from __future__ import annotations

import os

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner import wheelhouse
from ansible_collections.nestedcloud.openstack.plugins.modules import wheelhouse as module
from tests.unit.plugins._module_runner import run_module

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
LOCK = "# a lock\nnova==33.0.2\nMarkupSafe==3.0.3\novs==3.7.0  # sdist only\n\npython_memcached==1.62\n"
# the stand-in index: what has a wheel for cp313, what only a source distribution
WHEELS = {"nova": "nova-{v}-py3-none-any.whl", "markupsafe": "markupsafe-{v}-cp313-cp313-manylinux_2_17_x86_64.whl",
          "python-memcached": "python_memcached-{v}-py3-none-any.whl"}
SDISTS = {"ovs": "ovs-{v}.tar.gz"}


class FakePip:
    def __init__(self, fail=None):
        self.calls, self.fail = [], fail

    def __call__(self, argv, check_rc=False):
        self.calls.append(argv)
        if self.fail:
            return 1, "", self.fail
        dest = argv[argv.index("-d") + 1]
        pins = [a for a in argv if "==" in a]
        binary = "--only-binary=:all:" in argv
        for pin in pins:
            name, version = pin.split("==")
            table = WHEELS if binary else SDISTS
            if wheelhouse.normalize(name) not in table:
                return 1, "", "ERROR: No matching distribution found for %s" % pin
        for pin in pins:
            name, version = pin.split("==")
            table = WHEELS if binary else SDISTS
            open(os.path.join(dest, table[wheelhouse.normalize(name)].format(v=version)), "w").close()
        return 0, "", ""


def test_parse_lock_normalizes_and_refuses_what_is_not_a_pin():
    assert wheelhouse.parse_lock(LOCK) == [("nova", "33.0.2"), ("markupsafe", "3.0.3"), ("ovs", "3.7.0"),
                                           ("python-memcached", "1.62")]
    with pytest.raises(wheelhouse.WheelhouseError, match=r"line 2: 'nova>=33' is not name==version"):
        wheelhouse.parse_lock("# x\nnova>=33\n")
    with pytest.raises(wheelhouse.WheelhouseError, match="line 2: nova is pinned twice"):
        wheelhouse.parse_lock("nova==1\nNova==2\n")
    with pytest.raises(wheelhouse.WheelhouseError, match="no package pinned"):
        wheelhouse.parse_lock("# nothing\n")


def test_file_names_of_wheels_and_source_distributions():
    assert wheelhouse.distribution_of("python_memcached-1.62-py3-none-any.whl") == ("python-memcached", "1.62", "wheel")
    assert wheelhouse.distribution_of("ovs-3.7.0.tar.gz") == ("ovs", "3.7.0", "sdist")
    assert wheelhouse.distribution_of("simplegeneric-0.8.1.zip") == ("simplegeneric", "0.8.1", "sdist")
    assert wheelhouse.distribution_of("zope.interface-7.0-cp313-cp313-manylinux_2_17_x86_64.whl")[0] == \
        "zope-interface"
    assert wheelhouse.distribution_of("README") is None


def test_fill_takes_wheels_in_one_call_and_the_source_only_pin_as_sdist(tmp_path):
    pip = FakePip()
    wheels, sdists = wheelhouse.fill(str(tmp_path), wheelhouse.parse_lock(LOCK), ["pip"], pip, "3.13")
    assert sdists == ["ovs-3.7.0.tar.gz"] and len(wheels) == 3
    # one call with every pin, one without the pin pip had no wheel for, one for the source distribution
    assert len(pip.calls) == 3 and "--no-binary=:all:" in pip.calls[2] and pip.calls[2][-1] == "ovs==3.7.0"
    first = pip.calls[0]
    assert first[first.index("--python-version") + 1] == "3.13" and first[first.index("--abi") + 1] == "cp313"
    assert "--no-deps" in first and "manylinux_2_28_x86_64" in first
    assert sorted(os.listdir(tmp_path)) == sorted(wheels + sdists)   # no staging left
    assert wheelhouse.missing(wheelhouse.parse_lock(LOCK), str(tmp_path)) == []


def test_a_failed_download_leaves_nothing_and_names_the_error(tmp_path):
    pip = FakePip(fail="ERROR: HTTP error 503 while getting https://index/nova-33.0.2-py3-none-any.whl")
    with pytest.raises(wheelhouse.WheelhouseError, match="pip download failed .*HTTP error 503"):
        wheelhouse.fill(str(tmp_path), wheelhouse.parse_lock(LOCK), ["pip"], pip, "3.13")
    assert os.listdir(tmp_path) == []


def test_a_pin_with_neither_wheel_nor_source_is_named(tmp_path):
    def pip(argv, check_rc=False):
        pins = [a for a in argv if "==" in a]
        return 1, "", "ERROR: No matching distribution found for %s" % pins[0]
    with pytest.raises(wheelhouse.WheelhouseError, match=r"nova==33.0.2: no wheel for CPython 3.13 and the source"):
        wheelhouse.fill(str(tmp_path), [("nova", "33.0.2")], ["pip"], pip, "3.13")


def run(dest, lock=LOCK, check_mode=False, **kw):
    return run_module(dict({"lock": lock, "dest": str(dest), "python_version": "3.13", "pip": ["pip"]}, **kw),
                      check_mode=check_mode, main=module.main)


def test_module_downloads_once_then_changes_nothing(tmp_path, monkeypatch):
    pip = FakePip()
    monkeypatch.setattr("ansible.module_utils.basic.AnsibleModule.run_command", lambda self, argv, **kw: pip(argv))
    dest = tmp_path / "wh"
    checked = run(dest, check_mode=True)
    assert checked["changed"] and len(checked["missing"]) == 4 and not dest.exists() and pip.calls == []
    first = run(dest)
    assert first["changed"] and first["pins"] == 4 and first["sdists"] == ["ovs-3.7.0.tar.gz"]
    (dest / "ovs-3.7.0.tar.gz").unlink()
    again = run(dest)
    assert again["missing"] == ["ovs==3.7.0"] and again["wheels"] == []
    calls = len(pip.calls)
    done = run(dest)
    assert not done["changed"] and done["missing"] == [] and len(pip.calls) == calls


def test_module_refuses_a_bad_python_version_and_a_bad_lock(tmp_path):
    assert "python_version: '313'" in run(tmp_path, python_version="313")["msg"]
    assert "lock line 1" in run(tmp_path, lock="nova\n")["msg"]


def test_the_committed_2026_1_lock_pins_the_services_and_nothing_twice():
    with open(os.path.join(ROOT, "roles", "overcloud", "files", "pypi", "2026.1-cp313.txt")) as handle:
        pins = dict(wheelhouse.parse_lock(handle.read()))
    # the services at their 2026.1 series, what they need to reach MariaDB and memcached, and no uWSGI (Debian's runs
    # the WSGI apps)
    assert pins["nova"].startswith("33.") and pins["neutron"].startswith("28.") and pins["keystone"].startswith("29.")
    assert pins["glance"].startswith("32.") and pins["openstack-placement"].startswith("15.")
    assert {"pymysql", "python-memcached", "horizon", "ovs", "ovsdbapp"} <= set(pins) and "uwsgi" not in pins
