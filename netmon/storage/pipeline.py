"""Points → spool → sink: the one object ``netmon run`` and ``netmon demo`` hold.

``submit()`` validates and serialises points, appends them to the spool under the fsync
policy and returns; it never waits for the sink. A background task reads the spool in order,
batches by size (``batch.size`` points) and time (``batch.interval`` seconds), writes, and
acknowledges to the spool only after the sink said yes. Failures that may pass (connection
refused, timeout, 5xx, 429) are retried with exponential backoff and jitter, the batch staying
in the spool; a refusal (other 4xx) sets the batch aside in ``dead-letter.lp`` with the reason.
A partial write (the sink stored some points, refused others) counts and sets aside only the
refused ones (``partial.py``); points refused before sending (``lineproto``) are set aside too.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import random
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from ..config import BatchSettings, SpoolSettings
from ..errors import NetmonError
from ..fsmode import private_file
from ..model import Point
from .base import Sink, SinkRejected, SinkUnavailable
from .factory import open_sink
from .lineproto import Encoder, PointError
from .partial import PartialWrite
from .spool import Batch, Spool
from .urls import parse_sink_url

log = logging.getLogger("netmon.storage")

DEAD_LETTER = "dead-letter.lp"
_RATE_WINDOW = 10.0


class _Once:
    """Log a message the first time a key is seen; count the repeats."""

    def __init__(self) -> None:
        self.seen: collections.Counter[str] = collections.Counter()

    def __call__(self, key: str) -> bool:
        self.seen[key] += 1
        return self.seen[key] == 1


class Pipeline:
    """Durable, batched delivery of points to one sink. Create with ``await Pipeline.open(...)``."""

    def __init__(self, sink: Sink, spool: Spool, spool_settings: SpoolSettings, batch: BatchSettings) -> None:
        self.sink = sink
        self.spool = spool
        self.spool_settings = spool_settings
        self.batch = batch
        self._encoder = Encoder(sink.precision)
        self._wake = asyncio.Event()
        self._flushing = 0
        self._closing = False
        self._idle = asyncio.Event()
        self._drain_task: asyncio.Task[None] | None = None
        self._sync_task: asyncio.Task[None] | None = None
        self._interval_task: asyncio.Task[None] | None = None
        self._written_seq = 0
        self._synced_seq = 0
        self._once = _Once()
        self._acks: collections.deque[tuple[float, int]] = collections.deque()
        self.last_errors: collections.deque[str] = collections.deque(maxlen=20)
        self.c: dict[str, float] = dict.fromkeys(
            (
                "points_submitted",
                "points_rejected",
                "points_written",
                "points_dead_lettered",
                "batches_written",
                "batches_dead_lettered",
                "batches_partial",
                "sink_errors",
                "sink_rejects",
                "write_latency_s_last",
                "write_latency_s_max",
                "write_latency_s_sum",
            ),
            0.0,
        )
        self.sink_up = True

    # ---- lifecycle -----------------------------------------------------------------------
    @classmethod
    async def open(
        cls,
        sink_url: str | Sink,
        spool_dir: Path | None = None,
        spool: SpoolSettings | None = None,
        batch: BatchSettings | None = None,
        *,
        base_dir: Path | None = None,
    ) -> Pipeline:
        """Lock and open the spool, check the sink, start draining.

        A sink that cannot be reached now is not fatal (points are spooled and sent when it
        comes back: a warning says so); a wrong URL, refused credentials or a missing database
        raise InputError/NetmonError with a clear message. ``spool_dir`` overrides ``spool.dir``.
        """
        spool = spool or SpoolSettings()
        batch = batch or BatchSettings()
        directory = Path(spool_dir) if spool_dir is not None else spool.dir
        url = parse_sink_url(sink_url, base_dir) if isinstance(sink_url, str) else None  # bad URL: before the lock
        sp = await asyncio.to_thread(Spool.open, directory, spool)
        try:
            sink = open_sink(url) if url is not None else cast(Sink, sink_url)
        except BaseException:
            sp.close()
            raise
        self = cls(sink, sp, spool, batch)
        try:
            await sink.start()
        except SinkUnavailable as exc:
            self.sink_up = False
            log.warning("%s; spooling to %s and retrying in the background", exc, directory)
        except BaseException:
            sp.close()
            await sink.close()
            raise
        self._drain_task = asyncio.create_task(self._drain(), name="netmon-storage-drain")
        if spool.fsync in ("interval", "batch"):
            self._interval_task = asyncio.create_task(self._fsync_every(), name="netmon-spool-fsync")
        return self

    async def close(self, timeout: float = 5.0) -> None:
        """Flush for up to ``timeout`` seconds (not when the sink is down: no point waiting),
        then stop; what is unsent stays in the spool for the next start."""
        if self._closing:
            return
        if self.sink_up:
            with contextlib.suppress(Exception):
                await self.flush(timeout)
        self._closing = True
        self._wake.set()
        for task in (self._drain_task, self._interval_task, self._sync_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        await asyncio.to_thread(self.spool.close)
        await self.sink.close()

    async def __aenter__(self) -> Pipeline:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- submitting ------------------------------------------------------------------------
    async def submit(self, points: Iterable[Point]) -> list[PointError]:
        """Spool the points (durable per spool.fsync when this returns); never waits for the sink.

        Invalid points (NaN/inf, no fields, over-long strings, ...) are refused one by one,
        counted in ``points_rejected`` and returned; the others are kept. Raises SpoolFullError
        (a NetmonError) only if the disk is full even after dropping the oldest segments.
        """
        if self._closing:
            raise NetmonError("storage pipeline is closed")
        pts = points if isinstance(points, list) else list(points)
        errors: list[PointError] = []
        size = self.batch.size
        encoded: list[tuple[bytes, int]] = []
        for i in range(0, len(pts), size):
            payload, n, errs = self._encoder.encode(pts[i : i + size])
            errors.extend(errs)
            encoded.append((payload, n))
        return await self.submit_encoded(encoded, errors)

    async def submit_encoded(
        self, payloads: Iterable[tuple[bytes, int]], errors: list[PointError] | None = None
    ) -> list[PointError]:
        """``submit`` for points already encoded (``Encoder.encode``, e.g. by a worker process):
        each (line protocol, point count) is spooled as is; ``errors`` are the points refused
        while encoding, counted and set aside like submit's own."""
        if self._closing:
            raise NetmonError("storage pipeline is closed")
        errors = errors or []
        size = self.batch.size
        for payload, n in payloads:
            if n:
                self.spool.append(payload, n)
                self._written_seq += 1
            self.c["points_submitted"] += n
        if errors:
            self.c["points_rejected"] += len(errors)
            for e in errors:
                if self._once(f"reject:{e.measurement}:{e.reason.split(' ')[0]}:{e.reason[-20:]}"):
                    log.error("refused %s (further ones like it are only counted)", e)
            await asyncio.to_thread(self._dead_letter_refused, errors)
        if self.spool.pending_points >= size or self._flushing:
            self._wake.set()
        await self._durable()
        return errors

    async def _durable(self) -> None:
        policy = self.spool_settings.fsync
        if policy == "always":
            # Group commit: one fsync covers every record written before it started, so
            # concurrent submits (many devices polled at once) share it.
            mine = self._written_seq
            while self._synced_seq < mine:
                if self._sync_task is None or self._sync_task.done():
                    self._sync_task = asyncio.create_task(self._group_sync())
                await asyncio.shield(self._sync_task)
        elif policy == "batch":
            # fsync in the background once a sink batch's worth of points is spooled (and at
            # least every batch.interval, see _fsync_every); submit does not wait for it.
            spooled = int(self.c["points_submitted"])
            if spooled - self._synced_points >= self.batch.size and (self._sync_task is None or self._sync_task.done()):
                self._synced_points = spooled
                self._sync_task = asyncio.create_task(self._group_sync())

    _synced_points = 0

    async def _group_sync(self) -> None:
        target = self._written_seq
        await asyncio.to_thread(self.spool.sync)
        self._synced_seq = max(self._synced_seq, target)

    async def _fsync_every(self) -> None:
        period = self.spool_settings.fsync_interval if self.spool_settings.fsync == "interval" else self.batch.interval
        while True:
            await asyncio.sleep(period)
            await asyncio.to_thread(self.spool.sync)

    # ---- draining --------------------------------------------------------------------------
    async def flush(self, timeout: float = 30.0) -> bool:
        """Wait until everything spooled so far is acknowledged by the sink (True) or timeout (False)."""
        self._flushing += 1
        try:
            deadline = time.monotonic() + timeout
            while self._outstanding() > 0:
                self._wake.set()
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._idle.wait(), min(left, 0.2))
            return True
        finally:
            self._flushing -= 1

    def _outstanding(self) -> int:
        return self.spool.pending_points + self._inflight

    _inflight = 0

    async def _drain(self) -> None:
        while not self._closing:
            if self.spool.pending_points < self.batch.size and not self._flushing:
                self._idle.set()
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.batch.interval)
            if self._closing:
                return
            try:
                self.spool.expire()
                batch = self.spool.read_batch(self.batch.size)
            except OSError as exc:  # a vanished or unreadable segment: say so, keep the daemon alive
                if self._once(f"read:{exc}"):
                    log.error("spool %s: cannot read: %s; retrying", self.spool.dir, exc)
                await asyncio.sleep(self.batch.retry_max)
                continue
            if batch is None:
                self._idle.set()
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.batch.interval)
                continue
            self._inflight = batch.points
            try:
                await self._deliver(batch)
            finally:
                self._inflight = 0
            if self.spool.pending_points == 0:
                self._idle.set()

    async def _deliver(self, batch: Batch) -> None:
        attempt = 0
        while True:
            t0 = time.perf_counter()
            try:
                try:
                    await self.sink.write(batch.payload, batch.points)
                except (SinkUnavailable, SinkRejected, asyncio.CancelledError):
                    raise
                except Exception as exc:  # a driver surprise must not stop delivery: retry like an outage
                    if self._once(f"unexpected:{type(exc).__name__}"):
                        log.exception("unexpected error writing to %s; will retry", self.sink.url)
                    raise SinkUnavailable(f"{self.sink.url}: {type(exc).__name__}: {exc}") from None
            except SinkUnavailable as exc:
                self.c["sink_errors"] += 1
                self.last_errors.append(str(exc))
                if self.sink_up:
                    log.warning("sink write failed, will retry (points stay in the spool): %s", exc)
                self.sink_up = False
                delay = min(self.batch.retry_max, self.batch.retry_initial * 2**attempt)
                delay *= random.uniform(0.5, 1.0)  # jitter: pollers restarted together don't retry together
                attempt += 1
                if self._closing:
                    return  # not acknowledged: the batch stays in the spool for the next start
                await asyncio.sleep(delay)
                continue
            except SinkRejected as exc:
                self.c["sink_rejects"] += 1
                self.last_errors.append(str(exc))
                if exc.partial is not None and exc.partial.dropped < batch.points:  # all refused: as below
                    await self._partial(batch, exc.partial, str(exc))
                    return
                await asyncio.to_thread(self._dead_letter, batch, str(exc))
                self.c["points_dead_lettered"] += batch.points
                self.c["batches_dead_lettered"] += 1
                if self._once(f"rejected:{exc.status}"):
                    log.error(
                        "sink refused a batch of %d points: %s; set aside in %s (further refusals with HTTP %d "
                        "are only counted)",
                        batch.points,
                        exc,
                        self.spool.dir / DEAD_LETTER,
                        exc.status,
                    )
                self.spool.ack(batch.end)
                return
            latency = time.perf_counter() - t0
            if not self.sink_up:
                log.warning(
                    "sink %s is back; replaying the spool (%d points waiting)", self.sink.url, self._outstanding()
                )
                self.sink_up = True
            self.c["write_latency_s_last"] = latency
            self.c["write_latency_s_max"] = max(self.c["write_latency_s_max"], latency)
            self.c["write_latency_s_sum"] += latency
            self.c["batches_written"] += 1
            self.c["points_written"] += batch.points
            now = time.monotonic()
            self._acks.append((now, batch.points))
            self.spool.ack(batch.end)
            return

    async def _partial(self, batch: Batch, pw: PartialWrite, message: str) -> None:
        """The sink stored all but ``pw.dropped`` points: count those as written, set aside only
        the refused ones (or the whole batch marked partial when they cannot be told apart), no retry."""
        stored = batch.points - pw.dropped
        if pw.lines is not None:
            payload = "".join(line + "\n" for line in pw.lines).encode()
            await asyncio.to_thread(self._dead_letter, Batch(payload, pw.dropped, batch.end), pw.describe())
        else:
            await asyncio.to_thread(self._dead_letter, batch, pw.describe())
        self.c["points_dead_lettered"] += pw.dropped
        self.c["batches_partial"] += 1
        self.c["points_written"] += stored
        self.c["batches_written"] += 1
        if self._once(f"partial:{pw.reason[:40]}"):
            log.error(
                "sink stored %d of %d points and refused %d: %s; the refused ones are set aside in %s "
                "(further partial writes like it are only counted)",
                stored, batch.points, pw.dropped, message, self.spool.dir / DEAD_LETTER,
            )  # fmt: skip
        self.spool.ack(batch.end)

    def _dead_letter_refused(self, errors: list[PointError]) -> None:
        """Points refused before sending, with the reason (and the line when it could be formed)."""
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        out = []
        for e in errors:
            out.append(f"# {stamp} refused before sending: {' '.join(str(e).split())}\n")
            if e.line:
                out.append(e.line + "\n")
        self._append_dead("".join(out).encode(errors="backslashreplace"))

    def _dead_letter(self, batch: Batch, reason: str) -> None:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        one_line = " ".join(reason.split())
        self._append_dead(f"# {stamp} {batch.points} points refused: {one_line}\n".encode() + batch.payload)

    def _append_dead(self, data: bytes) -> None:
        path = private_file(self.spool.dir / DEAD_LETTER)  # 0600: refused telemetry is still telemetry
        with path.open("ab") as fh:
            fh.write(data)

    # ---- self-metrics ----------------------------------------------------------------------
    def stats(self) -> dict[str, float | bool]:
        """Self-metrics: spool depth, replay rate, drops, write latency, sink errors."""
        now = time.monotonic()
        while self._acks and now - self._acks[0][0] > _RATE_WINDOW:
            self._acks.popleft()
        sent = sum(n for _, n in self._acks)
        span = max(1.0, now - self._acks[0][0]) if self._acks else 1.0
        sc = self.spool.counters
        batches = self.c["batches_written"]
        return {
            # Unacknowledged bytes: the acknowledged records of the segment being written stay
            # on disk until it rolls, and are not "waiting" (issue 16).
            "spool_bytes": self.spool.pending_bytes,
            "spool_disk_bytes": self.spool.bytes,
            "spool_segments": self.spool.segments,
            "spool_pending_points": self._outstanding(),
            "spool_dropped": sc.dropped_points,
            "spool_dropped_segments": sc.dropped_segments,
            "spool_full_rejects": sc.full_rejects,
            "spool_corrupt_records": sc.corrupt_records,
            "spool_cursor_repairs": sc.cursor_repairs,
            "replay_points_per_s": sent / span,
            "sink_up": 1 if self.sink_up else 0,
            "sink_failing": not self.sink_up,  # aliases read by netmon.runtime.selfmon
            "sink_written": self.c["points_written"],
            "write_latency_s_avg": self.c["write_latency_s_sum"] / batches if batches else 0.0,
            **{k: v for k, v in self.c.items() if k != "write_latency_s_sum"},
        }

    def self_points(self, tags: dict[str, str]) -> list[Point]:
        """The ``netmon_self`` point of the storage part (docs/SCHEMA.md), for the spool/alerts."""
        s = self.stats()
        fields: dict[str, float | int | str | bool] = {
            "spool_bytes": int(s["spool_bytes"]),
            "spool_disk_bytes": int(s["spool_disk_bytes"]),
            "spool_segments": int(s["spool_segments"]),
            "spool_cursor_repairs": int(s["spool_cursor_repairs"]),
            "spool_dropped": int(s["spool_dropped"]),
            "sink_errors": int(s["sink_errors"]),
            "spool_pending_points": int(s["spool_pending_points"]),
            "replay_points_per_s": float(s["replay_points_per_s"]),
            "write_latency_s_avg": float(s["write_latency_s_avg"]),
            "points_rejected": int(s["points_rejected"]),
            "points_dead_lettered": int(s["points_dead_lettered"]),
        }
        return [Point("netmon_self", dict(tags), fields)]
