# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab of `make lab`, after `scripts/lab.sh up` and `awx` (or `again`): the inner cloud works and keeps its secrets."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import time
from collections import Counter

import pytest
import yaml

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.owned import owned_resources

LAB = "nclab"
STATE = os.environ.get("NC_LAB_STATE", "/tmp/nestedcloud-lab")
REPORT = os.path.expanduser("~/.nestedcloud/%s/smoke-report.json" % LAB)


def on(host, command):
    done = subprocess.run(["podman", "exec", "%s-%s" % (LAB, host), "sh", "-c", command], capture_output=True,
                          text=True, timeout=120, check=False,
                          env=dict(os.environ, CONTAINERS_CONF=os.path.join(os.path.dirname(__file__), "..", "hosts",
                                                                            "containers.conf")))
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def report():
    with open(REPORT) as handle:
        return json.load(handle)


def test_smoke_report_passed_every_check(report):
    assert report["passed"], report
    names = [c["name"] for c in report["checks"]]
    for expected in ("VM ACTIVE", "ping to the floating IP from r0", "SSH with the keypair",
                     "VM reaches the router on the tenant network (L2)", "VM reaches r0 on the external network (L3)"):
        assert expected in names
    assert all(c["ok"] for c in report["checks"]), report["checks"]


def test_the_run_that_changed_nothing_checked_the_kept_canary_and_booted_none(report):
    """The last site.yml (the AWX job, or `lab.sh again`) found the canary the first run booted, and checked it."""
    vm = report["vm"]
    assert vm["name"] == "smoke-canary" and vm["booted"] is False, vm
    assert "cleanup" not in [c["name"] for c in report["checks"]]  # a canary run deletes nothing
    active = next(c for c in report["checks"] if c["name"] == "VM ACTIVE")
    assert active["detail"].startswith("kept, on uc-000"), active


def test_mtu_of_every_layer_follows_the_budget(report):
    mtu = report["mtu"]
    assert mtu["overlay"] == mtu["underlay"] - 50
    assert mtu["inner_external"] == mtu["overlay"]
    # what Neutron gave the tenant network is what the planner derived for ML2/OVN's Geneve: the recipe's header size
    # (38) plus the outer IPv4 header
    assert report["network"]["backend"] == "ovn" and report["network"]["encapsulation"] == "Geneve"
    assert mtu["tenant_overhead"] == 58
    assert mtu["inner_tenant"] == mtu["overlay"] - mtu["tenant_overhead"] == mtu["planned_inner_tenant"] == mtu["guest"]


def test_the_datapath_of_each_chassis_is_said(report):
    datapaths = report["network"]["datapaths"]
    assert sorted(datapaths) == ["uc-0002", "uc-0003"]
    # this machine kind's kernel has no openvswitch module and loads none
    for host, decision in datapaths.items():
        assert decision["datapath"] == "userspace" and "openvswitch" in decision["reason"], (host, decision)


def test_a_vm_tap_the_userspace_datapath_left_down_is_brought_up(report):
    """The race of roles/overcloud/files/ovs_tap_guard.py made certain: ovs-vswitchd holds a VM's tap that is down
    (as when it wrote back the flags without IFF_UP); the guard brings it up and says so. A tap of no VM stays down."""
    host = sorted(report["network"]["datapaths"])[0]
    vm_tap, other_tap = "tapncguard0", "tapncguard1"
    try:
        rc, out, err = on(host, "set -e; ip tuntap add dev {vm} mode tap; ip tuntap add dev {other} mode tap; "
                                "ovs-vsctl --timeout=10 add-port br-int {vm} -- set Interface {vm} "
                                "external_ids:vm-uuid=nestedcloud-test -- add-port br-int {other}"
                                .format(vm=vm_tap, other=other_tap))
        assert rc == 0, err
        deadline = time.monotonic() + 30
        while True:
            rc, out, err = on(host, "cat /sys/class/net/%s/flags /sys/class/net/%s/flags" % (vm_tap, other_tap))
            assert rc == 0, err
            vm_flags, other_flags = (int(word, 16) for word in out.split())
            if vm_flags & 0x1 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert vm_flags & 0x1, "%s: the VM's tap stayed down on %s" % (vm_tap, host)
        assert not other_flags & 0x1, "%s: a tap of no VM was brought up on %s" % (other_tap, host)
        rc, out, err = on(host, "journalctl -u nestedcloud-tap-guard.service -o cat --no-pager")
        assert "%s: a VM's tap on the userspace datapath was down" % vm_tap in out, out[-2000:] + err
    finally:
        on(host, "ovs-vsctl --timeout=10 --if-exists del-port br-int {vm} -- --if-exists del-port br-int {other}; "
                 "ip link del {vm}; ip link del {other}".format(vm=vm_tap, other=other_tap))


