# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter ``overcloud_release``: the inner cloud's release on a host, and where its packages come from."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.releases import ReleaseError, resolve


def overcloud_release(releases, wanted, distribution, version):
    try:
        return resolve(releases, wanted, distribution, version)
    except ReleaseError as err:
        raise AnsibleFilterError(str(err))


class FilterModule:
    def filters(self):
        return {"overcloud_release": overcloud_release}
