"""`netmon relay`: the centre of the provincial scale-out on NATS JetStream (docs/SCALEOUT.md)."""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import Annotated

import typer
from rich.table import Table

from ..config import load_config
from ..errors import EXIT_FAILURE
from ..inventory import Scope
from ..runtime.logs import setup_logging
from .common import ConfigOpt, ScopeOpt, config_path, console

app = typer.Typer(
    help="Scale-out on NATS JetStream: set up the streams, relay the central stream into InfluxDB, "
    "watch the provinces' links, send on-demand jobs to a province's pollers. "
    "Configured by the `nats:` section of netmon.yaml (docs/SCALEOUT.md).",
    no_args_is_help=True,
)

ProvinceOpt = Annotated[str, typer.Option("--province", "-p", help="province name (广东) or its JetStream domain (gd)")]


@app.command("setup")
def setup_cmd(config: ConfigOpt = None) -> None:
    """Create or update every stream, from the hub: each province's telemetry and work-queue
    streams (through its JetStream domain, across its leaf link), the central stream sourcing
    them, the relays' durable consumer and the dead-letter stream. Safe to run again.

    Stream limits hold `nats.outage_hours` (default 8) of each province's `points_per_s`.

        netmon relay setup -c /etc/netmon/netmon.yaml
    """
    from ..scaleout import service

    cfg = load_config(config_path(config))
    for line in asyncio.run(service.setup(cfg)):
        console.print(line)


@app.command("run")
def run_cmd(
    config: ConfigOpt = None,
    sink: Annotated[str | None, typer.Option(help="central database (default: `sink:` of netmon.yaml)")] = None,
    instance: Annotated[
        str | None, typer.Option(help="this relay's name in the `relay` points (default: host name)")
    ] = None,
    max_idle: Annotated[
        float | None,
        typer.Option(help="stop after this many seconds with nothing to relay (default: run until SIGTERM)"),
    ] = None,
    log_level: Annotated[str, typer.Option(help="debug | info | warning | error")] = "info",
) -> None:
    """Relay the central stream into the database: acknowledge each message only after the
    database stored it; hold everything in the stream while it is down; dead-letter what is not
    line protocol. Run several (same config) to share the work or for failover.

    Writes `relay` points (lag, per-province source activity and stalls) every
    `nats.stats_interval_s` seconds.

        netmon relay run -c /etc/netmon/netmon.yaml --sink influxdb1://127.0.0.1:8086/netmon
    """
    from ..scaleout import service

    cfg = load_config(config_path(config))
    setup_logging(log_level, cfg.log.json_format)
    relay = asyncio.run(service.run_relay(cfg, sink, max_idle, instance))
    c = relay.c
    console.print(f"relayed {c.points} points in {c.messages} messages; dead-lettered {c.dead_lettered}")


@app.command("status")
def status_cmd(config: ConfigOpt = None) -> None:
    """Relay lag and, per province, the link and the hub's copy of its stream. Exit 1 if a
    source is stalled (e.g. a province stream recreated under the hub's source).

        netmon relay status
    """
    from ..scaleout import service

    cfg = load_config(config_path(config))
    lag, pending, sources = asyncio.run(service.status(cfg))
    console.print(f"relay consumer: {lag} messages waiting, {pending} being written")
    t = Table("province", "domain", "link", "hub lag", "last copy", "leaf seq", "state")
    for st in sources:
        last = f"{st.active_s:.0f}s ago" if st.active_s >= 0 else "never"
        state = f"[red]STALLED[/red]: {st.reason}" if st.stalled else (st.reason or "ok")
        t.add_row(st.province, st.domain, "up" if st.reachable else "[yellow]down[/yellow]", str(st.lag), last,
                  str(st.leaf_last_seq), state)  # fmt: skip
    console.print(t)
    if any(st.stalled for st in sources):
        sys.exit(EXIT_FAILURE)


@app.command("job")
def job_cmd(
    kind: Annotated[str, typer.Argument(help="poll | backup | scan")],
    device: Annotated[str, typer.Argument(help="device name as in the inventory")],
    province: ProvinceOpt,
    config: ConfigOpt = None,
) -> None:
    """Send an on-demand job to a province's pollers (its work-queue stream). The job runs once,
    on whichever poller of the province takes it; results arrive on the telemetry path (a
    `netmon_job` point says how it went). Fails, without queueing, if the province's link is down.

        netmon relay job --province 广东 poll gd-gz-core1
    """
    from ..scaleout import service

    cfg = load_config(config_path(config))
    job, seq = asyncio.run(service.send_job(cfg, province, kind, device, getpass.getuser()))
    console.print(f"queued {job.kind} of {job.device} for {province}: job {job.id} (work stream seq {seq})")


@app.command("worker")
def worker_cmd(
    province: ProvinceOpt,
    config: ConfigOpt = None,
    scope: ScopeOpt = None,
    max_jobs: Annotated[int | None, typer.Option(help="stop after N jobs (default: run until SIGTERM)")] = None,
    log_level: Annotated[str, typer.Option(help="debug | info | warning | error")] = "info",
) -> None:
    """Run a province's on-demand jobs: take them from the leaf's work queue, poll the device,
    store the points through the province's sink (`sink:`, normally nats://...) with its own
    spool beside the daemon's.

        netmon relay worker --province 广东 --scope region=广东
    """
    from ..scaleout import service

    cfg = load_config(config_path(config))
    setup_logging(log_level, cfg.log.json_format)
    wc = asyncio.run(service.run_worker(cfg, province, Scope.parse(scope), max_jobs))
    console.print(f"{wc.done} jobs done, {wc.failed} failed")
