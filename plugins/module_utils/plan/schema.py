# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shape of a lab definition (``nestedcloud_lab``): keys, types, defaults.

One declarative table, ``SCHEMA``, is the single source of truth: :func:`normalize`
validates a user's definition against it and fills in defaults, and the docs
(``docs/lab_definition.md``) are generated from it. Each rejection raises
:class:`LabDefinitionError` naming the field and what would be valid. Checks that
need more than one field (overlaps, sizes, MTU budget) live in the planner.
"""

from __future__ import annotations

import difflib

import re

AUTO = "auto"
_DNS_LABEL = re.compile(r"^[a-z]([a-z0-9-]*[a-z0-9])?$")
_IFNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_INT = re.compile(r"^[+-]?[0-9]+$")


class LabDefinitionError(ValueError):
    """A lab definition is invalid; ``field`` is the dotted path of the (first) culprit, ``errors`` every error found
    (this one alone, or all of a definition, see ``combine``)."""

    def __init__(self, field, message, errors=None):
        self.field = field
        self.message = message
        self.errors = errors or [self]
        text = "%s: %s" % (field, message)
        if len(self.errors) > 1:
            text = "%d errors in the lab definition, all to fix before anything is made:\n%s" % (
                len(self.errors), "\n".join("  - %s: %s" % (e.field, e.message) for e in self.errors))
        super().__init__(text)

    @classmethod
    def combine(cls, errors):
        """One error that reports all of ``errors`` (flattened), naming the first one's field."""
        flat = [one for err in errors for one in err.errors]
        return flat[0] if len(flat) == 1 else cls(flat[0].field, flat[0].message, flat)


class Field:
    """One key of the definition: a kind, a default and the limits of its value.

    ``kind`` is one of str, int, float, bool, list, dict, choice. ``required``
    fields have no default. ``allow_auto`` accepts the word ``auto`` (the planner
    derives the value). ``check`` is an optional callable(value) returning an
    error text or None, for constraints beyond the kind.
    """

    def __init__(self, kind, doc, default=None, required=False, choices=None,
                 minimum=None, maximum=None, items=None, children=None,
                 allow_auto=False, nullable=False, check=None, example=None):
        self.kind = kind
        self.doc = doc
        self.default = default
        self.required = required
        self.choices = choices
        self.minimum = minimum
        self.maximum = maximum
        self.items = items
        self.children = children
        self.allow_auto = allow_auto
        self.nullable = nullable
        self.check = check
        self.example = example

    def describe(self):
        """A short text of what is valid, used in error messages and docs."""
        if self.kind == "choice":
            text = "one of %s" % ", ".join(self.choices)
        elif self.kind in ("int", "float"):
            text = "a%s %s" % ("n" if self.kind == "int" else "", "integer" if self.kind == "int" else "number")
            if self.minimum is not None and self.maximum is not None:
                text += " from %s to %s" % (self.minimum, self.maximum)
            elif self.minimum is not None:
                text += " of at least %s" % self.minimum
        elif self.kind == "list":
            text = "a list of %s" % (self.items.doc if self.items else "values")
        elif self.kind == "dict":
            text = "a mapping with keys %s" % ", ".join(sorted(self.children))
        elif self.kind == "bool":
            text = "true or false"
        else:
            text = "a string"
        if self.allow_auto:
            text += " (or 'auto')"
        if self.nullable:
            text += " (or null)"
        return text


def _dns_label(value, max_len=40):
    if len(value) > max_len or not _DNS_LABEL.match(value):
        return ("'%s' is not a DNS label; use 1 to %d lowercase letters, digits and '-', "
                "starting with a letter, not ending with '-'" % (value, max_len))
    return None


def _hostname(value):
    return _dns_label(value, 63)


def _prefix(value):
    if not re.match(r"^[a-z][a-z0-9-]{0,20}$", value):
        return ("'%s' is not a usable host name prefix; use 1 to 21 lowercase letters, "
                "digits and '-', starting with a letter (e.g. 'uc-')" % value)
    return None


