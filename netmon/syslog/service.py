"""The syslog receiver as a service: listen, parse, classify, archive, then spool and alert.

Order per batch: archive first (the evidence), then ``store`` (the daemon's spool, then the
alert engine's event path). A batch is taken from the backlog only when the spool has room
(below ``spool_high_water``), so a long sink outage pauses TCP/TLS senders instead of making the
spool drop its oldest points. Frames from addresses not in the inventory are kept and tagged
``device=unknown`` (counted); frames that are not syslog are kept with ``parse_error`` and ``raw``.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ipaddress
import logging
import os
import re
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from ..inventory import Device, Inventory
from ..model import FieldValue, Point
from ..platforms import mask_line
from ..secrets import SecretStore
from .archive import Archive
from .parse import Message, Parser, one_line
from .receiver import Frame, Listeners
from .settings import SyslogSettings
from .vendors import Catalogue, Classified, load_catalogue

log = logging.getLogger("netmon.syslog")

Store = Callable[[list[Point]], Awaitable[object]]
UNKNOWN = "unknown"
# Words that come before a secret on some platform (netmon/platforms/*/secrets.yaml do the masking).
_MAYBE_SECRET = re.compile(r"(?i)cipher|password|secret|simple|community|key|hash|auth|priv")


class DeviceIndex:
    """Sender address -> inventory device; else the message's HOSTNAME as a device name or
    address (a relay such as rsyslog forwarding for devices)."""

    def __init__(self, inventory: Inventory | None) -> None:
        self.by_address: dict[str, Device] = {}
        self.by_name: dict[str, Device] = {}
        self._tags: dict[str, dict[str, str]] = {}
        for d in inventory or []:
            self.by_address[str(ipaddress.ip_address(d.address))] = d
            self.by_name[d.name.lower()] = d

    def tags(self, d: Device) -> dict[str, str]:
        """The device's point tags (a fresh copy of a cached dict: building them costs more)."""
        t = self._tags.get(d.name)
        if t is None:
            t = self._tags[d.name] = d.point_tags()
        return dict(t)

    def find(self, source: str, hostname: str) -> Device | None:
        d = self.by_address.get(source)
        if d is None and hostname:
            d = self.by_name.get(hostname.lower()) or self.by_address.get(hostname)
        return d


