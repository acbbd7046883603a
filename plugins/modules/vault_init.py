#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: vault_init
short_description: HashiCorp Vault initialised once, its keys kept in a root-only file, every unit unsealed
version_added: 0.1.0
description:
  - Talks to Vault's HTTP API at each of O(urls) (the units of the C(vault) charm, port 8200). A Vault that is not
    initialised is initialised with O(shares) key shares and a threshold of O(threshold); the unseal keys and the
    root token go at once into O(keys_file) (mode 0600, written whole) and never into the result.
  - Every sealed unit is then unsealed with as many keys as its threshold asks. A second run changes nothing.
  - With O(charm_token), it also makes a short-lived token (O(token_ttl)) for the charm's C(authorize-charm)
    action and returns it; give the task C(no_log).
  - It refuses, changing nothing, when Vault is initialised but O(keys_file) is missing (the keys are elsewhere), or
    when O(keys_file) exists but Vault is not initialised (the file belongs to another Vault).
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: posix
options:
  urls:
    description: Vault's API on each unit, for example C(http://10.33.2.17:8200); the first one is initialised.
    type: list
    elements: str
    required: true
  keys_file:
    description: Where the unseal keys and the root token are kept (JSON, mode 0600).
    type: path
    required: true
  shares:
    description: Number of unseal key shares.
    type: int
    default: 5
  threshold:
    description: Number of key shares needed to unseal.
    type: int
    default: 3
  charm_token:
    description: Make and return a short-lived token for the charm's C(authorize-charm) action.
    type: bool
    default: false
  token_ttl:
    description: Lifetime of that token, as Vault takes it.
    type: str
    default: 10m
  timeout:
    description: Seconds for each HTTP request.
    type: int
    default: 30
"""

EXAMPLES = r"""
- name: Vault initialised and unsealed, keys on r0
  nestedcloud.openstack.vault_init:
    urls: [http://10.33.2.17:8200]
    keys_file: /root/.nestedcloud-vault/keys.json
    charm_token: true
  register: vault
  no_log: true
"""

RETURN = r"""
initialized:
  description: Whether this run initialised Vault (or would, in check mode).
  returned: success
  type: bool
unsealed:
  description: The URLs of the units this run unsealed (or would).
  returned: success
  type: list
  elements: str
charm_token:
  description: A short-lived token for C(authorize-charm), when asked for (empty in check mode).
  returned: when O(charm_token)
  type: str
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.urls import open_url

from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.files import write_whole


class VaultError(Exception):
    pass


def call(module, url, path, body=None, token=None):
    """One request to Vault's API; the decoded answer, or VaultError naming the URL and Vault's errors."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["X-Vault-Token"] = token
    method = "GET" if body is None else ("POST" if path.startswith("/v1/auth/") else "PUT")
    try:
        answer = open_url(url.rstrip("/") + path, method=method, headers=headers, timeout=module.params["timeout"],
                          data=None if body is None else json.dumps(body), validate_certs=True)
        text = answer.read()
    except HTTPError as err:
        detail = err.read().decode("utf-8", "replace")[:300] if hasattr(err, "read") else ""
        raise VaultError("%s %s%s: HTTP %s %s" % (method, url, path, err.code, detail))
    except (URLError, OSError) as err:
        raise VaultError("%s %s%s: %s" % (method, url, path, err))
    return json.loads(text) if text else {}


def save(path, document):
    """Write the keys file whole, 0600 from the first byte."""
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        os.makedirs(directory, mode=0o700)
    write_whole(path, json.dumps(document, indent=1, sort_keys=True), 0o600)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            urls=dict(type="list", elements="str", required=True),
            keys_file=dict(type="path", required=True, no_log=False),
            shares=dict(type="int", default=5),
            threshold=dict(type="int", default=3),
            charm_token=dict(type="bool", default=False),
            token_ttl=dict(type="str", default="10m", no_log=False),
            timeout=dict(type="int", default=30),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not params["urls"]:
        module.fail_json(msg="urls: give the API URL of at least one Vault unit")
    if not 1 <= params["threshold"] <= params["shares"]:
        module.fail_json(msg="threshold: must be between 1 and shares (%d), got %d" % (params["shares"], params["threshold"]))
    first, keys_file = params["urls"][0], params["keys_file"]
    result = dict(changed=False, initialized=False, unsealed=[])
    try:
        initialised = call(module, first, "/v1/sys/init").get("initialized")
        have_file = os.path.exists(keys_file)
        if initialised and not have_file:
            module.fail_json(msg="keys_file: Vault at %s is initialised but %s is missing; put the file with its unseal "
                             "keys and root token back" % (first, keys_file), **result)
        if not initialised and have_file:
            module.fail_json(msg="keys_file: %s exists but Vault at %s is not initialised, so the file belongs to "
                             "another Vault; move it away to initialise this one" % (keys_file, first), **result)
        keys = None
        if not initialised:
            result.update(changed=True, initialized=True)
            if not module.check_mode:
                answer = call(module, first, "/v1/sys/init", {"secret_shares": params["shares"],
                                                              "secret_threshold": params["threshold"]})
                keys = {"keys": answer["keys"], "root_token": answer["root_token"], "url": first,
                        "threshold": params["threshold"]}
                save(keys_file, keys)
        elif have_file:
            with open(keys_file) as handle:
                keys = json.load(handle)
        for url in params["urls"]:
            seal = call(module, url, "/v1/sys/seal-status")
            if not seal.get("sealed"):
                continue
            result["changed"] = True
            result["unsealed"].append(url)
            if module.check_mode or keys is None:
                continue
            for key in keys["keys"]:
                seal = call(module, url, "/v1/sys/unseal", {"key": key})
                if not seal.get("sealed"):
                    break
            if seal.get("sealed"):
                module.fail_json(msg="urls: %s is still sealed after %d keys from %s (progress %s of %s)"
                                 % (url, len(keys["keys"]), keys_file, seal.get("progress"), seal.get("t")), **result)
        if params["charm_token"]:
            result.update(changed=True, charm_token="")  # a new token is a change in Vault
            if not module.check_mode and keys is not None:
                token = call(module, first, "/v1/auth/token/create", {"ttl": params["token_ttl"]}, keys["root_token"])
                result["charm_token"] = token["auth"]["client_token"]
    except VaultError as err:
        module.fail_json(msg="urls: " + str(err), **result)
    except (KeyError, ValueError) as err:
        module.fail_json(msg="urls: Vault answered something unexpected (%s) or keys_file %s is damaged" % (err, keys_file),
                         **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
