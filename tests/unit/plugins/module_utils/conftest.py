# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by the tests of modules that drive a host's command-line tools."""

from __future__ import annotations

import pytest


@pytest.fixture()
def module_on(monkeypatch):
    """A module's main() against a fake tool (a callable taking argv, returning (rc, stdout, stderr)), with the
    tools on the path or (``installed=False``) missing."""
    from ansible.module_utils.basic import AnsibleModule

    def use(fake, installed=True):
        monkeypatch.setattr(AnsibleModule, "run_command", lambda self, argv, **kw: fake(argv))
        monkeypatch.setattr(AnsibleModule, "get_bin_path",
                            lambda self, name, *a, **kw: "/usr/bin/" + name if installed else None)
    return use
