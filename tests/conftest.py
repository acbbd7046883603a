# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make ``ansible_collections.nestedcloud.openstack`` importable from a checkout.

Inside a collection tree (ansible-test, an installed collection) it already is; from a checkout,
``make setup`` links the checkout into .collections, which is put on sys.path here.
"""

from __future__ import annotations

import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINKED = os.path.join(TOP, ".collections")
if os.path.isdir(LINKED) and LINKED not in sys.path:
    sys.path.insert(0, LINKED)
