"""The SNMP collector as a scheduler job: targets from the inventory, health on its own interval."""

from __future__ import annotations

import asyncio
import logging
import time
import zlib

from collectors.snmp.engine import Target
from collectors.snmp.engines import make_engine
from collectors.snmp.poller import SnmpPoller

from ..config import NetmonConfig, SnmpCredential
from ..errors import InputError
from ..inventory import Device, Topology
from ..model import Point
from .overload import OverloadWatch

log = logging.getLogger("netmon.snmp")


class SnmpJob:
    def __init__(self, cfg: NetmonConfig, topology: Topology, share: int = 1) -> None:
        """``share``: this job is one of that many worker processes (the global limit is split)."""
        self.engine = make_engine(cfg.snmp.engine, gather_s=cfg.snmp.gather_ms / 1000)
        self.poller = SnmpPoller(self.engine, cfg.snmp, topology)
        self.reconfigure(cfg, topology)
        self._last_health: dict[str, float] = {}
        self._lldp_next: dict[str, float] = {}
        self._up: set[str] = set()
        self._down: set[str] = set()
        self._bad_config_logged: set[str] = set()
        # Global and per-site limits: a county's small WAN link is not flooded by its 20 devices.
        self._global = asyncio.Semaphore(max(1, -(-cfg.snmp.concurrency // share)))
        self._sites: dict[str, asyncio.Semaphore] = {}
        self.overload = OverloadWatch()

    def reconfigure(self, cfg: NetmonConfig, topology: Topology) -> None:
        from ..topology.settings import load_topology_settings

        if hasattr(self, "engine") and hasattr(self.engine, "gather_s"):
            self.engine.gather_s = cfg.snmp.gather_ms / 1000  # SIGHUP: the next wake-up uses it

        ts = load_topology_settings(cfg.topology, str(cfg.path or "netmon.yaml"))
        self.lldp, self.lldp_interval = ts.lldp, ts.lldp_interval
        self.cfg = cfg
        self.store = cfg.secret_store()
        self._creds: dict[str, SnmpCredential] = {}
        if hasattr(self.poller, "set_topology"):
            self.poller.set_topology(topology)

    def target(self, device: Device) -> Target:
        if not device.snmp:
            raise InputError.one(device.name, "no SNMP credential (`snmp:`) in the inventory")
        cred = self._creds.get(device.snmp)
        if cred is None:
            cred = self._creds[device.snmp] = self.cfg.snmp_credential(device.snmp, self.store)
        s = self.cfg.snmp
        return Target(device.address, cred, device.port or 161, s.timeout, s.retries, device.name)

    async def poll(self, device: Device) -> list[Point]:
        try:
            target = self.target(device)
        except InputError as exc:
            if device.name not in self._bad_config_logged:
                self._bad_config_logged.add(device.name)
                log.error("cannot poll: %s", exc, extra={"device": device.name, "tier": device.tier.value})
            self._down.add(device.name)
            return [
                Point("snmp_reach", device.point_tags(), {"up": 0, "response_ms": 0.0, "error": "config", "values": 0})
            ]
        now = time.monotonic()
        health = now - self._last_health.get(device.name, -1e18) >= self.cfg.intervals.health
        site = self._sites.setdefault(device.site, asyncio.Semaphore(self.cfg.snmp.per_site_concurrency))
        queued = time.monotonic()
        async with self._global, site:
            self.overload.note_queue_wait(time.monotonic() - queued)
            points = await self.poller.poll_device(device, target, health=health)
            if health and self.lldp and points and points[0].fields.get("up") and self._lldp_due(device.name, now):
                points += await self._lldp(device, target)
        for p in points:
            if p.measurement == "snmp_reach":
                if p.fields.get("up"):
                    self._up.add(device.name)
                    self._down.discard(device.name)
                    if health:
                        self._last_health[device.name] = now
                else:
                    self._down.add(device.name)
                    self._up.discard(device.name)
        return points

    def _lldp_due(self, name: str, now: float) -> bool:
        """Every lldp_interval per device; the first walks spread over one interval after start
        (a stable hash of the name), so 33,000 devices do not all walk in the first cycle."""
        due = self._lldp_next.get(name)
        if due is None:
            due = self._lldp_next[name] = now + (zlib.crc32(name.encode()) % 1000) / 1000 * self.lldp_interval
        if now < due:
            return False
        self._lldp_next[name] = now + self.lldp_interval
        return True

    async def _lldp(self, device: Device, target: Target) -> list[Point]:
        """LLDP neighbours with the health poll (topology.lldp); a failure costs a log line only."""
        from collectors.snmp import lldp

        try:
            return await lldp.walk(self.engine, device, target, time.time_ns(), self.cfg.snmp.max_repetitions)
        except Exception as exc:  # an agent's odd LLDP table must not mark the device down
            log.debug("lldp walk of %s failed: %s", device.name, exc)
            return []

    def note_result(self, name: str, points: list[Point]) -> None:
        """A poll done elsewhere (a worker process): count it as this job's own polls are."""
        if not points:
            self.poller.overloaded_polls += 1  # abandoned inside the worker: no verdict
        for p in points:
            if p.measurement == "snmp_reach":
                (self._up if p.fields.get("up") else self._down).add(name)
                (self._down if p.fields.get("up") else self._up).discard(name)

    def take_abandoned(self) -> int:
        """Polls of the last cycle abandoned because netmon was behind (then reset)."""
        n, self.poller.overloaded_polls = self.poller.overloaded_polls, 0
        return n

    def last_cycle_counts(self) -> tuple[int, int]:
        up, down = len(self._up), len(self._down)
        self._up, self._down = set(), set()
        return up, down

    async def close(self) -> None:
        await self.overload.close()
        await self.engine.close()
