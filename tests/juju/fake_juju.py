# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for the ``juju`` client (3.x) for the juju role's tests: the subcommands the role runs, with the
refusals of the real client that matter to us, and a model that settles over a few looks.

Run as ``python fake_juju.py ARGS``; the state is the JSON file $FAKE_JUJU_STATE, every call is appended to its
``calls``. Vault units answer from the fake Vault at $FAKE_VAULT_URL (tests/juju/fake_vault.py), so the status of the
vault application follows what the role did to Vault, as the charm's does.

Refusals (as the real client words them, shortened): an existing cloud, credential, controller or model added again;
a cloud type other than maas or an endpoint missing; a credential that is not oauth1 with a three-part maas-oauth; a
bootstrap or a model whose settings mix legacy and juju-* proxy keys (juju/juju environs/config); a bootstrap
without base; a model or controller that does not exist; authorize-charm with a token Vault does not know.
JSON shapes are Juju 3's as documented; recorded ones from a real run should replace them (README).
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
import urllib.request

import yaml

LEGACY = {"http-proxy", "https-proxy", "ftp-proxy", "no-proxy"}
JUJU_PROXY = {"juju-http-proxy", "juju-https-proxy", "juju-ftp-proxy", "juju-no-proxy"}
CA = "-----BEGIN CERTIFICATE-----\nMIIFakeVaultRootCA\n-----END CERTIFICATE-----"


class Refused(Exception):
    pass


def lock():
    """An exclusive lock on the state for this process (released at exit or by unlock)."""
    handle = open(os.environ["FAKE_JUJU_STATE"] + ".lock", "w")
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def load():
    path = os.environ["FAKE_JUJU_STATE"]
    if os.path.exists(path):
        with open(path) as handle:
            return json.load(handle)
    return {"calls": [], "clouds": {}, "credentials": {}, "controllers": {}, "models": {}, "status_calls": 0,
            "authorized": False, "admin_password": "Keystone-Admin-Pw-42"}


def save(state):
    path = os.environ["FAKE_JUJU_STATE"]
    with open(path + ".tmp", "w") as handle:
        json.dump(state, handle, indent=1)
    os.replace(path + ".tmp", path)


def option(args, name, many=False):
    """Values of ``--name value`` in args (removed from args)."""
    found = []
    while name in args:
        index = args.index(name)
        found.append(args[index + 1])
        del args[index:index + 2]
    return found if many else (found[-1] if found else None)


def check_proxies(settings, what):
    if LEGACY & set(settings) and JUJU_PROXY & set(settings):
        raise Refused("%s: cannot specify both legacy proxy values and juju proxy values" % what)


def settings_of(values):
    """--config values: YAML files or key=value."""
    found = {}
    for value in values:
        if "=" in value and not os.path.exists(value):
            key, val = value.split("=", 1)
            found[key] = val
        else:
            with open(value) as handle:
                found.update(yaml.safe_load(handle) or {})
    return found


def vault_state():
    with urllib.request.urlopen(os.environ["FAKE_VAULT_URL"] + "/v1/sys/seal-status", timeout=5) as answer:
        return json.load(answer)


def merged_bundle(bundle_file, overlays):
    with open(bundle_file) as handle:
        bundle = yaml.safe_load(handle)
    for path in overlays:
        with open(path) as handle:
            extra = yaml.safe_load(handle) or {}
        for section in ("applications", "machines"):
            for name, value in (extra.get(section) or {}).items():
                if value is None:
                    bundle.get(section, {}).pop(name, None)
                else:
                    bundle.setdefault(section, {}).setdefault(name, {}).update(value)
    return bundle


def unit_status(state, app):
    """(workload, message) of a unit of ``app`` at this look."""
    if state["status_calls"] < int(os.environ.get("FAKE_JUJU_SETTLE", "2")):
        return "waiting", "agent initialising"
    if app == "vault":
        vault = vault_state()
        if not vault["initialized"]:
            return "blocked", "Vault needs to be initialized"
        if vault["sealed"]:
            return "blocked", "Unit is sealed"
        if not state["authorized"]:
            return "blocked", "Charm authorization required"
        return "active", "Unit is ready (active: true, mlock: disabled)"
    if not state["authorized"]:
        return "waiting", "'certificates' awaiting server certificate data"
    return "active", "Unit is ready"


