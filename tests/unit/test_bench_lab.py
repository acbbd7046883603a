# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""benchmarks/lab/floor.py and report.py (make bench-lab): the overcloud layer's window, the apt history split at
it, the databases the schema syncs need, the role's own sync commands, and the report's ratios."""

from __future__ import annotations

import datetime
import importlib.util
import os

import pytest
import yaml

HERE = os.path.dirname(__file__)


def _load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, "..", "..", "benchmarks", "lab", name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FLOOR = _load("floor")
REPORT = _load("report")


def stamp(hms, elapsed="0:00:01.000"):
    return "Sunday 06 December 2026  %s +0000 (0:00:00.100)       %s ******" % (hms, elapsed)


RUN = [
    "PLAY [Undercloud layer] ****", "TASK [a] ****", stamp("07:00:00", "0:00:00.000"),
    "PLAY [Check the inventory] ****", "TASK [b] ****", stamp("07:01:00", "0:01:00.000"),
    "PLAY [Hypervisor layer] ****", "TASK [c] ****", stamp("07:02:00", "0:02:00.000"),
    "PLAY [Check the inventory] ****", "TASK [d] ****", stamp("07:03:00", "0:03:00.000"),
    "PLAY [Overcloud layer] ****", "TASK [e] ****", stamp("07:03:10", "0:03:10.000"),
    "PLAY [Overcloud layer, computes] ****", "TASK [f] ****", stamp("07:08:00", "0:08:00.000"),
    "PLAY [Check the inventory] ****", "TASK [g] ****", stamp("07:10:00", "0:10:00.000"),
    "PLAY [Smoke layer] ****", "TASK [h] ****", stamp("07:10:05", "0:10:05.000"),
    "PLAY RECAP ****", stamp("07:11:00", "0:11:00.000"),
    "===============================================================================",
    "nestedcloud.openstack.overcloud : Install them: keystone, nova-api -------- 120.50s",
    "nestedcloud.openstack.smoke : Boot ---------------------------------------- 30.25s",
    "Gathering Facts ----------------------------------------------------------- 2.00s",
]


def test_the_overcloud_window_runs_from_its_first_task_to_the_next_layer_but_not_to_a_check_play():
    start, end = FLOOR.layer_window(RUN)
    assert start == datetime.datetime(2026, 12, 6, 7, 3, 10)
    # the check play (07:10:00) opens the smoke layer; the overcloud layer's packages are before either
    assert end == datetime.datetime(2026, 12, 6, 7, 10, 0)


def test_a_log_without_the_layer_is_refused():
    with pytest.raises(ValueError, match="Overcloud"):
        FLOOR.layer_window(RUN[:6])


HISTORY = """
Start-Date: 2026-12-06  07:02:30
Commandline: apt-get -y install qemu-system-x86 libvirt-daemon-system
Install: qemu-system-x86:amd64 (1:10.0.2+ds-1), libvirt0:amd64 (11.3.0-3, automatic), libvirt-daemon-system:amd64 (11.3.0-3)
End-Date: 2026-12-06  07:02:59

Start-Date: 2026-12-06  07:04:00
Commandline: apt-get -y --no-install-recommends install keystone nova-api qemu-system-x86
Install: keystone:all (2:27.0.0-3+deb13u6), python3-keystone:all (2:27.0.0-3+deb13u6, automatic), nova-api:all (2:31.1.0-1)
End-Date: 2026-12-06  07:06:00

