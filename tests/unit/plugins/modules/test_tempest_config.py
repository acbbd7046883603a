# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What tempest_config makes in the inner cloud: once (then nothing), again only when the image's files changed,
and nothing half-made when the cloud refuses part of it."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest

from ansible_collections.nestedcloud.openstack.plugins.modules import tempest_config


class FakeCloud:
    def __init__(self):
        self.images, self.flavors, self.networks, self.deleted = {}, {}, [], []
        self.image = SimpleNamespace(images=lambda name: [i for i in self.images.values() if i.name == name],
                                     delete_image=lambda image, ignore_missing: self.deleted.append(image.name))
        self.compute = SimpleNamespace(find_flavor=self.flavors.get, create_flavor=self._flavor)
        self.network = SimpleNamespace(networks=lambda is_router_external: list(self.networks),
                                       create_network=self._network, create_subnet=self._subnet,
                                       delete_network=lambda net: self.deleted.append(net.name))
        self.refuse_subnet = False

    def create_image(self, name, filename, **kwargs):
        with open(filename, "rb") as handle:
            digest = hashlib.sha512(handle.read()).hexdigest()
        image = SimpleNamespace(id="id-%s-%d" % (name, len(self.images)), name=name, status="active",
                                hash_value=digest)
        self.images[image.id] = image
        return image

    def _flavor(self, name, **kwargs):
        self.flavors[name] = SimpleNamespace(id="f-" + name, name=name)
        return self.flavors[name]

    def _network(self, name, **kwargs):
        return SimpleNamespace(id="n-" + name, name=name)

    def _subnet(self, **kwargs):
        if self.refuse_subnet:
            raise RuntimeError("409 overlapping range")


def cloud(tmp_path, conn, check_mode=False):
    kernel, initrd = tmp_path / "vmlinuz", tmp_path / "initrd.gz"
    if not kernel.exists():
        kernel.write_bytes(b"kernel")
        initrd.write_bytes(b"initrd")
    made = tempest_config.TempestCloud.__new__(tempest_config.TempestCloud)
    made.module = SimpleNamespace(check_mode=check_mode, fail_json=pytest.fail)
    made.p = {"image_name": "tempest-guest", "image": {"kernel": str(kernel), "initrd": str(initrd)},
              "flavors": [{"name": "tempest1", "ram": 256, "vcpus": 1, "disk": 1},
                          {"name": "tempest2", "ram": 320, "vcpus": 1, "disk": 1}],
              "external": {"cidr": "10.44.0.0/16", "gateway": "10.44.0.1", "pool_start": "10.44.1.1",
                           "pool_end": "10.44.1.9", "physnet": "external"}}
    made.made = []
    made.conn = conn
    return made


def test_made_once_then_nothing(tmp_path):
    conn = FakeCloud()
    first = cloud(tmp_path, conn)
    image = first.image()
    first.flavors()
    assert first.made == ["image tempest-guest", "flavor tempest1", "flavor tempest2"]
    assert sorted(i.name for i in conn.images.values()) == ["tempest-guest", "tempest-guest-initrd",
                                                            "tempest-guest-kernel"]
    second = cloud(tmp_path, conn)
    assert second.image().id == image.id and second.flavors() and second.made == []


def test_a_changed_file_uploads_the_image_again_and_removes_the_old_one(tmp_path):
    conn = FakeCloud()
    cloud(tmp_path, conn).image()
    (tmp_path / "initrd.gz").write_bytes(b"initrd, rebuilt")
    again = cloud(tmp_path, conn)
    new = again.image()
    assert again.made == ["image tempest-guest"] and new.id.startswith("id-tempest-guest-")
    assert sorted(conn.deleted) == ["tempest-guest", "tempest-guest-initrd", "tempest-guest-kernel"]


def test_check_mode_makes_nothing(tmp_path):
    conn = FakeCloud()
    looked = cloud(tmp_path, conn, check_mode=True)
    assert looked.image() is None and looked.public_network() is None
    assert looked.made == ["image tempest-guest", "external network public (10.44.0.0/16)"] and conn.images == {}


def test_an_existing_external_network_is_used_and_a_refused_subnet_leaves_no_network(tmp_path):
    conn = FakeCloud()
    conn.networks = [SimpleNamespace(id="n-ext", name="ext-net")]
    assert cloud(tmp_path, conn).public_network().name == "ext-net"
    conn.networks, conn.refuse_subnet = [], True
    with pytest.raises(RuntimeError):
        cloud(tmp_path, conn).public_network()
    assert conn.deleted == ["public"]