def status(state, target):
    model = state["models"].get(target)
    if model is None:
        raise Refused("model %s not found" % target)
    state["status_calls"] += 1
    apps = {}
    for name, app in sorted(model["applications"].items()):
        units = {}
        for number in range(int(app.get("num_units") or 0)):
            workload, message = unit_status(state, name)
            units["%s/%d" % (name, number)] = {
                "workload-status": {"current": workload, "message": message},
                "juju-status": {"current": "idle"}, "machine": str(number), "leader": number == 0,
                "public-address": os.environ.get("FAKE_JUJU_ADDRESS", "127.0.0.1")}
        apps[name] = {"charm": app["charm"], "charm-channel": app.get("channel"), "units": units}
    machines = {str(n): {"juju-status": {"current": "started"}, "machine-status": {"current": "running"}}
                for n in range(len(model["machines"]))}
    return {"model": {"name": target.split(":")[1]}, "machines": machines, "applications": apps}


def main(argv, held):
    state = load()
    state["calls"].append(argv)
    args = list(argv)
    args = [a for a in args if a not in ("--format=json", "--client", "--no-switch", "--show-secrets")]
    command = args.pop(0)
    out = ""
    if command == "clouds":
        out = json.dumps({name: dict(cloud, defined="local", description="Metal As A Service")
                          for name, cloud in state["clouds"].items()})
    elif command in ("add-cloud", "update-cloud"):
        path = option(args, "-f") or args[1]
        name = args[0]
        with open(path) as handle:
            cloud = ((yaml.safe_load(handle) or {}).get("clouds") or {}).get(name)
        if cloud is None:
            raise Refused("cloud %s not found in file %s" % (name, path))
        if cloud.get("type") != "maas" or not cloud.get("endpoint") or "oauth1" not in (cloud.get("auth-types") or []):
            raise Refused("invalid cloud %s: a maas cloud needs an endpoint and auth-types [oauth1]" % name)
        if command == "add-cloud" and name in state["clouds"]:
            raise Refused('cloud "%s" already exists; use update-cloud' % name)
        state["clouds"][name] = cloud
    elif command == "credentials":
        cloud = args[0] if args else None
        out = json.dumps({"client-credentials": {c: {"cloud-credentials": creds}
                                                 for c, creds in state["credentials"].items() if c == cloud or not cloud}})
    elif command in ("add-credential", "update-credential"):
        path = option(args, "-f")
        cloud = args[0]
        if cloud not in state["clouds"]:
            raise Refused("cloud %s not valid" % cloud)
        with open(path) as handle:
            creds = ((yaml.safe_load(handle) or {}).get("credentials") or {}).get(cloud) or {}
        for name, cred in creds.items():
            if cred.get("auth-type") != "oauth1" or len(str(cred.get("maas-oauth", "")).split(":")) != 3:
                raise Refused("credential %s: maas needs auth-type oauth1 and maas-oauth key:token:secret" % name)
            if command == "add-credential" and name in state["credentials"].get(cloud, {}):
                raise Refused('local credential "%s" for cloud "%s" already exists; use update-credential' % (name, cloud))
            state["credentials"].setdefault(cloud, {})[name] = {
                "auth-type": "oauth1", "details": {k: v for k, v in cred.items() if k != "auth-type"}}
    elif command == "controllers":
        out = json.dumps({"controllers": state["controllers"], "current-controller": ""})
    elif command == "bootstrap":
        configs = settings_of(option(args, "--config", many=True))
        base, credential = option(args, "--bootstrap-base"), option(args, "--credential")
        constraints = option(args, "--bootstrap-constraints")
        cloud, name = args
        if not base:
            raise Refused("bootstrap needs --bootstrap-base")
        if cloud not in state["clouds"] or credential not in state["credentials"].get(cloud, {}):
            raise Refused("cloud %s or credential %s not known" % (cloud, credential))
        if name in state["controllers"]:
            raise Refused('controller "%s" already exists' % name)
        check_proxies(configs, "bootstrap config")
        save(state)
        held.close()  # a bootstrap takes long; other juju commands run meanwhile
        for line in ("Creating Juju controller \"%s\" on %s/default" % (name, cloud),
                     "Launching controller instance(s) on %s/default..." % cloud,
                     " - abc123 (arch=amd64 %s)" % constraints, "Waiting for address",
                     "Running machine configuration script...", "Bootstrap complete"):
            print(line, flush=True)
            time.sleep(float(os.environ.get("FAKE_JUJU_BOOTSTRAP_STEP", "0.5")))
        held = lock()
        state = load()  # other calls ran meanwhile
        state["controllers"][name] = {"cloud": cloud, "config": configs, "base": base, "constraints": constraints}
        state["models"]["%s:controller" % name] = {"applications": {}, "machines": ["0"], "config": configs}
    elif command == "models":
        controller = option(args, "-c")
        if controller not in state["controllers"]:
            raise Refused("controller %s not found" % controller)
        out = json.dumps({"models": [{"name": "admin/" + key.split(":")[1], "short-name": key.split(":")[1]}
                                     for key in state["models"] if key.startswith(controller + ":")]})
    elif command == "add-model":
        controller = option(args, "-c")
        configs = settings_of(option(args, "--config", many=True))
        key = "%s:%s" % (controller, args[0])
        if controller not in state["controllers"]:
            raise Refused("controller %s not found" % controller)
        if key in state["models"]:
            raise Refused('model "%s" already exists' % args[0])
        check_proxies(configs, "model config")
        state["models"][key] = {"applications": {}, "machines": [], "config": configs}
    elif command == "deploy":
        target, overlays = option(args, "-m"), option(args, "--overlay", many=True)
        dry = "--dry-run" in args
        model = state["models"].get(target)
        if model is None:
            raise Refused("model %s not found" % target)
        bundle = merged_bundle(args[0] if not dry else [a for a in args if a != "--dry-run"][0], overlays)
        changes = []
        for name, app in sorted(bundle["applications"].items()):
            have = model["applications"].get(name)
            if have is None:
                changes.append("- deploy application %s from charm-hub with channel %s" % (name, app.get("channel")))
            elif have.get("num_units") != app.get("num_units") or have.get("channel") != app.get("channel"):
                changes.append("- change application %s" % name)
        if dry:
            out = "\n".join(["Changes to deploy bundle:"] + changes) if changes else "No changes to apply."
        else:
            model["applications"] = {n: {"charm": a["charm"], "channel": a.get("channel"), "num_units": a.get("num_units")}
                                     for n, a in bundle["applications"].items()}
            model["machines"] = sorted(bundle.get("machines") or {})
            out = "Deploy of bundle completed."
    elif command == "status":
        out = json.dumps(status(state, option(args, "-m")))
    elif command == "run":
        option(args, "-m")
        unit, action = args[0], args[1]
        params = dict(a.split("=", 1) for a in args[2:])
        if unit != "vault/leader":
            raise Refused("unit %s: no such action here" % unit)
        if action == "authorize-charm":
            request = urllib.request.Request(os.environ["FAKE_VAULT_URL"] + "/v1/auth/token/lookup-self",
                                             headers={"X-Vault-Token": params.get("token", "")})
            try:
                urllib.request.urlopen(request, timeout=5).close()
            except OSError:
                raise Refused("action authorize-charm failed: invalid token")
            state["authorized"] = True
        elif action == "get-root-ca":
            if not state["authorized"]:
                raise Refused("action get-root-ca failed: no root CA yet")
            out = json.dumps({"vault/0": {"unit": "vault/0", "status": "completed", "results": {"output": CA}}})
        else:
            raise Refused("unknown action %s" % action)
    elif command == "exec":
        if args[args.index("--") + 1:] != ["leader-get", "admin_passwd"]:
            raise Refused("exec: unexpected command %s" % args)
        out = state["admin_password"]
    else:
        raise Refused("fake juju does not know '%s'" % command)
    save(state)
    if out:
        print(out)


if __name__ == "__main__":
    try:
        main(sys.argv[1:], lock())
    except Refused as err:
        print("ERROR %s" % err, file=sys.stderr)
        sys.exit(1)
