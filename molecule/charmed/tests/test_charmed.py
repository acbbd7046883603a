# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Verifier of the maas and juju roles on real hosts: what they left on oc-0001 (the MAAS VM's place) and on r0."""

from __future__ import annotations

import json

import pytest
import yaml

testinfra_hosts = ["ncc-oc-0001"]


@pytest.fixture(scope="module")
def r0():
    import testinfra
    return testinfra.get_host("podman://ncc-r0")


def juju_state(host):
    return json.loads(host.file("/var/lib/ncc-juju.json").content_string)


# Reads MAAS's machines as any API client does: OAuth 1.0 PLAINTEXT with the admin's key.
MACHINES = """
import json, time, uuid, urllib.request
ck, tk, secret = "ConsumerKey123:TokenKey45678:TokenSecretAbCdEf".split(":")
auth = ('OAuth realm="", oauth_version="1.0", oauth_signature_method="PLAINTEXT", oauth_consumer_key="%s", '
        'oauth_token="%s", oauth_signature="%%26%s", oauth_nonce="%s", oauth_timestamp="%d"'
        % (ck, tk, secret, uuid.uuid4().hex, time.time()))
request = urllib.request.Request("http://10.22.0.11:5240/MAAS/api/2.0/machines/", headers={"Authorization": auth})
print(urllib.request.urlopen(request).read().decode())
"""


def test_maas_holds_the_plans_machines_ready_with_redfish_power(host):
    machines = json.loads(host.check_output("python3 -c %s", MACHINES))
    assert sorted(m["hostname"] for m in machines) == ["oc-0002", "oc-0003", "oc-0004", "oc-0005"]
    assert all(m["status_name"] == "Ready" and m["power_type"] == "redfish" for m in machines)


def test_juju_inputs_are_root_only(host):
    assert host.file("/root/.nestedcloud-juju").mode == 0o700
    assert host.file("/root/.nestedcloud-juju/credentials.yaml").mode == 0o600
    assert "TokenSecretAbCdEf" in host.file("/root/.nestedcloud-juju/credentials.yaml").content_string


def test_the_controller_was_bootstrapped_once_in_the_background_and_is_done(host):
    state = juju_state(host)
    bootstraps = [call for call in state["calls"] if call[0] == "bootstrap"]
    assert len(bootstraps) == 1 and "tags=juju-controller" in bootstraps[0]
    log = host.file("/root/.nestedcloud-juju/bootstrap.log").content_string
    assert "Bootstrap complete" in log
    assert not host.file("/root/.nestedcloud-juju/bootstrap.rc").exists  # picked up and cleared
    running = host.run("grep -ls 'fake_juju.py.boot[s]trap' /proc/[0-9]*/cmdline")
    assert running.stdout.strip() == ""  # nothing left running
    assert state["controllers"]["ncc"]["config"]["http-proxy"] == "http://10.33.0.1:3128/"
    assert "vault" in state["models"]["ncc:openstack"]["applications"] and state["authorized"]


def test_vault_keys_and_the_inner_clouds_credentials_are_on_r0_root_only(host, r0):
    keys = r0.file("/root/.nestedcloud-vault/keys.json")
    assert keys.mode == 0o600 and len(json.loads(keys.content_string)["keys"]) == 5
    assert not host.file("/root/.nestedcloud-vault").exists  # never on the MAAS VM
    openrc = r0.file("/root/openrc")
    assert openrc.mode == 0o600 and "export OS_AUTH_URL=https://10.22.0.11:5000/v3" in openrc.content_string
    assert "export OS_CACERT=/root/overcloud-ca.pem" in openrc.content_string
    clouds = yaml.safe_load(r0.file("/root/.config/openstack/clouds.yaml").content_string)
    assert r0.file("/root/.config/openstack/clouds.yaml").mode == 0o600
    assert clouds["clouds"]["overcloud"]["cacert"] == "/root/overcloud-ca.pem"
    assert "BEGIN CERTIFICATE" in r0.file("/root/overcloud-ca.pem").content_string


def test_the_openstack_cli_on_r0_reads_that_cloud(r0):
    """The CLI from Debian's packages parses the entry (and fails only where the stand-in has no Keystone)."""
    assert r0.run("openstack --version").rc == 0
    config = r0.run("python3 -c \"import openstack.config as c; print(c.OpenStackConfig().get_one('overcloud')"
                    ".config['auth']['user_domain_name'])\"")
    assert config.rc == 0 and config.stdout.strip() == "admin_domain", config.stderr
