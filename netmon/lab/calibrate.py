"""Fit the lab's SNMP time-outs, concurrency and interval to the simulator's measured speed.

The lab's devices are one snmpsim (Python) behind a relay thread: on a busy 2-core laptop a
request can take tens of milliseconds, and 58 devices asked at once queue behind each other.
Fixed time-outs then turn a slow simulator into "devices down" that no fault took down. At
start the lab measures, with the real engine and a real poll: the time one request takes
alone, the throughput under a burst of every device at once, and the requests of one full
poll; the lab config is derived from those figures (state.json keeps them).
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from dataclasses import asdict, dataclass

from collectors.snmp.engine import Target
from collectors.snmp.engine_fast import FastEngine
from collectors.snmp.poller import SnmpPoller
from netmon.config import SnmpCredential, SnmpSettings
from netmon.inventory import Device

# Queue allowed in the simulator for a burst of `concurrency` requests: a quarter of the
# time-out, so a slow moment (GC, another process) still leaves 4x headroom.
QUEUE_SHARE = 0.25


@dataclass
class LabTiming:
    request_s: float  # one request alone (median)
    burst_request_s: float  # wall time per request while every device is asked at once
    poll_requests: int  # requests of the longest full poll (interfaces, static columns, health)
    devices: int
    timeout: float
    concurrency: int
    device_budget: float
    min_interval: float  # a cycle of every device takes about this long on this simulator

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def fit(request_s: float, burst_request_s: float, poll_requests: int, devices: int) -> LabTiming:
    """The settings for measured figures (pure: tested on its own)."""
    s = max(request_s, burst_request_s, 1e-4)
    concurrency = max(4, min(64, int(QUEUE_SHARE / s)))
    # A request waits behind at most `concurrency` others; 4x that, never under 1 s.
    timeout = min(10.0, max(1.0, round(4 * concurrency * s, 1)))
    # The budget counts the device's own request time: every request of the longest poll may
    # take up to the time-out before the device is blamed.
    budget = max(8.0, round(poll_requests * timeout, 1))
    # The simulator answers one request at a time: a cycle needs devices x requests x s.
    min_interval = max(5.0, math.ceil(1.5 * devices * poll_requests * s))
    return LabTiming(request_s, burst_request_s, poll_requests, devices, timeout, concurrency, budget, min_interval)


async def measure(devices: list[Device], targets: list[Target], kinds: list[str] | None = None) -> LabTiming:
    """Time the simulator with the real engine: single requests, one full poll per kind of
    device (``kinds``: e.g. the recording each device plays), a burst of every device."""
    engine = FastEngine()
    try:
        first = targets[0]
        await engine.get(first, [(1, 3, 6, 1, 2, 1, 1, 3, 0)])  # v3 discovery, key localisation
        singles = []
        for _ in range(10):
            t0 = time.monotonic()
            await engine.get(first, [(1, 3, 6, 1, 2, 1, 1, 3, 0)])
            singles.append(time.monotonic() - t0)
        poller = SnmpPoller(engine, SnmpSettings(device_budget=120))
        poll_requests = 1
        seen: set[str] = set()
        for i, (dev, tgt) in enumerate(zip(devices, targets, strict=True)):
            kind = kinds[i] if kinds else dev.vendor
            if kind in seen:
                continue
            seen.add(kind)
            before = engine.stats.requests
            await poller.poll_device(dev, tgt, health=True)
            poll_requests = max(poll_requests, engine.stats.requests - before)
        # Every device at once, as a cycle's first seconds look (one walk of the status columns each).
        cols = [(1, 3, 6, 1, 2, 1, 2, 2, 1, 8), (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6)]
        before = engine.stats.requests
        t0 = time.monotonic()
        await asyncio.gather(*(engine.bulk_walk(t, cols) for t in targets), return_exceptions=True)
        burst = (time.monotonic() - t0) / max(1, engine.stats.requests - before)
    finally:
        await engine.close()
    return fit(statistics.median(singles), burst, poll_requests, len(devices))


def calibration_targets(devices: list[Device], port_of: dict[str, int], cred: SnmpCredential) -> list[Target]:
    return [Target("127.0.0.1", cred, port_of[d.name], 10.0, 0, d.name) for d in devices]
