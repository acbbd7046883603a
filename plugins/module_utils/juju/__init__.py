# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Juju client, its status, and the OpenStack bundle's overlay made from the plan. Private to this
collection (docs/architecture.md)."""
