# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Undercloud provisioning benchmark: our role against three baselines, in one run, as ratios.

Provisions a lab of r0 + N uc- servers (ports with fixed IPs, N data volumes attached, security
groups, keypair, router, floating IP) on the local undercloud, four ways:
  ours        playbooks/undercloud.yml (parallel); then its idempotent re-run
  oc_loop     openstack.cloud modules looping over the hosts (openstack_cloud_loop.yml)
  sdk_seq     a plain openstacksdk script doing the same, one resource after the other
  bulk        the cloud's own limit for the servers phase: one create with min_count = N + 1
Each is cleaned up before the next. Wall-clock times here are noisy; the ratios of one run are
what to read; our role and the bulk create repeat (--repeat, medians reported).
Usage: python bench.py [--count 20] [--repeat 3] [--out results.md] [--ours-only]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import openstack

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, ".collections"))

from ansible_collections.nestedcloud.openstack.plugins.module_utils.outer.api import use_monotonic_clock  # noqa: E402

BIN = os.path.dirname(sys.executable)


def ansible(playbook, extra, env_extra=None, bindir=BIN):
    """Run a playbook with the json callback: (seconds, the callback's document)."""
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(TOP, "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    env.pop("ANSIBLE_CALLBACKS_ENABLED", None)  # nothing else on stdout (an empty value is refused as a plugin name)
    env.update(env_extra or {})
    start = time.monotonic()
    run = subprocess.run([os.path.join(bindir, "ansible-playbook"), playbook, "-e", json.dumps(extra)], cwd=TOP,
                         env=env, capture_output=True, text=True, timeout=3600, check=False)
    elapsed = time.monotonic() - start
    if run.returncode != 0:
        sys.exit("%s failed:\n%s\n%s" % (playbook, run.stdout[-4000:], run.stderr[-2000:]))
    return elapsed, callback_document(run.stdout)


def callback_document(stdout):
    """The json callback's document; an action plugin's progress lines may come before it."""
    start = 0 if stdout.startswith("{") else stdout.index("\n{") + 1
    return json.loads(stdout[start:])


def _tasks(document):
    for play in document["plays"]:
        yield from play["tasks"]


def _instant(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _named(task, name):
    """A task by its name, with or without its role's prefix (``role : name``, as the json callback names it)."""
    full = task["task"]["name"]
    return full == name or full.endswith(" : " + name)


def task_time(document, name):
    """Seconds of the first task called ``name`` (None when it did not run)."""
    for task in _tasks(document):
        if _named(task, name):
            duration = task["task"]["duration"]
            return (_instant(duration["end"]) - _instant(duration["start"])).total_seconds()
    return None


def task_result(document, name, host="localhost"):
    for task in _tasks(document):
        if _named(task, name):
            return task["hosts"].get(host, {})
    return {}


def changed(document, host="localhost"):
    return document["stats"][host]["changed"]


def baseline_ansible():
    """ansible-playbook able to run openstack.cloud 2.5.0 (bundled in the ansible package).

    That collection reads openstack.version.__version__, which openstacksdk removed in 4.15, so
    with our pinned openstacksdk 4.22 its modules fail. The baseline runs from a venv of its own
    with ansible-core and openstacksdk 4.14, using the openstack.cloud of the main venv.
    """
    venv = os.path.join(TOP, ".cache", "bench-openstack-cloud")
    if not os.path.exists(os.path.join(venv, "bin", "ansible-playbook")):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "ansible-core==2.19.14",
                        "openstacksdk==4.14.0"], check=True)
    import ansible_collections.openstack.cloud as bundled
    collections = os.path.dirname(os.path.dirname(os.path.dirname(list(bundled.__path__)[0])))
    return os.path.join(venv, "bin"), collections


def lab(count):
    return {"name": "bench", "cloud": "undercloud", "image": "cirros", "undercloud_count": count,
            "flavors": {"jumphost": "m1.tiny", "undercloud": "m1.small"}, "nested_vms": {"count": 0},
            "storage": {"data_gb": 1}, "ssh_allowed_cidrs": ["198.51.100.7/32"]}


