# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every test lab definition must set because it has no default: the outer cloud's image and flavors."""

from __future__ import annotations

OUTER = {"image": "debian-13", "flavors": {"jumphost": "m1.small", "undercloud": "m1.xlarge"}}
