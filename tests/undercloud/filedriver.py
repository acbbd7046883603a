# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Cinder volume driver for the local test cloud: volumes are sparse files.

Cinder's FakeLoggingVolumeDriver (shipped by python3-cinder under cinder/tests) accepts create, attach and
delete, but it cannot create a volume from an image: it inherits LVM's copy, which needs a device-mapper
volume this machine does not have. This driver keeps every volume as a sparse file under
/var/lib/cinder/nc-volumes and copies the Glance image's bytes into it, so "create volume from image" (and
therefore Nova's boot from volume) runs the real Cinder flow: scheduler, download from Glance, bootable
flag, image metadata. The bytes are stored as they come (the test image is raw); no qemu-img conversion.

It lives in the test harness only: undercloud.sh puts this directory on cinder-volume's PYTHONPATH.
"""

import os

from cinder.tests import fake_driver

VOLUME_DIR = "/var/lib/cinder/nc-volumes"


class FileVolumeDriver(fake_driver.FakeLoggingVolumeDriver):
    """Volumes are sparse files; attach/export stay fake (Nova's fake driver never reads them)."""

    def _path(self, volume):
        return os.path.join(VOLUME_DIR, volume["name"])

    def local_path(self, volume, vg=None):
        return self._path(volume)

    def create_volume(self, volume):
        update = super().create_volume(volume)
        os.makedirs(VOLUME_DIR, mode=0o750, exist_ok=True)
        with open(self._path(volume), "wb") as handle:
            handle.truncate(int(volume["size"]) * 1024 ** 3)
        return update

    def delete_volume(self, volume):
        try:
            os.unlink(self._path(volume))
        except FileNotFoundError:
            pass

    def copy_image_to_volume(self, context, volume, image_service, image_id):
        size = int(volume["size"]) * 1024 ** 3
        with open(self._path(volume), "r+b") as handle:
            image_service.download(context, image_id, handle)
            if handle.tell() > size:
                raise ValueError("image %s is larger than volume %s (%d GiB)" % (image_id, volume["id"], volume["size"]))
            handle.truncate(size)

    def copy_image_to_encrypted_volume(self, context, volume, image_service, image_id):
        self.copy_image_to_volume(context, volume, image_service, image_id)
