# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The local undercloud is a real OpenStack that an ordinary project member can use."""

from __future__ import annotations

import os
import stat
import subprocess

import pytest

openstack = pytest.importorskip("openstack")

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def test_catalog_has_every_service(member):
    catalog = member.session.auth.get_access(member.session).service_catalog
    for kind in ("identity", "compute", "network", "image", "volumev3", "placement"):
        assert catalog.url_for(service_type=kind, interface="public").startswith("http://127.0.0.1:"), kind


def test_the_test_user_is_an_ordinary_member(member):
    roles = member.session.auth.get_access(member.session).role_names
    assert "member" in roles and "admin" not in roles
    with pytest.raises(openstack.exceptions.ForbiddenException):
        list(member.compute.hypervisors())


def test_member_reads_quotas_with_usage(member):
    project = member.current_project_id
    assert member.compute.get_quota_set(project, usage=True).usage is not None
    assert "used" in member.network.get_quota(project, details=True).ports
    assert member.block_storage.get_quota_set(project, usage=True).usage is not None


def test_base_resources(member):
    assert member.network.find_network("public").is_router_external
    assert member.compute.find_flavor("m1.xlarge").ram == 16384
    assert member.image.find_image("cirros")


def test_a_server_boots_on_a_port_and_is_deleted(member):
    net = member.network.create_network(name="nc-itest-boot")
    try:
        subnet = member.network.create_subnet(network_id=net.id, cidr="192.0.2.0/24", ip_version=4)
        port = member.network.create_port(network_id=net.id,
                                          fixed_ips=[{"subnet_id": subnet.id, "ip_address": "192.0.2.10"}])
        server = member.compute.create_server(name="nc-itest-boot", flavor_id=member.compute.find_flavor("m1.tiny").id,
                                              image_id=member.image.find_image("cirros").id,
                                              networks=[{"port": port.id}])
        server = member.compute.wait_for_server(server, wait=120)
        assert server.status == "ACTIVE"
        member.compute.delete_server(server)
        member.compute.wait_for_delete(server, wait=120)
    finally:
        for port in member.network.ports(network_id=net.id):
            if port.device_owner in ("", "compute:nova", None):
                member.network.delete_port(port)
        member.network.delete_network(net)


def test_clouds_yaml_is_private_and_status_reports_apis(clouds_yaml):
    assert stat.S_IMODE(os.stat(clouds_yaml).st_mode) == 0o600
    out = subprocess.run([os.path.join(TOP, "tests", "undercloud", "undercloud.sh"), "status"], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    for api in ("keystone", "glance", "placement", "nova", "neutron", "cinder"):
        assert "%s: answers" % api in out
    assert "DEAD" not in out
