# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the modules that run the juju client share."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  juju:
    description: The juju command.
    type: path
    default: juju
requirements:
  - the juju client (3.x)
notes:
  - Every juju command gets files or arguments, never a prompt.
  - Module utilities in C(module_utils/juju/cli.py) run it and read the JSON it prints.
"""
