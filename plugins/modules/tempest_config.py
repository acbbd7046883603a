#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: tempest_config
short_description: Write tempest.conf for the inner cloud from what it really runs, with the test image and flavors
version_added: 0.1.0
description:
  - Connects to the inner cloud as its admin through a C(clouds.yaml) entry on this host (O(cloud)) and discovers
    what Tempest must know - Keystone's URL and the region, the TLS CA, the services in the catalog (what is not
    there is switched off in C([service_available]), so that its tests skip instead of failing), Neutron's API
    extensions, Nova's microversion range and how many computes are up.
  - Makes what Tempest needs and does not make for itself, once, public and kept between runs - the test image
    O(image_name) (a disk image, or a kernel and initrd for direct kernel boot; uploaded again only when a file
    changed), two flavors (O(flavors)) and, when the cloud has no external network, the external (flat, provider)
    network O(external) named C(public).
  - Writes O(workspace)C(/.stestr.conf) (Tempest's own, but each scenario test a group of its own, so that the workers
    share the long scenario class) and O(workspace)C(/etc/tempest.conf) (mode 0600 - it holds the admin password, which never appears in the
    result) with dynamic credentials (Tempest makes and removes its own projects and users, with the C(member)
    role), validation over floating IPs with a keypair, the config drive as the metadata source (the inner cloud runs
    no metadata service), and timeouts for QEMU/TCG guests when O(virt_type=qemu). O(overrides) are merged last.
  - Changed only when it made or replaced something or the file's content changed.
author:
  - nestedcloud.openstack developers (@nestedcloud)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: partial
    details: Discovers and reports what it would make and whether the file would change, and makes nothing.
  diff_mode:
    support: none
    details: The file holds the admin password.
  platform:
    platforms: posix
requirements:
  - openstacksdk >= 0.101 on the host it runs on
