# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import configparser

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.nestedcloud.openstack.plugins.filter.to_ini import to_ini


def test_default_first_values_as_oslo_config_reads_them():
    text = to_ini({
        "keystone_authtoken": {"auth_url": "http://10.22.0.11:5000", "service_token_roles_required": True},
        "DEFAULT": {"debug": False, "enabled_apis": ["osapi_compute"], "workers": 2},
        "linux_bridge": {"bridge_mappings": {"external": "br-vxlan10"}},
    })
    assert text.startswith("[DEFAULT]\ndebug = false\nenabled_apis = osapi_compute\nworkers = 2\n")
    parsed = configparser.ConfigParser()
    parsed.read_string(text)
    assert parsed["keystone_authtoken"]["service_token_roles_required"] == "true"
    assert parsed["linux_bridge"]["bridge_mappings"] == "external:br-vxlan10"
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_none_removes_a_key_so_overrides_can_drop_defaults():
    assert to_ini({"vnc": {"enabled": None, "x": ""}}) == "[vnc]\nx = \n"


@pytest.mark.parametrize("bad, word", [(["DEFAULT"], "dict of sections"), ({"DEFAULT": "x"}, "[DEFAULT]")])
def test_bad_input_names_what_is_wrong(bad, word):
    with pytest.raises(AnsibleFilterError, match=word.replace("[", r"\[").replace("]", r"\]")):
        to_ini(bad)
