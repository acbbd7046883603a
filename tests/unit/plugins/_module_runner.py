# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module's main() in-process with given arguments and return its JSON result."""

from __future__ import annotations

import contextlib
import io
import json

from ansible.module_utils.testing import patch_module_args


def run_module(args, check_mode=False, main=None, diff=False):
    if main is None:
        from ansible_collections.nestedcloud.openstack.plugins.modules.lab_plan import main
    if check_mode:
        args = dict(args, _ansible_check_mode=True)
    if diff:
        args = dict(args, _ansible_diff=True)
    out = io.StringIO()
    with patch_module_args(args), contextlib.redirect_stdout(out):
        try:
            main()
        except SystemExit:
            pass
    return json.loads(out.getvalue())
