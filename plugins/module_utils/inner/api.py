# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inner cloud's modules: openstacksdk (Debian 12's 0.101 or newer) and a password connection to Keystone,
without clouds.yaml or OS_* variables (the modules run on the lab's hosts with credentials passed in)."""

from __future__ import annotations

import os
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


# The inner cloud's admin, as the inner-cloud modules take it (doc fragment nestedcloud.openstack.inner_admin)
ADMIN_ARGS = dict(
    auth=dict(type="dict", required=True, options=dict(
        auth_url=dict(type="str", required=True),
        username=dict(type="str", default="admin"),
        password=dict(type="str", required=True, no_log=True),
        project_name=dict(type="str", default="admin"),
        domain=dict(type="str", default="Default"),
        cacert=dict(type="path"))),
    region=dict(type="str", default="RegionOne"),
)


def admin_auth_error(auth):
    """What is wrong with the ``auth`` option, naming the field, or None."""
    if not str(auth.get("auth_url") or "").startswith(("http://", "https://")):
        return "auth.auth_url: %r is not an http(s) URL" % auth.get("auth_url")
    return None


def require_admin_auth(module):
    """Fail the module, naming the field, when its ``auth`` option is not usable."""
    error = admin_auth_error(module.params["auth"])
    if error:
        module.fail_json(msg=error)


def connect_admin(params, timeout=60):
    """A connection to the inner cloud as the admin of the ``auth`` and ``region`` options (ADMIN_ARGS)."""
    auth = params["auth"]
    return connect(auth["auth_url"], auth["username"], auth["password"], auth["project_name"], params["region"],
                   domain=auth["domain"], timeout=timeout, cacert=auth.get("cacert"))


def check_image_files(image):
    """An error naming the bad field of an image option ({file, format} or {kernel, initrd, cmdline}), or None."""
    files = [image.get("file")] if image.get("file") else [image.get("kernel"), image.get("initrd")]
    if not all(files):
        return "image: set file, or kernel and initrd"
    for path in files:
        if not os.path.isfile(path):
            return "image: %s is not a file on this host" % path
    return None


def upload_image(conn, name, image, tmpdir, on_made=None, **properties):
    """Upload a test image: a disk image (image.file, image.format), or for direct kernel boot a kernel and an initrd
    (image.kernel, image.initrd, image.cmdline) with an empty 1 MiB raw disk that names them. Returns the images made,
    the bootable one last; ``on_made(image)`` hears of each as soon as it exists (so that a failure later can undo
    it); ``properties`` go to each (visibility...)."""
    made = []

    def create(*args, **kwargs):
        made.append(conn.create_image(*args, **kwargs))
        if on_made:
            on_made(made[-1])
        return made[-1]

    if image.get("kernel"):
        parts = {}
        for kind, path, fmt in (("kernel", image["kernel"], "aki"), ("initrd", image["initrd"], "ari")):
            parts[kind] = create("%s-%s" % (name, kind), filename=path, disk_format=fmt, container_format=fmt,
                                 wait=True, **properties)
        root = os.path.join(tmpdir, "root.img")
        with open(root, "wb") as handle:
            handle.truncate(1024 * 1024)
        create(name, filename=root, disk_format="raw", container_format="bare", wait=True,
               kernel_id=parts["kernel"].id, ramdisk_id=parts["initrd"].id,
               os_command_line=image.get("cmdline") or "console=tty0 console=ttyS0", **properties)
    else:
        create(name, filename=image["file"], disk_format=image.get("format", "qcow2"), container_format="bare",
               wait=True, **properties)
    return made


def catalog_types(conn, region=None):
    """The service types of the connection's catalog (with an endpoint in ``region`` when one is given)."""
    access = conn.session.auth.get_access(conn.session)
    return sorted(set(entry["type"] for entry in access.service_catalog.catalog
                      if not region or any(ep.get("region_id", ep.get("region")) == region
                                           for ep in entry.get("endpoints", []))))


def delete_router(conn, router):
    """Delete a router of the inner cloud: first its interfaces (Neutron refuses a router that has any), then it."""
    router_id = getattr(router, "id", router)
    for port in conn.network.ports(device_id=router_id, device_owner="network:router_interface"):
        conn.network.remove_interface_from_router(router_id, port_id=port.id)
    conn.network.delete_router(router_id, ignore_missing=True)