def _ifname(value):
    if len(value) > 15 or not _IFNAME.match(value):
        return "'%s' is not a Linux interface name; use 1 to 15 letters, digits, '-', '_' or '.'" % value
    return None


def _domain(value):
    labels = value.rstrip(".").split(".")
    if len(value) > 200 or len(labels) < 2 or any(_dns_label(label, 63) for label in labels):
        return ("'%s' is not a DNS domain; use dot-separated lowercase labels such as 'lab1.test'" % value)
    return None


def _non_empty(value):
    return None if value.strip() else "must not be empty"


def _net(doc, default):
    return Field("str", doc + " (IPv4 CIDR)", default=default, example=default)


def _size(doc):
    def one(what, minimum, maximum, unit):
        return Field("int", "%s%s; null takes nested_vms.%s." % (what, unit, what), nullable=True,
                     minimum=minimum, maximum=maximum)
    return Field("dict", doc, children={"ram_mb": one("ram_mb", 256, 1048576, " (MiB)"),
                                        "vcpus": one("vcpus", 1, 256, ""),
                                        "disk_gb": one("disk_gb", 1, 65536, " (GiB, the root disk)")})


def _ip(doc):
    return Field("str", doc + " (IPv4 address inside the range)", default=AUTO, allow_auto=True)


