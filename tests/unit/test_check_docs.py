# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""scripts/check_docs.py, the docs tier's rendering check: ansible-doc's output of many plugins split per plugin, and
what each must show."""

from __future__ import annotations

import importlib.util
import os

HERE = os.path.dirname(__file__)
SPEC = importlib.util.spec_from_file_location("check_docs", os.path.join(HERE, "..", "..", "scripts", "check_docs.py"))
DOCS = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(DOCS)

MODULES = """> MODULE nestedcloud.openstack.vxlan (/x/plugins/modules/vxlan.py)

  A VXLAN device.
OPTIONS (= indicates it is required):
ATTRIBUTES:
        check_mode:
EXAMPLES:
RETURN VALUES:
> MODULE nestedcloud.openstack.lab_plan (/x/plugins/modules/lab_plan.py)
OPTIONS (= indicates it is required):
        check_mode:
EXAMPLES:
"""


def test_the_output_is_split_at_each_plugins_header():
    parts = DOCS.split(MODULES)
    assert sorted(parts) == ["nestedcloud.openstack.lab_plan", "nestedcloud.openstack.vxlan"]
    assert "A VXLAN device" in parts["nestedcloud.openstack.vxlan"]
    assert "A VXLAN device" not in parts["nestedcloud.openstack.lab_plan"]
    roles = "> ROLE: *nestedcloud.openstack.overlay* (/x)\nENTRY POINT: *main* - The overlay\n"
    assert list(DOCS.split(roles)) == ["nestedcloud.openstack.overlay"]


def test_a_missing_part_or_an_unrendered_plugin_is_named():
    wanted = ["nestedcloud.openstack.vxlan", "nestedcloud.openstack.lab_plan", "nestedcloud.openstack.gone"]
    assert DOCS.problems("module", wanted, MODULES) == [
        "ansible-doc module nestedcloud.openstack.lab_plan lacks RETURN",
        "ansible-doc did not render module nestedcloud.openstack.gone",
    ]
    role = "> ROLE: *nestedcloud.openstack.smoke* (/x)\nENTRY POINT: *verify* - other\n"
    assert DOCS.problems("role", ["nestedcloud.openstack.smoke"], role) == [
        "ansible-doc role nestedcloud.openstack.smoke lacks ENTRY POINT: .*main"]


def test_every_module_filter_and_role_of_the_checkout_is_asked_for():
    top = os.path.join(HERE, "..", "..")
    found = DOCS.names(top)
    assert "nestedcloud.openstack.undercloud_servers" in found["module"]
    assert "nestedcloud.openstack.to_ini" in found["filter"]
    assert "nestedcloud.openstack.overcloud" in found["role"] and len(found["role"]) == len(os.listdir(
        os.path.join(top, "roles"))) - 1  # roles/README.md
    assert len(found["module"]) == len([n for n in os.listdir(os.path.join(top, "plugins", "modules"))
                                        if n.endswith(".py") and n != "__init__.py"])
