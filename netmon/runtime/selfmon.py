"""Self-monitoring: Prometheus metrics, /metrics and /healthz, and the same figures as Points."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from ..model import FieldValue, Point

log = logging.getLogger("netmon.selfmon")


class SelfMetrics:
    """The poller's own figures, kept in a private registry (no process-global state)."""

    def __init__(self, instance: str | None = None) -> None:
        self.instance = instance or f"{socket.gethostname()}:{os.getpid()}"
        r = self.registry = CollectorRegistry()
        self.poll_duration = Histogram(
            "netmon_poll_duration_seconds", "Duration of one device poll", ["collector"], registry=r,
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60),
        )  # fmt: skip
        self.cycle_duration = Gauge(
            "netmon_cycle_duration_seconds", "Duration of the last cycle", ["collector"], registry=r
        )
        self.cycles = Counter("netmon_cycles", "Cycles run", ["collector"], registry=r)
        self.overruns = Counter(
            "netmon_cycle_overruns", "Cycles that took longer than the interval", ["collector"], registry=r
        )
        self.devices = Gauge("netmon_devices", "Devices by state in the last cycle", ["collector", "state"], registry=r)
        self.points = Counter("netmon_points", "Points produced", registry=r)
        self.points_rate = Gauge("netmon_points_per_second", "Points per second over the last cycle", registry=r)
        self.spool_bytes = Gauge("netmon_spool_bytes", "Bytes waiting in the spool", registry=r)
        self.spool_segments = Gauge("netmon_spool_segments", "Segment files in the spool", registry=r)
        self.spool_disk_bytes = Gauge("netmon_spool_disk_bytes", "Size of the spool's segment files", registry=r)
        self.spool_dropped = Gauge(
            "netmon_spool_dropped_points", "Points dropped by the spool overflow policy", registry=r
        )
        self.sink_errors = Gauge("netmon_sink_errors", "Failed sink writes since start", registry=r)
        self.sink_written = Gauge("netmon_sink_written_points", "Points acknowledged by the sink", registry=r)
        self.alerts_firing = Gauge("netmon_alerts_firing", "Alerts firing now", registry=r)
        self.overloaded = Gauge(
            "netmon_poller_overloaded", "1 when the last cycle found the poller behind", ["collector"], registry=r
        )
        self.capacity = Gauge(
            "netmon_poller_capacity_devices", "Devices per interval at the measured cost", ["collector"], registry=r
        )
        self.alerts_suppressed = Gauge(
            "netmon_alerts_suppressed", "Alerts suppressed by topology root cause", registry=r
        )
        self.up_since = time.time()
        self.last_cycle_end: dict[str, float] = {}
        self.intervals: dict[str, float] = {}
        self.sink_ok = True
        # Plain copies of what the gauges hold, for the netmon_self points.
        self.storage: dict[str, float] = {}
        self.per_collector: dict[str, dict[str, float]] = {}
        self.overload_fields: dict[str, dict[str, float | int | str]] = {}
        self.firing = 0
        self._points_window: tuple[float, int] = (time.monotonic(), 0)
        self._points_total = 0

    def count_points(self, n: int) -> None:
        self.points.inc(n)
        self._points_total += n

    def cycle_done(self, collector: str, duration: float, interval: float, up: int, down: int) -> None:
        self.cycles.labels(collector).inc()
        self.cycle_duration.labels(collector).set(duration)
        if duration > interval:
            self.overruns.labels(collector).inc()
        self.devices.labels(collector, "up").set(up)
        self.devices.labels(collector, "down").set(down)
        pc = self.per_collector.setdefault(collector, {"cycle_overruns": 0})
        pc.update(poll_duration_s=duration, devices_up=up, devices_down=down)
        if duration > interval:
            pc["cycle_overruns"] += 1
        self.last_cycle_end[collector] = time.time()
        self.intervals[collector] = interval

    def set_overload(self, collector: str, fields: dict[str, float | int | str]) -> None:
        """The overload verdict of the collector's last cycle (netmon.runtime.overload)."""
        self.overloaded.labels(collector).set(float(fields["overloaded"]))
        self.capacity.labels(collector).set(float(fields["capacity"]))
        self.overload_fields[collector] = dict(fields)

    def update_storage(self, stats: dict[str, Any]) -> None:
        s = self.storage = {
            "spool_bytes": float(stats.get("spool_bytes", 0)),
            "spool_segments": float(stats.get("spool_segments", 0)),
            "spool_disk_bytes": float(stats.get("spool_disk_bytes", 0)),
            "spool_dropped": float(stats.get("spool_dropped", stats.get("dropped", 0))),
            "sink_errors": float(stats.get("sink_errors", 0)),
            "sink_written": float(stats.get("written", stats.get("sink_written", 0))),
        }
        self.spool_bytes.set(s["spool_bytes"])
        self.spool_segments.set(s["spool_segments"])
        self.spool_disk_bytes.set(s["spool_disk_bytes"])
        self.spool_dropped.set(s["spool_dropped"])
        self.sink_errors.set(s["sink_errors"])
        self.sink_written.set(s["sink_written"])
        self.sink_ok = not stats.get("sink_failing", False)

    def set_alerts(self, firing: int, suppressed: int) -> None:
        self.firing = firing
        self.alerts_firing.set(firing)
        self.alerts_suppressed.set(suppressed)

    def health(self) -> tuple[bool, dict[str, Any]]:
        now = time.time()
        stale = {
            c: round(now - t, 1) for c, t in self.last_cycle_end.items() if now - t > 3 * self.intervals.get(c, 60) + 30
        }
        ok = not stale
        return ok, {
            "status": "ok" if ok else "stale",
            "instance": self.instance,
            "uptime_s": round(now - self.up_since, 1),
            "last_cycle_age_s": {c: round(now - t, 1) for c, t in self.last_cycle_end.items()},
            "stale_collectors": stale,
            "sink_ok": self.sink_ok,
        }

    def to_points(self) -> list[Point]:
        """The same figures as ``netmon_self`` points, so they reach the dashboards."""
        now_m = time.monotonic()
        t0, n0 = self._points_window
        rate = (self._points_total - n0) / (now_m - t0) if now_m > t0 else 0.0
        self._points_window = (now_m, self._points_total)
        self.points_rate.set(rate)
        tags = {"instance": self.instance}
        st = self.storage
        fields: dict[str, FieldValue] = {
            "points_per_s": round(rate, 3),
            "spool_bytes": int(st.get("spool_bytes", 0)),
            "spool_segments": int(st.get("spool_segments", 0)),
            "spool_dropped": int(st.get("spool_dropped", 0)),
            "sink_errors": int(st.get("sink_errors", 0)),
            "alerts_firing": self.firing,
        }
        out = [Point("netmon_self", dict(tags), fields)]
        for collector, pc in self.per_collector.items():
            out.append(
                Point(
                    "netmon_self",
                    {**tags, "collector": collector},
                    {
                        "poll_duration_s": float(pc["poll_duration_s"]),
                        "devices_up": int(pc["devices_up"]),
                        "devices_down": int(pc["devices_down"]),
                        "cycle_overruns": int(pc["cycle_overruns"]),
                        **self.overload_fields.get(collector, {}),
                    },
                )
            )
        return out


class HttpServer:
    """A minimal asyncio HTTP/1.0 server for GET /metrics and GET /healthz."""

    def __init__(self, metrics: SelfMetrics, listen: str) -> None:
        self.metrics = metrics
        host, _, port = listen.rpartition(":")
        self.host, self.port = host.strip("[]") or "127.0.0.1", int(port)
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        sock = self._server.sockets[0]
        self.port = sock.getsockname()[1]
        log.info("serving /metrics and /healthz on http://%s:%d", self.host, self.port)

    async def close(self) -> None:
        if self._server:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), 5)
            while (await asyncio.wait_for(reader.readline(), 5)) not in (b"\r\n", b"\n", b""):
                pass
            parts = request.decode("latin-1").split()
            path = parts[1].split("?")[0] if len(parts) >= 2 else "/"
            if path == "/metrics":
                status, ctype, body = 200, CONTENT_TYPE_LATEST, generate_latest(self.metrics.registry)
            elif path == "/healthz":
                ok, doc = self.metrics.health()
                status, ctype, body = (200 if ok else 503), "application/json", json.dumps(doc).encode()
            else:
                status, ctype, body = 404, "text/plain", b"not found: try /metrics or /healthz\n"
            reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
            writer.write(
                f"HTTP/1.0 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