SCHEMA = {
    "name": Field("str", "Lab name: a DNS label that prefixes every outer resource name and forms its tag.",
                  default="lab", check=_dns_label),
    "cloud": Field("str", "Entry of clouds.yaml for the outer cloud; 'auto': OS_CLOUD, the only entry, or OS_* "
                   "variables (as openstacksdk chooses).",
                   default=AUTO, allow_auto=True, check=_non_empty),
    "image": Field("str", "Outer-cloud image of r0 and the uc- instances: a Debian 13 cloud image of the outer cloud "
                   "('openstack image list').",
                   required=True, check=_non_empty, example="debian-13"),
    "image_user": Field("str", "Login user of the image (its cloud-init default user); 'auto' follows the image "
                        "name (debian, ubuntu, cirros, centos, fedora), else root.",
                        default=AUTO, allow_auto=True, check=_non_empty),
    "dns_domain": Field("str", "DNS domain of lab host names; 'auto' gives '<name>.test'.",
                        default=AUTO, allow_auto=True, check=_domain),
    "flavors": Field("dict", "Outer-cloud flavors.", children={
        "jumphost": Field("str", "Flavor of r0 (1 GiB of RAM is enough).", required=True, check=_non_empty,
                          example="m1.small"),
        "undercloud": Field("str", "Flavor of each uc- instance; its RAM and vCPUs bound the nested VMs it runs.",
                            required=True, check=_non_empty, example="m1.xlarge"),
    }),
    "undercloud_count": Field("int", "How many uc- instances (hypervisors / inner cloud hosts).",
                              default=4, minimum=1, maximum=240),
    "ssh_allowed_cidrs": Field("list", "Sources allowed to SSH to r0's floating IP (nothing else is exposed).",
                               default=[], items=Field("str", "IPv4 CIDRs or addresses")),
    "retire": Field("list", "Running oc- VMs (or uc- hosts, with their VMs) that the lab no longer plans, to delete on "
                    "purpose; see README, growing and shrinking.",
                    default=[], items=Field("str", "names such as oc-0006 or uc-0004")),
    "external_network": Field("str", "Outer network for the router gateway and the one floating IP; 'auto' takes the "
                              "only external network the project sees; null for none.",
                              default=AUTO, allow_auto=True, nullable=True, check=_non_empty),
    "storage": Field("dict", "Disks of r0 and the uc- instances.", children={
        "boot_from_volume": Field("bool", "Boot r0 and the uc- instances from a Cinder volume made from the image.",
                                  default=False),
        "root_gb": Field("int", "Size of that root volume in GiB.", default=40, minimum=1, maximum=65536),
        "data_gb": Field("int", "A data volume of this size (GiB) attached to each uc- instance (nested VM disks); "
                         "0 for none.", default=0, minimum=0, maximum=65536),
    }),
    "naming": Field("dict", "Host names.", children={
        "jumphost": Field("str", "Host name of the jumphost.", default="r0", check=_hostname),
        "undercloud_prefix": Field("str", "Prefix of uc- host names.", default="uc-", check=_prefix),
        "nested_prefix": Field("str", "Prefix of oc- VM names.", default="oc-", check=_prefix),
        "digits": Field("int", "Digits of the host number (uc-0001 has 4).", default=4, minimum=2, maximum=6),
    }),
    "underlay": Field("dict", "The outer tenant network of r0 and the uc- hosts.", children={
        "cidr": _net("Underlay range", "10.22.0.0/16"),
        "gateway": _ip("Outer router's address; 'auto' is the first host address"),
        "mtu": Field("int", "Underlay MTU; 'auto' takes Neutron's mtu of the network.", default=AUTO,
                     allow_auto=True, minimum=1280, maximum=9216),
        "dns_nameservers": Field("list", "Resolvers Neutron hands out on the underlay (r0's upstream).",
                                 default=[], items=Field("str", "IPv4 addresses")),
    }),
    "overlay": Field("dict", "The VXLAN overlay on br-vxlan10 (nested VMs, r0's gateway).", children={
        "cidr": _net("Overlay range", "10.33.0.0/16"),
        "gateway": _ip("r0's overlay address, the nested VMs' gateway; 'auto' is the first host address"),
        "vni": Field("int", "VXLAN network identifier.", default=10, minimum=1, maximum=16777215),
        "udp_port": Field("int", "VXLAN UDP destination port.", default=4789, minimum=1, maximum=65535),
        "device": Field("str", "VXLAN device name.", default="vxlan10", check=_ifname),
        "bridge": Field("str", "Bridge the VXLAN device and the nested VMs are attached to.",
                        default="br-vxlan10", check=_ifname),
    }),
    "nested_vms": Field("dict", "The oc- VMs (vm-in-vm) run by libvirt on the uc- hosts.", children={
        "count": Field("int", "How many oc- VMs; 0 for none (packaged overcloud on the uc- hosts).",
                       default=6, minimum=0, maximum=250),
        "ram_mb": Field("int", "RAM of each oc- VM in MiB.", default=3072, minimum=256, maximum=1048576),
        "vcpus": Field("int", "vCPUs of each oc- VM.", default=1, minimum=1, maximum=256),
        "disk_gb": Field("int", "Root disk of each oc- VM in GiB.", default=20, minimum=1, maximum=65536),
        "host_reserved_ram_mb": Field("int", "RAM each uc- host keeps for itself, not given to oc- VMs.",
                                      default=2048, minimum=0, maximum=1048576),
        "cpu_allocation_ratio": Field("float", "vCPUs of oc- VMs per vCPU of a uc- host.",
                                      default=1.0, minimum=0.1, maximum=16),
        "sizes": Field("dict", "Bigger sizes by role; such a VM takes as many slots (VMs of the base size) as it needs.",
                       children={
                           "maas": _size("maas_juju: the MAAS VM (recommended 6144 MiB, 2 vCPUs, 40 GiB)."),
                           "juju_controller": _size("maas_juju: the Juju controller (recommended 4096 MiB, 2 vCPUs, "
                                                    "30 GiB)."),
                           "openstack": _size("maas_juju: each machine of the OpenStack bundle (recommended "
                                              "16384 MiB, 4 vCPUs, 60 GiB)."),
                           "overcloud_controller": _size("packaged on the oc- VMs: the controller."),
                           "overcloud_compute": _size("packaged on the oc- VMs: each compute host."),
                       }),
    }),
    "overcloud": Field("dict", "The inner OpenStack.", children={
        "kind": Field("choice", "How the inner cloud is deployed.", default="packaged",
                      choices=["packaged", "maas_juju"]),
        "hosts": Field("choice", "Where it runs: on the uc- hosts (two levels) or the oc- VMs (three levels).",
                       default="undercloud", choices=["undercloud", "nested"]),
        "computes": Field("int", "packaged on the uc- hosts: how many uc- hosts after the controller (the first) run "
                          "nova-compute. oc- VMs run only on the controller and the others: nova-compute refuses a "
                          "libvirt that holds domains it did not create. 'auto': every uc- host the oc- VMs do not "
                          "need (they fill the controller, the hosts they run on, then the last uc- hosts).",
                          default=AUTO, allow_auto=True, minimum=1, maximum=999),
        "ceph_disk_gb": Field("int", "maas_juju: the Ceph OSD disk (vdb) of each oc- VM that carries the OpenStack "
                              "bundle, in GiB.", default=20, minimum=10, maximum=65536),
        "network": Field("choice", "packaged: Neutron's backend, ovn (ML2/OVN, Geneve tenant networks): the one every "
                         "current deployer defaults to (Neutron 2025.1 removed LinuxBridge).", default="ovn",
                         choices=["ovn"]),
        "geneve_header_size": Field("int", "ovn: Neutron's [ml2_type_geneve] max_header_size; the tenant MTU is the "
                                    "overlay's minus this and 20 (Neutron's 30 is too small for OVN).",
                                    default=38, minimum=30, maximum=255),
        "ovs_datapath": Field("choice", "ovn: Open vSwitch's datapath; auto: the kernel's where it has the "
                              "openvswitch module, else userspace (netdev).", default="auto", choices=["auto", "kernel", "userspace"]),
    }),
    "inner": Field("dict", "Networks created inside the inner cloud.", children={
        "external_cidr": _net("Inner external (provider, flat) range on the overlay", "10.44.0.0/16"),
        "external_gateway": _ip("r0's address on the inner external range; 'auto' is the first host address"),
        "tenant_cidr": _net("Inner tenant (self-service) range", "10.55.0.0/16"),
        "tenant_gateway": _ip("Inner router's address on the tenant range; 'auto' is the first host address"),
        "tunnel_cidr": _net("ovn: the Geneve tunnel endpoints of the inner computes, on their OVS bridge joined "
                            "to the overlay", "10.66.0.0/16"),
        "dns_nameservers": Field("list", "Resolvers of the inner tenant subnet; empty means r0.",
                                 default=[], items=Field("str", "IPv4 addresses")),
    }),
}