Start-Date: 2026-12-06  07:10:30
Commandline: apt-get -y install python3-openstackclient
Install: python3-openstackclient:all (7.4.0-2)
End-Date: 2026-12-06  07:10:40
"""


def test_apt_history_keeps_the_packages_installed_on_request_and_splits_them_at_the_layer():
    transactions = FLOOR.apt_history(HISTORY)
    assert [t["requested"] for t in transactions] == [
        ["qemu-system-x86", "libvirt-daemon-system"], ["keystone", "nova-api"], ["python3-openstackclient"]]
    before, during = FLOOR.split_history(transactions, FLOOR.layer_window(RUN))
    assert before == ["qemu-system-x86", "libvirt-daemon-system"]
    assert during == ["keystone", "nova-api"]  # the smoke layer's client is after the window


def test_the_databases_of_the_syncs_come_from_the_role_and_the_users_from_the_services_own_urls():
    configs = {
        "/etc/keystone/keystone.conf": "[database]\nconnection = mysql+pymysql://keystone:k%40y@127.0.0.1/keystone\n",
        "/etc/nova/nova.conf": "[DEFAULT]\nx = 1\n[api_database]\nconnection = mysql+pymysql://nova:n'1@127.0.0.1/nova_api\n"
                               "[database]\nconnection = mysql+pymysql://nova:n'1@127.0.0.1/nova\n",
        "/etc/neutron/plugins/ml2/ml2_conf.ini": "[ovn]\novn_nb_connection = tcp:10.0.0.1:6641\n",
        "/etc/neutron/dnsmasq-neutron.conf": "dhcp-option-force=26,1454\n",
    }
    grants = FLOOR.database_grants(configs, {"keystone": ["keystone"], "nova": ["nova_api", "nova", "nova_cell0"]})
    assert grants == [("keystone", "keystone", "127.0.0.1", "k@y"), ("nova_api", "nova", "127.0.0.1", "n'1"),
                      ("nova", "nova", "127.0.0.1", "n'1"), ("nova_cell0", "nova", "127.0.0.1", "n'1")]
    sql = FLOOR.grant_sql(grants[1:2])
    assert "IDENTIFIED BY 'n\\'1'" in sql and "CREATE DATABASE IF NOT EXISTS nova_api;" in sql
    with pytest.raises(ValueError, match="glance"):
        FLOOR.database_grants(configs, {"glance": ["glance"]})


def test_the_syncs_are_the_overcloud_roles_own_commands_in_its_order():
    with open(os.path.join(HERE, "..", "..", "roles", "overcloud", "tasks", "schemas.yml")) as handle:
        syncs = FLOOR.role_syncs(yaml.safe_load(handle))
    assert [step[0] for step in syncs] == ["keystone", "glance", "placement", "nova", "neutron"]
    assert "keystone-manage db_sync" in syncs[0][1] and "upgrade heads" in syncs[4][1]


def test_the_warm_up_downloads_every_package_list_of_the_role():
    sets = FLOOR.role_package_sets({"_a_packages": ["keystone", "nova-api"], "_b_packages": ["nova-api", "x"],
                                    "_a_debconf": {"keystone": ["q"]}, "_c_packages": "{{ jinja }}"})
    assert sets == ["keystone", "nova-api", "x"]


def test_the_report_gives_both_ratios_against_their_goals_and_the_costliest_tasks():
    noop = [line.replace("07:03:10", "07:03:01") for line in RUN[:14]] + [
        "PLAY RECAP ****", stamp("07:03:40", "0:03:40.000"), "=====",
        "nestedcloud.openstack.overcloud : Which packages are missing? ---------- 9.00s"]
    floor = {"floor_s": 300.0, "install_wall_s": 250.0, "syncs": [["keystone", 10.0], ["nova", 40.0]],
             "tables": {"keystone": 48, "nova": 110},
             "controller": "uc-0001", "hosts": {"uc-0001": {"packages": ["keystone"], "install_s": 250.0}}}
    text = REPORT.render(RUN, noop, floor, {"packages": ["keystone"], "seconds": 3})
    # overcloud layer 07:03:00 (its check) .. 07:10:00 = 420 s: 420 / 300
    assert "| **overcloud layer / floor** | | **1.40** | at most 1.5: goal met |" in text
    # no-op: 220 s of a 660 s first run
    assert "| **no-op run / first run** | | **0.33** | at most 0.10: goal missed |" in text
    assert text.index("Install them: keystone, nova-api") < text.index("nestedcloud.openstack.smoke : Boot")
    assert "| nestedcloud.openstack.overcloud : Which packages are missing? | 9.0 |" in text
    assert "Tables the syncs made: keystone 48, nova 110." in text


def test_the_tables_are_counted_in_the_databases_of_the_role_and_an_empty_one_is_named():
    sql = FLOOR.table_count_sql(["keystone", "nova_api"])
    assert "table_schema IN ('keystone', 'nova_api')" in sql and "GROUP BY table_schema" in sql
    role = {"keystone": ["keystone"], "nova": ["nova_api", "nova", "nova_cell0"]}
    # a database with no table is not in the query's answer at all
    assert FLOOR.without_tables({"keystone": 48, "nova_api": 30, "nova": 110}, role) == ["nova_cell0"]
    assert FLOOR.without_tables({"keystone": 48, "nova_api": 30, "nova": 110, "nova_cell0": 110}, role) == []
