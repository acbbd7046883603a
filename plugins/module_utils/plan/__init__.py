# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lab planner: one definition in, the whole plan out. Pure. Private to this collection (docs/architecture.md)."""