def _coerce(field, value, path):
    """Return ``value`` converted to ``field.kind`` or raise naming ``path``."""
    if value is None and field.nullable:
        return None
    if field.allow_auto and value == AUTO:
        return AUTO
    kind = field.kind
    if kind in ("str", "choice"):
        if not isinstance(value, str):
            raise LabDefinitionError(path, "got %s %r; expected %s" % (type(value).__name__, value, field.describe()))
        if kind == "choice" and value not in field.choices:
            raise LabDefinitionError(path, "'%s' is not valid; use %s" % (value, field.describe()))
    elif kind in ("int", "float"):
        if isinstance(value, str) and _INT.match(value.strip()):
            value = int(value)  # survey answers and -e arrive as strings
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind == "int" and not isinstance(value, int)):
            raise LabDefinitionError(path, "got %s %r; expected %s" % (type(value).__name__, value, field.describe()))
        if (field.minimum is not None and value < field.minimum) or (field.maximum is not None and value > field.maximum):
            raise LabDefinitionError(path, "%s is out of range; use %s" % (value, field.describe()))
        if kind == "float":
            value = float(value)
    elif kind == "bool":
        if not isinstance(value, bool):
            raise LabDefinitionError(path, "got %r; expected true or false" % (value,))
    elif kind == "list":
        if not isinstance(value, list):
            raise LabDefinitionError(path, "got %s %r; expected %s" % (type(value).__name__, value, field.describe()))
        return [_coerce(field.items, item, "%s[%d]" % (path, index)) for index, item in enumerate(value)]
    elif kind == "dict":
        return _normalize_mapping(field.children, value, path)
    if field.check is not None and isinstance(value, str):
        problem = field.check(value)
        if problem:
            raise LabDefinitionError(path, problem)
    return value


