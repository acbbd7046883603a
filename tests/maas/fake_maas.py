# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A contract test server for the part of MAAS's REST API 2.0 our modules use, on loopback.

It answers with MAAS's JSON shapes (fields our modules read, named as MAAS names them), refuses what MAAS refuses
(a bad OAuth signature, an unknown config name, DHCP on a VLAN without a dynamic range, a range overlapping
another), keeps its state in memory and logs every request in order, so tests can check the order of the calls
(proxy before the image import), their signing, and that a second run writes nothing.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

API_KEY = "ConsumerKey123:TokenKey45678:TokenSecretAbCdEf"
CONFIG = {"http_proxy": None, "enable_http_proxy": True, "use_peer_proxy": True, "upstream_dns": None,
          "dnssec_validation": "auto", "ntp_servers": "ntp.ubuntu.com", "ntp_external_only": False,
          "node_timeout": 30, "maas_name": "maas", "default_distro_series": "noble", "commissioning_distro_series": "noble",
          "boot_images_no_proxy": False}


GA = {"jammy": "22.04", "noble": "24.04"}  # subarchitecture of a release


class Refused(Exception):
    def __init__(self, code, body):
        super().__init__(body)
        self.code, self.body = code, body


class FakeMaas:
    """The state of one MAAS region+rack with one fabric and the subnet its rack sits on."""

    def __init__(self, subnet="10.33.0.0/16", api_key=API_KEY, import_rounds=3):
        self.key = api_key.split(":")
        self.log, self.nonces = [], set()
        self.config = dict(CONFIG)
        self.subnets = [{"id": 1, "cidr": subnet, "name": subnet, "gateway_ip": None, "dns_servers": [],
                         "vlan": {"id": 5001, "vid": 0, "fabric_id": 0, "fabric": "fabric-0", "mtu": 1500,
                                  "dhcp_on": False, "primary_rack": None, "name": "untagged"}}]
        self.ipranges = []
        self.racks = [{"system_id": "rk7q3a", "hostname": "oc-0001"}]
        self.sources = [{"id": 1, "url": "http://images.maas.io/ephemeral-v3/stable/",
                         "keyring_filename": "/snap/maas/current/usr/share/keyrings/ubuntu-cloudimage-keyring.gpg"}]
        self.selections = {1: [{"id": 1, "boot_source_id": 1, "os": "ubuntu", "release": "noble", "arches": ["amd64"],
                                "subarches": ["*"], "labels": ["*"]}]}
        self.resources, self.import_rounds, self.importing = [], import_rounds, 0
        self.machines, self.tags, self.commission_rounds = [], [], 2
        self.lock = threading.Lock()

    # --- OAuth 1.0 PLAINTEXT, as MAAS (piston3 + oauthlib) checks it --------------------------------------------
    def check_auth(self, header):
        if not header.startswith("OAuth "):
            raise Refused(401, "Authorization Error: 'Missing or bad OAuth header'")
        params = {}
        for part in header[len("OAuth "):].split(","):
            name, value = part.strip().split("=", 1) if "=" in part else (part.strip(), "")
            params[name] = unquote(value.strip('"'))
        expected = {"oauth_signature_method": "PLAINTEXT", "oauth_version": "1.0",
                    "oauth_consumer_key": self.key[0], "oauth_token": self.key[1],
                    "oauth_signature": "&" + self.key[2]}
        for name, value in expected.items():
            if params.get(name) != value:
                raise Refused(401, "Authorization Error: 'Invalid %s'" % name)
        nonce, stamp = params.get("oauth_nonce", ""), params.get("oauth_timestamp", "")
        if not nonce or nonce in self.nonces:
            raise Refused(401, "Authorization Error: 'Nonce already used'")
        if not stamp.isdigit() or abs(int(stamp) - time.time()) > 300:
            raise Refused(401, "Authorization Error: 'Expired timestamp'")
        self.nonces.add(nonce)

    # --- handlers -------------------------------------------------------------------------------------------------
    def handle(self, method, path, op, query, form):
        path = path.split("/api/2.0/", 1)[-1]
        self.log.append((method, path, op, {k: v if len(v) > 1 else v[0] for k, v in form.items()}))
        one = {k: v[-1] for k, v in form.items()}
        one.update({k: v[-1] for k, v in query.items()})
        if path == "maas/":
            return self.maas(method, op, one)
        if path == "subnets/" and method == "GET":
            return self.subnets
        if path.startswith("subnets/") and method == "PUT":
            subnet = self.find(self.subnets, int(path.split("/")[1]))
            if "gateway_ip" in one:
                subnet["gateway_ip"] = one["gateway_ip"]
            if "dns_servers" in one:
                subnet["dns_servers"] = one["dns_servers"].split()
            return subnet
        if path == "ipranges/":
            return self.ipranges if method == "GET" else self.add_range(one)
        if path == "rackcontrollers/" and method == "GET":
            return self.racks
        if path.startswith("fabrics/") and method == "PUT":
            return self.update_vlan(one)
        if path == "boot-sources/" and method == "GET":
            return self.sources
        if path.startswith("boot-sources/"):
            return self.selection(method, path, form)
        if path == "boot-resources/":
            return self.boot_resources(method, op)
        if path.startswith("boot-resources/") and method == "GET":
            return self.find(self.resources, int(path.split("/")[1]))
        if path == "machines/":
            return self.list_machines() if method == "GET" else self.create_machine(one)
        if path.startswith("machines/"):
            return self.machine(method, path.split("/")[1], op, one)
        if path == "tags/":
            return self.tags if method == "GET" else self.create_tag(one)
        if path.startswith("tags/") and method == "POST" and op == "update_nodes":
            name = path.split("/")[1]
            if name not in [t["name"] for t in self.tags]:
                raise Refused(404, "No Tag matches the given query.")
            for system_id in form.get("add", []):
                self.machine_by_id(system_id)["tag_names"].append(name)
            return {"added": len(form.get("add", [])), "removed": 0}
        raise Refused(404, "Unknown API endpoint: %s %s" % (method, path))

    @staticmethod
    def find(items, item_id):
        for item in items:
            if item["id"] == item_id:
                return item
        raise Refused(404, "No such object: %s" % item_id)

    def maas(self, method, op, one):
        name = one.get("name")
        if name not in self.config:
            raise Refused(400, json.dumps({"name": ['"%s" is not a valid config setting' % name]}))
        if method == "GET" and op == "get_config":
            return self.config[name]
        if method == "POST" and op == "set_config":
            value = one.get("value", "")
            if isinstance(CONFIG[name], bool):
                if value not in ("true", "false", "True", "False"):
                    raise Refused(400, json.dumps({"value": ["'%s' must be true or false" % value]}))
                value = value.lower() == "true"
            elif isinstance(CONFIG[name], int):
                value = int(value)
            self.config[name] = value
            return None
        raise Refused(400, "Unrecognised signature: method=%s op=%s" % (method, op))

    def add_range(self, one):
        start, end = ipaddress.ip_address(one["start_ip"]), ipaddress.ip_address(one["end_ip"])
        for other in self.ipranges:
            if ipaddress.ip_address(other["start_ip"]) <= end and start <= ipaddress.ip_address(other["end_ip"]):
                raise Refused(400, json.dumps({"__all__": ["Requested %s range conflicts with an existing %s range."
                                                           % (one["type"], other["type"])]}))
        subnet = self.find(self.subnets, int(one["subnet"]))
        item = {"id": len(self.ipranges) + 1, "type": one["type"], "start_ip": str(start), "end_ip": str(end),
                "comment": one.get("comment", ""), "subnet": {"id": subnet["id"], "cidr": subnet["cidr"]}}
        self.ipranges.append(item)
        return item

    def update_vlan(self, one):
        vlan = self.subnets[0]["vlan"]
        if one.get("dhcp_on") == "true":
            if not any(r["type"] == "dynamic" for r in self.ipranges):
                raise Refused(400, json.dumps({"dhcp_on": ["dhcp can only be turned on when a dynamic IP range "
                                                           "is defined."]}))
            if not (one.get("primary_rack") or vlan["primary_rack"]):
                raise Refused(400, json.dumps({"dhcp_on": ["dhcp can only be turned on when a primary rack "
                                                           "controller is set."]}))
        for key in ("mtu", "primary_rack"):
            if key in one:
                vlan[key] = int(one[key]) if key == "mtu" else one[key]
        if "dhcp_on" in one:
            vlan["dhcp_on"] = one["dhcp_on"] == "true"
        return vlan

    def selection(self, method, path, form):
        parts = path.strip("/").split("/")
        selections = self.selections.setdefault(int(parts[1]), [])
        if method == "GET":
            return selections
        if method == "POST":
            item = {"id": 1 + max([s["id"] for s in selections] or [0]), "boot_source_id": int(parts[1]),
                    "os": form["os"][0], "release": form["release"][0], "arches": form["arches"],
                    "subarches": form.get("subarches", ["*"]), "labels": form.get("labels", ["*"])}
            selections.append(item)
            return item
        item = self.find(selections, int(parts[3]))
        item["arches"] = form["arches"]
        return item

    def boot_resources(self, method, op):
        if method == "GET" and op == "is_importing":
            return self.importing > 0
        if method == "GET":
            self.tick()
            return [{k: r[k] for k in ("id", "type", "name", "architecture", "resource_uri")} for r in self.resources]
        if method == "POST" and op == "import":
            self.importing = self.import_rounds
            for number, sel in enumerate(s for sels in self.selections.values() for s in sels):
                for arch in sel["arches"]:
                    name = "%s/%s" % (sel["os"], sel["release"])
                    if not any(r["name"] == name and r["architecture"].startswith(arch) for r in self.resources):
                        self.resources.append({"id": 10 + len(self.resources), "type": "Synced", "name": name,
                                               "architecture": "%s/ga-%s" % (arch, GA[sel["release"]]),
                                               "resource_uri": "",
                                               "sets": {"20251120": {"progress": 0, "complete": False}}})
            return "Import of boot resources started"
        raise Refused(400, "Unrecognised signature: method=%s op=%s" % (method, op))

    def tick(self):
        """Each listing moves a running import on by one round; the last round completes every set."""
        if self.importing:
            self.importing -= 1
            for resource in self.resources:
                latest = resource["sets"][max(resource["sets"])]
                latest["progress"] = 100 if not self.importing else min(99, latest["progress"] + 40)
                latest["complete"] = not self.importing

    # --- machines and tags ---------------------------------------------------------------------------------------
    POWER_KEYS = ("power_address", "power_user", "power_pass", "node_id")

    def list_machines(self):
        """Each listing moves commissioning on: Commissioning, Testing, then Ready (or what fail_commission says)."""
        for machine in self.machines:
            if machine["status_name"] in ("Commissioning", "Testing"):
                machine["_rounds"] -= 1
                if machine["_rounds"] <= 0:
                    failed = machine["hostname"] in getattr(self, "fail_commission", ())
                    machine["status_name"] = "Failed commissioning" if failed else (
                        "Testing" if machine["status_name"] == "Commissioning" else "Ready")
                    machine["_rounds"] = 1
        return [{k: v for k, v in m.items() if not k.startswith("_")} for m in self.machines]

    def machine_by_id(self, system_id):
        for machine in self.machines:
            if machine["system_id"] == system_id:
                return machine
        raise Refused(404, "No Machine matches the given query.")

    def create_machine(self, one):
        for key in ("architecture", "mac_addresses", "power_type"):
            if not one.get(key):
                raise Refused(400, json.dumps({key: ["This field is required."]}))
        if one["power_type"] == "redfish":
            for key in ("power_parameters_power_address", "power_parameters_power_user", "power_parameters_power_pass"):
                if not one.get(key):
                    raise Refused(400, json.dumps({"power_parameters": ["%s: This field is required." % key]}))
        mac = one["mac_addresses"].lower()
        if any(mac == nic["mac_address"] for m in self.machines for nic in m["interface_set"]):
            raise Refused(400, json.dumps({"mac_addresses": ["One or more MAC addresses is invalid. "
                                                             "('MAC address %s already in use on another node.')" % mac]}))
        commission = one.get("commission", "true") != "false"
        machine = {"system_id": "m%05d" % (len(self.machines) + 1), "hostname": one.get("hostname") or "random-name",
                   "architecture": one["architecture"], "power_type": one["power_type"],
                   "status_name": "Commissioning" if commission else "New", "tag_names": [],
                   "boot_interface": {"mac_address": mac}, "interface_set": [{"name": "eth0", "mac_address": mac}],
                   "_power": {k: one.get("power_parameters_" + k, "") for k in self.POWER_KEYS},
                   "_rounds": self.commission_rounds}
        self.machines.append(machine)
        return {k: v for k, v in machine.items() if not k.startswith("_")}

    def machine(self, method, system_id, op, one):
        machine = self.machine_by_id(system_id)
        if method == "GET" and op == "power_parameters":
            return dict(machine["_power"])
        if method == "PUT":
            if "hostname" in one:
                machine["hostname"] = one["hostname"]
            if "power_type" in one:
                machine["power_type"] = one["power_type"]
            for key in self.POWER_KEYS:
                if "power_parameters_" + key in one:
                    machine["_power"][key] = one["power_parameters_" + key]
            return {k: v for k, v in machine.items() if not k.startswith("_")}
        if method == "POST" and op == "commission":
            if machine["status_name"] not in ("New", "Ready", "Failed commissioning", "Failed testing", "Broken"):
                raise Refused(409, "Machine cannot be commissioned, because it is currently %s." % machine["status_name"])
            machine["status_name"], machine["_rounds"] = "Commissioning", self.commission_rounds
            machine["_commission_args"] = dict(one)
            return {k: v for k, v in machine.items() if not k.startswith("_")}
        raise Refused(400, "Unrecognised signature: method=%s op=%s" % (method, op))

    def create_tag(self, one):
        if any(t["name"] == one["name"] for t in self.tags):
            raise Refused(400, json.dumps({"name": ["Tag with this Name already exists."]}))
        tag = {"name": one["name"], "comment": one.get("comment", ""), "definition": "", "kernel_opts": ""}
        self.tags.append(tag)
        return tag

    def writes(self):
        return [entry for entry in self.log if entry[0] != "GET"]


