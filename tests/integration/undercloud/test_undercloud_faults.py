# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The undercloud layer against a misbehaving cloud: the local undercloud behind tests/undercloud/faultproxy.py,
which answers 10% of the requests with a 5xx, a reset, a slow answer, a 409, or drops the answer of a request the
cloud did carry out. The layer must still converge, make nothing twice and leave nothing after the teardown; the
counts go to build/fault-injection.json."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest
import yaml

from tests.undercloud import faultproxy

from .conftest import TOP
from .test_undercloud_layer import _lab, playbook, recap, remaining

RATE = 0.10
SEED = int(os.environ.get("NC_FAULT_SEED", "20261124"))


@pytest.fixture()
def faulty_cloud(request, clouds_yaml, tmp_path, monkeypatch):
    """A clouds.yaml whose entry `faulty` is the member of the local cloud, reached through the fault proxy
    (settings from the test's parameter: rate, kinds, methods)."""
    settings = dict({"rate": RATE, "kinds": faultproxy.KINDS, "methods": None}, **getattr(request, "param", {}))
    with open(clouds_yaml) as handle:
        clouds = yaml.safe_load(handle)
    entry = json.loads(json.dumps(clouds["clouds"]["undercloud"]).replace("127.0.0.1", faultproxy.LISTEN))
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump({"clouds": {"faulty": entry, "undercloud": clouds["clouds"]["undercloud"]}}))
    path.chmod(0o600)
    faults = faultproxy.Faults(settings["rate"], SEED, settings["kinds"], slow=1.0, methods=settings["methods"])
    servers = faultproxy.serve(faults)
    monkeypatch.setitem(playbook.__globals__, "CLOUDS", str(path))  # the module playbook() reads it from
    try:
        yield faults
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def duplicates(owned):
    return dict((kind, sorted(n for n, c in Counter(names).items() if c > 1)) for kind, names in owned.items()
                if any(c > 1 for c in Counter(names).values()))


SCENARIOS = {
    "mixed": {},  # 10% of every request: 5xx, reset, slow, 409, lost answer
    "lost-posts": {"rate": 0.3, "kinds": ["lost"], "methods": ["POST"]},  # the cloud made it, the client never heard
}


@pytest.mark.parametrize("faulty_cloud", list(SCENARIOS.values()), ids=list(SCENARIOS), indirect=True)
def test_the_layer_converges_under_injected_faults_without_duplicates_or_leaks(member, faulty_cloud, tmp_path, request):
    lab = _lab("itf", 2, cloud="faulty", storage={"data_gb": 1})
    scenario = request.node.callspec.id
    figures = {"scenario": scenario, "rate": faulty_cloud.rate, "seed": SEED, "kinds": list(faulty_cloud.kinds),
               "methods": sorted(faulty_cloud.methods or [])}
    try:
        first = playbook("undercloud", lab, tmp_path)
        figures["first_run"] = dict(faulty_cloud.counts())
        assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-2000:]
        owned = remaining(member, "itf")  # counted straight from the cloud, not through the proxy
        planned = {"server": 3, "port": 3, "volume": 2, "router": 1, "network": 1, "keypair": 1, "floating_ip": 1}
        figures["created"] = dict((kind, len(names)) for kind, names in owned.items())
        figures["duplicates"] = duplicates(owned)
        assert figures["duplicates"] == {}
        assert dict((kind, figures["created"].get(kind, 0)) for kind in planned) == planned
        assert sorted(owned["server"]) == ["itf-r0", "itf-uc-0001", "itf-uc-0002"]

        again = playbook("undercloud", lab, tmp_path)
        assert again.returncode == 0 and recap(again)["changed"] == 0, again.stdout[-4000:]

        down = playbook("teardown", lab, tmp_path)
        figures["all_runs"] = dict(faulty_cloud.counts())
        figures["faults"] = ["%s %s :%d%s" % (fault, method, port, path.split("?")[0]) for method, port, path, fault
                             in faulty_cloud.log if fault]
        assert down.returncode == 0, down.stdout[-4000:]
        figures["leaked"] = remaining(member, "itf")
        assert figures["leaked"] == {}
        injected = sum(n for kind, n in figures["all_runs"].items() if kind != "requests")
        targeted = len([e for e in faulty_cloud.log if not faulty_cloud.methods or e[0] in faulty_cloud.methods])
        assert injected >= faulty_cloud.rate / 2 * targeted  # the faults really were there
        assert figures["all_runs"].get("lost", 0) > 0
        if scenario == "lost-posts":  # creating calls whose answer was lost, not only token requests
            assert len([f for f in figures["faults"] if ":5000/" not in f]) >= 3, figures["faults"]
    finally:
        os.makedirs(os.path.join(TOP, "build"), exist_ok=True)
        with open(os.path.join(TOP, "build", "fault-injection-%s.json" % scenario), "w") as handle:
            json.dump(figures, handle, indent=1, sort_keys=True)
        print("fault injection: %s" % json.dumps(figures, sort_keys=True))
        playbook("teardown", _lab("itf", 2), tmp_path)  # straight to the cloud (no faults), whatever happened
    assert remaining(member, "itf") == {}
