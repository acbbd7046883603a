# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The overcloud role's per-distribution settings name the same things, and every service a handler restarts runs."""

from __future__ import annotations

import os

import pytest
import yaml

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.releases import resolve

VARS = os.path.join(os.path.dirname(__file__), "..", "..", "roles", "overcloud", "vars")
DISTRIBUTIONS = ("Debian", "Ubuntu")


def load(name):
    with open(os.path.join(VARS, name + ".yml")) as handle:
        return yaml.safe_load(handle)


def test_same_settings_for_every_distribution():
    keys = {name: set(load(name)) for name in DISTRIBUTIONS}
    assert keys["Debian"] == keys["Ubuntu"]


NETWORKS = ("ovn",)
# services that come with a package of another name
PROVIDED_BY = {"nova-api-metadata": "nova-api"}


@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("name", DISTRIBUTIONS)
def test_handlers_restart_only_services_that_run(name, network):
    settings, net = load(name), load("network-" + network)["_overcloud_net"]
    restart = settings["_overcloud_restart"]
    assert set(restart) == {"keystone", "glance", "placement", "nova_controller", "nova_compute",
                            "neutron_controller", "horizon"}
    # Horizon's web server is started by the Horizon step itself, and comes with Horizon's package
    assert restart["horizon"] == ["apache2"]
    controller = settings["_overcloud_controller_services"] + net["controller_services"]
    compute = settings["_overcloud_compute_services"] + net["compute_services"]
    for topic, services in restart.items():
        if topic == "horizon":
            continue
        assert set(services) <= set(compute if topic.endswith("_compute") else controller), (name, topic)
    assert settings["_overcloud_keystone_service"] in controller
    # every service that runs is installed by a package of that name, or comes with the one that provides it
    for service in compute:
        assert service in settings["_overcloud_compute_packages"] + net["compute_packages"], (name, service)
    for service in net["controller_services"]:
        assert service in net["controller_packages"] or PROVIDED_BY.get(service) in settings[
            "_overcloud_controller_packages"], (network, service)
    # the backend's restarts are of services that run where they are restarted
    assert set(net["restart"]["neutron_controller"] + net["restart"]["nova_controller"]) <= set(controller)
    assert set(net["restart"]["neutron_compute"]) <= set(compute)


@pytest.mark.parametrize("network", NETWORKS)
def test_a_network_backend_names_what_the_role_reads(network):
    net = load("network-" + network)
    assert set(net) >= {"_overcloud_net", "_overcloud_net_agents", "_overcloud_net_neutron_conf", "_overcloud_ml2_conf",
                        "_overcloud_net_controller_ini", "_overcloud_net_compute_ini", "_overcloud_net_uwsgi_files",
                        "_overcloud_net_nova_conf"}
    assert set(net["_overcloud_net"]) == {"controller_packages", "compute_packages", "controller_services",
                                          "compute_services", "restart"}
    assert set(net["_overcloud_net"]["restart"]) == {"neutron_controller", "neutron_compute", "nova_controller"}
    # the agents the health check waits for are services the backend runs
    running = net["_overcloud_net"]["controller_services"] + net["_overcloud_net"]["compute_services"]
    assert set(net["_overcloud_net_agents"]) <= set(running) | {"ovn-controller"}
    # no distribution file names a backend's agent any more
    for name in DISTRIBUTIONS:
        assert not set(load(name)["_overcloud_controller_packages"]) & set(net["_overcloud_net"]["controller_packages"])


def test_ubuntu_cloud_archive_defaults():
    """jammy's own Yoga is older than Debian 12's Zed: auto takes caracal from the Cloud Archive; noble its own."""
    with open(os.path.join(VARS, "..", "defaults", "main.yml")) as handle:
        releases = yaml.safe_load(handle)["overcloud_releases"]
    jammy = resolve(releases, "auto", "Ubuntu", "22.04")
    assert (jammy["from"], jammy["pocket"]) == ("cloud-archive", "caracal")
    noble = resolve(releases, "auto", "Ubuntu", "24.04")
    assert (noble["from"], noble["pocket"]) == ("distribution", "")
    assert not any("uca" in key for name in DISTRIBUTIONS for key in load(name))  # the data is in one place