class SyslogService:
    def __init__(
        self,
        settings: SyslogSettings,
        inventory: Inventory | None,
        store: Store,
        *,
        secrets: SecretStore | None = None,
        source: str = "netmon.yaml",
        spool_fill: Callable[[], float] | None = None,
        instance: str | None = None,
        time_step_ns: int = 1,
    ) -> None:
        self.settings = settings
        self.store = store
        self.source = source
        self.parser = Parser(settings.device_timezone)
        self.catalogue: Catalogue = load_catalogue()
        self.index = DeviceIndex(inventory)
        self.listeners = Listeners(settings, source)
        self.spool_fill = spool_fill
        self.instance = instance or f"{socket.gethostname()}:{os.getpid()}"
        self.time_step = max(1, time_step_ns)
        key = None
        if settings.archive.enabled and settings.archive.hmac_key:
            store_ = secrets or SecretStore()
            key = (
                store_.resolve(settings.archive.hmac_key, f"{source}: syslog.archive.hmac_key")
                .get_secret_value()
                .encode()
            )
        self.archive = Archive(settings.archive, key) if settings.archive.enabled else None
        self.counts: collections.Counter[str] = collections.Counter()
        self.unknown_sources: collections.Counter[str] = collections.Counter()
        self.last_seen: dict[str, int] = {}  # device -> received ns of its last message
        self._last_t = 0
        self._task: asyncio.Task[None] | None = None
        self._self_task: asyncio.Task[None] | None = None
        self._errors_logged: collections.Counter[str] = collections.Counter()

    # --- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        if self.archive is not None:
            await asyncio.to_thread(self.archive.sweep)
        await self.listeners.start()
        self._task = asyncio.create_task(self._consume(), name="syslog-consumer")
        self._self_task = asyncio.create_task(self._self_loop(), name="syslog-self")

    def set_inventory(self, inventory: Inventory | None) -> None:
        self.index = DeviceIndex(inventory)

    async def close(self, drain: float = 5.0) -> None:
        """Stop listening, store what is in the backlog (up to ``drain`` seconds), close the archive."""
        await self.listeners.close()
        deadline = time.monotonic() + drain
        while self.listeners.backlog.q and time.monotonic() < deadline and self._task and not self._task.done():
            await asyncio.sleep(0.02)
        for t in (self._task, self._self_task):
            if t is not None:
                t.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await t
        if self.listeners.backlog.q:
            with contextlib.suppress(Exception):
                await self._handle(list(self.listeners.backlog.q))
            self.listeners.backlog.q.clear()
        if self.archive is not None:
            self.archive.close()

    # --- the pipeline -------------------------------------------------------------------------
    async def _consume(self) -> None:
        backlog = self.listeners.backlog
        while True:
            await self._wait_for_spool_room()
            frames = await backlog.take(self.settings.batch)
            try:
                await self._handle(frames)
            except asyncio.CancelledError:
                raise
            except Exception:  # never let one bad batch stop the receiver
                self.counts["store_errors"] += len(frames)
                log.exception("syslog: could not store %d messages", len(frames))
                await asyncio.sleep(1.0)

    async def _wait_for_spool_room(self) -> None:
        if self.spool_fill is None:
            return
        backlog = self.listeners.backlog
        warned = False
        while self.spool_fill() >= self.settings.spool_high_water:
            backlog.held = True
            if not warned:
                log.warning("syslog: the spool is %.0f%% full; pausing TCP/TLS senders", 100 * self.spool_fill())
                warned = True
            self.counts["paused_s"] += 1
            await asyncio.sleep(1.0)
        if backlog.held:
            backlog.held = False
            backlog.resume_all()

    async def _handle(self, frames: list[Frame]) -> None:
        pairs: list[tuple[Message, str]] = []
        points: list[Point] = []
        for f in frames:
            m, p, dev = self.to_point(f)
            pairs.append((m, dev))
            points.append(p)
        if self.archive is not None and pairs:
            try:
                self.archive.append(pairs)
                await asyncio.to_thread(self.archive.sync)
            except OSError as exc:  # a full disk must not lose the points too
                self.counts["archive_errors"] += len(pairs)
                log.error("syslog archive %s: %s", self.settings.archive.dir, exc.strerror)
        await self.store(points)
        self.counts["stored"] += len(points)

    def _time(self, received_ns: int) -> int:
        # Every point gets its own instant: two messages of one device in the same nanosecond
        # (or millisecond, with a coarser sink precision) would otherwise overwrite each other.
        t = max(received_ns, self._last_t + self.time_step)
        self._last_t = t
        return t

    def to_point(self, f: Frame) -> tuple[Message, Point, str]:
        m = self.parser.parse(f.raw, f.source, f.received_ns, f.transport)
        if f.error:
            m.error = f"{f.error}; {m.error}" if m.error else f.error
        self.counts[f"received_{f.transport}"] += 1
        dev = self.index.find(m.source, m.hostname)
        c = (
            self.catalogue.classify(one_line(m.text), dev.vendor if dev is not None else None)
            if m.text
            else Classified()
        )
        if dev is not None:
            tags = self.index.tags(dev)
            self.last_seen[dev.name] = m.received_ns
        else:
            tags = {"device": UNKNOWN}
            self.counts["unknown_source"] += 1
            self.unknown_sources[m.source] += 1
        tags["facility"] = m.facility_name
        tags["severity"] = m.severity_name
        tags["format"] = m.format
        if m.appname:
            tags["appname"] = m.appname[:48]
        if c.mnemonic:
            tags["mnemonic"] = c.mnemonic[:80]
        if c.event:
            tags["event"] = c.event
        fields: dict[str, FieldValue] = {
            "message": one_line(m.text),
            "source": m.source,
            "facility_code": m.facility,
            "severity_code": m.severity,
            "transport": m.transport,
        }
        if m.hostname:
            fields["hostname"] = one_line(m.hostname)
        if m.timestamp_ns is not None:
            fields["timestamp"] = m.timestamp_ns
            fields["skew_s"] = round((m.received_ns - m.timestamp_ns) / 1e9, 3)
        if m.clock_synced is not None:
            fields["clock_synced"] = m.clock_synced
        if m.procid:
            fields["procid"] = one_line(m.procid)
        if m.msgid:
            fields["msgid"] = one_line(m.msgid)
        if m.sd:
            fields["sd"] = one_line(m.sd)
        for k, v in c.fields.items():
            fields[k] = one_line(v)
        if m.error:
            self.counts["parse_errors"] += 1
            fields["parse_error"] = m.error
            fields["raw"] = m.raw_text()
            self._log_error(m)
        # Known wording that is not a command (sshd's "Failed password for root") has no secret in
        # it; commands, configuration changes and messages no table knows are masked.
        if (not c.event or c.event in ("command", "config_change")) and (
            _MAYBE_SECRET.search(m.text) or (m.error and _MAYBE_SECRET.search(str(fields["raw"])))
        ):
            # a command log can hold a typed password: masked wherever the point goes (the
            # archive, 0600 like the configuration archive, keeps the frame as evidence)
            # the inventory's platform and the one whose format the message has (over-masking beats a leak)
            platforms = {dev.vendor if dev is not None else "unknown", c.vendor or "unknown"} - {"generic"}
            for platform in platforms:
                cmd = fields.get("command")
                if isinstance(cmd, str):
                    # the command as typed is a configuration line: the config patterns (anchored
                    # at the line start) fit it; its masked form then replaces it in the message
                    fields["command"] = mask_line(cmd, platform)
                    if fields["command"] != cmd:
                        fields["message"] = str(fields["message"]).replace(cmd, str(fields["command"]))
                for k in ("message", "raw"):
                    if isinstance(fields.get(k), str):
                        fields[k] = mask_line(str(fields[k]), platform)
        return m, Point("syslog", tags, fields, self._time(m.received_ns)), dev.name if dev is not None else ""

    def _log_error(self, m: Message) -> None:
        n = self._errors_logged[m.source]
        self._errors_logged[m.source] = n + 1
        if n == 0 or (n + 1) % 1000 == 0:
            log.warning(
                "syslog: unparsable message from %s (%s); kept raw%s",
                m.source, m.error, f" ({n + 1} so far from this sender)" if n else "",
            )  # fmt: skip

    # --- self-monitoring ----------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.counts)
        out.update(self.listeners.stats())
        out["received"] = sum(v for k, v in self.counts.items() if k.startswith("received_"))
        out["dropped"] = int(out.get("udp_dropped_kernel", 0)) + int(out.get("udp_dropped_backlog", 0))
        out["archived"] = self.archive.records if self.archive is not None else 0
        out["unknown_senders"] = len(self.unknown_sources)
        for k in ("parse_errors", "unknown_source", "archive_errors", "stored", "store_errors"):
            out.setdefault(k, 0)
        return out

    def self_points(self) -> list[Point]:
        st = self.stats()
        fields: dict[str, FieldValue] = {
            "messages_received": int(st["received"]),
            "messages_dropped": int(st["dropped"]),
            "udp_dropped_kernel": int(st.get("udp_dropped_kernel", 0)),
            "udp_dropped_backlog": int(st.get("udp_dropped_backlog", 0)),
            "parse_errors": int(st["parse_errors"]),
            "unknown_sources": int(st["unknown_source"]),
            "archive_errors": int(st["archive_errors"]),
            "connections": int(st.get("connections_open", 0)),
            "backlog": int(st.get("backlog", 0)),
        }
        return [Point("netmon_self", {"instance": self.instance, "collector": "syslog"}, fields)]

    async def _self_loop(self) -> None:
        # a first point at start: rules on delta(messages_dropped) need the zero baseline
        with contextlib.suppress(Exception):
            await self.store(self.self_points())
        while True:
            await asyncio.sleep(self.settings.stats_interval)
            with contextlib.suppress(Exception):
                await self.store(self.self_points())


