"""`netmon probe` (active ICMP/TCP probes and path checks) and `netmon pcap` (traffic analysis)."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..config import NetmonConfig, load_config
from ..errors import InputError, NetmonError, Problem
from ..inventory import Inventory, load_inventory
from ..model import Point
from .common import ConfigOpt, InventoryOpt, ScopeOpt, config_path, console, err_console, load_context


class Fmt(str, Enum):
    table = "table"
    json = "json"


class Sev(str, Enum):
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


SEV_STYLE = {
    "critical": "bold red",
    "high": "red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
    "warning": "yellow",
}


SinkOpt = Annotated[
    str | None,
    typer.Option(
        "--sink",
        help="also store the points in this sink (sqlite:///path.db, influxdb1://host:8086/db, influxdb://...); "
        "the daemon does this itself",
        show_default=False,
    ),
]


def _store(url: str, points: list[Point], base_dir: Path | None) -> int:
    """Write points straight to a sink (one batch); returns how many were stored."""
    import asyncio

    from ..storage import Encoder, open_sink

    async def go() -> int:
        sink = open_sink(url, base_dir)
        await sink.start()
        try:
            payload, n, errors = Encoder(sink.precision).encode(points)
            for e in errors:
                err_console.print(f"[yellow]not stored[/yellow] {escape(str(e))}", highlight=False)
            if n:
                await sink.write(payload, n)
            return n
        finally:
            await sink.close()

    return asyncio.run(go())


def _ts(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, UTC).strftime("%Y-%m-%d %H:%M:%S") if ns else "-"


def probe_cmd(
    config: ConfigOpt = None,
    inventory: InventoryOpt = None,
    scope: ScopeOpt = None,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", "-k", help="icmp and/or tcp (default: probe.kinds, both)")
    ] = None,
    count: Annotated[int | None, typer.Option(help="packets per target and kind (default: probe.count, 5)")] = None,
    no_path: Annotated[bool, typer.Option("--no-path", help="skip the traceroute path checks")] = False,
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="table | json (points and events, one JSON document)")] = (
        Fmt.table
    ),
    sink: SinkOpt = None,
) -> None:
    """Probe devices now: ICMP echo and TCP-SYN loss, latency and jitter, plus a traceroute path check.

    Each device in scope gets --count packets of each kind, spaced probe.interval apart (defaults: 5, 0.2 s).

    Devices of the tiers in probe.path.tiers (default: county) also get a traceroute; its hops are mapped to
    devices (management address, inventory tag hop_addresses, probe.hop_addresses) and compared with the
    topology's primary uplinks (county → city → province → central). A difference is a path_changed event.

    Needs root or CAP_NET_RAW (raw sockets). Results are `probe` points (docs/SCHEMA.md).

    Example: netmon probe -c netmon.yaml --scope tier=county --scope region=广东/*
    """
    from collectors.probe import load_probe_settings, run_cycle

    ctx = load_context(config, inventory, scope)
    section = ctx.config.probe if ctx.config else {}
    settings = load_probe_settings(section, str(ctx.config.path if ctx.config else "netmon.yaml"))
    if kind:
        bad = [k for k in kind if k not in ("icmp", "tcp")]
        if bad:
            raise InputError.one("--kind", f"unknown probe kind {bad[0]!r}; use icmp or tcp")
        settings.kinds = list(dict.fromkeys(kind))  # type: ignore[arg-type]
    if count is not None:
        if not 1 <= count <= 100:
            raise InputError.one("--count", "must be between 1 and 100")
        settings.count = count
    if no_path:
        settings.path.enabled = False
    devices = ctx.selected  # none: EmptyScope, exit 1
    done = 0
    t0 = time.monotonic()

    def progress(name: str) -> None:
        nonlocal done
        done += 1
        if sys.stderr.isatty():  # one line, rewritten: thousands of devices must not scroll the screen
            err_console.print(f"[dim]probed {done}/{len(devices)}: {escape(name):<40}[/dim]", end="\r", highlight=False)

    cycle = run_cycle(settings, ctx.topology, devices, progress)
    if sink:
        stored = _store(
            sink, cycle.points, ctx.config.path.resolve().parent if ctx.config and ctx.config.path else None
        )
        err_console.print(f"stored {stored} probe points in {escape(sink)}", highlight=False)
    if fmt is Fmt.json:
        doc = {"points": [p.to_json() for p in cycle.points], "events": [e.to_json() for e in cycle.events]}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return
    t = Table(title=f"probes: {len(devices)} devices, {time.monotonic() - t0:.1f}s")
    for col in ("device", "target", "kind", "sent", "recv", "loss %", "rtt min/avg/max ms", "jitter ms"):
        t.add_column(col, justify="right" if col not in ("device", "target", "kind") else "left")
    for p in cycle.points:
        f = p.fields
        if p.tags["kind"] == "path":
            continue
        rtt = f"{f['rtt_min_ms']:.3f}/{f['rtt_avg_ms']:.3f}/{f['rtt_max_ms']:.3f}" if "rtt_avg_ms" in f else "-"
        loss = float(f["loss_pct"])
        style = "red" if loss >= 100 else "yellow" if loss > 0 else ""
        t.add_row(p.tags["device"], p.tags["target"], p.tags["kind"], str(f["sent"]), str(f["received"]),
                  f"[{style}]{loss:.0f}[/{style}]" if style else f"{loss:.0f}", rtt, f"{f['jitter_ms']:.3f}")  # fmt: skip
    console.print(t)
    if cycle.paths:
        pt = Table(title="path checks (expected = topology primary uplinks)")
        for col in ("device", "ok", "observed hops", "detail"):
            pt.add_column(col)
        for pr in cycle.paths:
            pt.add_row(pr.target.name, "[green]yes[/green]" if pr.ok else "[red]NO[/red]", " > ".join(pr.observed),
                       pr.detail or "matches " + " > ".join(pr.expected))  # fmt: skip
        console.print(pt)
    for e in cycle.events:
        console.print(f"[{SEV_STYLE.get(e.severity, '')}]{e.kind}[/] {escape(e.summary)}", highlight=False)


def _security_context(
    config: Path | None, inventory: list[Path] | None
) -> tuple[NetmonConfig | None, Inventory | None]:
    """Config and inventory are optional for pcap: without them the sample address plan applies."""
    cfg = None
    path = config_path(config)
    if config is not None or os.environ.get("NETMON_CONFIG") or path.exists():
        cfg = load_config(path)
    files = inventory or (cfg.inventory if cfg else [])
    return cfg, (load_inventory(files) if files else None)


def pcap_cmd(
    files: Annotated[
        list[Path] | None, typer.Argument(help="pcap or pcapng files (several are analysed as one)")
    ] = None,
    config: ConfigOpt = None,
    inventory: InventoryOpt = None,
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="table | json")] = Fmt.table,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="rule file instead of security.rules / built-in")
    ] = None,
    min_severity: Annotated[Sev, typer.Option("--min-severity", help="hide findings below this")] = Sev.info,
    fail_on: Annotated[
        Sev | None, typer.Option("--fail-on", help="exit 1 if a finding of this severity or above is found")
    ] = None,
    live: Annotated[str | None, typer.Option("--live", help="capture from this interface instead of files")] = None,
    duration: Annotated[float, typer.Option("--duration", help="seconds of live capture")] = 10.0,
    bpf: Annotated[str | None, typer.Option("--filter", help="BPF filter for live capture, e.g. 'not port 22'")] = None,
    sink: SinkOpt = None,
) -> None:
    """Analyse pcap/pcapng captures for cleartext management, isolation breaches, scans and brute force.

    Rules are YAML (built-in netmon/security/rules.yaml; replace with security.rules or --rules).

    Address plans come from netmon.yaml security.networks (default intranet 10.0.0.0/9, extranet 10.128.0.0/9,
    egress none); device management addresses from the inventory. Without a config the default plan applies and
    the HTTP-to-management rule is inactive.

    Files of any size stream in bounded memory. A truncated or corrupt file is analysed up to the damage, then
    reported with its byte offset (exit 2). SNMP communities are shown masked, passwords never.

    Examples: netmon pcap span.pcapng -c netmon.yaml --format json

    netmon pcap --live eth1 --duration 30 --filter 'not port 22' --fail-on high
    """
    from ..security import SEVERITY, load_rules, load_settings
    from ..security.analyze import Analyzer, Report
    from ..security.capture import CaptureError, CaptureReader

    if not files and not live:
        raise InputError.one("netmon pcap", "give capture FILE(s) or --live IFACE")
    if live and duration <= 0:
        raise InputError.one("--duration", "must be > 0 seconds")
    cfg, inv = _security_context(config, inventory)
    settings = load_settings(cfg.security if cfg else {}, str(cfg.path) if cfg else "netmon.yaml")
    if rules is not None:
        settings.rules = rules
    elif settings.rules is not None and cfg and cfg.path and not settings.rules.is_absolute():
        settings.rules = cfg.path.resolve().parent / settings.rules
    ruleset = load_rules(settings)
    an = Analyzer(ruleset, settings, inv)
    off_plan = an.plan_mismatches()
    if off_plan:
        names = ", ".join(f"{d.name} ({d.address}, {d.network.value})" for d in off_plan[:3])
        err_console.print(
            f"[yellow]warning[/yellow] {len(off_plan)} inventory device(s) lie outside security.networks for their "
            f"network, e.g. {escape(names)}: isolation findings involving them may be wrong",
            highlight=False,
        )
    report = Report([], an.stats)
    show_progress = sys.stderr.isatty() and fmt is Fmt.table
    t0 = time.monotonic()
    if live:
        from ..security.live import live_records

        frames = live_records(live, duration, bpf)
        report.files.append(f"live:{live}")
        err_console.print(f"capturing on {escape(live)} for {duration:g}s ...", highlight=False)
        an.feed_all(frames)
    for path in files or []:
        if not path.exists():
            report.problems.append(CaptureError(str(path), "no such file"))
            continue
        reader = CaptureReader(path)
        report.files.append(str(path))
        size = max(path.stat().st_size, 1)

        def progress(n: int, _b: int, reader: CaptureReader = reader, size: int = size, path: Path = path) -> None:
            if show_progress:
                pct = 100.0 * reader.info.bytes_read / size
                err_console.print(f"[dim]{path.name}: {pct:5.1f}%  {n:,} packets[/dim]", end="\r", highlight=False)

        try:
            an.feed_all(reader, progress)
        except CaptureError as exc:
            report.problems.append(exc)
        except Exception as exc:  # a decoder bug must not lose the user's place: say where to look
            raise NetmonError(
                f"{path}: analysis failed at packet {an.stats.packets} ({type(exc).__name__}: {exc}); "
                "please report it with that packet (editcap -r FILE out.pcap N)"
            ) from None
    if show_progress:
        err_console.print(" " * 60, end="\r")  # clear the progress line
    report.findings = [f for f in an.findings() if SEVERITY[f.severity] >= SEVERITY[min_severity.value]]
    elapsed = time.monotonic() - t0
    if sink:
        # findings of the readable part are stored even when a file was damaged
        stored = _store(sink, report.points(), cfg.path.resolve().parent if cfg and cfg.path else None)
        err_console.print(f"stored {stored} security_finding points in {escape(sink)}", highlight=False)
    if fmt is Fmt.json:
        doc = {
            "files": report.files, "elapsed_s": round(elapsed, 3), "stats": report.stats.to_json(),
            "findings": [f.to_json() for f in report.findings], "problems": [str(p) for p in report.problems],
        }  # fmt: skip
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
    else:
        _print_report(report, elapsed, inv is not None)
    if report.problems:
        raise InputError([Problem(p.path, _problem_text(p)) for p in report.problems])
    if fail_on is not None and any(SEVERITY[f.severity] >= SEVERITY[fail_on.value] for f in report.findings):
        raise NetmonError(f"findings at or above {fail_on.value} (--fail-on)")


def _problem_text(p: object) -> str:
    from ..security.capture import CaptureError

    assert isinstance(p, CaptureError)
    where = f"byte {p.offset}: " if p.offset is not None else ""
    tail = f"; the {p.packets} packets before it were analysed" if p.packets else ""
    return f"{where}{p.reason}{tail}"


def _print_report(report: object, elapsed: float, have_inventory: bool) -> None:
    from ..security.analyze import Report

    assert isinstance(report, Report)
    st = report.stats
    t = Table(title=f"{len(report.findings)} findings in {', '.join(report.files) or '-'}")
    for col in ("severity", "category/rule", "flow", "packets", "bytes", "seen (UTC)", "device", "detail"):
        t.add_column(col, justify="right" if col in ("packets", "bytes") else "left", overflow="fold")
    for f in report.findings:
        flow = f.flow()
        style = SEV_STYLE.get(f.severity, "")
        seen = _ts(f.first_ns) if f.first_ns == f.last_ns else f"{_ts(f.first_ns)} – {_ts(f.last_ns)[11:]}"
        t.add_row(f"[{style}]{f.severity}[/]", f"{f.category}/{f.rule}", flow, f"{f.packets:,}", f"{f.bytes:,}",
                  seen, f.device.name if f.device else "-", f.detail)  # fmt: skip
    console.print(t)
    rate = st.packets / elapsed if elapsed > 0 else 0.0
    console.print(
        f"{st.packets:,} packets ({st.ipv4:,} IPv4, {st.ipv6:,} IPv6, {st.non_ip:,} non-IP; "
        f"{st.tcp:,} TCP, {st.udp:,} UDP, {st.icmp:,} ICMP) in {elapsed:.2f}s ({rate:,.0f} packets/s)",
        highlight=False,
    )
    if not have_inventory:
        console.print(
            "[dim]no inventory given (-c/-i): rules limited to device management addresses are inactive[/dim]"
        )
    if st.flows_merged or st.sources_untracked:
        console.print(f"[yellow]limits reached:[/yellow] {st.flows_merged:,} packets in merged flows, "
                      f"{st.sources_untracked:,} untracked sources (security.max_flows / max_sources)")  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command("probe", no_args_is_help=False)(probe_cmd)
    app.command("pcap", no_args_is_help=True)(pcap_cmd)