options:
  cloud:
    description: The C(clouds.yaml) entry of the inner cloud's admin on this host.
    type: str
    default: overcloud
  workspace:
    description: Tempest's working directory (C(etc/tempest.conf), logs, locks); made when missing.
    type: path
    required: true
  image:
    description:
      - The test image, files on this host - C(file) (with C(format), default C(qcow2)), or C(kernel) and C(initrd)
        (with C(cmdline)) for direct kernel boot.
    type: dict
    required: true
  image_name:
    description: Name of the test image in Glance (its kernel and initrd get C(-kernel) and C(-initrd)).
    type: str
    default: tempest-guest
  image_ssh_user:
    description: The login user of the test image.
    type: str
    default: root
  flavors:
    description: The two flavors Tempest uses (C(flavor_ref), C(flavor_ref_alt)), each C(name), C(ram) (MiB), C(vcpus), C(disk) (GiB).
    type: list
    elements: dict
    default:
      - {name: tempest1, ram: 256, vcpus: 1, disk: 1}
      - {name: tempest2, ram: 320, vcpus: 1, disk: 1}
  external:
    description:
      - The external network to make when the cloud has none - C(cidr), C(gateway), C(pool_start), C(pool_end),
        C(physnet).
    type: dict
    required: true
  project_network_cidr:
    description: The range Tempest cuts its projects' networks from.
    type: str
    required: true
  dns_servers:
    description: Resolvers of the subnets Tempest makes.
    type: list
    elements: str
    default: []
  metadata_service:
    description: Whether the inner cloud serves the metadata API to its instances (ML2/OVN's metadata agents), so
      that Tempest tests it; every inner cloud gives a config drive.
    type: bool
    default: false
  virt_type:
    description: How the inner cloud's instances run - C(kvm), or C(qemu) (TCG, timeouts doubled).
    type: str
    choices: [kvm, qemu]
    default: qemu
  overrides:
    description: 'Settings merged over the module''s own (C({section: {key: value}}); null removes a key).'
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: Tempest's configuration for the inner cloud
  nestedcloud.openstack.tempest_config:
    workspace: /root/nestedcloud-tempest
    image: {file: /var/tmp/cirros-0.6.2-x86_64-disk.img, format: qcow2}
    image_ssh_user: cirros
    external: {cidr: 10.44.0.0/16, gateway: 10.44.0.1, pool_start: 10.44.1.1, pool_end: 10.44.255.254, physnet: external}
    project_network_cidr: 10.45.0.0/16
    dns_servers: [10.33.0.1]
    virt_type: qemu
"""

RETURN = r"""
path:
  description: The tempest.conf written.
  returned: always
  type: str
  sample: /root/nestedcloud-tempest/etc/tempest.conf
made:
  description: What the module made or replaced in the inner cloud (empty when everything was there).
  returned: always
  type: list
  elements: str
  sample: ["image tempest-guest", "flavor tempest1"]
services:
  description: The C([service_available]) switches written.
  returned: always
  type: dict
  sample: {"nova": true, "glance": true, "neutron": true, "cinder": false, "swift": false, "horizon": false}
network_extensions:
  description: How many Neutron API extensions the cloud offers.
  returned: always
  type: int
compute_microversions:
  description: Nova's microversion range.
  returned: always
  type: dict
  sample: {"min": "2.1", "max": "2.93"}
image_id:
  description: The test image's id.
  returned: always
  type: str
public_network:
  description: Name and id of the external network Tempest uses.
  returned: always
  type: dict
computes:
  description: How many nova-compute services are up and enabled.
  returned: always
  type: int
"""

import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nestedcloud.openstack.plugins.module_utils.common.files import read_text, write_whole
from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.api import (
    catalog_types, check_image_files, openstack, require_sdk, upload_image)
from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner.tempest import (
    conf_sections, render_ini, stestr_conf)

HEADER = """Written by nestedcloud.openstack (module tempest_config) from what the inner cloud runs.
Changes here are overwritten by the next run: set them with the verify role's verify_tempest_overrides."""


def _sha512(path):
    digest = hashlib.sha512()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class TempestCloud:
    def __init__(self, module):
        self.module = module
        self.p = module.params
        self.made = []
        try:
            self.conn = openstack.connect(cloud=self.p["cloud"])
            self.conn.authorize()
        except Exception as err:  # pylint: disable=broad-except
            module.fail_json(msg="cloud: cannot log in to the inner cloud with clouds.yaml entry %s: %s"
                             % (self.p["cloud"], err))

    # --- discovery -----------------------------------------------------------------------------------------
    def catalog(self):
        return catalog_types(self.conn, self.conn.config.get_region_name())

    def microversions(self):
        try:
            version = self.conn.compute.get("/").json().get("version") or {}
        except Exception:  # pylint: disable=broad-except
            return {}
        return {"min": version.get("min_version") or None, "max": version.get("version") or None}

    def computes(self):
        return sum(1 for s in self.conn.compute.services() if s.binary == "nova-compute" and s.state == "up"
                   and s.status == "enabled")

    # --- what Tempest needs ---------------------------------------------------------------------------------
    def image(self):
        """The test image, uploaded again (and the old one removed) only when a file differs from Glance's copy."""
        name, image = self.p["image_name"], self.p["image"]
        parts = [(name, image.get("file") or None)]
        if image.get("kernel"):
            parts = [(name + "-kernel", image["kernel"]), (name + "-initrd", image["initrd"]), (name, None)]
        old = dict((n, list(self.conn.image.images(name=n))) for n, _path in parts)
        same = all(len(old[n]) == 1 and old[n][0].status == "active" and
                   (path is None or old[n][0].hash_value == _sha512(path)) for n, path in parts)
        if same:
            return old[name][0]
        self.made.append("image %s" % name)
        if self.module.check_mode:
            return None
        tmp = tempfile.mkdtemp(prefix="nestedcloud-tempest-")
        try:
            new = upload_image(self.conn, name, image, tmp, visibility="public")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        for images in old.values():
            for stale in images:
                self.conn.image.delete_image(stale, ignore_missing=True)
        return new[-1]

    def flavors(self):
        found = []
        for spec in self.p["flavors"]:
            flavor = self.conn.compute.find_flavor(spec["name"])
            if flavor is None:
                self.made.append("flavor %s" % spec["name"])
                if not self.module.check_mode:
                    flavor = self.conn.compute.create_flavor(name=spec["name"], ram=int(spec["ram"]),
                                                             vcpus=int(spec["vcpus"]), disk=int(spec["disk"]),
                                                             is_public=True)
            found.append(flavor)
        return found

    def public_network(self):
        """The cloud's external network (the first by name), or a new flat one on the physnet called public."""
        external = sorted(self.conn.network.networks(is_router_external=True), key=lambda n: n.name)
        if external:
            return external[0]
        ext = self.p["external"]
        self.made.append("external network public (%s)" % ext["cidr"])
        if self.module.check_mode:
            return None
        net = self.conn.network.create_network(name="public", is_router_external=True, provider_network_type="flat",
                                               provider_physical_network=ext.get("physnet") or "external")
        try:
            self.conn.network.create_subnet(network_id=net.id, name="public", ip_version=4, cidr=ext["cidr"],
                                            gateway_ip=ext["gateway"], enable_dhcp=False,
                                            allocation_pools=[{"start": ext["pool_start"], "end": ext["pool_end"]}])
        except Exception:
            self.conn.network.delete_network(net)  # nothing half-made
            raise
        return net


def tempest_package(module):
    """The directory of the tempest package this host's Python imports (the distribution's)."""
    spec = importlib.util.find_spec("tempest")
    if spec is None or not spec.origin:
        module.fail_json(msg="tempest is not installed for %s on this host (the verify role installs its package)"
                         % sys.executable)
    return os.path.dirname(spec.origin)


def _id(resource, placeholder):
    return resource.id if resource is not None else placeholder


def main():
    module = AnsibleModule(
        argument_spec=dict(
            cloud=dict(type="str", default="overcloud"),
            workspace=dict(type="path", required=True),
            image=dict(type="dict", required=True),
            image_name=dict(type="str", default="tempest-guest"),
            image_ssh_user=dict(type="str", default="root"),
            flavors=dict(type="list", elements="dict", default=[
                {"name": "tempest1", "ram": 256, "vcpus": 1, "disk": 1},
                {"name": "tempest2", "ram": 320, "vcpus": 1, "disk": 1}]),
            external=dict(type="dict", required=True),
            project_network_cidr=dict(type="str", required=True),
            dns_servers=dict(type="list", elements="str", default=[]),
            metadata_service=dict(type="bool", default=False),
            virt_type=dict(type="str", default="qemu", choices=["kvm", "qemu"]),
            overrides=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    require_sdk(module)
    p = module.params
    bad = check_image_files(p["image"])
    if bad:
        module.fail_json(msg=bad)
    if len(p["flavors"]) != 2 or any(not f.get(k) for f in p["flavors"] for k in ("name", "ram", "vcpus", "disk")):
        module.fail_json(msg="flavors: give two, each with name, ram, vcpus and disk")
    missing = [k for k in ("cidr", "gateway", "pool_start", "pool_end") if not p["external"].get(k)]
    if missing:
        module.fail_json(msg="external: missing %s" % ", ".join(missing))
    cloud = TempestCloud(module)
    try:
        services = cloud.catalog()
        extensions = [e.alias for e in cloud.conn.network.extensions()] if "network" in services else []
        micro = cloud.microversions() if "compute" in services else {}
        computes = cloud.computes() if "compute" in services else 0
        image = cloud.image()
        flavors = cloud.flavors()
        public = cloud.public_network()
    except openstack.exceptions.SDKException as err:
        module.fail_json(msg="the inner cloud refused: %s" % err, made=cloud.made)
    auth = cloud.conn.config.config.get("auth", {})
    facts = {
        "auth_url": auth.get("auth_url", ""),
        "region": cloud.conn.config.get_region_name() or "RegionOne",
        "interface": cloud.conn.config.get_interface() or "public",
        "cacert": cloud.conn.config.config.get("cacert"),
        "admin": {"username": auth.get("username"), "password": auth.get("password"),
                  "project_name": auth.get("project_name"),
                  "user_domain_name": auth.get("user_domain_name") or "Default",
                  "project_domain_name": auth.get("project_domain_name") or "Default"},
        "services": services,
        "network_extensions": extensions,
        "compute_microversions": micro,
        "computes": computes,
        "image_id": _id(image, "(made on the real run)"),
        "image_alt_id": _id(image, "(made on the real run)"),
        "flavor_id": _id(flavors[0], "(made on the real run)"),
        "flavor_alt_id": _id(flavors[1], "(made on the real run)"),
        "public_network_id": _id(public, "(made on the real run)"),
        "public_network_name": public.name if public is not None else "public",
    }
    sections = conf_sections(facts, dict(p, workspace=p["workspace"]))
    text = render_ini(sections, HEADER)
    path = os.path.join(p["workspace"], "etc", "tempest.conf")
    files = {path: text, os.path.join(p["workspace"], ".stestr.conf"): stestr_conf(tempest_package(module))}
    stale = [name for name, content in files.items() if read_text(name) != content]
    changed = bool(cloud.made or stale)
    if not module.check_mode:
        for sub in ("etc", "logs", "lock"):
            os.makedirs(os.path.join(p["workspace"], sub), mode=0o700, exist_ok=True)
        for name in stale:
            write_whole(name, files[name], 0o600)
    module.exit_json(changed=changed, path=path, made=cloud.made, computes=computes,
                     services=dict((k, v == "true") for k, v in sections["service_available"].items()),
                     network_extensions=len(extensions), compute_microversions=micro,
                     image_id=facts["image_id"],
                     public_network={"name": facts["public_network_name"], "id": facts["public_network_id"]})


if __name__ == "__main__":
    main()
