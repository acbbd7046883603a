# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input never reaches a cloud: each malformed definition fails with one message naming the field.

Every case is checked twice: against the planner (a LabDefinitionError, never another exception) and
through the lab_plan module (a failed result with that message, never a traceback).
"""

from __future__ import annotations

import copy

import pytest

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.planner import build_plan
from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.schema import LabDefinitionError

from .._module_runner import run_module
from tests.labs import OUTER

BASE = {"name": "lab1", "cloud": "mycloud", **OUTER}


def _with(path, value):
    """BASE with ``value`` at dotted ``path``; the value DELETE removes the key."""
    lab = copy.deepcopy(BASE)
    node = lab
    keys = path.split(".")
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    if value is DELETE:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value
    return lab


def _merge(*pairs):
    lab = copy.deepcopy(BASE)
    for path, value in pairs:
        lab = _deep_merge(lab, _with(path, value))
    return lab


def _deep_merge(a, b):
    out = copy.deepcopy(a)
    for key, value in b.items():
        out[key] = _deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


DELETE = object()

# (case id, definition, kwargs of build_plan, field named, words the message must contain)
CASES = [
    ("not-a-mapping", ["cloud"], {}, "nestedcloud_lab", "expected a mapping"),
    ("missing-image", _with("image", DELETE), {}, "nestedcloud_lab.image", "for example image: debian-13"),
    ("missing-flavor", _with("flavors.jumphost", DELETE), {}, "nestedcloud_lab.flavors.jumphost",
     "for example flavors.jumphost: m1.small"),
    ("empty-cloud", _with("cloud", "  "), {}, "nestedcloud_lab.cloud", "must not be empty"),
    ("unknown-top-key", _with("undercloud_cuont", 3), {}, "nestedcloud_lab.undercloud_cuont", "unknown key"),
    ("unknown-nested-key", _with("overlay.vnid", 3), {}, "nestedcloud_lab.overlay.vnid", "valid keys here are"),
    ("name-uppercase", _with("name", "Lab1"), {}, "nestedcloud_lab.name", "not a DNS label"),
    ("name-underscore", _with("name", "lab_1"), {}, "nestedcloud_lab.name", "not a DNS label"),
    ("name-too-long", _with("name", "a" * 41), {}, "nestedcloud_lab.name", "1 to 40"),
    ("name-wrong-type", _with("name", 7), {}, "nestedcloud_lab.name", "expected a string"),
    ("count-zero", _with("undercloud_count", 0), {}, "nestedcloud_lab.undercloud_count", "from 1 to 240"),
    ("count-negative", _with("undercloud_count", -2), {}, "nestedcloud_lab.undercloud_count", "out of range"),
    ("count-word", _with("undercloud_count", "four"), {}, "nestedcloud_lab.undercloud_count", "expected an integer"),
    ("count-bool", _with("undercloud_count", True), {}, "nestedcloud_lab.undercloud_count", "expected an integer"),
    ("count-float", _with("undercloud_count", 2.5), {}, "nestedcloud_lab.undercloud_count", "expected an integer"),
    ("nested-count-negative", _with("nested_vms.count", -1), {}, "nestedcloud_lab.nested_vms.count",
     "from 0 to 250"),
    ("vni-zero", _with("overlay.vni", 0), {}, "nestedcloud_lab.overlay.vni", "from 1 to 16777215"),
    ("vni-too-big", _with("overlay.vni", 16777216), {}, "nestedcloud_lab.overlay.vni", "from 1 to 16777215"),
    ("udp-port", _with("overlay.udp_port", 70000), {}, "nestedcloud_lab.overlay.udp_port", "from 1 to 65535"),
    ("bridge-name-long", _with("overlay.bridge", "br-vxlan10-overlay"), {}, "nestedcloud_lab.overlay.bridge",
     "1 to 15"),
    ("kind-unknown", _with("overcloud.kind", "kolla"), {}, "nestedcloud_lab.overcloud.kind",
     "one of packaged, maas_juju"),
    ("hosts-unknown", _with("overcloud.hosts", "baremetal"), {}, "nestedcloud_lab.overcloud.hosts",
     "one of undercloud, nested"),
    ("maas-on-undercloud", _with("overcloud.kind", "maas_juju"), {}, "nestedcloud_lab.overcloud.hosts",
     "set hosts: nested"),
    ("maas-too-few-vms", _merge(("overcloud.kind", "maas_juju"), ("overcloud.hosts", "nested"),
                                ("nested_vms.count", 2)), {}, "nestedcloud_lab.nested_vms.count", "at least 3"),
    ("nested-without-vms", _merge(("overcloud.hosts", "nested"), ("nested_vms.count", 0)), {},
     "nestedcloud_lab.nested_vms.count", "at least 1"),
    ("cidr-garbage", _with("underlay.cidr", "10.22.0.0/33"), {}, "nestedcloud_lab.underlay.cidr", "not an IPv4 CIDR"),
    ("cidr-host-bits", _with("overlay.cidr", "10.33.0.1/16"), {}, "nestedcloud_lab.overlay.cidr",
     "did you mean 10.33.0.0/16"),
    ("cidr-no-prefix", _with("inner.tenant_cidr", "10.55.0.0"), {}, "nestedcloud_lab.inner.tenant_cidr",
     "no prefix length"),
    ("cidr-ipv6", _with("inner.external_cidr", "fd00::/64"), {}, "nestedcloud_lab.inner.external_cidr", "IPv6"),
    ("cidr-tiny", _with("inner.external_cidr", "10.44.0.0/30"), {}, "nestedcloud_lab.inner.external_cidr",
     "/28 or larger"),
    ("overlap-overlay-underlay", _with("overlay.cidr", "10.22.128.0/17"), {}, "nestedcloud_lab.overlay.cidr",
     "overlaps nestedcloud_lab.underlay.cidr"),
    ("overlap-inner", _with("inner.tenant_cidr", "10.44.0.0/24"), {}, "nestedcloud_lab.inner.tenant_cidr",
     "overlaps nestedcloud_lab.inner.external_cidr"),
    ("underlay-too-small", _merge(("underlay.cidr", "10.22.0.0/26"), ("undercloud_count", 8)), {},
     "nestedcloud_lab.undercloud_count", "holds at most 4"),
    ("overlay-too-small-for-vms", _merge(("overlay.cidr", "10.33.0.0/24"), ("nested_vms.count", 70),
                                         ("undercloud_count", 30)), {}, "nestedcloud_lab.nested_vms.count",
     "holds at most 62"),
    ("gateway-outside", _with("underlay.gateway", "10.99.0.1"), {}, "nestedcloud_lab.underlay.gateway",
     "not a usable address of"),
    ("gateway-broadcast", _with("inner.external_gateway", "10.44.255.255"), {},
     "nestedcloud_lab.inner.external_gateway", "not a usable address"),
    ("gateway-not-ip", _with("overlay.gateway", "r0"), {}, "nestedcloud_lab.overlay.gateway", "not an IPv4 address"),
    ("gateway-on-a-host", _with("overlay.gateway", "10.33.0.12"), {}, "nestedcloud_lab.overlay.gateway",
     "planned address of uc-0002"),
    ("mtu-too-small-underlay", _with("underlay.mtu", 1200), {}, "nestedcloud_lab.underlay.mtu", "from 1280 to 9216"),
    ("mtu-inner-below-1280", _with("underlay.mtu", 1350), {}, "nestedcloud_lab.underlay.mtu",
     "inner_tenant layer 1242"),
    ("mtu-measured-too-small", BASE, {"underlay_mtu": 1300}, "underlay_mtu", "at least 1388"),
    ("mtu-measured-too-big", BASE, {"underlay_mtu": 70000}, "underlay_mtu", "expected the network's MTU"),
    ("mtu-word", _with("underlay.mtu", "big"), {}, "nestedcloud_lab.underlay.mtu", "expected an integer"),
    ("duplicate-names", _merge(("naming.undercloud_prefix", "n-"), ("naming.nested_prefix", "n-")), {},
     "nestedcloud_lab.naming.nested_prefix", "host name 'n-0001' is also produced"),
    ("jumphost-collides", _with("naming.jumphost", "uc-0001"), {}, "nestedcloud_lab.naming.undercloud_prefix",
     "must be unique"),
    ("invalid-host-name", _with("naming.jumphost", "r0_jump"), {}, "nestedcloud_lab.naming.jumphost",
     "not a DNS label"),
    ("invalid-prefix", _with("naming.undercloud_prefix", "UC-"), {}, "nestedcloud_lab.naming.undercloud_prefix",
     "not a usable host name prefix"),
    ("digits-too-few", _merge(("naming.digits", 2), ("undercloud_count", 120)), {}, "nestedcloud_lab.naming.digits",
     "cannot number 120 hosts"),
    ("ssh-cidr-bad", _with("ssh_allowed_cidrs", ["198.51.100.7/24"]), {}, "nestedcloud_lab.ssh_allowed_cidrs[0]",
     "host bits set"),
    ("ssh-cidrs-not-list", _with("ssh_allowed_cidrs", "198.51.100.7/32"), {}, "nestedcloud_lab.ssh_allowed_cidrs",
     "expected a list"),
    ("dns-server-bad", _with("inner.dns_nameservers", ["dns.example"]), {}, "nestedcloud_lab.inner.dns_nameservers[0]",
     "not an IPv4 address"),
    ("flavors-not-mapping", _with("flavors", "m1.large"), {}, "nestedcloud_lab.flavors", "expected a mapping"),
    ("flavor-unknown", _with("flavors.undercloud", "custom.big"), {}, "nestedcloud_lab.flavors.undercloud",
     "pass its RAM and vCPUs in flavor_specs"),
    ("flavor-spec-bad", _with("flavors.undercloud", "custom.big"), {"flavor_specs": {"custom.big": {"ram_mb": "lots"}}},
     "flavor_specs['custom.big'].ram_mb", "positive integer"),
    ("vms-do-not-fit", _with("nested_vms.count", 17), {}, "nestedcloud_lab.nested_vms.count", "3 x m1.xlarge (1 of the 4 uc- hosts are inner computes, which "
     "run no oc- VM) (16384 MiB, 8 vCPUs, 2048 MiB kept by the host, cpu_allocation_ratio 1) hold 4 each, 12 in all"),
    ("vm-too-big", _with("nested_vms.ram_mb", 20000), {}, "nestedcloud_lab.nested_vms.count", "do not fit"),
    ("placement-over-capacity", BASE,
     {"existing_placement": dict(("oc-%04d" % n, "uc-0001") for n in range(1, 6))},
     "existing_placement.oc-0005", "its capacity"),
    ("placement-not-mapping", BASE, {"existing_placement": ["oc-0001"]}, "existing_placement", "expected a mapping"),
    ("external-network-empty", _with("external_network", ""), {}, "nestedcloud_lab.external_network",
     "must not be empty"),
    ("dns-domain-bad", _with("dns_domain", "lab"), {}, "nestedcloud_lab.dns_domain", "not a DNS domain"),
    ("ratio-zero", _with("nested_vms.cpu_allocation_ratio", 0), {}, "nestedcloud_lab.nested_vms.cpu_allocation_ratio",
     "from 0.1 to 16"),
]


def test_there_are_at_least_thirty_cases():
    assert len(CASES) >= 30
    assert len(set(case[0] for case in CASES)) == len(CASES)


@pytest.mark.parametrize("definition,kwargs,field,words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_planner_names_the_field(definition, kwargs, field, words):
    with pytest.raises(LabDefinitionError) as caught:
        build_plan(definition, **kwargs)
    assert caught.value.field == field
    message = str(caught.value)
    assert message.startswith(field + ": ")
    assert words in message
    assert "\n" not in message  # one message


# Cases that AnsibleModule's own argument checking (type=dict) rejects before the planner runs.
ARGSPEC_CASES = {"not-a-mapping": "lab", "placement-not-mapping": "existing_placement"}


@pytest.mark.parametrize("case,definition,kwargs,field,words", CASES, ids=[c[0] for c in CASES])
def test_module_fails_cleanly(case, definition, kwargs, field, words):
    result = run_module(dict(lab=definition, **kwargs))
    assert result["failed"] is True
    assert "exception" not in result and "Traceback" not in result["msg"]
    if case in ARGSPEC_CASES:
        assert ARGSPEC_CASES[case] in result["msg"]
        return
    assert result["field"] == field
    assert words in result["msg"]


def test_every_error_of_a_definition_is_reported_at_once_with_did_you_mean():
    lab = copy.deepcopy(BASE)
    lab.update(undercloud_cuont=3, nested_vms={"cuont": 2}, name="Bad_Name", overlay={"mtu": "big"})
    del lab["image"]
    with pytest.raises(LabDefinitionError) as caught:
        build_plan(lab)
    err = caught.value
    fields = [e.field for e in err.errors]
    assert fields[0] == err.field == "nestedcloud_lab.image"
    assert sorted(fields[1:]) == sorted(["nestedcloud_lab.undercloud_cuont", "nestedcloud_lab.name",
                                         "nestedcloud_lab.nested_vms.cuont", "nestedcloud_lab.overlay.mtu"]), fields
    text = str(err)
    assert text.startswith("5 errors in the lab definition, all to fix before anything is made:\n")
    assert "undercloud_cuont: unknown key; did you mean undercloud_count?" in text
    assert "nested_vms.cuont: unknown key; did you mean count?" in text
    assert "for example image: debian-13" in text
    # a key far from every valid one gets no guess
    with pytest.raises(LabDefinitionError) as caught:
        build_plan(_with("zzz", 1))
    assert "did you mean" not in str(caught.value) and "valid keys here are" in str(caught.value)
    result = run_module({"lab": lab})
    assert result["failed"] and result["field"] == "nestedcloud_lab.image" and "5 errors" in result["msg"]


def test_ssh_open_to_the_world_plans_with_a_risk_note_and_a_warning(monkeypatch):
    from ansible.module_utils.basic import AnsibleModule

    warned = []
    monkeypatch.setattr(AnsibleModule, "warn", lambda self, text: warned.append(text))
    plan = build_plan(_with("ssh_allowed_cidrs", ["0.0.0.0/0", "198.51.100.7/32"]))  # IPv4 only: the rules are
    risks = [n for n in plan["notes"] if n.startswith("Risk: ")]
    assert len(risks) == 1 and "0.0.0.0/0" in risks[0]
    result = run_module({"lab": _with("ssh_allowed_cidrs", ["0.0.0.0/0"])})
    assert not result.get("failed") and [w for w in warned if "ssh_allowed_cidrs has 0.0.0.0/0" in w], result
    assert not [n for n in build_plan(BASE)["notes"] if n.startswith("Risk: ")]


def test_undercloud_count_1_alone_says_which_key_to_change_and_to_what():
    specs = {"m1.small": {"ram_mb": 2048, "vcpus": 1}, "m1.xlarge": {"ram_mb": 16384, "vcpus": 8}}
    with pytest.raises(LabDefinitionError) as caught:
        build_plan(_with("undercloud_count", 1), flavor_specs=specs)
    text = str(caught.value)
    assert caught.value.field == "nestedcloud_lab.nested_vms.count"
    # the one host is controller and compute (all-in-one), and nova-compute refuses a libvirt with other domains:
    # no size of VM or flavor fits, so neither is offered
    assert "the only uc- host is the inner cloud's controller and compute, all-in-one: no oc- VM there" in text, text
    assert text.endswith("lower nested_vms.count to 0, or raise undercloud_count to 3"), text
    # and each way out, taken, plans
    for path, value in (("nested_vms.count", 0), ("undercloud_count", 3)):
        lab = _merge(("undercloud_count", 1), (path, value))
        assert build_plan(lab, flavor_specs=specs)["name"] == "lab1", path
