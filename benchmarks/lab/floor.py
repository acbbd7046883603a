"""The floor of the overcloud layer, for `make bench-lab` (benchmarks/lab/bench.sh).

What no deployment tool can beat: on fresh test hosts from the same image and the same warm package cache, one
`apt-get install` per host of the packages the overcloud layer installed on that host, run on all hosts at once, then
the services' database syncs on the controller - the same commands as the overcloud role's "Schemas" task, with the
lab controller's own configuration files and a database server of its own.

Which packages: each lab host's apt history (/var/log/apt/history.log). A transaction that started inside the
overcloud layer of the first site.yml (its window is read from that run's log, stamped by profile_tasks) belongs to
the layer; the packages it installed on request (not as dependencies) are what the floor installs, timed. Those of
the transactions before the layer (the hypervisor layer's libvirt, for example) are installed first, untimed, so that
each floor host starts from where the layer started. Maintainer scripts start no daemon (policy-rc.d) and find the
lab host's debconf answers, as in the role.

  floor.py warm LOG?            fill the package cache first: one throwaway host downloads the overcloud role's
                                package sets (nothing installed); run before the first site.yml
  floor.py measure FIRST_LOG    the floor, as JSON on stdout (progress on stderr); the lab must be up
"""
import argparse
import concurrent.futures
import configparser
import datetime
import json
import os
import re
import subprocess
import sys
import time
from urllib.parse import unquote, urlsplit

import yaml

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HOSTS = os.path.join(TOP, "tests", "hosts", "testhosts.sh")
ROLE = os.path.join(TOP, "roles", "overcloud")
FLOOR = "ncfloor"
APT_ENV = ["env", "DEBIAN_FRONTEND=noninteractive"]
APT_GET = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=600", "--no-install-recommends"]

PLAY = re.compile(r"^PLAY \[(.*)\] \*+\s*$")
# Tuesday 24 November 2026  02:29:29 +0000 (0:00:00.021)       0:00:00.021 ******
STAMP = re.compile(r"^\w+ (\d+ \w+ \d{4})\s+([\d:]+) \+0000 \(")
INSTALLED = re.compile(r"([^\s,():]+):[^\s,()]+ \(([^)]*)\)")


def progress(message):
    sys.stderr.write("[floor] %s\n" % message)
    sys.stderr.flush()


# --- pure parts (tests/unit/test_bench_lab.py) -----------------------------------------------------------------------
def layer_window(lines, layer="Overcloud"):
    """(start, end) datetimes (UTC) of a layer in a site.yml log: from the first task stamp after the layer's first
    play to the first stamp after the next play that is not the layer's (or the log's last stamp)."""
    start = end = last = None
    state = "before"  # before -> in (layer's play seen) -> started -> after (another layer's play seen)
    for line in lines:
        play = PLAY.match(line)
        if play:
            name = play.group(1)
            is_layer = name.split(",")[0].replace(" layer", "") == layer
            if state == "before" and is_layer:
                state = "in"
            elif state == "started" and not is_layer:  # a check play opens the next layer (layer_times.py)
                state = "after"
            continue
        stamp = STAMP.match(line)
        if not stamp:
            continue
        last = datetime.datetime.strptime("%s %s" % stamp.groups(), "%d %B %Y %H:%M:%S")
        if state == "in":
            start, state = last, "started"
        elif state == "after" and end is None:
            end = last
    if start is None:
        raise ValueError("no play of the %s layer with a stamped task in the log" % layer)
    return start, end or last


