# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the modules that change the outer cloud wait, work in parallel and retry (with nestedcloud.openstack.auth)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  wait:
    description: Wait until what was created or deleted has settled (servers ACTIVE, volumes available...).
    type: bool
    default: true
  timeout:
    description: Seconds to wait, in all, when O(wait=true).
    type: int
    default: 900
  concurrency:
    description: How many API calls run at the same time when many resources are created or deleted.
    type: int
    default: 8
  retries:
    description:
      - How many times the module's whole reconcile runs again after the cloud's passing trouble (connection
        lost, 5xx, 409 while busy) made a call fail that must not be repeated blind (a POST, whose answer may have
        been lost after the cloud did it). The new run finds what the lost call made, so nothing is made twice.
      - Calls that can be repeated without effect (GET, PUT, DELETE) are repeated by themselves, up to 5 times.
    type: int
    default: 4
notes:
  - Results have C(api_calls) (requests by method) and C(retries) (requests repeated, and why the reconcile ran again).
"""
