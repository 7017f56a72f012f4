"""Cycle scheduling on one asyncio loop.

Each collector runs in cycles of its interval. Within a cycle every device starts at a stable
offset (a hash of its name) spread over ``jitter × interval`` in slots of ``BURST_S``, so
30,000 devices don't fire at once and each device keeps the same phase from cycle to cycle
(its rates see even spacing).
A cycle ends when all its devices are done; then ``on_cycle_end`` runs (the alert engine
decides on the cycle as a whole, parents before children). A cycle that overruns its interval
is recorded and the next starts at once — never two cycles of one collector at the same time.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from ..inventory import Device
from ..model import Point

log = logging.getLogger("netmon.scheduler")

# Start offsets are rounded down to this: the devices of one slot are polled together, so one
# wake-up of the event loop reads the answers of several polls (with snmp.gather_ms, see
# FastEngine.gather_s). Spread one by one (1,000 devices over 27 s: one every 27 ms), each answer
# cost a wake-up of its own, and on a VM the wake-ups cost more CPU than decoding the answers.
# 600 devices, 30 s, back to back: 0.25 s slots without gathering 6.4-7.3 ms CPU per poll, 1 s
# slots with 2 ms gathering 5.7-6.3 (bench_scale.py).
BURST_S = 1.0
BURST_SHARE = 1 / 30  # ... and at most this share of the interval (1 s of 30 s)

DeviceFn = Callable[[Device], Awaitable[list[Point]]]
EmitFn = Callable[[list[Point]], Awaitable[None]]


def phase(name: str) -> float:
    """A stable fraction in [0, 1) for a device name."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big") / 2**64


@dataclass
class CycleResult:
    collector: str
    number: int
    started: float
    duration: float
    devices: int
    failed: int
    overrun: bool


@dataclass
class Job:
    """One collector's periodic work."""

    name: str
    interval: float
    device_fn: DeviceFn | None
    devices: Callable[[], Sequence[Device]]  # re-read each cycle, so a reload takes effect
    jitter: float = 0.1
    on_cycle_end: Callable[[CycleResult], Awaitable[None]] | None = None
    first_delay: float = 0.0
    # Instead of one call per device: one call per cycle with all devices (a collector that
    # batches itself, such as the SSH backup with its own concurrency).
    cycle_fn: Callable[[Sequence[Device]], Awaitable[int]] | None = None
    cycles_done: int = 0
    history: list[CycleResult] = field(default_factory=list)


class Scheduler:
    def __init__(self, emit: EmitFn, max_cycles: int | None = None, primary: str = "snmp") -> None:
        """``max_cycles`` counts the ``primary`` job's cycles; when it has run them, everything stops."""
        self.emit = emit
        self.max_cycles = max_cycles
        self.primary = primary
        self.jobs: list[Job] = []
        self._stopping = asyncio.Event()
        self._first_poll_logged = False
        self._phases: dict[str, float] = {}

    def _phase(self, name: str) -> float:
        p = self._phases.get(name)
        if p is None:
            p = self._phases[name] = phase(name)
        return p

    def add(self, job: Job) -> None:
        self.jobs.append(job)

    def stop(self) -> None:
        self._stopping.set()

    async def wait_stopped(self) -> None:
        await self._stopping.wait()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def run(self) -> None:
        """Run every job until stop() or, with max_cycles, until each job ran that many cycles."""
        await asyncio.gather(*(self._loop(j) for j in self.jobs))

    async def _sleep(self, seconds: float) -> bool:
        """Sleep unless stopping; True if woken by stop()."""
        if seconds <= 0:
            return self._stopping.is_set()
        if seconds < 0.05:  # the dispatcher's many tiny gaps: no timer task per wait
            await asyncio.sleep(seconds)
            return self._stopping.is_set()
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
            return True
        except TimeoutError:
            return False

    async def _loop(self, job: Job) -> None:
        if await self._sleep(job.first_delay):
            return
        next_start = time.monotonic()
        while not self._stopping.is_set():
            result = await self._cycle(job)
            job.cycles_done += 1
            job.history = [*job.history[-99:], result]
            if job.on_cycle_end is not None:
                try:
                    await job.on_cycle_end(result)
                except Exception:
                    log.exception("after-cycle hook of %s failed", job.name)
            next_start += job.interval
            now = time.monotonic()
            if next_start < now:
                # Overran: record it, start the next at once, and don't try to catch up the backlog.
                next_start = now
            if self.max_cycles is not None and job.cycles_done >= self.max_cycles and job.name == self.primary:
                self.stop()
                return
            if await self._sleep(next_start - now):
                return

    async def _cycle(self, job: Job) -> CycleResult:
        devices = list(job.devices())
        start_wall, start = time.time(), time.monotonic()
        window = job.interval * job.jitter
        failed = 0
        if job.cycle_fn is not None:
            try:
                failed = await job.cycle_fn(devices)
            except Exception as exc:
                failed = len(devices)
                log.error("%s cycle failed: %s", job.name, exc)
            duration = time.monotonic() - start
            return CycleResult(
                job.name, job.cycles_done + 1, start_wall, duration, len(devices), failed, duration > job.interval
            )

        async def one(dev: Device) -> None:
            nonlocal failed
            if not self._first_poll_logged:
                self._first_poll_logged = True
                log.info("first %s poll started (%s)", job.name, dev.name, extra={"device": dev.name})
            assert job.device_fn is not None
            try:
                points = await job.device_fn(dev)
            except Exception as exc:  # a collector bug must not stop the cycle or the daemon
                failed += 1
                log.error("%s poll failed: %s", job.name, exc, extra={"device": dev.name, "tier": dev.tier.value})
                return
            if points:
                await self.emit(points)

        # One dispatcher walks the devices in phase order and starts each at its offset, rather
        # than 30,000 tasks each holding a timer.
        tasks = []
        quantum = min(BURST_S, job.interval * BURST_SHARE)
        for dev in sorted(devices, key=lambda d: self._phase(d.name)):
            offset = self._phase(dev.name) * window
            offset -= offset % quantum  # devices start in small bursts (see BURST_S)
            delay = start + offset - time.monotonic()
            if await self._sleep(delay):
                break
            tasks.append(asyncio.create_task(one(dev)))
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        duration = time.monotonic() - start
        overrun = duration > job.interval
        if overrun:
            log.warning(
                "%s cycle %d took %.1fs, longer than its %.0fs interval",
                job.name,
                job.cycles_done + 1,
                duration,
                job.interval,
            )
        return CycleResult(job.name, job.cycles_done + 1, start_wall, duration, len(devices), failed, overrun)
