# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The outer cloud: the module core (connection, request accounting, retries), ownership, reconcilers. Private
to this collection (docs/architecture.md)."""