def test_openstack_cli_on_r0_sees_the_inner_cloud(report):
    rc, out, err = on("r0", ". /root/openrc && openstack compute service list -f json")
    assert rc == 0, err
    services = {(s["Binary"], s["Host"]): s["State"] for s in json.loads(out)}
    for host in ("uc-0002", "uc-0003"):
        assert services[("nova-compute", host)] == "up"
    assert services[("nova-scheduler", "uc-0001")] == "up"
    rc, out, err = on("r0", ". /root/openrc && openstack network agent list -f json")
    assert rc == 0, err
    agents = {(a["Binary"], a["Host"]): a["Alive"] for a in json.loads(out)}
    # each compute is an OVN chassis (a gateway chassis too) with its metadata agent; no L3 or DHCP agent
    for host in ("uc-0002", "uc-0003"):
        assert agents[("ovn-controller", host)] is True and agents[("neutron-ovn-metadata-agent", host)] is True
    assert not [a for a in agents if a[0] in ("neutron-l3-agent", "neutron-dhcp-agent")], agents
    types = {(a["Agent Type"], a["Host"]) for a in json.loads(out)}
    assert ("OVN Controller Gateway agent", "uc-0002") in types, types


def smoke_state():
    """The smoke project's servers, floating IPs and VM ports (Tempest's, of its own projects, are not looked at)."""
    rc, out, err = on("r0", ". /root/openrc && openstack server list --project smoke -f value -c Name && echo -- && "
                            "openstack floating ip list --project smoke -f value -c 'Floating IP Address' && "
                            "echo -- && openstack port list --project smoke --device-owner compute:nova -f value -c ID")
    assert rc == 0, err
    return [part.split() for part in out.split("--")]


def test_smoke_keeps_its_canary_and_nothing_else():
    servers, fips, ports = smoke_state()
    assert servers == ["smoke-canary"] and len(fips) == 1 and len(ports) == 1, (servers, fips, ports)
    rc, out, err = on("r0", ". /root/openrc && openstack network list -f value -c Name && "
                            "openstack router list -f value -c Name && openstack image list -f value -c Name")
    assert rc == 0, err
    kept = ["smoke", "smoke", "smoke-initrd", "smoke-kernel", "smoke-tenant"]  # router, image + its kernel/initrd, net
    assert sorted(n for n in out.split() if "smoke" in n) == kept, out
    # no security group outlives its project (Neutron keeps them when Keystone deletes the project)
    rc, out, err = on("r0", ". /root/openrc && openstack security group list -f value -c Project && echo -- && "
                            "openstack project list -f value -c ID")
    assert rc == 0, err
    groups, projects = out.split("--")
    assert set(groups.split()) <= set(projects.split()), out


def test_mariadb_runs_without_snapshot_isolation_now_and_after_a_restart():
    """Debian 13's MariaDB 11.8 rolls a whole transaction back on a write/write conflict (error 1020), which Nova does
    not retry: an instance delete under Tempest ended in ERROR. The running value, and the file for the next start."""
    rc, out, err = on("uc-0001", "mariadb -N -B -e 'SELECT @@GLOBAL.innodb_snapshot_isolation' && "
                                 "my_print_defaults --mysqld | grep -x -- '--loose-innodb_snapshot_isolation=OFF'")
    assert rc == 0 and out.split()[0] == "0", (out, err)


