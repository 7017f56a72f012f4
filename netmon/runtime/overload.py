"""Is the poller itself behind? Cycle overrun, event-loop lag, queue wait, answers lost in netmon.

When the poller has less CPU than its inventory needs, the symptoms look like a network
problem: polls finish late, answers sit unread in the socket. Devices are not to blame for
that (the engine times each request from its send to the kernel's receive, and the poller
drops a poll it could not finish for its own reasons instead of declaring the device down).
This watch names the cause and the capacity it measured, once per cycle, as fields of the
``netmon_self`` point of the collector; the built-in rule ``poller_overloaded`` pages on them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass

# Event-loop lag (seconds late for a 0.25 s tick) above which the poller counts as behind:
# past it, answers wait in the socket longer than a healthy agent takes to reply.
LAG_LIMIT = 1.0
TICK = 0.25
# Queue wait (semaphores) as a share of the interval above which the cycle cannot keep up.
QUEUE_SHARE = 0.5


@dataclass
class Verdict:
    overloaded: bool
    cause: str
    capacity: int  # devices this process can poll per interval at the measured cost
    loop_lag_s: float
    queue_wait_s: float
    abandoned: int

    def fields(self) -> dict[str, float | int | str]:
        return {
            "overloaded": int(self.overloaded),
            "overload_cause": self.cause,
            "capacity": self.capacity,
            "loop_lag_s": round(self.loop_lag_s, 3),
            "queue_wait_s": round(self.queue_wait_s, 3),
            "polls_abandoned": self.abandoned,
        }


class OverloadWatch:
    """Per-cycle figures of one collector; call ``cycle_end`` at the end of each cycle."""

    def __init__(self) -> None:
        self._lag = 0.0
        self._queue = 0.0
        self._cpu0 = time.process_time()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._tick())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            t = loop.time()
            await asyncio.sleep(TICK)
            self._lag = max(self._lag, loop.time() - t - TICK)

    def note_queue_wait(self, seconds: float) -> None:
        if seconds > self._queue:
            self._queue = seconds

    def cycle_end(
        self, devices: int, duration: float, interval: float, abandoned: int, cpu: float | None = None
    ) -> Verdict:
        """The verdict on the cycle just ended; ``cpu``: CPU seconds it cost (default: this process's)."""
        now_cpu = time.process_time()
        if cpu is None:
            cpu = now_cpu - self._cpu0
        self._cpu0 = now_cpu
        lag, queue = self._lag, self._queue
        self._lag = self._queue = 0.0
        # One core's worth: devices x interval / seconds the cycle kept us busy (CPU, or the
        # wall clock when it overran, which also covers CPU stolen by other processes).
        busy = max(cpu, duration if duration > interval else 0.0, 1e-6)
        capacity = int(devices * interval / busy) if devices else 0
        causes = []
        if duration > interval:
            causes.append(f"cycle took {duration:.0f} s of {interval:g} s interval")
        if abandoned:
            causes.append(f"{abandoned} polls abandoned inside netmon (answers not read in time)")
        if lag >= LAG_LIMIT:
            causes.append(f"event loop {lag:.1f} s behind")
        if queue >= QUEUE_SHARE * interval:
            causes.append(f"polls queued {queue:.0f} s for a free slot")
        cause = "; ".join(causes)
        if cause:
            cause += f"; capacity ≈ {capacity} devices/interval for {devices} devices"
        return Verdict(bool(causes), cause, capacity, lag, queue, abandoned)
