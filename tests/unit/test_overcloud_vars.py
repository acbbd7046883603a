# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The overcloud role's per-distribution settings name the same things, and every service a handler restarts runs."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.nestedcloud.openstack.plugins.module_utils.releases import resolve

VARS = os.path.join(os.path.dirname(__file__), "..", "..", "roles", "overcloud", "vars")
DISTRIBUTIONS = ("Debian", "Ubuntu")


def load(name):
    with open(os.path.join(VARS, name + ".yml")) as handle:
        return yaml.safe_load(handle)


def test_same_settings_for_every_distribution():
    keys = {name: set(load(name)) for name in DISTRIBUTIONS}
    assert keys["Debian"] == keys["Ubuntu"]


@pytest.mark.parametrize("name", DISTRIBUTIONS)
def test_handlers_restart_only_services_that_run(name):
    settings = load(name)
    restart = settings["_overcloud_restart"]
    assert set(restart) == {"keystone", "glance", "placement", "nova_controller", "nova_compute",
                            "neutron_controller", "neutron_compute", "horizon"}
    # Horizon's web server is started by the Horizon step itself, and comes with Horizon's package
    assert restart["horizon"] == ["apache2"]
    for topic, services in restart.items():
        if topic == "horizon":
            continue
        running = settings["_overcloud_compute_services"] if topic.endswith("_compute") else \
            settings["_overcloud_controller_services"]
        assert set(services) <= set(running), (name, topic)
    assert settings["_overcloud_keystone_service"] in settings["_overcloud_controller_services"]
    # every service that runs is installed by a package of that name, or comes with the one that provides it
    for service in settings["_overcloud_compute_services"]:
        assert service in settings["_overcloud_compute_packages"], (name, service)


def test_ubuntu_cloud_archive_defaults():
    """jammy's own Yoga is older than Debian 12's Zed: auto takes caracal from the Cloud Archive; noble its own."""
    with open(os.path.join(VARS, "..", "defaults", "main.yml")) as handle:
        releases = yaml.safe_load(handle)["overcloud_releases"]
    jammy = resolve(releases, "auto", "Ubuntu", "22.04")
    assert (jammy["from"], jammy["pocket"]) == ("cloud-archive", "caracal")
    noble = resolve(releases, "auto", "Ubuntu", "24.04")
    assert (noble["from"], noble["pocket"]) == ("distribution", "")
    assert not any("uca" in key for name in DISTRIBUTIONS for key in load(name))  # the data is in one place
