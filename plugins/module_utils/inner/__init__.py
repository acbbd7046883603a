# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inner cloud: the connection to its Keystone, Tempest's pure part, which release runs. Private to this
collection (docs/architecture.md)."""
