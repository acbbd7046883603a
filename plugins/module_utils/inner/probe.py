# -*- coding: utf-8 -*-
# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a tenant would have felt during an upgrade: probes that sample the workload (ping of the kept VM's floating
IP, several times a second) and the APIs (every few seconds) for as long as the upgrade runs, each sample a JSON line
in a file, and the figures read from those lines afterwards (longest gap, loss, each API's downtime).

The sampler runs on r0 as a daemon (run_until_told() in common/processes.py's spawn()), so that it goes on while the
playbook upgrades the hosts one after the other, and outlives a killed run; the analysis is plain functions that unit
tests reach. A sample is ``{"probe": name, "t": seconds since the epoch, "ok": bool, "ms": latency, "error": text}``.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
import urllib.error

from ansible.module_utils.urls import open_url

KINDS = ("ping", "http", "openstack")


def _new_token(conn):
    # a new token each time: the cached one would hide Keystone being down
    conn.session.invalidate()
    return conn.session.get_token()


CALLS = {
    "token": _new_token,
    "servers": lambda conn: conn.compute.get("/servers?limit=1"),
    "networks": lambda conn: conn.network.get("/networks?limit=1"),
    "images": lambda conn: conn.image.get("/images?limit=1"),
}


def ping(address, timeout=1.0, size=None):
    """One ICMP echo to ``address`` (iputils ping; ``size`` with don't-fragment): (ok, error)."""
    argv = ["ping", "-n", "-q", "-c", "1", "-W", "%g" % timeout]
    if size:
        argv += ["-M", "do", "-s", str(size)]
    done = subprocess.run(argv + [address], capture_output=True, text=True, check=False)
    if done.returncode == 0:
        return True, None
    return False, (done.stdout.strip().splitlines() or done.stderr.strip().splitlines() or ["no reply"])[-1]


def http(url, timeout=5.0):
    """One GET of ``url``: (ok, error); ok when the status is 200."""
    try:
        answer = open_url(url, method="GET", timeout=timeout, follow_redirects="safe")
        status = answer.status
        answer.close()
    except urllib.error.HTTPError as err:
        status = err.code
    except (urllib.error.URLError, OSError) as err:
        return False, str(getattr(err, "reason", err))
    return (True, None) if status == 200 else (False, "HTTP %d" % status)


def openstack_call(cloud, call, timeout=5.0, connect=None):
    """A check that makes one API call of the clouds.yaml entry ``cloud`` (one of CALLS): (ok, error). The SDK is
    imported and the connection made at the first call, so that a sampler started while the cloud is down still
    starts."""
    state = {}

    def check():
        if "conn" not in state:
            if connect is None:
                import openstack  # pylint: disable=import-outside-toplevel  # only the sampler on r0 needs it
                state["conn"] = openstack.connect(cloud=cloud, api_timeout=timeout)
            else:
                state["conn"] = connect(cloud)
        CALLS[call](state["conn"])
        return True, None
    return check


def timing(spec):
    """A probe's period and timeout in seconds: its own, else 0.2 and 1 for a ping, 3 and 5 for the others."""
    fast = bool(spec.get("ping"))
    return float(spec.get("period") or (0.2 if fast else 3.0)), float(spec.get("timeout") or (1.0 if fast else 5.0))


def check_of(spec, connect=None):
    """The check for one probe of the module's ``probes`` option."""
    timeout = timing(spec)[1]
    if spec.get("ping"):
        return lambda: ping(spec["ping"], timeout, spec.get("size"))
    if spec.get("http"):
        return lambda: http(spec["http"], timeout)
    return openstack_call(spec["openstack"]["cloud"], spec["openstack"]["call"], timeout, connect)


def bad_probe(spec, index):
    """An error naming the bad field of ``probes[index]``, or None."""
    where = "probes[%d]" % index
    kinds = [kind for kind in KINDS if spec.get(kind)]
    if len(kinds) != 1:
        return "%s: give exactly one of %s" % (where, ", ".join(KINDS))
    if kinds == ["openstack"]:
        target = spec["openstack"]
        if not isinstance(target, dict) or not target.get("cloud") or target.get("call") not in CALLS:
            return "%s.openstack: needs cloud (a clouds.yaml entry) and call, one of %s" % (where, ", ".join(CALLS))
    if kinds == ["http"] and not str(spec["http"]).startswith(("http://", "https://")):
        return "%s.http: %r is not an http(s) URL" % (where, spec["http"])
    if spec.get("period") is not None and float(spec["period"]) <= 0:
        return "%s.period: must be more than 0 seconds" % where
    return None


class Sampler(object):
    """Runs each probe in a thread of its own at its period until stop(), handing every sample to ``sink``."""

    def __init__(self, sink):
        self.sink = sink
        self._stop = threading.Event()
        self._threads = []
        self._lock = threading.Lock()

    def add(self, name, check, period):
        """``check()`` returns (ok, error); it is called every ``period`` seconds (or at once, when it took longer)."""
        thread = threading.Thread(target=self._loop, args=(name, check, period), name="probe-" + name, daemon=True)
        self._threads.append(thread)

    def _loop(self, name, check, period):
        while not self._stop.is_set():
            began, tick = time.time(), time.monotonic()
            try:
                ok, error = check()
            except Exception as err:  # pylint: disable=broad-exception-caught  # a probe that breaks is a failed sample
                ok, error = False, "%s: %s" % (type(err).__name__, err)
            sample = {"probe": name, "t": round(began, 3), "ok": bool(ok),
                      "ms": round((time.monotonic() - tick) * 1000, 1)}
            if error:
                sample["error"] = str(error)[:200]
            with self._lock:
                self.sink(sample)
            self._stop.wait(max(0.0, period - (time.monotonic() - tick)))

    def start(self):
        for thread in self._threads:
            thread.start()

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join()


def sample_to(path):
    """A sink appending each sample to ``path`` as a JSON line, flushed at once (a killed sampler loses nothing)."""
    handle = open(path, "a")  # pylint: disable=consider-using-with  # open for the daemon's whole life

    def sink(sample):
        handle.write(json.dumps(sample, sort_keys=True) + "\n")
        handle.flush()
    return sink


def run_until_told(probes, path, max_seconds, connect=None):
    """The sampler daemon's life: every probe at its period into ``path`` until SIGTERM or ``max_seconds``."""
    # The handler only sets a flag: Event.set() from a signal handler deadlocks when the signal lands while the main
    # thread holds the Event's lock (inside Event.wait), which a SIGTERM right after the start did, now and then.
    told = []
    signal.signal(signal.SIGTERM, lambda signum, frame: told.append(signum))
    sampler = Sampler(sample_to(path))
    for spec in probes:
        sampler.add(spec["name"], check_of(spec, connect), timing(spec)[0])
    sampler.start()
    until = time.monotonic() + max_seconds
    while not told and time.monotonic() < until:
        time.sleep(0.1)
    sampler.stop()


def read_samples(lines):
    """Samples from JSON lines (a line cut short by a kill is skipped), grouped by probe, each in time order."""
    found = {}
    for line in lines:
        try:
            sample = json.loads(line)
        except ValueError:
            continue
        if isinstance(sample, dict) and "probe" in sample and "t" in sample:
            found.setdefault(sample["probe"], []).append(sample)
    for samples in found.values():
        samples.sort(key=lambda s: s["t"])
    return found


def outages(samples):
    """Each run of failed samples as {"from", "to", "seconds", "failed", "error"}: from the last success before it
    (or the first sample) to the first success after it (or the last sample, then "open": true)."""
    found, run, last_ok = [], [], None

    def close(end, **more):
        start = last_ok if last_ok is not None else run[0]["t"]
        found.append(dict({"from": start, "to": end, "seconds": round(end - start, 3), "failed": len(run),
                           "error": run[-1].get("error")}, **more))

    for sample in samples:
        if sample["ok"]:
            if run:
                close(sample["t"])
                run = []
            last_ok = sample["t"]
        else:
            run.append(sample)
    if run:
        close(run[-1]["t"], open=True)
    return found


def figures(samples):
    """One probe's figures: samples, failed, loss (%), longest gap between two successes (s), downtime (s, the sum of
    its outages), the outages, and whether it was up at the end."""
    ok_times = [s["t"] for s in samples if s["ok"]]
    gaps = [b - a for a, b in zip(ok_times, ok_times[1:])]
    down = outages(samples)
    failed = sum(1 for s in samples if not s["ok"])
    return {
        "samples": len(samples),
        "failed": failed,
        "loss_pct": round(100.0 * failed / len(samples), 2) if samples else None,
        "longest_gap_s": round(max(gaps), 3) if gaps else None,
        "downtime_s": round(sum(o["seconds"] for o in down), 3),
        "outages": down,
        "up_at_end": bool(samples) and samples[-1]["ok"],
        "first": samples[0]["t"] if samples else None,
        "last": samples[-1]["t"] if samples else None,
    }


def report(lines):
    """Figures per probe from the sampler's JSON lines."""
    return dict((name, figures(samples)) for name, samples in sorted(read_samples(lines).items()))
