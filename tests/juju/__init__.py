# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-ins for Juju and Vault, and the juju command the tests hand to the modules and the role."""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def juju_command(tmp_path, vault_url, **env):
    """A juju command that is fake_juju.py with its state in tmp_path; returns (command, state file).
    ``env`` adds FAKE_JUJU_* settings, e.g. BOOTSTRAP_STEP="0.1"."""
    state, command = tmp_path / "juju-state.json", tmp_path / "juju-cli"
    settings = " ".join("FAKE_JUJU_%s=%s" % item for item in sorted(env.items()))
    command.write_text('#!/bin/sh\nFAKE_JUJU_STATE=%s FAKE_VAULT_URL=%s %s exec %s %s "$@"\n' % (
        state, vault_url, settings, sys.executable, os.path.join(HERE, "fake_juju.py")))
    command.chmod(0o755)
    return str(command), state