def serve(maas, address="127.0.0.1", port=0):
    """Start ``maas`` on ``address`` (a free port by default) in a thread; returns (server, base URL ending in /MAAS)."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method):
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            form = parse_qs(body, keep_blank_values=True)
            with maas.lock:
                try:
                    maas.check_auth(self.headers.get("Authorization", ""))
                    result = maas.handle(method, url.path, (query.pop("op", [None]))[0], query, form)
                    code, text = 200, json.dumps(result)
                except Refused as err:
                    code, text = err.code, err.body
            self.send_response(code)
            self.send_header("Content-Type", "application/json" if code == 200 else "text/plain")
            self.send_header("Content-Length", str(len(text.encode())))
            self.end_headers()
            self.wfile.write(text.encode())

        def do_GET(self):  # noqa: N802 - http.server's names
            self._answer("GET")

        def do_POST(self):  # noqa: N802
            self._answer("POST")

        def do_PUT(self):  # noqa: N802
            self._answer("PUT")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((address, port), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, "http://%s:%d/MAAS" % (address, server.server_address[1])


@contextlib.contextmanager
def running(**options):
    """A FakeMaas served on loopback for the block; its ``url`` attribute is the base URL."""
    maas = FakeMaas(**options)
    server, maas.url = serve(maas)
    try:
        yield maas
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":  # python3 fake_maas.py ADDRESS PORT SUBNET: serve until killed (molecule scenario charmed)
    import sys

    serve(FakeMaas(subnet=sys.argv[3]), sys.argv[1], int(sys.argv[2]))
    threading.Event().wait()