def apt_history(text):
    """The transactions of an apt history.log: [{"start": datetime, "requested": [package, ...]}], where requested
    are the packages installed on request (not automatic, i.e. not only as dependencies)."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        fields = dict(line.split(": ", 1) for line in block.strip().splitlines() if ": " in line)
        if "Start-Date" not in fields:
            continue
        start = datetime.datetime.strptime(" ".join(fields["Start-Date"].split()), "%Y-%m-%d %H:%M:%S")
        requested = [name for name, detail in INSTALLED.findall(fields.get("Install", ""))
                     if "automatic" not in detail]
        out.append({"start": start, "requested": requested})
    return out


def split_history(transactions, window):
    """(before, during): the packages requested before the window and inside it, each in order, without repeats."""
    start, end = window
    before, during = [], []
    for item in transactions:
        target = before if item["start"] < start else during if item["start"] < end else None
        if target is not None:
            target.extend(p for p in item["requested"] if p not in before and p not in during)
    return before, during


def database_grants(config_texts, databases):
    """The databases and users the syncs need, from the services' configuration files ({path: text}) and the role's
    databases by service ({service: [database, ...]}): [(database, user, host, password)]. A service's user is the
    one in its own connection URLs."""
    users = {}
    for text in config_texts.values():
        parser = configparser.RawConfigParser(strict=False, interpolation=None)
        try:
            parser.read_string(text)
        except configparser.Error:
            continue  # not an INI file (dnsmasq's, for example): no database URL in it
        for section in parser.sections():
            url = parser.get(section, "connection", fallback="")
            if not url.startswith("mysql"):
                continue
            parts = urlsplit(url)
            users[parts.username] = (parts.hostname, unquote(parts.password or ""))
    grants = []
    for service, names in databases.items():
        if service not in users:
            raise ValueError("no database connection of user %s in the configuration files" % service)
        host, password = users[service]
        grants.extend((name, service, host, password) for name in names)
    return grants


def sql_string(text):
    return "'%s'" % text.replace("\\", "\\\\").replace("'", "\\'")


def grant_sql(grants):
    quote = sql_string
    return "".join(
        "CREATE DATABASE IF NOT EXISTS %s; CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY %s; "
        "GRANT ALL PRIVILEGES ON %s.* TO %s@%s; " % (db, quote(user), quote(host), quote(pw), db, quote(user), quote(host))
        for db, user, host, pw in grants)


def table_count_sql(databases):
    return ("SELECT table_schema, COUNT(*) FROM information_schema.tables WHERE table_schema IN (%s) "
            "GROUP BY table_schema ORDER BY table_schema" % ", ".join("'%s'" % name for name in databases))


def without_tables(tables, databases):
    """The role's databases ({service: [database, ...]}) that have no table in ``tables`` ({database: count})."""
    return sorted(name for names in databases.values() for name in names if not tables.get(name))


def role_syncs(schemas_yml):
    """[(name, shell command)] of the overcloud role's "Schemas" task, in its order."""
    for task in schemas_yml:
        if task.get("name") == "Schemas":
            return [(item["name"], item["cmd"]) for item in task["loop"]]
    raise ValueError("the overcloud role has no task named Schemas")


def role_package_sets(*var_files):
    """Every list of package names the overcloud role's variable files hold (keys ending in _packages)."""
    out = []
    for data in var_files:
        for key, value in (data or {}).items():
            if key.endswith("_packages") and isinstance(value, list) and all(isinstance(v, str) for v in value):
                out.extend(v for v in value if v not in out)
    return out


# --- the test hosts ----------------------------------------------------------------------------------------------------
def run(argv, **kwargs):
    return subprocess.run(argv, check=True, text=True, capture_output=True, **kwargs).stdout


def podman_exec(container, argv, stdin=None):
    return run(["podman", "exec", "-i", container] + argv, input=stdin)


def timed(label, func, *args):
    began = time.monotonic()
    func(*args)
    seconds = time.monotonic() - began
    progress("%s: %.0f s" % (label, seconds))
    return seconds


