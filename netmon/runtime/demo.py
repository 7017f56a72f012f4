"""`netmon demo`: the lab, the real main job for a few cycles, a fault, a NOC summary, a report."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.table import Table

from ..config import load_config
from ..fsmode import private_dir
from ..inventory import Topology
from ..lab.lab import Lab
from ..report.html import render, write_report
from ..report.summary import Tally
from .mainjob import MainJob, RunOptions
from .scheduler import CycleResult

log = logging.getLogger("netmon.demo")
console = Console()


async def run_demo(
    *, cycles: int | None, sink: str | None, interval: float, out: Path, fault: str, fault_at: int
) -> Path:
    out = private_dir(out.resolve())
    with console.status("starting the lab: simulated devices serving recordings of real devices..."):
        lab = await asyncio.to_thread(Lab.start, out / "lab")
    try:
        return await _run(lab, cycles=cycles, sink=sink, interval=interval, out=out, fault=fault, fault_at=fault_at)
    finally:
        with console.status("stopping the lab..."):
            await asyncio.to_thread(lab.stop)


def _lab_table(lab: Lab) -> Table:
    by_vendor: dict[str, set[str]] = {}
    for name, sim in lab.snmp.devices.items():
        by_vendor.setdefault(lab.inventory[name].vendor, set()).add(sim.recording.rsplit("/", 1)[-1])
    t = Table(title=f"lab: {len(lab.snmp.devices)} simulated devices on 127.0.0.1 (snmpsim recordings of real devices)")
    t.add_column("vendor")
    t.add_column("devices", justify="right")
    t.add_column("recordings")
    for vendor, recs in sorted(by_vendor.items()):
        n = sum(1 for d in lab.inventory if d.vendor == vendor)
        t.add_row(vendor, str(n), ", ".join(sorted(recs)))
    return t


async def _run(
    lab: Lab, *, cycles: int | None, sink: str | None, interval: float, out: Path, fault: str, fault_at: int
) -> Path:
    console.print(_lab_table(lab))
    cfg = load_config(lab.config_path)
    if lab.timing is not None and interval < lab.timing.min_interval:
        # A shorter cycle than the simulator can serve would show devices down it never lost.
        console.print(
            f"interval {interval:g}s raised to {lab.timing.min_interval:g}s: the simulator answers "
            f"{1 / max(lab.timing.burst_request_s, 1e-6):.0f} requests/s on this machine"
        )
        interval = lab.timing.min_interval
    cfg.intervals.snmp = interval
    cfg.intervals.health = interval
    opts = RunOptions(
        sink=sink, max_cycles=cycles, listen="", stop_grace=5.0, alert_state=lab.dir / "alerts.db", backup_first=True
    )
    job = MainJob(cfg, opts)
    tally = Tally({d.name: d for d in lab.inventory})
    job.observers.append(tally.observe)
    topo = Topology(lab.inventory)
    faulted: list[str] = []
    progress = {"cycle": 0}

    def status_table() -> Table:
        up, down = tally.up_down()
        t = Table.grid(padding=(0, 2))
        total = f"/{cycles}" if cycles else ""
        t.add_row(
            f"[bold]cycle {progress['cycle']}{total}[/bold]",
            f"devices up [green]{up}[/green] down [red]{down}[/red]",
            f"points {sum(tally.measurements.values())}",
            f"fault: [red]{fault} uplink down, {len(faulted) - 1} devices behind it cut off[/red]"
            if faulted
            else "fault: none yet",
        )
        return t

    live = Live(status_table(), console=console, refresh_per_second=4, transient=False)

    async def on_cycle(result: CycleResult) -> None:
        if result.collector == "backup":
            b = job.last_backup
            if b is not None:
                console.print(
                    f"config backup over SSH: {b.backed_up} devices archived, {b.failed} failed; "
                    f"等级保护 compliance scanned {len(b.scanned)} configs"
                )
            return
        if result.collector != "snmp":
            return
        progress["cycle"] = result.number
        tally.close_cycle(time.time())
        live.update(status_table())
        if fault and result.number == fault_at and not faulted:
            if fault not in lab.inventory:
                log.warning("fault device %s is not in the lab inventory; no fault injected", fault)
                return
            faulted.extend(lab.fault(fault))
            d = topo.device(fault)
            console.print(
                f"[red]fault injected[/red]: uplink of {fault} ({d.tier.value} {d.role}, {d.region or '中央'}, "
                f"{d.network.value}) is down; {len(faulted) - 1} devices behind it are cut off"
            )

    job.cycle_observers.append(on_cycle)
    console.print(
        f"polling {len(job.devices)} devices every {interval:.0f}s with the real daemon into "
        f"{sink or cfg.sink} — {'Ctrl-C to stop' if cycles is None else f'{cycles} cycles'}"
    )
    with live:
        try:
            await job.run()
        except asyncio.CancelledError:
            pass
    stats = job.pipeline.stats() if job.pipeline else {}
    stored = int(stats.get("points_written", 0))
    _print_summary(tally, stored, stats)
    html = render(
        tally, cycles=progress["cycle"], interval=interval, sink=sink or cfg.sink, points=stored, timezone=cfg.timezone
    )
    return write_report(out / "report.html", html)


def _print_summary(tally: Tally, stored: int, stats: dict[str, float]) -> None:
    t = Table(title="devices per tier and network")
    for c in ("tier", "network", "up", "down", "availability"):
        t.add_column(c, justify="right" if c in ("up", "down", "availability") else "left")
    for r in tally.per_tier():
        t.add_row(
            r["tier"],
            r["network"],
            str(r["up"]),
            f"[red]{r['down']}[/red]" if r["down"] else "0",
            f"{r['availability']:.1f}%",
        )
    console.print(t)
    t = Table(title="busiest links")
    for c in ("device", "interface", "in", "out", "util %"):
        t.add_column(c)
    for link in tally.busiest(8):
        t.add_row(
            link.device,
            link.if_name + (" (uplink)" if link.uplink else ""),
            _bps(link.in_bps),
            _bps(link.out_bps),
            f"{link.util_pct:.1f}",
        )
    console.print(t)
    t = Table(title="health outliers")
    for c in ("device", "CPU %", "memory %", "temperature °C"):
        t.add_column(c)
    for h in tally.outliers(6):
        t.add_row(
            h["device"], *(("–" if h[k] is None else f"{float(h[k]):.1f}") for k in ("cpu_pct", "mem_pct", "temp_c"))
        )
    console.print(t)
    alerts = tally.active_alerts()
    # Compliance findings of the first scan are many and not an outage: counted, not listed.
    comp_alerts = [a for a in alerts if a.get("rule") == "compliance_high_fail" and a.get("state") == "firing"]
    paging = [a for a in alerts if a.get("state") in ("firing", "pending") and a.get("rule") != "compliance_high_fail"]
    order = {"critical": 0, "major": 1, "warning": 2, "minor": 3, "info": 4}
    if paging:
        t = Table(title=f"alerts paging on-call ({len(paging)}; suppressed ones below)")
        for c in ("state", "severity", "rule", "device", "summary"):
            t.add_column(c, overflow="fold")
        paging.sort(
            key=lambda a: (order.get(str(a.get("severity")), 9), a.get("state") != "firing", str(a.get("device")))
        )
        for a in paging[:12]:
            t.add_row(
                str(a.get("state")),
                str(a.get("severity")),
                str(a.get("rule")),
                str(a.get("device")),
                str(a.get("summary", "")),
            )
        if len(paging) > 12:
            t.add_row("…", "", "", "", f"{len(paging) - 12} more (see the HTML report)")
        console.print(t)
    if comp_alerts:
        console.print(
            f"compliance: {len(comp_alerts)} high-severity 等级保护 FAILs on "
            f"{len({a.get('device') for a in comp_alerts})} devices raised compliance_high_fail (see the HTML report)"
        )
    by_cause: dict[str, set[str]] = {}
    for a in alerts:
        if a.get("state") == "suppressed" and a.get("root_cause"):
            by_cause.setdefault(str(a["root_cause"]), set()).add(str(a.get("device")))
    for cause, devs in sorted(by_cause.items()):
        n = sum(1 for a in alerts if a.get("state") == "suppressed" and a.get("root_cause") == cause)
        behind = sorted(devs - {cause})
        console.print(
            f"[bold]root cause {cause}[/bold]: {n} alerts on it and the {len(behind)} devices behind it suppressed "
            f"(one incident paged): {', '.join(behind[:6])}{' …' if len(behind) > 6 else ''}"
        )
    comp = tally.compliance_by_tier()
    if comp:
        t = Table(title="compliance score per tier (等级保护 2.0)")
        for c in ("tier", "network", "devices", "score %"):
            t.add_column(c)
        for row in comp:
            t.add_row(row["tier"], row["network"], str(row["devices"]), f"{row['score_pct']:.1f}")
        console.print(t)
    with contextlib.suppress(Exception):
        console.print(
            f"stored {stored} points; spool {int(stats.get('spool_bytes', 0))} bytes pending; "
            f"sink errors {int(stats.get('sink_errors', 0))}"
        )


def _bps(v: float) -> str:
    for div, unit in ((1e9, "Gb/s"), (1e6, "Mb/s"), (1e3, "kb/s")):
        if v >= div:
            return f"{v / div:.1f} {unit}"
    return f"{v:.0f} b/s"
