# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Address arithmetic of the planner: ranges, fixed blocks, pools, MTU budget, MACs.

Every range is cut into blocks of ``min(256, size // 4)`` addresses. Static hosts live
at fixed offsets inside their block, so adding a host never moves another one:
with the default /16 ranges, ``uc-0003`` is ``10.22.0.13`` and ``10.33.0.13``, and
``oc-0002`` is ``10.33.1.2``.
"""

from __future__ import annotations

from ansible_collections.nestedcloud.openstack.plugins.module_utils.plan.schema import (
    LabDefinitionError,
)

try:
    import netaddr

    HAS_NETADDR = True
except ImportError:  # pragma: no cover - reported by the module with missing_required_lib
    netaddr = None
    HAS_NETADDR = False

MIN_MTU = 1280  # IPv6's minimum link MTU; below it guests and Neutron misbehave
VXLAN_OVERHEAD = 50  # outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8
IPV4_HEADER = 20  # Neutron adds it to a tunnel type's own header size (max_header_size for Geneve)
HOST_OFFSET = 10  # r0 is at offset 10 of the underlay, uc-N at 10 + N


def parse_cidr(value, path):
    """An IPv4 network in canonical form; host bits or IPv6 are rejected."""
    try:
        net = netaddr.IPNetwork(value)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise LabDefinitionError(path, "'%s' is not an IPv4 CIDR; write it like 10.22.0.0/16" % (value,))
    if net.version != 4:
        raise LabDefinitionError(path, "'%s' is IPv6; the lab ranges are IPv4 CIDRs like 10.22.0.0/16" % (value,))
    if "/" not in str(value):
        raise LabDefinitionError(path, "'%s' has no prefix length; write it like %s/16" % (value, value))
    if net.ip != net.network:
        raise LabDefinitionError(path, "'%s' has host bits set; did you mean %s?" % (value, net.cidr))
    return net


def parse_source_cidr(value, path):
    """A firewall source: an IPv4 CIDR, or a bare address meaning /32."""
    text = value if "/" in value else value + "/32"
    return parse_cidr(text, path)


def parse_ip(value, path):
    try:
        addr = netaddr.IPAddress(value)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise LabDefinitionError(path, "'%s' is not an IPv4 address; write it like 10.22.0.1" % (value,))
    if addr.version != 4:
        raise LabDefinitionError(path, "'%s' is IPv6; an IPv4 address is expected" % (value,))
    return addr


class Range:
    """One lab range cut into fixed blocks; ``field`` names it in errors."""

    def __init__(self, net, field):
        self.net = net
        self.field = field
        self.block = min(256, net.size // 4)

    @property
    def prefixlen(self):
        return self.net.prefixlen

    def address(self, offset):
        return str(netaddr.IPAddress(self.net.first + offset))

    def offset_of(self, addr):
        """The offset of ``addr`` (text or netaddr.IPAddress) in the range."""
        return int(netaddr.IPAddress(addr)) - self.net.first

    def capacity(self, first_offset):
        """How many hosts fit in one block from ``first_offset`` (the block's last address stays free)."""
        return max(0, self.block - 1 - first_offset)

    def require(self, count, first_offset, what, count_field):
        """Fail, naming ``count_field``, when ``count`` hosts do not fit in one block."""
        capacity = self.capacity(first_offset)
        if count > capacity:
            if self.block < 256:
                hint = "use a larger range (blocks grow with the range up to 256 addresses, from a /22)"
            else:
                hint = "this is the most one lab holds"
            raise LabDefinitionError(
                count_field,
                "%d %s do not fit: %s (%s) holds at most %d in its block of %d addresses; lower %s or %s"
                % (count, what, self.field, self.net, capacity, self.block, count_field, hint))

    def static(self, block_index, offset):
        return self.address(block_index * self.block + offset)

    def gateway(self, value, path):
        """The configured gateway, or the first host address for 'auto'."""
        if value == "auto":
            return self.address(1)
        addr = parse_ip(value, path)
        if addr not in self.net or int(addr) in (self.net.first, self.net.last):
            raise LabDefinitionError(
                path, "%s is not a usable address of %s (%s); use one from %s to %s"
                % (value, self.field, self.net, self.address(1), self.address(self.net.size - 2)))
        return str(addr)

    def pools(self, first_offset, reserved):
        """Allocation pools from ``first_offset`` to the last host address, minus ``reserved``."""
        taken = sorted(set(self.offset_of(netaddr.IPAddress(a)) for a in reserved))
        pools, start = [], first_offset
        for offset in taken + [self.net.size - 1]:
            if offset < start:
                continue
            if offset > start:
                pools.append({"start": self.address(start), "end": self.address(offset - 1)})
            start = offset + 1
        return pools


def check_disjoint(ranges):
    """``ranges`` is a list of (field, IPNetwork); fail on the first overlapping pair."""
    for index, (field_a, net_a) in enumerate(ranges):
        for field_b, net_b in ranges[index + 1:]:
            if net_a.first <= net_b.last and net_b.first <= net_a.last:
                raise LabDefinitionError(
                    field_b, "%s overlaps %s (%s); the lab ranges must not overlap" % (net_b, field_a, net_a))


def tenant_overhead(geneve_header_size):
    """What the inner cloud's tenant networks cost on the overlay, as Neutron computes it for ML2/OVN's Geneve:
    ``[ml2_type_geneve] max_header_size`` plus the outer IPv4 header."""
    return geneve_header_size + IPV4_HEADER, "Geneve header %d + IPv4 %d" % (geneve_header_size, IPV4_HEADER)


def mtu_budget(underlay_mtu, source_field, tenant):
    """MTU of each layer from the underlay's (``tenant``: the inner tenant networks' overhead and how it is made,
    from tenant_overhead); fail naming the first layer below MIN_MTU."""
    cost, how = tenant
    overlay = underlay_mtu - VXLAN_OVERHEAD
    layers = [
        ("underlay", underlay_mtu),
        ("overlay", overlay),
        ("inner_external", overlay),
        ("inner_tenant", overlay - cost),
    ]
    need = MIN_MTU + (underlay_mtu - min(mtu for _layer, mtu in layers))
    for layer, mtu in layers:
        if mtu < MIN_MTU:
            raise LabDefinitionError(
                source_field,
                "an underlay MTU of %d leaves the %s layer %d bytes, below the minimum of %d "
                "(the overlay's VXLAN costs %d, the inner tenant networks' %s); the underlay needs an MTU of "
                "at least %d" % (underlay_mtu, layer, mtu, MIN_MTU, VXLAN_OVERHEAD, how, need))
    return dict(layers, tenant_overhead=cost)


def nested_mac(vm_index, nic_index):
    """A MAC for NIC ``nic_index`` of nested VM number ``vm_index``: unique by construction.

    52:54:00 is the prefix QEMU and libvirt use; each lab has its own overlay, so labs
    never share these addresses on one L2 segment.
    """
    return "52:54:00:%02x:%02x:%02x" % (nic_index, (vm_index >> 8) & 0xFF, vm_index & 0xFF)
