# Copyright: nestedcloud.openstack contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The upgrade rehearsal's probes: what a tenant would have felt, read from the sampler's JSON lines."""

from __future__ import annotations

import json
import threading
import time

from ansible_collections.nestedcloud.openstack.plugins.module_utils.inner import probe


def series(name, pattern, start=100.0, step=0.2, error="timeout"):
    """Samples every ``step`` s: '+' a success, '-' a failure."""
    return [dict({"probe": name, "t": round(start + i * step, 3), "ok": c == "+", "ms": 1.0},
                 **({} if c == "+" else {"error": error})) for i, c in enumerate(pattern)]


def lines(*groups):
    return [json.dumps(s) for group in groups for s in group]


def test_a_steady_probe_has_no_outage_and_its_period_as_longest_gap():
    got = probe.report(lines(series("vm", "+" * 50)))["vm"]
    assert got["failed"] == 0 and got["loss_pct"] == 0 and got["outages"] == [] and got["downtime_s"] == 0
    assert got["longest_gap_s"] == 0.2 and got["up_at_end"] is True and got["samples"] == 50


def test_an_outage_runs_from_the_last_reply_before_to_the_first_after():
    got = probe.report(lines(series("vm", "+++" + "-" * 14 + "++++")))["vm"]
    assert got["failed"] == 14 and got["loss_pct"] == round(100 * 14 / 21.0, 2)
    assert got["longest_gap_s"] == 3.0  # 15 periods of 0.2 s between the replies at 100.4 and 103.4
    assert got["outages"] == [{"from": 100.4, "to": 103.4, "seconds": 3.0, "failed": 14, "error": "timeout"}]
    assert got["downtime_s"] == 3.0


def test_outages_add_up_and_the_longest_gap_is_the_worst_one():
    got = probe.report(lines(series("api", "+--+++-----+", step=3.0)))["api"]
    assert [o["seconds"] for o in got["outages"]] == [9.0, 18.0]
    assert got["downtime_s"] == 27.0 and got["longest_gap_s"] == 18.0


def test_a_probe_still_down_at_the_end_is_said_so():
    got = probe.report(lines(series("api", "++---", step=3.0)))["api"]
    assert got["up_at_end"] is False
    assert got["outages"] == [{"from": 103.0, "to": 112.0, "seconds": 9.0, "failed": 3, "error": "timeout", "open": True}]


def test_a_probe_that_never_answered_has_no_gap_but_its_whole_time_down():
    got = probe.report(lines(series("vm", "----")))["vm"]
    assert got["longest_gap_s"] is None and got["failed"] == 4 and got["downtime_s"] == 0.6


def test_probes_are_told_apart_and_put_in_time_order_and_a_cut_line_is_skipped():
    mixed = series("vm", "++") + series("api", "+-+", step=1.0)
    text = lines(reversed(mixed)) + ['{"probe": "vm", "t": 10']  # the last line of a killed sampler
    got = probe.report(text)
    assert sorted(got) == ["api", "vm"] and got["api"]["downtime_s"] == 2.0 and got["vm"]["samples"] == 2


def test_the_sampler_calls_each_check_at_its_period_and_records_failures_and_exceptions():
    got, calls = [], {"n": 0}

    def flaky():
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("connection reset")
        return calls["n"] != 3, None if calls["n"] != 3 else "HTTP 503"

    sampler = probe.Sampler(got.append)
    sampler.add("api", flaky, 0.05)
    sampler.add("vm", lambda: (True, None), 0.02)
    sampler.start()
    time.sleep(0.5)
    sampler.stop()
    api = [s for s in got if s["probe"] == "api"]
    assert [s["ok"] for s in api[:4]] == [True, False, False, True]
    assert api[1]["error"] == "RuntimeError: connection reset" and api[2]["error"] == "HTTP 503"
    assert 5 <= len(api) <= 11 and len([s for s in got if s["probe"] == "vm"]) > len(api)
    assert all(a["t"] <= b["t"] for a, b in zip(api, api[1:]))
    assert not any(t.name.startswith("probe-") for t in threading.enumerate())  # stop() joined them


def test_ping_and_http_say_why_they_failed(monkeypatch):
    class Done(object):
        returncode, stdout, stderr = 1, "1 packets transmitted, 0 received, 100% packet loss\n", ""

    seen = []
    monkeypatch.setattr(probe.subprocess, "run", lambda argv, **kw: seen.append(argv) or Done())
    assert probe.ping("192.0.2.7", timeout=0.5, size=1422) == (False, "1 packets transmitted, 0 received, 100% packet loss")
    assert seen[0] == ["ping", "-n", "-q", "-c", "1", "-W", "0.5", "-M", "do", "-s", "1422", "192.0.2.7"]
    ok, error = probe.http("http://127.0.0.1:9/", timeout=0.5)  # the discard port: nothing listens
    assert ok is False and error


def test_http_tells_200_from_an_error_status():
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            self.send_response(200 if self.path == "/up" else 503)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = "http://127.0.0.1:%d" % server.server_address[1]
        assert probe.http(base + "/up", timeout=2) == (True, None)
        assert probe.http(base + "/down", timeout=2) == (False, "HTTP 503")
    finally:
        server.shutdown()
        server.server_close()