def cleanup_prefix(conn, prefix):
    """Delete what a baseline made (its resources carry the name prefix, not our tag)."""
    servers = [s for s in conn.compute.servers() if s.name.startswith(prefix)]
    for server in servers:
        conn.compute.delete_server(server)
    for server in servers:
        conn.compute.wait_for_delete(server, wait=600)
    for fip in conn.network.ips(project_id=conn.current_project_id):
        conn.network.delete_ip(fip)
    for volume in conn.block_storage.volumes():
        if volume.name and volume.name.startswith(prefix):
            conn.block_storage.wait_for_status(volume, "available", wait=300)
            conn.block_storage.delete_volume(volume)
    for port in conn.network.ports(project_id=conn.current_project_id):
        if port.name.startswith(prefix):
            conn.network.delete_port(port)
    for router in conn.network.routers(project_id=conn.current_project_id):
        if router.name.startswith(prefix):
            for port in conn.network.ports(device_id=router.id, device_owner="network:router_interface"):
                conn.network.remove_interface_from_router(router, subnet_id=port.fixed_ips[0]["subnet_id"])
            conn.network.delete_router(router)
    for net in conn.network.networks(project_id=conn.current_project_id):
        if net.name.startswith(prefix):
            conn.network.delete_network(net)
    for group in conn.network.security_groups(project_id=conn.current_project_id):
        if group.name.startswith(prefix):
            conn.network.delete_security_group(group)
    for key in conn.compute.keypairs():
        if key.name.startswith(prefix):
            conn.compute.delete_keypair(key)


def sdk_sequential(conn, count, public_key):
    """The same lab with plain openstacksdk calls, one after the other."""
    prefix, hosts = "bsdk", ["r0"] + ["uc-%d" % n for n in range(1, count + 1)]
    net = conn.network.create_network(name=prefix + "-net")
    subnet = conn.network.create_subnet(network_id=net.id, name=prefix + "-net", cidr="10.22.0.0/16", ip_version=4,
                                        gateway_ip="10.22.0.1")
    router = conn.network.create_router(name=prefix + "-router",
                                        external_gateway_info={"network_id": conn.network.find_network("public").id})
    conn.network.add_interface_to_router(router, subnet_id=subnet.id)
    group = conn.network.create_security_group(name=prefix + "-lab")
    for proto, port in (("udp", 4789), ("tcp", 22)):
        conn.network.create_security_group_rule(security_group_id=group.id, direction="ingress", protocol=proto,
                                                port_range_min=port, port_range_max=port,
                                                remote_ip_prefix="10.22.0.0/16")
    conn.compute.create_keypair(name=prefix + "-key", public_key=public_key)
    flavors = {"r0": conn.compute.find_flavor("m1.tiny"), "uc": conn.compute.find_flavor("m1.small")}
    image = conn.image.find_image("cirros")
    servers = {}
    for index, host in enumerate(hosts):
        port = conn.network.create_port(name="%s-%s" % (prefix, host), network_id=net.id,
                                        security_group_ids=[group.id],
                                        fixed_ips=[{"subnet_id": subnet.id, "ip_address": "10.22.0.%d" % (10 + index)}])
        volume = None
        if host != "r0":
            volume = conn.block_storage.create_volume(name="%s-%s-data" % (prefix, host), size=1)
        server = conn.compute.create_server(name="%s-%s" % (prefix, host), image_id=image.id,
                                            flavor_id=flavors["r0" if host == "r0" else "uc"].id,
                                            key_name=prefix + "-key", networks=[{"port": port.id}])
        servers[host] = conn.compute.wait_for_server(server, wait=600)
        if volume is not None:
            conn.block_storage.wait_for_status(volume, "available", wait=300)
            conn.compute.create_volume_attachment(servers[host], volume_id=volume.id)
        if host == "r0":
            conn.network.create_ip(floating_network_id=conn.network.find_network("public").id, port_id=port.id)


