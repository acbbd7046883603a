# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The requests MAAS's Redfish power driver sends, in its order, with its headers (standard library only).

Written after MAAS's provisioningserver/drivers/power/redfish.py (3.x): Basic auth, User-Agent MAAS, JSON bodies;
query = GET Systems/<node_id> and read PowerState; power on = query, ForceOff when on, GET the system for its
ETag, PATCH Boot {Once, Pxe} (If-Match the ETag when there is one), POST Reset On; power off = query, ForceOff
unless off, then the same PXE PATCH. Run on a host of the overlay:

    python3 maas_redfish.py URL USER PASSWORD NODE_ID on|off|query

It prints one JSON line: the result and every request with its status.
"""

from __future__ import annotations

import base64
import json
import sys
import urllib.error
import urllib.request


class Driver:
    def __init__(self, url, user, password, node_id):
        self.url, self.node = url.rstrip("/"), node_id
        token = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        self.headers = {"User-Agent": "MAAS", "Accept": "application/json", "Authorization": "Basic " + token,
                        "Content-Type": "application/json; charset=utf-8"}
        self.log = []

    def request(self, method, path, body=None, extra=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + "/" + path, data=data, method=method,
                                     headers=dict(self.headers, **(extra or {})))
        try:
            with urllib.request.urlopen(req, timeout=30) as answer:
                status, text, etag = answer.status, answer.read().decode(), answer.headers.get("ETag")
        except urllib.error.HTTPError as err:
            self.log.append([method, path, err.code])
            raise RuntimeError("Redfish request failed with response status code: %s." % err.code)
        self.log.append([method, path, status])
        return (json.loads(text) if text else {}), etag

    def system(self):
        return "redfish/v1/Systems/%s" % self.node

    def query(self):
        data, _etag = self.request("GET", self.system())
        return data["PowerState"].lower()

    def reset(self, kind):
        self.request("POST", self.system() + "/Actions/ComputerSystem.Reset", {"ResetType": kind})

    def set_pxe_boot(self):
        data, etag = self.request("GET", self.system())
        etag = data.get("@odata.etag") or etag
        self.request("PATCH", self.system(), {"Boot": {"BootSourceOverrideEnabled": "Once",
                                                       "BootSourceOverrideTarget": "Pxe"}},
                     {"If-Match": etag} if etag else None)

    def power_on(self):
        if self.query() == "on":
            self.reset("ForceOff")
        self.set_pxe_boot()
        self.reset("On")

    def power_off(self):
        if self.query() != "off":
            self.reset("ForceOff")
        self.set_pxe_boot()


def main(argv):
    url, user, password, node, action = argv[1:6]
    driver = Driver(url, user, password, node)
    result, error = None, None
    try:
        result = {"on": driver.power_on, "off": driver.power_off, "query": driver.query}[action]()
    except RuntimeError as err:
        error = str(err)
    print(json.dumps({"result": result, "error": error, "requests": driver.log}))
    return 0 if error is None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
