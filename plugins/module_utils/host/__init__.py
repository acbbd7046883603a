# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the modules that act on a lab host share: iproute2, Open vSwitch, OVN, libvirt checks, systemd units.
Private to this collection (docs/architecture.md)."""