def bulk(conn, count):
    """The servers phase at the cloud's own speed: one API call for all servers, then wait (one list a second).

    Returns (seconds to all ACTIVE, seconds of the create call)."""
    net = conn.network.create_network(name="bbulk-net")
    conn.network.create_subnet(network_id=net.id, cidr="10.22.0.0/16", ip_version=4)
    image, flavor = conn.image.find_image("cirros").id, conn.compute.find_flavor("m1.small").id
    start = time.monotonic()
    conn.compute.create_server(name="bbulk", image_id=image, flavor_id=flavor, networks=[{"uuid": net.id}],
                               min_count=count, max_count=count)
    posted = time.monotonic() - start
    while True:
        servers = [s for s in conn.compute.servers() if s.name.startswith("bbulk")]
        if len(servers) == count and all(s.status == "ACTIVE" for s in servers):
            break
        if any(s.status == "ERROR" for s in servers):
            sys.exit("bulk create: a server went to ERROR")
        time.sleep(1)
    return time.monotonic() - start, posted


SERVERS_TASK = "Reconcile the ports, volumes and servers"


def ours(n, env):
    """One round of our role: first run, converged re-run (must change nothing), teardown."""
    got = {}
    try:
        got["ours"], out = ansible("playbooks/undercloud.yml", {"nestedcloud_lab": lab(n)}, env)
        got["ours_servers"] = task_time(out, SERVERS_TASK)
        got["ours_timings"] = task_result(out, SERVERS_TASK)["timings"]
        got["ours_rerun"], out = ansible("playbooks/undercloud.yml", {"nestedcloud_lab": lab(n)}, env)
        if changed(out):
            sys.exit("the re-run changed something: %s" % json.dumps(
                [t["task"]["name"] for t in _tasks(out) if t["hosts"].get("localhost", {}).get("changed")]))
    finally:
        got["teardown"], _out = ansible("playbooks/teardown.yml", {"nestedcloud_lab": lab(n)}, env)
    return got