def test_passwords_are_private_and_never_printed():
    secrets_file = "/etc/nestedcloud/overcloud-secrets.yml"
    rc, out, err = on("uc-0001", "stat -c '%%a %%U' %s && cat %s" % (secrets_file, secrets_file))
    assert rc == 0, err
    mode, rest = out.split("\n", 1)
    assert mode == "600 root"
    secrets = yaml.safe_load(rest)
    rc, out, err = on("r0", "stat -c '%a' /root/openrc")
    assert out.strip() == "600", err
    logs = [os.path.join(STATE, name) for name in os.listdir(STATE) if name.endswith(".log")]
    assert logs
    for path in logs:
        with open(path, errors="replace") as handle:
            text = handle.read()
        for name, value in secrets.items():
            assert value not in text, "the %s password appears in %s" % (name, path)


def smoke(*args):
    lab = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "lab.sh")
    done = subprocess.run([lab, "smoke", *args], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-3000:]
    with open(REPORT) as handle:
        return json.load(handle)


def test_a_one_off_run_replaces_the_canary_and_the_next_canary_run_sweeps_what_it_kept():
    """A kept one-off run (or an interrupted one) leaves its VM, floating IP...: a canary run removes them first and
    boots a new canary."""
    smoke("-e", "smoke_canary=false", "-e", "smoke_keep=true")
    servers, fips, _ports = smoke_state()
    assert servers == ["smoke-vm"] and len(fips) == 1, (servers, fips)  # the one-off run swept the canary first
    report = smoke()
    first = report["checks"][0]
    assert first["name"] == "leftovers of an earlier run" and first["ok"], first
    for leftover in ("VM smoke-vm", "floating IP"):
        assert leftover in first["detail"], first
    assert report["vm"]["booted"] is True and report["passed"], report
    # (that a run which finds the canary changes nothing is the AWX job's: check_recap, and the report test above)
    test_smoke_keeps_its_canary_and_nothing_else()


def test_no_duplicate_anywhere_after_the_killed_and_interrupted_runs(outer):
    """The runs killed at random points (NC_LAB_KILLS) and the one interrupted left nothing twice, outside or inside."""
    owned = dict((kind, [getattr(i, "name", None) or i.id for i in items]) for kind, items in owned_resources(outer, LAB))
    twice = {kind: [n for n, c in Counter(names).items() if c > 1] for kind, names in owned.items()}
    assert not any(twice.values()), twice
    assert sorted(owned["server"]) == ["nclab-r0", "nclab-uc-0001", "nclab-uc-0002", "nclab-uc-0003"], owned
    assert len(owned["floating_ip"]) == 1 and len(owned["router"]) == 1 and len(owned["network"]) == 1, owned
    listings = {
        "endpoint": ("endpoint list", ("Service Type", "Interface", "Region")),
        "service": ("service list", ("Type",)),
        "compute service": ("compute service list", ("Binary", "Host")),
        "network agent": ("network agent list", ("Binary", "Host")),
        "flavor": ("flavor list --all", ("Name",)),
        "user": ("user list", ("Name",)),
        "project": ("project list", ("Name",)),
    }
    for what, (command, key) in listings.items():
        rc, out, err = on("r0", ". /root/openrc && openstack %s -f json" % command)
        assert rc == 0, err
        rows = [tuple(row[k] for k in key) for row in json.loads(out)]
        assert rows, "no %s at all" % what  # the smoke canary's flavor at least
        assert len(rows) == len(set(rows)), "%s twice: %s" % (what, rows)


def started(host, *services):
    """Each service's start time (monotonic, microseconds) on a lab host."""
    command = " && ".join("systemctl show -p ExecMainStartTimestampMonotonic --value %s" % s for s in services)
    rc, out, err = on(host, command)
    assert rc == 0, err
    return dict(zip(services, out.split()))


def run_layer(*args):
    """`lab.sh layer ARGS`: (return code, its output, {host: tasks changed})."""
    lab = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "lab.sh")
    done = subprocess.run([lab, "layer"] + list(args), capture_output=True, text=True, check=False)
    return done.returncode, done.stdout + done.stderr, {host: int(changed) for host, changed in RECAP.findall(done.stdout)}


def layer(*args):
    rc, out, changed = run_layer(*args)
    assert rc == 0, out[-5000:]
    return changed


RECAP = re.compile(r"^(\S+)\s+: ok=\d+\s+changed=(\d+)", re.M)


