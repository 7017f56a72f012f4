"""`netmon run`: the daemon that polls the inventory, stores every point and feeds the alerts.

One asyncio loop holds everything: the scheduler's collector cycles, the storage pipeline
(spool first, then the sink), the alert engine on the Point stream, and the HTTP endpoint for
/metrics and /healthz. SIGHUP reloads config and inventory keeping all state (rate baselines,
alert state); SIGTERM/SIGINT stop: no new polls start, in-flight polls get ``stop_grace``
seconds, the pipeline flushes, exit 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import NetmonConfig, load_config
from ..errors import InputError, NetmonError
from ..inventory import Device, EmptyScope, Scope, Topology, load_inventory
from ..model import Point
from ..storage import Pipeline, SpoolLockedError
from ..storage.base import Sink
from ..storage.lineproto import Encoded
from ..storage.sinkproc import ProcessSink
from ..storage.urls import parse_sink_url
from .backupjob import BackupJob
from .logs import PerPollFailureFilter, StateLog
from .scheduler import CycleResult, Job, Scheduler
from .selfmon import HttpServer, SelfMetrics
from .signals import on_signals
from .snmpjob import SnmpJob

log = logging.getLogger("netmon.run")

PointObserver = Callable[[list[Point]], None]
CycleObserver = Callable[[CycleResult], Any]


@dataclass
class RunOptions:
    scope: Scope = field(default_factory=Scope)
    sink: str | None = None  # overrides cfg.sink
    spool_dir: Path | None = None  # overrides cfg.spool.dir
    max_cycles: int | None = None  # stop after N cycles of each collector (demo, tests)
    stop_grace: float = 10.0  # seconds in-flight polls may take after a stop
    listen: str | None = None  # overrides cfg.http.listen ("" disables)
    instance: str | None = None
    alert_state: Path | None = None  # overrides alerting.state (the demo keeps it in its folder)
    backup: bool = True  # SSH backup + compliance when credentials.ssh is configured
    backup_delay: float = 30.0  # seconds after start before the first backup
    backup_first: bool = False  # run one backup + scan before polling starts (the demo)
    workers: int = 1  # SNMP polling processes (netmon.runtime.workers); 1 = poll in this process
    log_level: str = "info"  # of the worker processes
    log_json: bool = False


class MainJob:
    def __init__(self, cfg: NetmonConfig, opts: RunOptions | None = None) -> None:
        self.cfg = cfg
        self.opts = opts or RunOptions()
        self.metrics = SelfMetrics(self.opts.instance)
        self.state_log = StateLog(log)
        self.observers: list[PointObserver] = []
        self.cycle_observers: list[CycleObserver] = []
        self.pipeline: Pipeline | None = None
        self.http: HttpServer | None = None
        self.scheduler: Scheduler | None = None
        self.alerts: Any = None
        self.topology: Topology
        self.devices: list[Device] = []
        self.snmp: SnmpJob | None = None
        self.pool: Any = None  # netmon.runtime.workers.WorkerPool with --workers > 1
        self._pool_reload: asyncio.Task[None] | None = None
        self.traps: Any = None
        self.backup: Any = None
        self.probe: Any = None
        self.services: Any = None  # collectors.service.ServiceJob when netmon.yaml has `services:`
        self.syslog: Any = None
        self.isolation: Any = None  # netmon.topology.watch.IsolationWatch (LLDP adjacency across networks)
        self.last_backup: Any = None
        self.reloads = 0
        self._stop_requested = False
        self._load_inventory()
        self._poll_log_filter = PerPollFailureFilter()

    # ---- inventory and reload --------------------------------------------------------------
    def _load_inventory(self) -> None:
        inv = load_inventory(self.cfg.inventory)
        self.topology = Topology(inv)
        self.devices = self.opts.scope.require(inv)  # EmptyScope (exit 1) when nothing matches

    def reload(self) -> None:
        """SIGHUP: re-read config and inventory; keep every bit of runtime state. A bad file keeps the old one."""
        try:
            cfg = load_config(self.cfg.path) if self.cfg.path else self.cfg
            old = self.cfg
            self.cfg = cfg
            try:
                self._load_inventory()
            except Exception:
                self.cfg = old
                raise
        except InputError as exc:
            for p in exc.problems:
                log.error("reload refused, keeping the running configuration: %s", p)
            return
        except EmptyScope as exc:
            log.error("reload refused, keeping the running configuration: %s", exc)
            return
        if self.snmp is not None:
            self.snmp.reconfigure(self.cfg, self.topology)
        if self.pool is not None:  # the workers re-read the same files (kept referenced until done)
            self._pool_reload = asyncio.get_running_loop().create_task(self.pool.reload())
        if self.probe is not None:
            try:
                self.probe.reconfigure(self.cfg, self.topology)
            except InputError as exc:
                for p in exc.problems:
                    log.error("reload: probe settings refused, keeping the old ones: %s", p)
        if self.services is not None:
            try:
                self.services.reconfigure(self.cfg)
            except InputError as exc:
                for p in exc.problems:
                    log.error("reload: services settings refused, keeping the old ones: %s", p)
        if self.backup is not None:
            try:
                self.backup.reconfigure(self.cfg)
            except InputError as exc:
                for p in exc.problems:
                    log.error("reload: backup/compliance settings refused, keeping the old ones: %s", p)
        if self.alerts is not None:
            self.alerts.set_topology(self.topology)
        if self.syslog is not None:
            self.syslog.set_inventory(self.topology.inventory)
        if self.isolation is not None:
            self.isolation.set_inventory(self.topology.inventory)
        self.state_log.forget({d.name for d in self.devices})
        self.reloads += 1
        log.info("reloaded: %d devices in scope (%s)", len(self.devices), self.opts.scope)

    def request_stop(self) -> None:
        if not self._stop_requested:
            log.info("stopping: finishing in-flight polls (up to %.0fs), then flushing the spool", self.opts.stop_grace)
        self._stop_requested = True
        if self.scheduler is not None:
            self.scheduler.stop()

    # ---- the point stream ------------------------------------------------------------------
    async def emit(self, points: list[Point]) -> None:
        if self.isolation is not None:
            points = points + self.isolation.check(points)
        encoded = points if isinstance(points, Encoded) else None
        self.metrics.count_points(len(points) if encoded is None else encoded.total)
        for p in points:
            if p.measurement == "snmp_reach":
                self._log_reach(p)
        assert self.pipeline is not None
        if encoded is not None:  # a worker encoded them; these are only what alerting reads
            await self.pipeline.submit_encoded(encoded.payloads, encoded.errors)
        else:
            await self.pipeline.submit(points)
        if self.alerts is not None:
            out = self.alerts.process(points)
            if out:
                await self.pipeline.submit(out)
                for ob in self.observers:
                    ob(out)
        for ob in self.observers:
            ob(points)

    def _log_reach(self, p: Point) -> None:
        dev = p.tags.get("device", "?")
        up = bool(p.fields.get("up"))
        err = str(p.fields.get("error", ""))
        tier = p.tags.get("tier")
        if up:
            self.state_log.change(dev, "up", "device answers SNMP again", logging.INFO, tier=tier, collector="snmp")
        else:
            msg = f"device does not answer SNMP: {err or 'error'}"
            self.state_log.change(dev, f"down:{err}", msg, logging.WARNING, tier=tier, collector="snmp")

    async def _after_cycle(self, result: CycleResult) -> None:
        up = down = 0
        if self.snmp is not None and result.collector == "snmp":
            up, down = self.snmp.last_cycle_counts()
            verdict = self.snmp.overload.cycle_end(
                result.devices, result.duration, self._interval("snmp"), self.snmp.take_abandoned()
            )
            self.metrics.set_overload("snmp", verdict.fields())
            if verdict.overloaded:
                log.warning("poller overloaded: %s", verdict.cause)
        elif result.collector == "backup" and self.last_backup is not None:
            up, down = self.last_backup.backed_up, self.last_backup.failed
        elif result.collector == "services":
            up, down = self.services.targets - result.failed, result.failed
        self.metrics.cycle_done(result.collector, result.duration, self._interval(result.collector), up, down)
        if self.alerts is not None and result.collector == "snmp":
            out = self.alerts.end_cycle(time.time())
            if out:
                assert self.pipeline is not None
                await self.pipeline.submit(out)
                for ob in self.observers:
                    ob(out)
            st = self.alerts.stats()
            # A suppressed alert is still "firing" inside the engine; only the rest page someone.
            self.metrics.set_alerts(int(st["firing"]) - int(st["suppressed"]), int(st["suppressed"]))
        assert self.pipeline is not None
        self.metrics.update_storage(self.pipeline.stats())
        # netmon_self goes through emit() like any point: the spool-overflow rule watches it.
        await self.emit(self.metrics.to_points())
        for cob in self.cycle_observers:
            r = cob(result)
            if asyncio.iscoroutine(r):
                await r

    async def _backup_cycle(self, devices: Any) -> int:
        """Backup, then compliance on what was archived (the scan follows each backup)."""
        self.last_backup = await self.backup.run_once(devices)
        return int(self.last_backup.failed)

    def _interval(self, collector: str) -> float:
        return float(getattr(self.cfg.intervals, collector, self.cfg.intervals.snmp))

    # ---- run -------------------------------------------------------------------------------
    async def run(self) -> int:
        # While the daemon runs, StateLog reports a dead device once per state change.
        logging.getLogger("netmon.snmp").addFilter(self._poll_log_filter)
        text = self.opts.sink or self.cfg.sink
        sink: str | Sink = text
        base = self.cfg.path.resolve().parent if self.cfg.path else Path.cwd()
        url = parse_sink_url(text, base)
        if url.kind == "sqlite" and self.opts.workers > 1:
            # On more than one core the embedded sink gets a process (and a core) of its own:
            # in a thread it shared the daemon's GIL with the event loop (storage/sinkproc.py).
            sink = ProcessSink(url)
        try:
            self.pipeline = await Pipeline.open(
                sink, self.opts.spool_dir, self.cfg.spool, self.cfg.batch, base_dir=base
            )
        except SpoolLockedError as exc:
            raise NetmonError(str(exc)) from None
        try:
            return await self._run_open()
        finally:
            await self._shutdown()

    async def _run_open(self) -> int:
        on_signals(
            ((signal.SIGHUP, self.reload), (signal.SIGTERM, self.request_stop), (signal.SIGINT, self.request_stop))
        )
        listen = self.cfg.http.listen if self.opts.listen is None else self.opts.listen
        if listen:
            self.http = HttpServer(self.metrics, listen)
            try:
                await self.http.start()
            except OSError as exc:
                raise NetmonError(f"cannot listen on {listen} for /metrics: {exc.strerror}; set http.listen") from None
        self.alerts = self._make_alerts()
        pooled = self.opts.workers > 1 and self.cfg.path is not None
        # With workers this process polls one shard itself: the configured concurrency is split.
        self.snmp = SnmpJob(self.cfg, self.topology, share=self.opts.workers if pooled else 1)
        self.snmp.overload.start()
        poll = self.snmp.poll
        self._start_isolation_watch()
        if pooled:
            from .workers import WorkerPool

            # Workers encode for the spool and send only what the parent reads, unless
            # something here wants the points whole (observers, the isolation watch).
            needs = None
            if not self.observers and self.isolation is None:
                needs = self.alerts.fields_needed() if self.alerts is not None else {}
            assert self.cfg.path is not None
            self.pool = WorkerPool(
                self.cfg.path.resolve(), self.opts.workers, self.snmp.poll, self.opts.log_level, self.opts.log_json,
                needs,
            )  # fmt: skip
            await self.pool.start()
            poll = self._poll_in_worker
        sched = self.scheduler = Scheduler(self.emit, self.opts.max_cycles)
        sched.add(
            Job(
                "snmp", self.cfg.intervals.snmp, poll, lambda: self.devices, jitter=self.cfg.intervals.jitter,
                on_cycle_end=self._after_cycle,
            )
        )  # fmt: skip
        log.info(
            "polling %d devices every %.0fs into %s (spool %s)",
            len(self.devices), self.cfg.intervals.snmp, self.opts.sink or self.cfg.sink,
            self.opts.spool_dir or self.cfg.spool.dir,
        )  # fmt: skip
        if BackupJob.wanted(self.cfg) and self.opts.backup:
            self.backup = BackupJob(self.cfg, self.emit, sink=self.opts.sink)
            delay = self.opts.backup_delay
            if self.opts.backup_first:
                t0 = time.monotonic()
                failed = await self._backup_cycle(self.devices)
                await self._after_cycle(
                    CycleResult("backup", 1, time.time(), time.monotonic() - t0, len(self.devices), failed, False)
                )
                delay = self.cfg.intervals.backup
            sched.add(
                Job(
                    "backup", self.cfg.intervals.backup, None, lambda: self.devices, cycle_fn=self._backup_cycle,
                    on_cycle_end=self._after_cycle, first_delay=delay,
                )
            )  # fmt: skip
        if self.cfg.probe and self.cfg.probe.get("enabled", True):
            # Active probes only when netmon.yaml has a `probe:` section (they need CAP_NET_RAW).
            from collectors.probe import ProbeJob

            self.probe = ProbeJob(self.cfg, self.topology)
            sched.add(
                Job("probe", self.cfg.intervals.probe, self.probe.poll, lambda: self.devices,
                    jitter=self.cfg.intervals.jitter, on_cycle_end=self._after_cycle)
            )  # fmt: skip
        self._add_services(sched)
        await self._start_syslog()
        if self._stop_requested:
            sched.stop()
        run = asyncio.create_task(sched.run())
        stopped = asyncio.create_task(sched.wait_stopped())
        done, _ = await asyncio.wait({run, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if run in done:
            run.result()  # re-raise a scheduler failure
            return 0
        try:
            await asyncio.wait_for(run, self.opts.stop_grace)
        except TimeoutError:
            log.warning("abandoned polls still running after %.0fs", self.opts.stop_grace)
        return 0

    def _add_services(self, sched: Scheduler) -> None:
        """Service probes (collectors/service) when netmon.yaml has a `services:` section."""
        from collectors.service import ServiceJob

        if ServiceJob.wanted(self.cfg):
            self.services = ServiceJob(self.cfg, self.emit)
            sched.add(
                Job("services", self.cfg.intervals.services, None, list, cycle_fn=self.services.cycle,
                    on_cycle_end=self._after_cycle)
            )  # fmt: skip

    async def _poll_in_worker(self, device: Device) -> list[Point]:
        """One device polled by the shard owning its site (this process for shard 0, else a
        worker); the cycle counts the workers' polls as this process's own."""
        assert self.pool is not None and self.snmp is not None
        if self.pool.is_local(device):
            return await self.snmp.poll(device)  # SnmpJob counts its own polls
        points: list[Point] = await self.pool.poll(device)
        self.snmp.note_result(device.name, points)
        return points

    def _make_alerts(self) -> Any:
        from ..alerting.runtime import make_engine, make_trap_receiver

        engine = make_engine(self.cfg, self.topology, self.opts.alert_state)
        if engine is not None:
            assert self.pipeline is not None
            self.traps = make_trap_receiver(self.cfg, self.topology, engine, self.pipeline.submit)
        return engine

    async def _start_syslog(self) -> None:
        """The syslog receiver, when netmon.yaml has a `syslog:` section (docs/SYSLOG.md)."""
        from ..syslog.runtime import make_service, syslog_settings

        settings = syslog_settings(self.cfg)
        if settings is None:
            return
        self.syslog = make_service(
            self.cfg, settings, self.topology.inventory, self.pipeline, self.alerts,
            registry=self.metrics.registry, instance=self.metrics.instance, count=self.metrics.count_points,
        )  # fmt: skip
        await self.syslog.start()

    def _start_isolation_watch(self) -> None:
        from ..topology.settings import load_topology_settings
        from ..topology.watch import IsolationWatch

        if load_topology_settings(self.cfg.topology, str(self.cfg.path or "netmon.yaml")).isolation_check:
            self.isolation = IsolationWatch(self.topology.inventory)

    async def _shutdown(self) -> None:
        logging.getLogger("netmon.snmp").removeFilter(self._poll_log_filter)
        if self.syslog is not None:
            with contextlib.suppress(Exception):
                await self.syslog.close()
        for closer in (self.pool, self.snmp, self.probe):
            if closer is not None:
                try:
                    await closer.close()
                except Exception as exc:  # stopping goes on: the spool still has to be flushed
                    log.warning("stopping %s failed: %s: %s", type(closer).__name__, type(exc).__name__, exc)
        if self.traps is not None:
            with contextlib.suppress(Exception):
                self.traps.close()
        if self.alerts is not None:
            with contextlib.suppress(Exception):
                await self.alerts.aclose()
        if self.pipeline is not None:
            self.metrics.update_storage(self.pipeline.stats())
            ok = await self.pipeline.flush(max(5.0, self.opts.stop_grace))
            if not ok:
                log.warning("the sink did not take everything; the rest stays in the spool for next start")
            await self.pipeline.close()
        if self.http is not None:
            await self.http.close()


def cycles_for(seconds: float, interval: float) -> int:
    return max(1, math.ceil(seconds / interval))
