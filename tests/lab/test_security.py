# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whole lab of `make lab`, probed from the internet (its "outside" namespace), and every log and output of the
run searched for the secrets the run made or used.

The hosts' own rules are checked piece by piece on r0 + 3 uc- hosts by the multihost scenario
(molecule/multihost/tests/test_security.py); here the same r0 carries the inner cloud as well.
"""

from __future__ import annotations

import glob
import io
import json
import os
import re
import subprocess
import tarfile

import yaml

LAB = "nclab"
STATE = os.environ.get("NC_LAB_STATE", "/tmp/nestedcloud-lab")
OUTSIDE_NS = LAB + "-out"
LAB_DIR = os.path.expanduser("~/.nestedcloud/" + LAB)
PROBE = os.path.join(os.path.dirname(__file__), "..", "hosts", "probe.py")
ENV = dict(os.environ, CONTAINERS_CONF=os.path.join(os.path.dirname(__file__), "..", "hosts", "containers.conf"))


def floating_ip():
    with open(os.path.join(STATE, "ssh_config")) as handle:
        return re.search(r"^Host (\d+\.\d+\.\d+\.\d+)$", handle.read(), re.M).group(1)


def outside(*argv, timeout=300):
    return subprocess.run(["ip", "netns", "exec", OUTSIDE_NS] + [str(a) for a in argv], capture_output=True,
                          text=True, timeout=timeout, check=False)


def containers():
    names = subprocess.run(["podman", "ps", "--format", "{{.Names}}"], capture_output=True, text=True, check=True,
                           env=ENV).stdout.split()
    return sorted(name for name in names if name.startswith(LAB + "-"))


def podman(*argv, text=False, merge=False):
    return subprocess.run(["podman", *argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT if merge else subprocess.PIPE,
                          check=True, env=ENV, text=text).stdout


def test_from_outside_only_ssh_answers_on_any_tcp_port():
    done = outside("python3", PROBE, "tcp", floating_ip())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"open": [22], "tried": 65535}, done.stdout


def test_from_outside_no_udp_service_answers():
    listening = {int(item.rsplit(":", 1)[1])
                 for item in podman("exec", LAB + "-r0", "sh", "-c", "ss -Huln | awk '{print $4}'", text=True).split()}
    assert {53, 123, 4789}.issubset(listening), listening  # the resolver, the time server and the VXLAN device
    results = {}
    for port in sorted(listening):
        done = outside("python3", PROBE, "udp", floating_ip(), port, {53: "dns", 123: "ntp"}.get(port, "empty"))
        results[port] = done.stdout.strip() or done.stderr
    assert set(results.values()) == {"silent"}, results


def test_ssh_offers_no_password_login_even_for_root():
    for user in ("root", "debian"):
        done = outside("ssh", "-o", "BatchMode=yes", "-o", "PubkeyAuthentication=no", "-o", "ConnectTimeout=10",
                       "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                       "%s@%s" % (user, floating_ip()), "true", timeout=60)
        assert done.returncode == 255, done
        # the methods sshd offers: none a password or a prompt could satisfy
        assert "Permission denied (publickey)." in done.stderr, done.stderr


def lab_secrets(outer_clouds):
    """Every secret of the run: generated passwords, the lab's private key, the outer cloud's passwords."""
    secrets = {}
    text = podman("exec", LAB + "-uc-0001", "cat", "/etc/nestedcloud/overcloud-secrets.yml", text=True)
    secrets.update(("overcloud password %s" % k, str(v)) for k, v in yaml.safe_load(text).items())
    with open(os.path.join(LAB_DIR, "id_ed25519")) as handle:
        body = [line for line in handle.read().splitlines() if line and not line.startswith("-----")]
    secrets.update(("line %d of the lab's private key" % n, line) for n, line in enumerate(body, 1))
    with open(outer_clouds) as handle:
        for name, cloud in yaml.safe_load(handle)["clouds"].items():
            secrets["outer cloud %s's password" % name] = cloud["auth"]["password"]
    assert all(len(value) >= 16 for value in secrets.values()), "a secret too short to search for"
    return secrets


def find(secrets, where, data, found):
    for name, value in secrets.items():
        if value.encode() in data:
            found.append("%s in %s" % (name, where))


def test_no_secret_in_any_log_or_output(outer_clouds):
    secrets = lab_secrets(outer_clouds)
    found, searched = [], []
    # this machine: the output of every site.yml run, the runner's job events (as AWX keeps them), the smoke report
    paths = glob.glob(os.path.join(STATE, "**", "*"), recursive=True) + glob.glob(os.path.join(LAB_DIR, "smoke-*"))
    for path in paths:
        if os.path.isfile(path) and not path.endswith(("ssh_config", "known_hosts")):
            with open(path, "rb") as handle:
                find(secrets, path, handle.read(), found)
            searched.append(path)
    assert any(p.endswith("site.log") for p in searched), searched
    # every host: each file under /var/log, the journal (every service's output) and the container's console
    for name in containers():
        archive = tarfile.open(fileobj=io.BytesIO(podman("exec", name, "tar", "-C", "/", "-cf", "-",
                                                         "--exclude=var/log/journal", "var/log")))
        count = 0
        for member in archive.getmembers():
            if member.isfile():
                find(secrets, "%s:/%s" % (name, member.name), archive.extractfile(member).read(), found)
                count += 1
        find(secrets, "%s's journal" % name, podman("exec", name, "journalctl", "--no-pager", "-o", "cat"), found)
        find(secrets, "%s's console" % name, podman("logs", name, merge=True), found)
        searched.append("%s (%d files)" % (name, count))
    assert len(containers()) == 4, searched
    assert not found, "secrets in logs: %s" % found