def test_settings_a_killed_run_wrote_take_effect_in_the_next_run(report):
    """A run killed between writing nova.conf (or libvirt's settings) and its handlers left the services on the old
    settings, and the next run finds the files as it wants them. It must still restart exactly those services."""
    agent = "neutron-ovn-metadata-agent"
    services = ("nova-compute", agent, "libvirtd")
    before = started("uc-0002", *services)
    # what the killed run left: the files written (newer than the services' last restart), no restart
    rc, out, err = on("uc-0002", "touch /etc/nova/nova.conf /etc/default/libvirtd")
    assert rc == 0, err
    # and a package unpacked but never configured (a dpkg killed midway, or a maintainer script that failed as
    # Horizon's offline compression does at random): the next run configures it
    rc, out, err = on("uc-0002", "cd /tmp && apt-get download -q nova-compute-qemu && dpkg --unpack nova-compute-qemu_*.deb"
                                 " && rm nova-compute-qemu_*.deb")
    assert rc == 0, (out, err)
    rc, out, err = on("uc-0002", "dpkg --audit; dpkg-query -W -f='${db:Status-Status}' nova-compute-qemu")
    assert "nova-compute-qemu" in out and out.endswith("unpacked"), (rc, out, err)
    changed = layer("overcloud", "--limit", "uc-0002")
    assert changed["uc-0002"] > 0, changed
    rc, out, err = on("uc-0002", "dpkg --audit && dpkg-query -W -f='${db:Status-Status}' nova-compute-qemu")
    assert rc == 0 and out.strip() == "installed", (rc, out, err)
    after = started("uc-0002", *services)
    assert after["nova-compute"] != before["nova-compute"], "nova-compute was not restarted"
    assert after["libvirtd"] != before["libvirtd"], "libvirtd was not restarted"
    assert after[agent] == before[agent], "a restart nothing asked for"
    # and once applied, nothing is pending any more
    assert layer("overcloud", "--limit", "uc-0002")["uc-0002"] == 0
    assert started("uc-0002", *services) == after
    for attempt in range(60):  # nova-compute reports up again before the next tests use the inner cloud
        rc, out, err = on("r0", ". /root/openrc && openstack compute service list --host uc-0002 "
                                "--service nova-compute -f value -c State")
        if out.strip() == "up":
            break
        time.sleep(2)
    assert out.strip() == "up", (attempt, out, err)


def horizon(cookies, path, *curl):
    """A request to Horizon on uc-0001 from r0, with a cookie jar there; returns (status, Location, body)."""
    rc, out, err = on("r0", "curl -s --noproxy '*' -b %s -c %s -o /tmp/horizon.html -w '%%{http_code} %%{redirect_url}' "
                            "%s http://uc-0001/horizon/%s && echo && cat /tmp/horizon.html"
                      % (cookies, cookies, " ".join(curl), path))
    assert rc == 0, err
    head, body = out.split("\n", 1)
    status, location = (head + " ").split(" ", 1)
    return int(status), location.strip(), body


def horizon_login(password):
    cookies = "/tmp/horizon-cookies-%d" % time.time_ns()
    status, location, page = horizon(cookies, "auth/login/")
    assert status == 200 and "csrfmiddlewaretoken" in page, (status, page[-2000:])
    form = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    form.update(username="admin", password=password)
    data = " ".join("--data-urlencode %s" % shlex.quote("%s=%s" % item) for item in form.items())
    return horizon(cookies, "auth/login/", data), cookies


def test_horizon_logs_the_admin_in():
    """The optional dashboard (overcloud_horizon, on in the lab): the admin logs in and sees the inner cloud."""
    rc, out, err = on("uc-0001", "sed -n 's/^admin: \"\\(.*\\)\"$/\\1/p' /etc/nestedcloud/overcloud-secrets.yml")
    assert rc == 0 and out.strip(), err
    (status, location, page), cookies = horizon_login("not-the-password")
    assert status == 200 and "csrfmiddlewaretoken" in page, "a wrong password got past the login: %s %s" % (status, location)
    (status, location, page), cookies = horizon_login(out.strip())
    assert status == 302 and "auth/login" not in location, (status, location, page[-2000:])
    status, location, page = horizon(cookies, "admin/hypervisors/")
    assert status == 200, (status, location)
    for host in ("uc-0002", "uc-0003"):
        assert host in page, "hypervisor %s not on Horizon's page" % host