def commit():
    """The checkout's commit, with "+ changes" when the work tree differs from it."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=TOP, capture_output=True, text=True, check=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=TOP, capture_output=True,
                           text=True, check=False)
    return (head.stdout.strip() or "unknown") + (" + changes" if dirty.stdout.strip() else "")


def where_the_time_goes(runs, timings, times, top=10):
    """The servers phase of the median round, step by step and request by request, beside the bulk create."""
    median = sorted(range(len(runs["ours_servers"])), key=lambda i: runs["ours_servers"][i])[len(runs["ours_servers"]) // 2]
    chosen = timings[median]
    lines = [
        "",
        "## Where the servers phase goes (round %d, the median; from the module's result `timings`)" % (median + 1),
        "",
        "| step | seconds | share |",
        "|---|---:|---:|",
    ]
    phase_total = sum(chosen["phases"].values()) or 1
    for name, seconds in chosen["phases"].items():
        lines.append("| %s | %.1f | %.0f%% |" % (name, seconds, 100 * seconds / phase_total))
    lines += [
        "| the task itself (Ansible: module transfer, start, connection, lists before the steps) | %.1f | |"
        % (runs["ours_servers"][median] - phase_total),
        "| bulk create: its one create call / all ACTIVE | %.1f / %.1f | |" % (times["bulk_post"], times["bulk"]),
        "",
        "| request (method, service, path without ids) | count | total s | longest s |",
        "|---|---:|---:|---:|",
    ]
    for row in chosen["api"][:top]:
        lines.append("| `%s` | %d | %.1f | %.2f |" % (row["call"], row["count"], row["total_s"], row["longest_s"]))
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of our role and of the bulk create; the report takes medians (the "
                        "openstack.cloud loop and the sequential script run once: they are long and not the target)")
    parser.add_argument("--out", default=os.path.join(HERE, "results.md"))
    parser.add_argument("--ours-only", action="store_true",
                        help="time our role alone (first run, re-run, teardown) and write nothing: for tuning")
    args = parser.parse_args()
    use_monotonic_clock()
    conn = openstack.connect(cloud="undercloud")
    home = tempfile.mkdtemp(prefix="nestedcloud-bench-")
    key = os.path.join(home, "k")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
    public_key = open(key + ".pub").read().strip()
    env = {"HOME": home}
    n = args.count
    runs = dict((k, []) for k in ("ours", "ours_servers", "ours_timings", "ours_rerun", "teardown", "bulk",
                                  "bulk_post"))

    for round_ in range(1, args.repeat + 1):
        print("round %d/%d: ours (first run, re-run, teardown)" % (round_, args.repeat), flush=True)
        for key_, value in ours(n, env).items():
            runs[key_].append(value)
        if args.ours_only:
            continue
        print("round %d/%d: cloud limit, one bulk create of %d servers" % (round_, args.repeat, n + 1), flush=True)
        try:
            took, posted = bulk(conn, n + 1)
            runs["bulk"].append(took)
            runs["bulk_post"].append(posted)
        finally:
            cleanup_prefix(conn, "bbulk")
    if args.ours_only:
        print(json.dumps(runs, indent=1))
        return
    timings = runs.pop("ours_timings")
    times = dict((k, statistics.median(v)) for k, v in runs.items())

    print("baseline: openstack.cloud loop", flush=True)
    bindir, collections = baseline_ansible()
    try:
        times["oc_loop"], out = ansible(os.path.join(HERE, "openstack_cloud_loop.yml"),
                                        {"bench_count": n, "bench_public_key": public_key},
                                        dict(env, ANSIBLE_COLLECTIONS_PATH=collections), bindir)
        times["oc_loop_servers"] = task_time(out, "Servers")
    finally:
        cleanup_prefix(conn, "bocl")

    print("baseline: sequential openstacksdk", flush=True)
    start = time.monotonic()
    try:
        sdk_sequential(conn, n, public_key)
        times["sdk_seq"] = time.monotonic() - start
    finally:
        cleanup_prefix(conn, "bsdk")

    def each(key_):
        return ", ".join("%.1f" % v for v in runs[key_])

    lines = [
        "# Undercloud provisioning benchmark",
        "",
        "Command: `make bench-undercloud` (`python benchmarks/undercloud/bench.py --count %d --repeat %d`), at commit "
        "%s, %s, %d cores." % (n, args.repeat, commit(), time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime()), os.cpu_count()),
        "Lab: r0 + %d uc- servers, %d ports with fixed IPs, %d data volumes attached, network, router, "
        "security groups, keypair, floating IP; local undercloud, 2 cores." % (n, n + 1, n),
        "Our role and the bulk create ran %d rounds each (medians below, every round in the last column); "
        "the two baselines ran once." % args.repeat,
        "",
        "| what | seconds | rounds |",
        "|---|---|---|",
        "| ours, first run (whole role, incl. capacity check) | %.1f | %s |" % (times["ours"], each("ours")),
        "| ours, servers phase (ports, volumes, servers, attachments) | %.1f | %s |"
        % (times["ours_servers"], each("ours_servers")),
        "| ours, idempotent re-run | %.1f | %s |" % (times["ours_rerun"], each("ours_rerun")),
        "| ours, teardown | %.1f | %s |" % (times["teardown"], each("teardown")),
        "| openstack.cloud loop, whole lab | %.1f | |" % times["oc_loop"],
        "| openstack.cloud loop, servers task | %.1f | |" % (times["oc_loop_servers"] or -1),
        "| plain openstacksdk, sequential, whole lab | %.1f | |" % times["sdk_seq"],
        "| one bulk create (min_count=%d), servers only | %.1f | %s |" % (n + 1, times["bulk"], each("bulk")),
        "",
        "| ratio (of medians) | value | target |",
        "|---|---|---|",
        "| openstack.cloud loop / ours | %.2f | >= 5 |" % (times["oc_loop"] / times["ours"]),
        "| sequential openstacksdk / ours | %.2f | |" % (times["sdk_seq"] / times["ours"]),
        "| ours servers phase / bulk create | %.2f | <= 1.2 |" % (times["ours_servers"] / times["bulk"]),
        "| re-run / first run | %.3f | < 0.10 |" % (times["ours_rerun"] / times["ours"]),
    ]
    lines += where_the_time_goes(runs, timings, times)
    text = "\n".join(lines) + "\n"
    print(text)
    with open(args.out, "w") as handle:
        handle.write(text)


if __name__ == "__main__":
    main()
