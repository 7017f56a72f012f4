"""`netmon run --workers N`: SNMP polling in N processes: the daemon itself and N-1 workers.

The parent keeps the one scheduler view (phases, cycles, overrun), the one spool and sink,
the alert engine and /metrics, and polls shard 0 itself (a poll that stays in the daemon costs no
pipe crossing and no second event loop's wake-ups: measured, a worker's poll cost ~1 ms more CPU
than one in the daemon); it asks the worker that owns any other device to poll it and gets the
points back, already encoded as line protocol for the spool (``Encoded``), with only the points
the parent itself reads (``snmp_reach``, and the fields alert rules read): no Point per
interface is pickled and unpickled, and encoding runs on the worker's core. A device belongs to
the shard of its *site* (a stable hash), so per-device state (rate baselines, static columns,
health timing) stays in one process and the per-site concurrency limit holds exactly. Workers read the same netmon.yaml and inventory as the parent
(and reload them on SIGHUP through the parent). Frames on the pipes: 4-byte length + pickle,
between netmon's own processes only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path

from ..inventory import Device
from ..ipc import frame as _frame
from ..ipc import read_frame as _read_frame
from ..ipc import stdio_streams
from ..model import Point
from ..storage.lineproto import Encoded, Encoder

# What the parent reads of each measurement (None: every field); measurements not named are
# only stored. None as a whole: the parent wants every point as it is (observers attached).
Needs = dict[str, frozenset[str] | None] | None

log = logging.getLogger("netmon.workers")
# A worker sends its poll results in batches: at most this long after the first one is ready,
# or at once when this many are waiting. The time-out, budget and response time of a poll are
# measured in the worker; only the parent's view of the cycle's end moves (by at most this).
_COALESCE_S = 0.2
_COALESCE_MAX = 32


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def shard_of(device: Device, n: int) -> int:
    return zlib.crc32(device.site.encode()) % n if n > 1 else 0


class _Worker:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.waiting: dict[int, asyncio.Future[list[Point]]] = {}
        self.reader: asyncio.Task[None] | None = None
        self.outbox: list[bytes] = []  # poll requests of this loop turn, written together


class WorkerPool:
    """N polling shards: shard 0 is polled by ``local`` (the daemon's own SnmpJob), each other
    shard by a worker process; ``poll(device)`` has the shard owning the device poll it."""

    def __init__(
        self,
        config: Path,
        n: int,
        local: Callable[[Device], Awaitable[list[Point]]],
        log_level: str = "info",
        log_json: bool = False,
        needs: Needs = None,
    ) -> None:
        self.config = config
        self.n = n
        self.local = local
        self.needs = needs
        self.log_level = log_level
        self.log_json = log_json
        self._workers: dict[int, _Worker] = {}  # shard -> its process (shards 1..n-1)
        self._ids = 0
        self._locks = {i: asyncio.Lock() for i in range(1, n)}
        self._closing = False
        self.restarts = 0

    async def start(self) -> None:
        self._workers = {i: await self._spawn(i) for i in range(1, self.n)}
        log.info("polling in %d processes: this one and %d workers", self.n, self.n - 1)

    async def _spawn(self, i: int) -> _Worker:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "netmon.runtime.workers", str(self.config), str(i), str(self.n), self.log_level,
            "1" if self.log_json else "0",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        w = _Worker(proc)
        w.reader = asyncio.create_task(self._read(w), name=f"netmon-worker-{i}")
        if self.needs is not None:
            await self._send(w, ("needs", 0, self.needs))
        return w

    async def _alive(self, i: int) -> _Worker:
        """Worker i, started again if it died (its devices' rate baselines start afresh)."""
        w = self._workers[i]
        if w.proc.returncode is None or self._closing:
            return w
        async with self._locks[i]:
            w = self._workers[i]
            if w.proc.returncode is not None:
                log.warning("SNMP worker %d exited (code %s); starting it again", i, w.proc.returncode)
                w = self._workers[i] = await self._spawn(i)
                self.restarts += 1
        return w

    async def _read(self, w: _Worker) -> None:
        assert w.proc.stdout is not None
        try:
            while True:
                rid, points = await _read_frame(w.proc.stdout)
                fut = w.waiting.pop(rid, None)
                if fut is None or fut.done():
                    continue
                if isinstance(points, str):  # the poll raised in the worker: the scheduler logs it
                    fut.set_exception(RuntimeError(points))
                else:
                    fut.set_result(points)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:  # the worker is gone: its pending polls fail (the scheduler logs them)
            for fut in w.waiting.values():
                if not fut.done():
                    fut.set_exception(RuntimeError(f"SNMP worker {w.proc.pid} exited"))
            w.waiting.clear()

    async def _send(self, w: _Worker, msg: object) -> None:
        assert w.proc.stdin is not None
        w.proc.stdin.write(_frame(msg))
        await w.proc.stdin.drain()

    def is_local(self, device: Device) -> bool:
        return shard_of(device, self.n) == 0

    async def poll(self, device: Device) -> list[Point]:
        shard = shard_of(device, self.n)
        if shard == 0:
            return await self.local(device)
        w = await self._alive(shard)
        self._ids += 1
        rid = self._ids
        fut: asyncio.Future[list[Point]] = asyncio.get_running_loop().create_future()
        w.waiting[rid] = fut
        # The polls of one start slot leave in one write: each write wakes the worker, and on a
        # VM a wake-up costs more than the poll request it carries.
        w.outbox.append(_frame(("poll", rid, device.name)))
        if len(w.outbox) == 1:
            asyncio.get_running_loop().call_soon(self._flush, w)
        return await fut

    def _flush(self, w: _Worker) -> None:
        data, w.outbox = b"".join(w.outbox), []
        stdin = w.proc.stdin
        if stdin is not None and not stdin.is_closing() and w.reader is not None and not w.reader.done():
            stdin.write(data)  # a worker that dies later: its reader fails the polls it still owes
            return
        for fut in w.waiting.values():  # gone already: these polls fail, the next one starts it again
            if not fut.done():
                fut.set_exception(RuntimeError(f"SNMP worker {w.proc.pid} exited"))
        w.waiting.clear()

    async def reload(self) -> None:
        for w in self._workers.values():
            with contextlib.suppress(ConnectionError):
                await self._send(w, ("reload", 0, ""))

    async def close(self) -> None:
        self._closing = True
        for w in self._workers.values():
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self._send(w, ("stop", 0, ""))
                assert w.proc.stdin is not None
                w.proc.stdin.close()
        for w in self._workers.values():
            try:
                await asyncio.wait_for(w.proc.wait(), 15)
            except TimeoutError:
                w.proc.kill()
                await w.proc.wait()
            if w.reader is not None:
                # Let the reader see the pipe's end (it closes the transport); cancelled only if
                # the pipe stays open, so no pipe outlives the event loop.
                await asyncio.wait({w.reader}, timeout=5)
                w.reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await w.reader
        self._workers = {}


# --- the worker process ---------------------------------------------------------------------


def encode_result(points: list[Point], encoder: Encoder, needs: dict[str, frozenset[str] | None], size: int) -> Encoded:
    """One poll's points as the parent takes them: line protocol for the spool (batches of at
    most ``size`` points), plus ``snmp_reach`` and what alert rules read (trimmed to ``needs``)."""
    payloads: list[tuple[bytes, int]] = []
    errors = []
    for i in range(0, len(points), size):
        payload, n, errs = encoder.encode(points[i : i + size])
        payloads.append((payload, n))
        errors += errs
    keep: list[Point] = []
    for p in points:
        m = p.measurement
        if m == "snmp_reach":
            keep.append(p)
        elif m in needs:
            wanted = needs[m]
            if wanted is None:
                keep.append(p)
            else:
                f = p.fields
                keep.append(Point(m, p.tags, {k: f[k] for k in wanted if k in f}, p.time_ns))
    return Encoded.of(payloads, errors, len(points), keep)


async def _serve(config: Path, workers: int) -> None:
    from ..config import load_config
    from ..inventory import Topology, load_inventory
    from .gctune import tune_gc
    from .snmpjob import SnmpJob

    cfg = load_config(config)
    topology = Topology(load_inventory(cfg.inventory))
    snmp = SnmpJob(cfg, topology, share=workers)  # the configured concurrency is for all workers
    tune_gc()
    loop = asyncio.get_running_loop()
    reader, writer = await stdio_streams()
    tasks: set[asyncio.Task[None]] = set()
    encoder = Encoder()
    needs: Needs = None
    # Results wait up to _COALESCE_S to leave together: each pipe write wakes the parent, and
    # on a VM that wake-up (charged to the writer) cost more than the poll's encoding.
    out: list[bytes] = []

    async def one(rid: int, name: str) -> None:
        result: list[Point] | str
        try:
            result = await snmp.poll(topology.device(name))
            if needs is not None and result:
                result = encode_result(result, encoder, needs, cfg.batch.size)
        except Exception as exc:  # the parent's scheduler counts and logs it; the worker stays up
            result = f"{type(exc).__name__}: {exc}"
        out.append(_frame((rid, result)))
        if len(out) >= _COALESCE_MAX:
            flush()
            await writer.drain()
        elif len(out) == 1:
            loop.call_later(_COALESCE_S, flush)

    def flush() -> None:
        if out:
            writer.write(b"".join(out))
            out.clear()

    try:
        while True:
            try:
                op, rid, name = await _read_frame(reader)
            except asyncio.IncompleteReadError:
                break
            if op == "needs":
                needs = name
            elif op == "poll":
                t = asyncio.create_task(one(rid, name))
                tasks.add(t)
                t.add_done_callback(tasks.discard)
            elif op == "reload":
                try:
                    cfg = load_config(config)
                    topology = Topology(load_inventory(cfg.inventory))
                    snmp.reconfigure(cfg, topology)
                except Exception as exc:  # the parent refused it too and logged why
                    log.debug("worker reload refused: %s", exc)
            elif op == "stop":
                break
        if tasks:
            await asyncio.wait(tasks, timeout=30)
        flush()
        await writer.drain()
    finally:
        await snmp.close()


def main() -> None:
    from .logs import PerPollFailureFilter, setup_logging

    config, _index, workers, level, as_json = sys.argv[1:6]
    setup_logging(level, as_json == "1")
    logging.getLogger("netmon.snmp").addFilter(PerPollFailureFilter())  # the parent's StateLog reports
    # SIGINT/SIGTERM go to the whole process group; the parent stops the workers itself.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    asyncio.run(_serve(Path(config), int(workers)))


if __name__ == "__main__":
    main()
