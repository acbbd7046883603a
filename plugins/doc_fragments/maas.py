# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by the modules that talk to MAAS's REST API."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  url:
    description:
      - MAAS's URL, as C(maas init --maas-url) was given it, for example C(http://10.33.1.1:5240/MAAS).
      - The plan has it as C(maas_juju.maas.url).
    type: str
    required: true
  api_key:
    description:
      - The API key of a MAAS administrator, three parts joined by C(:), as C(maas apikey --username admin)
        prints it. Requests are signed with it (OAuth 1.0, PLAINTEXT); it is never logged.
    type: str
    required: true
  timeout:
    description: Seconds to wait for one answer of MAAS.
    type: int
    default: 60
notes:
  - Plain REST (API 2.0) with Ansible's own HTTP code; no MAAS client library is needed.
  - Every result has C(writes), the number of requests that changed something; a second run reports V(0).
"""