def hosts_up(names):
    env = dict(os.environ, CONTAINERS_CONF=os.path.join(TOP, "tests", "hosts", "containers.conf"))
    specs = ["%s=10.22.1.%d" % (name, 10 + i) for i, name in enumerate(names)]
    subprocess.run([HOSTS, "net", "up", FLOOR] + specs, check=True, env=env, stdout=sys.stderr)
    # what the lab's uc- hosts have (tests/hosts: never privileged): mariadb and the maintainer scripts need no more
    env["NC_HOST_CAPS"] = "NET_ADMIN,NET_RAW,SYS_ADMIN,DAC_READ_SEARCH,SYS_PTRACE"
    subprocess.run([HOSTS, "run", FLOOR] + list(names), check=True, env=env, stdout=sys.stderr)


def hosts_down(names):
    subprocess.run([HOSTS, "rm", FLOOR] + list(names), check=False, stdout=sys.stderr)
    subprocess.run([HOSTS, "net", "down", FLOOR], check=False, stdout=sys.stderr)


def copy_tree(source, target, paths):
    """tar of PATHS (relative to /) from container SOURCE into container TARGET; missing paths are skipped."""
    present = run(["podman", "exec", source, "sh", "-c",
                   "for p in %s; do [ -e /$p ] && echo $p; done; true" % " ".join(paths)]).split()
    if not present:
        return
    data = subprocess.run(["podman", "exec", source, "tar", "-C", "/", "-cf", "-"] + present,
                          check=True, capture_output=True).stdout
    subprocess.run(["podman", "exec", "-i", target, "tar", "-C", "/", "-xf", "-"], input=data, check=True,
                   capture_output=True)


def apt_install(container, packages):
    podman_exec(container, APT_ENV + APT_GET + ["install"] + packages)


def parallel(func, items):
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(items) or 1) as pool:
        return dict(zip(items, pool.map(func, items)))


# --- commands --------------------------------------------------------------------------------------------------------
def warm(args):
    with open(os.path.join(ROLE, "vars", "Debian.yml")) as a, open(os.path.join(ROLE, "vars", "network-ovn.yml")) as b:
        packages = role_package_sets(yaml.safe_load(a), yaml.safe_load(b))
    hosts_up(["warm"])
    try:
        container = "%s-warm" % FLOOR
        podman_exec(container, ["apt-get", "-q", "update"])
        seconds = timed("package cache warmed with %d packages and their dependencies" % len(packages),
                        podman_exec, container, APT_ENV + APT_GET + ["install", "--download-only"] + packages)
    finally:
        hosts_down(["warm"])
    json.dump({"packages": packages, "seconds": round(seconds, 1)}, sys.stdout)
    print()


def lab_hosts(lab):
    names = run(["podman", "ps", "--format", "{{.Names}}"]).split()
    return sorted(n[len(lab) + 1:] for n in names if n.startswith(lab + "-"))


