"""``netmon relay``: the central stream into InfluxDB through the existing sinks.

A durable pull consumer (shared by every relay: run several for throughput or failover) is
fetched in batches; each message is checked as line protocol, the good ones are written to the
sink in one request, and only then acknowledged. If the sink is down the relay keeps the
messages in progress and retries with backoff; nothing is acknowledged, so the stream holds
the data and the relay catches up when the sink returns. A message that is not line protocol
(or that the database refuses) is copied to the dead-letter stream with the reason and
terminated, so it is neither lost nor retried forever.

The relay only stores points: alerting stays with each province's poller (it evaluated and
paged while the points were in flight), so the centre never re-pages a backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
import time
from dataclasses import dataclass, field

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.js.api import StreamConfig
from nats.js.errors import APIError, NotFoundError

from ..errors import NetmonError
from ..model import Point
from ..storage.base import Sink, SinkRejected, SinkUnavailable
from ..storage.lineproto import _LINE, Encoder, LineProtocolError  # the storage part's grammar
from .nats_sink import PRECISION_HEADER
from .settings import NatsSettings
from .streams import SourceStatus, SourceWatch, consumer_config, source_status

log = logging.getLogger("netmon.relay")

REASON_HEADER = "Netmon-Dead-Letter-Reason"
SUBJECT_HEADER = "Netmon-Original-Subject"


@dataclass
class RelayCounters:
    messages: int = 0
    points: int = 0
    dead_lettered: int = 0
    sink_errors: int = 0
    redelivered: int = 0
    batches: int = 0
    started: float = field(default_factory=time.monotonic)


def check_payload(data: bytes) -> int:
    """Points in a message; LineProtocolError naming the offending line otherwise.

    Every line must parse (the storage part's own grammar) and carry a timestamp: a point
    without one would be stamped with the relay's clock, not the poll's. Matching without
    building Point objects keeps the relay's CPU per point low (bench/bench_nats.py).
    """
    text = data.decode()
    pos, end, n = 0, len(text), 0
    while pos < end:
        c = text[pos]
        if c == "\n":
            pos += 1
            continue
        nl = text.find("\n", pos)
        if c == "#":
            pos = end if nl < 0 else nl + 1
            continue
        m = _LINE.match(text, pos)
        if m is None or not m["ts"]:
            line = text[pos : end if nl < 0 else nl]
            why = "no timestamp" if m is not None else "cannot parse"
            raise LineProtocolError(f"line {n + 1}: {why}: {line[:120]!r}")
        n += 1
        pos = m.end()
    if n == 0:
        raise LineProtocolError("no points in the message")
    return n


class _Stopping(Exception):
    """Stop requested while the sink was down: the messages were handed back (nak)."""


class Relay:
    """Consume ``settings.stream`` through the durable ``settings.consumer`` into ``sink``."""

    def __init__(self, nc: Client, settings: NatsSettings, sink: Sink, instance: str | None = None) -> None:
        self.nc = nc
        self.s = settings
        self.sink = sink
        self.instance = instance or socket.gethostname()
        self.c = RelayCounters()
        self.sink_up = True
        self.sources: list[SourceStatus] = []
        self.watch = SourceWatch()
        self.lag = 0
        self.ack_pending = 0
        self._stop = asyncio.Event()
        self._sub: object = None
        if sink.precision != "ns":
            raise NetmonError(f"{sink.url}: the relay writes pollers' nanosecond line protocol; use precision=ns")

    def stop(self) -> None:
        self._stop.set()

    async def _subscribe(self) -> object:
        js = self.nc.jetstream()
        try:
            await js.consumer_info(self.s.stream, self.s.consumer)
        except NotFoundError:
            try:
                await js.add_consumer(self.s.stream, consumer_config(self.s))
            except NotFoundError:
                raise NetmonError(f"hub: stream {self.s.stream} does not exist; run `netmon relay setup`") from None
        await self._ensure_deadletter()
        return await js.pull_subscribe_bind(self.s.consumer, self.s.stream)

    async def _ensure_deadletter(self) -> None:
        js = self.nc.jetstream()
        try:
            await js.stream_info(self.s.deadletter_stream)
        except NotFoundError:
            await js.add_stream(
                StreamConfig(
                    name=self.s.deadletter_stream, subjects=[self.s.deadletter_subject + ".>"], max_age=30 * 86400.0
                )
            )

    # ---- the loop ------------------------------------------------------------------------
    async def run(self, max_idle: float | None = None) -> RelayCounters:
        """Relay until ``stop()`` (or, with ``max_idle``, until nothing came for that long)."""
        sub = await self._subscribe()
        stats = asyncio.create_task(self._stats_loop(), name="relay-stats")
        idle_since = time.monotonic()
        try:
            while not self._stop.is_set():
                try:
                    msgs = await sub.fetch(self.s.fetch_batch, timeout=1.0)  # type: ignore[attr-defined]
                except TimeoutError:
                    msgs = []
                except NatsError as exc:  # hub restarting: the client reconnects by itself
                    log.debug("fetch: %s", exc)
                    await asyncio.sleep(0.5)
                    msgs = []
                if not msgs:
                    if max_idle is not None and time.monotonic() - idle_since >= max_idle:
                        break
                    continue
                idle_since = time.monotonic()
                try:
                    await self.handle(msgs)
                except _Stopping:
                    break
        finally:
            stats.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await stats
        return self.c

    async def handle(self, msgs: list[Msg]) -> None:
        """Check, write in one request, then acknowledge; dead-letter the bad ones."""
        good: list[tuple[Msg, int]] = []
        for m in msgs:
            if m.metadata.num_delivered > 1:
                self.c.redelivered += 1
            prec = (m.headers or {}).get(PRECISION_HEADER, "ns")
            try:
                if prec != "ns":
                    raise LineProtocolError(f"precision {prec!r}: the relay takes nanosecond line protocol only")
                good.append((m, check_payload(m.data)))
            except (LineProtocolError, ValueError, UnicodeDecodeError) as exc:
                await self._dead_letter(m, f"not valid line protocol: {exc}")
        if not good:
            return
        try:
            await self._write_acked(b"".join(_terminated(m.data) for m, _ in good), sum(n for _, n in good), good)
        except SinkRejected as exc:
            if len(good) == 1:
                await self._dead_letter(good[0][0], f"the database refused it: {exc}")
                return
            for m, n in good:  # find the one the database refuses; the rest go through
                try:
                    await self._write_acked(_terminated(m.data), n, [(m, n)])
                except SinkRejected as one:
                    await self._dead_letter(m, f"the database refused it: {one}")

    async def _write_acked(self, payload: bytes, points: int, msgs: list[tuple[Msg, int]]) -> None:
        attempt = 0
        while True:
            try:
                await self.sink.write(payload, points)
                break
            except SinkUnavailable as exc:
                self.c.sink_errors += 1
                if self.sink_up:
                    log.warning(
                        "sink %s failing, holding %d messages unacknowledged: %s", self.sink.url, len(msgs), exc
                    )
                self.sink_up = False
                if self._stop.is_set():
                    for m, _ in msgs:
                        with contextlib.suppress(Exception):
                            await m.nak()
                    raise _Stopping from None
                for m, _ in msgs:  # keep them ours: no other relay should pile onto a dead database
                    with contextlib.suppress(Exception):
                        await m.in_progress()
                delay = min(10.0, 0.2 * 2**attempt) * random.uniform(0.5, 1.0)
                attempt += 1
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), delay)
        if not self.sink_up:
            log.warning("sink %s is back; catching up", self.sink.url)
            self.sink_up = True
        for m, _ in msgs:
            await self._ack(m)
        self.c.messages += len(msgs)
        self.c.points += points
        self.c.batches += 1

    async def _ack(self, m: Msg) -> None:
        # A lost ack means a redelivery; InfluxDB stores the same point once, so that is harmless.
        for _ in range(3):
            try:
                await m.ack_sync(timeout=5)
                return
            except (TimeoutError, NatsError):
                await asyncio.sleep(0.2)
        with contextlib.suppress(Exception):
            await m.ack()

    async def _dead_letter(self, m: Msg, reason: str) -> None:
        one_line = " ".join(reason.split())[:500]
        subject = f"{self.s.deadletter_subject}.{_province_token(m)}"
        headers = {REASON_HEADER: one_line, SUBJECT_HEADER: m.subject}
        if m.headers and "Nats-Msg-Id" in m.headers:
            headers["Nats-Msg-Id"] = "dl-" + m.headers["Nats-Msg-Id"]
        try:
            await self.nc.jetstream().publish(subject, m.data, headers=headers, stream=self.s.deadletter_stream)
        except (TimeoutError, NatsError, APIError) as exc:
            # No copy kept: leave the message for redelivery rather than lose it.
            log.error("cannot dead-letter a message (%s); it stays in the stream", exc)
            return
        await m.term()
        self.c.dead_lettered += 1
        log.error("dead-lettered a message from %s to %s: %s", m.subject, subject, one_line)

    # ---- self-metrics --------------------------------------------------------------------
    async def refresh(self) -> None:
        """Consumer lag and per-province source status; logs stalls once per change."""
        js = self.nc.jetstream(timeout=5)
        try:
            ci = await js.consumer_info(self.s.stream, self.s.consumer)
            self.lag = int(ci.num_pending or 0)
            self.ack_pending = int(ci.num_ack_pending or 0)
        except (TimeoutError, NatsError, APIError):
            return
        was = {x.domain: x.stalled for x in self.sources}
        try:
            self.sources = await source_status(self.nc, self.s, self.watch)
        except (TimeoutError, NatsError, APIError, NetmonError) as exc:
            log.debug("source status: %s", exc)
            return
        for st in self.sources:
            if st.stalled and not was.get(st.domain):
                log.error("province %s (%s): source stalled: %s", st.province, st.domain, st.reason)
            elif was.get(st.domain) and not st.stalled:
                log.warning("province %s (%s): source flowing again", st.province, st.domain)

    def points(self, now_ns: int | None = None) -> list[Point]:
        """The ``relay`` measurement (docs/SCHEMA.md): one point for the relay, one per province."""
        t = now_ns or time.time_ns()
        base = {"relay": self.instance, "stream": self.s.stream}
        up = time.monotonic() - self.c.started
        out = [
            Point(
                "relay",
                {**base, "province": ""},
                {
                    "lag_messages": self.lag,
                    "ack_pending": self.ack_pending,
                    "messages": self.c.messages,
                    "points": self.c.points,
                    "points_per_s": self.c.points / up if up > 0 else 0.0,
                    "dead_lettered": self.c.dead_lettered,
                    "redelivered": self.c.redelivered,
                    "sink_errors": self.c.sink_errors,
                    "sink_up": self.sink_up,
                },
                t,
            )
        ]
        for st in self.sources:
            out.append(
                Point(
                    "relay",
                    {**base, "province": st.province, "domain": st.domain},
                    {
                        "source_lag": st.lag,
                        "source_active_s": st.active_s,
                        "leaf_reachable": st.reachable,
                        "leaf_last_seq": st.leaf_last_seq,
                        "stalled": st.stalled,
                        "reason": st.reason,
                    },
                    t,
                )
            )
        return [Point(p.measurement, {k: v for k, v in p.tags.items() if v}, p.fields, p.time_ns) for p in out]

    async def _stats_loop(self) -> None:
        enc = Encoder("ns")
        while True:
            await asyncio.sleep(self.s.stats_interval_s)
            await self.refresh()
            payload, n, _ = enc.encode(self.points())
            if n:
                with contextlib.suppress(SinkUnavailable, SinkRejected):
                    await self.sink.write(payload, n)


def _terminated(data: bytes) -> bytes:
    return data if data.endswith(b"\n") else data + b"\n"


def _province_token(m: Msg) -> str:
    # netmon.telemetry.<domain>: the last token names the province
    return m.subject.rsplit(".", 1)[-1] or "unknown"