def _normalize_mapping(children, value, path):
    """``value`` checked against ``children`` and completed with defaults; every error of it raised at once."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise LabDefinitionError(path, "got %s %r; expected a mapping with keys %s"
                                 % (type(value).__name__, value, ", ".join(sorted(children))))
    errors = []
    for key in sorted(str(key) for key in value if key not in children):
        near = difflib.get_close_matches(key, list(children), n=1, cutoff=0.7)
        errors.append(LabDefinitionError("%s.%s" % (path, key), "unknown key%s; valid keys here are %s"
                                         % ("; did you mean %s?" % near[0] if near else "",
                                            ", ".join(sorted(children)))))
    result = {}
    for key, field in children.items():
        sub_path = "%s.%s" % (path, key)
        try:
            if key in value:
                result[key] = _coerce(field, value[key], sub_path)
            elif field.required:
                raise LabDefinitionError(sub_path, "is required; give %s" % field.describe())
            elif field.kind == "dict":
                result[key] = _normalize_mapping(field.children, {}, sub_path)
            else:
                result[key] = list(field.default) if isinstance(field.default, list) else field.default
        except LabDefinitionError as err:
            errors.append(err)
    if errors:
        raise LabDefinitionError.combine(errors)
    return result


def _missing(children, value, path):
    """Dotted paths and fields of the required keys that ``value`` does not set, depth first."""
    value = value if isinstance(value, dict) else {}
    for key, field in children.items():
        sub_path = "%s.%s" % (path, key)
        if key not in value and field.required:
            yield sub_path, field
        elif field.kind == "dict" and isinstance(value.get(key, {}), (dict, type(None))):
            yield from _missing(field.children, value.get(key) or {}, sub_path)


def normalize(definition, root="nestedcloud_lab"):
    """Validate ``definition`` against SCHEMA and return it complete with defaults.

    The keys that have no safe default (the cloud, its image and flavors) are reported all at once, each with an
    example, so that a user of the shipped example learns in one run everything they must set."""
    missing = list(_missing(SCHEMA, definition, root)) if isinstance(definition, (dict, type(None))) else []
    examples = "; ".join("%s: %s (%s)" % (path[len(root) + 1:], field.example, field.doc.rstrip("."))
                         for path, field in missing)
    errors = []
    if len(missing) == 1:
        errors.append(LabDefinitionError(missing[0][0], "is required; give %s, for example %s"
                                         % (missing[0][1].describe(), examples)))
    elif missing:
        errors.append(LabDefinitionError(missing[0][0], "is required, and so are %s; set them in the lab "
                                         "definition, for example: %s"
                                         % (", ".join(item[0] for item in missing[1:]), examples)))
    try:
        result = _normalize_mapping(SCHEMA, definition, root)
    except LabDefinitionError as err:
        # each missing key is already in the first error, with its example
        errors.extend(e for e in err.errors if not (missing and e.message.startswith("is required")))
    if errors:
        raise LabDefinitionError.combine(errors)
    return result


def merge(definition, overrides):
    """``definition`` with ``overrides`` laid over it: mappings merge key by key, anything else is replaced.

    This is how ``nestedcloud_lab_overrides`` changes a lab definition (a site's or a test's few differences from a
    shared example); neither argument is changed."""
    if not isinstance(definition, dict) or not isinstance(overrides, dict):
        return overrides
    merged = dict(definition)
    for key, value in overrides.items():
        merged[key] = merge(definition[key], value) if isinstance(definition.get(key), dict) else value
    return merged


def iter_fields(children=None, prefix=""):
    """Yield (dotted path, Field) for every key of the schema, depth first."""
    for key, field in (SCHEMA if children is None else children).items():
        path = prefix + key
        yield path, field
        if field.kind == "dict":
            yield from iter_fields(field.children, path + ".")