class SyslogCollector:
    """Prometheus collector exposing the service's counters on the daemon's /metrics."""

    def __init__(self, service: SyslogService) -> None:
        self.service = service

    def collect(self) -> Iterable[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        st = self.service.stats()
        rx = CounterMetricFamily("netmon_syslog_messages", "Syslog messages received", labels=["transport"])
        for t in ("udp", "tcp", "tls"):
            rx.add_metric([t], float(st.get(f"received_{t}", 0)))
        yield rx
        drops = CounterMetricFamily(
            "netmon_syslog_dropped", "Syslog datagrams dropped before parsing", labels=["where"]
        )
        drops.add_metric(["kernel"], float(st.get("udp_dropped_kernel", 0)))
        drops.add_metric(["backlog"], float(st.get("udp_dropped_backlog", 0)))
        yield drops
        for name, key, help_ in (
            ("netmon_syslog_parse_errors", "parse_errors", "Frames that are not valid syslog (kept raw)"),
            ("netmon_syslog_unknown_source", "unknown_source", "Messages from senders not in the inventory"),
            ("netmon_syslog_archive_errors", "archive_errors", "Messages the archive could not write"),
            ("netmon_syslog_stored", "stored", "Messages handed to the spool"),
            ("netmon_syslog_connections_refused", "connections_refused", "TCP/TLS connections over max_connections"),
        ):
            yield CounterMetricFamily(name, help_, value=float(st.get(key, 0)))
        yield GaugeMetricFamily(
            "netmon_syslog_connections", "Open TCP/TLS connections", value=float(st.get("connections_open", 0))
        )
        yield GaugeMetricFamily(
            "netmon_syslog_backlog", "Messages waiting to be stored", value=float(st.get("backlog", 0))
        )
