# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inner cloud's modules: openstacksdk (Debian 12's 0.101 or newer) and a password connection to Keystone,
without clouds.yaml or OS_* variables (the modules run on the lab's hosts with credentials passed in)."""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import missing_required_lib

try:
    import openstack
    HAS_SDK = True
    SDK_ERROR = None
except ImportError:
    openstack = None
    HAS_SDK = False
    SDK_ERROR = traceback.format_exc()


def require_sdk(module):
    if not HAS_SDK:
        module.fail_json(msg=missing_required_lib("openstacksdk"), exception=SDK_ERROR)


def connect(auth_url, username, password, project, region, domain="Default", timeout=60, cacert=None):
    """A connection to the inner cloud; ``cacert`` is the CA of its TLS endpoints (charmed OpenStack's Vault)."""
    extra = {"cacert": cacert} if cacert else {}
    return openstack.connect(
        auth_url=auth_url, username=username, password=password, project_name=project,
        user_domain_name=domain, project_domain_name=domain, region_name=region, identity_api_version="3",
        api_timeout=timeout, load_yaml_config=False, load_envvars=False, **extra)
