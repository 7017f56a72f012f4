"""Helpers for the scale-out tests (imported by conftest.py and the tests)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import nats
from nats.aio.client import Client

from netmon.lab.influx import Influxd
from netmon.lab.nats import LinkProxy, NatsServer
from netmon.scaleout.settings import NatsSettings, load_nats_settings


@dataclass
class Topology:
    hub: NatsServer
    gd: NatsServer
    zj: NatsServer
    proxy: LinkProxy  # gd's WAN link

    def wait_leaves(self, n: int = 2, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.hub.leafnodes() >= n:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"only {self.hub.leafnodes()} of {n} leaf connections up")

    def settings(self, tag: str, **extra: object) -> NatsSettings:
        """Streams private to one test (names suffixed with ``tag``), so tests don't share data."""
        section = {
            "hub": f"nats://relay@127.0.0.1:{self.hub.port}",
            "password": "env:NETMON_TEST_RELAY_PW",
            "stream": f"ALL_{tag}",
            "consumer": f"relay_{tag}",
            "deadletter_stream": f"DL_{tag}",
            "deadletter_subject": f"netmon.dl{tag}",
            "fetch_batch": 32,
            "stats_interval_s": 0.5,
            "stall_after_s": 1.0,
            "outage_hours": 0.1,  # small streams: the lab servers reserve their max_bytes
            "provinces": [
                {"name": "广东", "domain": "gd", "stream": f"T_{tag}", "subject": f"netmon.t{tag}.gd",
                 "work_stream": f"W_{tag}", "work_prefix": f"netmon.w{tag}.gd", "points_per_s": 50,
                 "leaf": f"nats://poller@127.0.0.1:{self.gd.port}"},
                {"name": "浙江", "domain": "zj", "stream": f"T_{tag}", "subject": f"netmon.t{tag}.zj",
                 "work_stream": f"W_{tag}", "work_prefix": f"netmon.w{tag}.zj", "points_per_s": 50,
                 "leaf": f"nats://poller@127.0.0.1:{self.zj.port}"},
            ],
            **extra,
        }  # fmt: skip
        return load_nats_settings(section)

    def sink_url(self, s: NatsSettings, domain: str) -> str:
        p = s.province(domain)
        leaf = self.gd if domain == "gd" else self.zj
        return (
            f"nats://poller@127.0.0.1:{leaf.port}/?stream={p.stream}&subject={p.telemetry_subject}"
            f"&domain={domain}&password=env:NETMON_TEST_POLLER_PW_{domain.upper()}&timeout=2"
        )


async def hub_client(topo: Topology) -> Client:
    return await nats.connect(topo.hub.url, user="relay", password=topo.hub.users["relay"], max_reconnect_attempts=-1,
                              reconnect_time_wait=0.5)  # fmt: skip


async def wait_until(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = check()  # type: ignore[operator]
        if asyncio.iscoroutine(r):
            r = await r
        if r:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def influx_rows(h: Influxd, db: str, measurement: str) -> list[dict[str, object]]:
    res = h.query(f'SELECT * FROM "{measurement}" GROUP BY *', db=db)["results"]
    assert isinstance(res, list)
    rows: list[dict[str, object]] = []
    for s in res[0].get("series", []):
        for v in s["values"]:
            d = {c: x for c, x in zip(s["columns"], v, strict=True) if x is not None}
            d.update(s.get("tags") or {})
            rows.append(d)
    return rows


def influx_count(h: Influxd, db: str, measurement: str) -> int:
    res = h.query(f'SELECT count(*) FROM "{measurement}"', db=db)["results"]
    assert isinstance(res, list)
    series = res[0].get("series") or []
    return int(max(series[0]["values"][0][1:])) if series else 0


class Hook:
    """A webhook receiver on 127.0.0.1 recording each POSTed JSON body (the province's on-call)."""

    def __init__(self) -> None:
        import http.server
        import json
        import threading

        bodies: list[dict[str, object]] = []
        self.bodies = bodies

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                bodies.append(json.loads(body or b"{}"))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