def measure(args):
    with open(args.first_log) as handle:
        window = layer_window(handle)
    progress("overcloud layer of the first run: %s to %s UTC" % window)
    plan = {}
    for name in lab_hosts(args.lab):
        text = podman_exec("%s-%s" % (args.lab, name), ["sh", "-c", "cat /var/log/apt/history.log 2>/dev/null; true"])
        before, during = split_history(apt_history(text), window)
        if during:
            plan[name] = {"before": before, "during": during}
    if not plan:
        sys.exit("no lab host installed a package during the overcloud layer (is the lab up, was %s its first run?)"
                 % args.first_log)
    controllers = [n for n, p in plan.items() if "keystone" in p["during"]]
    if len(controllers) != 1:
        sys.exit("expected one host that installed keystone in the overcloud layer, found %s" % controllers)
    controller = controllers[0]
    names = sorted(plan)
    floor = {name: "%s-%s" % (FLOOR, name) for name in names}
    result = {"window": [str(w) for w in window], "hosts": {}, "controller": controller}
    hosts_up(names)
    try:
        def prepare(name):
            lab = "%s-%s" % (args.lab, name)
            # the lab host's package sources and debconf answers; the floor host keeps its own proxy (the same cache)
            copy_tree(lab, floor[name], ["etc/apt/sources.list", "etc/apt/sources.list.d", "etc/apt/preferences.d",
                                         "etc/apt/trusted.gpg.d", "etc/apt/keyrings", "var/cache/debconf/config.dat",
                                         "var/cache/debconf/templates.dat"])
            podman_exec(floor[name], ["apt-get", "-q", "update"])
            if plan[name]["before"]:
                apt_install(floor[name], plan[name]["before"])
            podman_exec(floor[name], ["sh", "-c", "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d; "
                                      "chmod 755 /usr/sbin/policy-rc.d"])
        timed("floor hosts %s at the state the overcloud layer started from" % ", ".join(names), parallel, prepare,
              names)

        def install(name):
            return round(timed("%s: apt-get install of %d packages" % (name, len(plan[name]["during"])),
                               apt_install, floor[name], plan[name]["during"]), 1)
        began = time.monotonic()
        seconds = parallel(install, names)
        result["install_wall_s"] = round(time.monotonic() - began, 1)
        for name in names:
            result["hosts"][name] = {"packages": plan[name]["during"], "install_s": seconds[name],
                                     "untimed_before": len(plan[name]["before"])}
        result["syncs"], result["tables"] = syncs(args.lab, controller, floor[controller])
        empty = without_tables(result["tables"], role_databases())
        if empty:
            sys.exit("the schema syncs left databases without tables: %s" % empty)
    finally:
        hosts_down(names)
    result["syncs_s"] = round(sum(step[1] for step in result["syncs"]), 1)
    result["floor_s"] = round(result["install_wall_s"] + result["syncs_s"], 1)
    json.dump(result, sys.stdout, indent=1)
    print()


def role_databases():
    with open(os.path.join(ROLE, "vars", "main.yml")) as handle:
        return yaml.safe_load(handle)["_overcloud_databases"]


def syncs(lab, controller, target):
    """The role's schema syncs on the floor controller, each timed: ([(name, seconds)], {database: tables})."""
    source = "%s-%s" % (lab, controller)
    dirs = ["etc/keystone", "etc/glance", "etc/placement", "etc/nova", "etc/neutron"]
    copy_tree(source, target, dirs)
    listing = podman_exec(source, ["sh", "-c", "find %s -name '*.conf' -o -name '*.ini' | sort" %
                                   " ".join("/" + d for d in dirs)]).split()
    configs = {path: podman_exec(source, ["cat", path]) for path in listing}
    databases = role_databases()
    with open(os.path.join(ROLE, "tasks", "schemas.yml")) as handle:
        commands = role_syncs(yaml.safe_load(handle))
    podman_exec(target, ["sh", "-c", "rm -f /usr/sbin/policy-rc.d && systemctl start mariadb"])
    grants = database_grants(configs, databases)
    podman_exec(target, ["mariadb"], stdin=grant_sql(grants))
    out = []
    for name, command in commands:
        out.append((name, round(timed("schema sync of %s" % name, podman_exec, target,
                                      ["bash", "-c", "set -e; " + command]), 1)))
    # what the syncs made: tables per database (a sync that did nothing would show here)
    names = sorted({grant[0] for grant in grants})
    counted = podman_exec(target, ["mariadb", "-N", "-B", "-e", table_count_sql(names)])
    return out, dict((db, int(n)) for db, n in (line.split("\t") for line in counted.splitlines() if line))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("warm")
    m = sub.add_parser("measure")
    m.add_argument("first_log")
    m.add_argument("--lab", default="nclab")
    args = parser.parse_args(argv)
    try:
        {"warm": warm, "measure": measure}[args.command](args)
    except subprocess.CalledProcessError as err:
        sys.exit("failed: %s\n%s%s" % (" ".join(err.cmd), err.stdout or "", err.stderr or ""))


if __name__ == "__main__":
    main()
