"""The probe collector as a scheduler job for `netmon run`: one device at a time, async.

scapy's send/receive is blocking, so each device's probes run on this job's own thread pool
(``probe.concurrency`` threads), never on the loop or the shared default executor. Without
raw-socket permission the job says so once and yields nothing, instead of failing every cycle.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from netmon.config import NetmonConfig
from netmon.errors import NetmonError
from netmon.inventory import Device, Topology
from netmon.model import Point
from netmon.security.findings import Event

from .active import check_raw_sockets
from .path import hop_index
from .run import check_vantage, device_output, probe_device
from .settings import load_probe_settings

log = logging.getLogger("netmon.probe")


class ProbeJob:
    def __init__(self, cfg: NetmonConfig, topology: Topology) -> None:
        self.events: list[Event] = []  # path events since the last take_events()
        self._pool: ThreadPoolExecutor | None = None
        self.reconfigure(cfg, topology)
        self.unavailable: str | None = None
        try:
            check_raw_sockets()
        except NetmonError as exc:
            self.unavailable = str(exc)
            log.error("probe collector disabled: %s", exc)

    def reconfigure(self, cfg: NetmonConfig, topology: Topology) -> None:
        """Apply a reloaded config/inventory (SIGHUP). Bad settings raise InputError: the caller keeps the old."""
        settings = load_probe_settings(cfg.probe, str(cfg.path or "netmon.yaml"))
        check_vantage(settings, topology)
        self.settings, self.topology = settings, topology
        self.index = hop_index(topology.inventory, settings.hop_addresses)
        if self._pool is not None:
            self._pool.shutdown(wait=False)
        self._pool = ThreadPoolExecutor(max_workers=settings.concurrency, thread_name_prefix="probe")

    async def poll(self, device: Device) -> list[Point]:
        """Probe one device: its `probe` points; path events are kept for take_events()."""
        if self.unavailable:
            return []
        loop = asyncio.get_running_loop()
        settings, topo, index = self.settings, self.topology, self.index
        results, pr = await loop.run_in_executor(self._pool, probe_device, settings, topo, index, device)
        points, events = device_output(device, results, pr, time.time_ns())
        for e in events:
            log.warning("%s", e.summary, extra={"device": device.name, "tier": device.tier.value})
        self.events.extend(events)
        return points

    def take_events(self) -> list[Event]:
        out, self.events = self.events, []
        return out

    async def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
