"""What the ``netmon relay`` commands run: connect with the config's credentials, then act."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from nats.aio.client import Client

from ..config import NetmonConfig
from ..errors import NetmonError
from ..inventory import Device, Scope, Topology, load_inventory
from ..model import Point
from ..runtime.signals import on_signals
from ..storage import Pipeline
from ..storage.base import Sink, SinkUnavailable
from ..storage.factory import open_sink
from ..urlmask import mask_url
from .connect import NatsUnreachable, connect
from .nats_sink import NatsSink
from .relay import Relay
from .settings import NatsSettings, ProvinceSettings, load_nats_settings
from .streams import SourceStatus, SourceWatch, setup_all, source_status
from .workqueue import Job, WorkConsumer, submit_job

log = logging.getLogger("netmon.relay")


def settings_of(cfg: NetmonConfig) -> NatsSettings:
    s = load_nats_settings(cfg.nats, str(cfg.path or "netmon.yaml"))
    if not s.provinces:
        raise NetmonError(f"{cfg.path or 'netmon.yaml'}: the nats: section lists no provinces (docs/SCALEOUT.md)")
    return s


async def hub(cfg: NetmonConfig, s: NatsSettings, name: str = "netmon-relay") -> Client:
    return await connect(s.hub_server, s.hub_auth(), cfg.secret_store(), name=name, where=f"nats.hub {mask_url(s.hub)}")


async def leaf(cfg: NetmonConfig, p: ProvinceSettings, name: str = "netmon-worker") -> Client:
    if not p.leaf:
        raise NetmonError(f"nats.provinces[{p.domain}]: no `leaf:` URL for the province's pollers")
    u = urlsplit(p.leaf)
    server = f"{u.scheme}://{u.hostname}:{u.port or 4222}"
    return await connect(
        server, p.leaf_auth(u.username or ""), cfg.secret_store(), name=name, where=f"leaf {mask_url(p.leaf)}"
    )


async def setup(cfg: NetmonConfig) -> list[str]:
    s = settings_of(cfg)
    nc = await hub(cfg, s)
    try:
        return await setup_all(nc, s)
    finally:
        await nc.close()


async def status(cfg: NetmonConfig) -> tuple[int, int, list[SourceStatus]]:
    """(consumer lag, ack pending, per-province source status)."""
    s = settings_of(cfg)
    nc = await hub(cfg, s)
    try:
        ci = await nc.jetstream(timeout=5).consumer_info(s.stream, s.consumer)
        return int(ci.num_pending or 0), int(ci.num_ack_pending or 0), await source_status(nc, s, SourceWatch())
    finally:
        await nc.close()


async def send_job(cfg: NetmonConfig, province: str, kind: str, device: str, who: str = "") -> tuple[Job, int]:
    s = settings_of(cfg)
    p = s.province(province)
    job = Job(kind, device, requested_by=who)
    nc = await hub(cfg, s, "netmon-job")
    try:
        return job, await submit_job(nc, p, job)
    finally:
        await nc.close()


def poller_sink(cfg: NetmonConfig, base: Path | None = None) -> Sink:
    """The config's sink, with ``secret:`` references of a nats:// URL resolved through the
    config's secrets file (open_sink alone sees only the environment)."""
    sink = open_sink(cfg.sink, base)
    if isinstance(sink, NatsSink):
        sink.store = cfg.secret_store()
    return sink


def _on_signals(stop: Callable[[], object]) -> None:
    on_signals(((signal.SIGTERM, stop), (signal.SIGINT, stop)))


async def run_relay(cfg: NetmonConfig, sink_url: str | None, max_idle: float | None, instance: str | None) -> Relay:
    s = settings_of(cfg)
    base = cfg.path.resolve().parent if cfg.path else Path.cwd()
    sink = open_sink(sink_url or cfg.sink, base)
    if sink.url.kind == "nats":
        raise NetmonError("the relay writes to the central database: give an influxdb1:// or influxdb:// --sink")
    try:
        await sink.start()
    except SinkUnavailable as exc:
        log.warning("%s; the relay will hold messages in the stream until it answers", exc)
    while True:
        try:
            nc = await hub(cfg, s)
            break
        except NatsUnreachable as exc:
            log.warning("%s; retrying", exc)
            await asyncio.sleep(2)
    relay = Relay(nc, s, sink, instance)
    _on_signals(relay.stop)
    log.info("relaying %s (consumer %s) into %s", s.stream, s.consumer, sink.url)
    try:
        await relay.run(max_idle=max_idle)
    finally:
        await nc.close()
        await sink.close()
    return relay


def job_handlers(cfg: NetmonConfig, topology: Topology) -> tuple[dict[str, Any], list[Any]]:
    """The job kinds a province's poller runs: poll always; backup (with the compliance scan that
    follows every backup) and scan when netmon.yaml has SSH credentials. Returns the handlers and
    what to close afterwards."""
    from ..runtime.backupjob import BackupJob
    from ..runtime.snmpjob import SnmpJob

    snmp = SnmpJob(cfg, topology)
    handlers: dict[str, Any] = {"poll": snmp.poll}
    if BackupJob.wanted(cfg):
        collected: list[Point] = []
        lock = asyncio.Lock()

        async def collect(points: list[Point]) -> None:
            collected.extend(points)

        backup = BackupJob(cfg, collect)

        async def backup_now(device: Device) -> list[Point]:
            async with lock:  # one collecting list: jobs of this kind run one at a time
                collected.clear()
                await backup.run_once([device])
                return list(collected)

        async def scan_now(device: Device) -> list[Point]:
            from ..compliance import to_points

            return to_points(await asyncio.to_thread(backup.scan, [device]))

        handlers["backup"] = backup_now
        handlers["scan"] = scan_now
    return handlers, [snmp]


async def run_worker(cfg: NetmonConfig, province: str, scope: Scope, max_jobs: int | None = None) -> WorkConsumer:
    """A province's job runner: jobs from its leaf's work queue, results into the config's sink
    (the province's ``nats://`` sink, spooled as every poll is)."""
    s = settings_of(cfg)
    p = s.province(province)
    inv = load_inventory(cfg.inventory)
    topology = Topology(inv)
    devices: dict[str, Device] = {d.name: d for d in scope.require(inv)}  # none: EmptyScope, exit 1
    handlers, closers = job_handlers(cfg, topology)
    base = cfg.path.resolve().parent if cfg.path else Path.cwd()
    # Its own spool beside the daemon's (which `netmon run` holds locked), same settings.
    spool_dir = cfg.spool.dir.with_name(cfg.spool.dir.name + "-jobs")
    pipe = await Pipeline.open(poller_sink(cfg, base), spool_dir, cfg.spool, cfg.batch)
    nc = await leaf(cfg, p)
    wc = WorkConsumer(nc, p, handlers, devices.get, pipe.submit)
    _on_signals(wc.stop)
    log.info("running %s's jobs for %d devices (handlers: %s)", p.name, len(devices), ", ".join(sorted(handlers)))
    try:
        await wc.run(max_jobs=max_jobs)
    finally:
        await nc.close()
        for c in closers:
            await c.close()
        await pipe.close()
    return wc
