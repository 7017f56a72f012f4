"""`netmon alerts ...` (state, acknowledgements, silences, receiver tests) and `netmon traps`."""

from __future__ import annotations

import asyncio
import getpass
import json
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import InputError, NetmonError
from .common import ConfigOpt, config_path, console, err_console

app = typer.Typer(
    help="Alerts: list what is firing, history, acknowledge, silence, test receivers, check rules.\n\n"
    "The daemon (`netmon run`) evaluates the rules and owns the state file (alerting.state in "
    "netmon.yaml, default /var/lib/netmon/alerts.db); these commands read it, and `ack`/`silence` "
    "leave requests the daemon applies within a second.",
    no_args_is_help=True,
)
silence_app = typer.Typer(
    help="Silences (maintenance windows): matching alerts keep their state but notify nobody until the silence ends.",
    no_args_is_help=True,
)
app.add_typer(silence_app, name="silence")

StateOpt = Annotated[
    Path | None,
    typer.Option("--state", help="Alert state file (default: alerting.state from netmon.yaml)", show_default=False),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table or json")]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="alerts")
    root.command("traps")(traps)


def _alerting(config: Path | None) -> tuple[Any, Any]:
    """(NetmonConfig, AlertingConfig) from netmon.yaml."""
    from ..alerting.config import parse_alerting
    from ..config import load_config

    path = config_path(config)
    cfg = load_config(path)
    _TZ[0] = cfg.timezone  # times printed in netmon.yaml's zone
    return cfg, parse_alerting(cfg.alerting, str(path), path.resolve().parent)


def _store(config: Path | None, state: Path | None) -> Any:
    from ..alerting.state import AlertStore

    if state is None:
        _, acfg = _alerting(config)
        state = acfg.state
    if not state.exists():
        raise NetmonError(f"{state}: no alert state yet (the daemon creates it on start; or pass --state)")
    return AlertStore(state)


_TZ: list[str | None] = [None]  # netmon.yaml `timezone:` once a command has loaded it; else the system's


def _ts(t: float | None) -> str:
    """Local time with its offset (``timezone:`` in netmon.yaml), never an unexplained UTC."""
    from ..timefmt import fmt_time, zone

    return fmt_time(t, zone(_TZ[0]))


def _alert_row(a: Any) -> dict[str, Any]:
    return {
        "id": a.id,
        "state": a.display_state,
        "severity": a.severity,
        "rule": a.rule,
        "device": a.labels.get("device", a.labels.get("instance", "")),
        "since": a.fired or a.started,
        "summary": a.summary_en,
        "summary_zh": a.summary_zh,
        "root_cause": a.root_cause,
        "impact": a.impact,
        "acked_by": a.acked_by,
        "silenced_by": a.silenced_by,
        "flapping": a.flapping,
        "labels": a.labels,
    }


def _id_column(t: Table, ids: list[str]) -> None:
    """The id column is never shortened or wrapped, however narrow the terminal: `ack` and
    `history --id` need it whole (the other columns fold instead)."""
    t.add_column("id", no_wrap=True, min_width=max((len(i) for i in ids), default=2), overflow="ignore")


@app.command("list")
def list_cmd(
    config: ConfigOpt = None,
    state: StateOpt = None,
    fmt: FormatOpt = "table",
    suppressed: Annotated[
        bool, typer.Option("--suppressed/--no-suppressed", help="Show alerts suppressed by a root cause")
    ] = True,
) -> None:
    """List pending and firing alerts, worst first.

    A *suppressed* alert is behind a device that is down (its root cause): it is not paged,
    the root cause's incident lists it as impact. Example: netmon alerts list -c /etc/netmon/netmon.yaml
    """
    store = _store(config, state)
    from ..alerting.rules import SEVERITY_ORDER

    alerts = [a for a in store.load_alerts() if a.state in ("pending", "firing") and (suppressed or not a.suppressed)]
    alerts.sort(key=lambda a: (a.suppressed, SEVERITY_ORDER.get(a.severity, 9), a.started))
    if fmt == "json":
        console.print_json(json.dumps([_alert_row(a) for a in alerts], ensure_ascii=False))
        return
    t = Table(title=f"{len(alerts)} alert(s)")
    _id_column(t, [a.id for a in alerts])
    for col in ("state", "severity", "rule", "device", "since", "summary", "root cause / ack"):
        t.add_column(col, overflow="fold")
    for a in alerts:
        note = f"← {a.root_cause}" if a.suppressed else (f"ack {a.acked_by}" if a.acked_by else "")
        if a.silenced_by:
            note += f" silenced {a.silenced_by}"
        if a.impact.get("devices"):
            note += f" impact {a.impact['devices']} devices"
        t.add_row(
            a.id,
            a.display_state,
            a.severity,
            a.rule,
            a.labels.get("device", ""),
            _ts(a.fired or a.started),
            escape(a.summary_en),
            escape(note.strip()),
        )
    console.print(t)


@app.command("history")
def history_cmd(
    config: ConfigOpt = None,
    state: StateOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Newest N state changes")] = 50,
    since: Annotated[str | None, typer.Option("--since", help="Only changes newer than this, e.g. 2h, 1d")] = None,
    alert: Annotated[str | None, typer.Option("--id", help="Only this alert's changes")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """State changes (pending, firing, suppressed, resolved, acks), newest first. Example: netmon alerts history --since 1d"""
    from ..alerting.durations import parse_duration

    store = _store(config, state)
    t0 = 0.0
    if since:
        try:
            t0 = time.time() - parse_duration(since)
        except ValueError as exc:
            raise InputError.one("--since", str(exc)) from None
    rows = store.history(limit, t0, alert)
    if fmt == "json":
        console.print_json(json.dumps([{"time": ts, **_alert_row(a)} for ts, a in rows], ensure_ascii=False))
        return
    t = Table(title=f"{len(rows)} change(s)")
    t.add_column("time", no_wrap=True)
    _id_column(t, [a.id for _, a in rows])
    for col in ("state", "severity", "rule", "device", "summary"):
        t.add_column(col, overflow="fold")
    for ts, a in rows:
        st = a.display_state + (f" (ack {a.acked_by})" if a.acked_by else "")
        t.add_row(_ts(ts), a.id, st, a.severity, a.rule, a.labels.get("device", ""), escape(a.summary_en))
    console.print(t)


@app.command("ack")
def ack_cmd(
    alert_id: Annotated[str, typer.Argument(help="Alert id from `netmon alerts list` (a unique prefix is enough)")],
    config: ConfigOpt = None,
    state: StateOpt = None,
    by: Annotated[str | None, typer.Option("--by", help="Who acknowledges (default: your login)")] = None,
    comment: Annotated[str, typer.Option("--comment", "-m", help="Why / what is being done")] = "",
) -> None:
    """Acknowledge a firing alert: repeats and escalation stop; the resolve is still notified.

    Example: netmon alerts ack 3f2a9c --comment "fibre cut, carrier dispatched"
    """
    store = _store(config, state)
    matches = [a for a in store.load_alerts() if a.id.startswith(alert_id) and a.state in ("pending", "firing")]
    if not matches:
        raise InputError.one("ack", f"no active alert with id {alert_id!r} (see `netmon alerts list`)")
    if len(matches) > 1:
        raise InputError.one("ack", f"{alert_id!r} matches {len(matches)} alerts; give more of the id")
    who = by or getpass.getuser()
    store.add_ack(matches[0].id, who, comment)
    console.print(f"acknowledged {matches[0].id} ({escape(matches[0].summary_en)}) as {escape(who)}")


@silence_app.command("add")
def silence_add(
    matchers: Annotated[
        list[str],
        typer.Argument(
            help="KEY=VALUE: scope keys (tier, region, site, device, ...), "
            "alertname, severity or any label; all must match"
        ),
    ],
    duration: Annotated[str, typer.Option("--for", help="How long, e.g. 2h, 30m")] = "2h",
    start: Annotated[str | None, typer.Option("--start", help="ISO start time with zone (default: now)")] = None,
    comment: Annotated[str, typer.Option("--comment", "-m", help="Why (maintenance ticket, ...)")] = "",
    by: Annotated[str | None, typer.Option("--by", help="Who (default: your login)")] = None,
    config: ConfigOpt = None,
    state: StateOpt = None,
) -> None:
    """Silence matching alerts for a while (a maintenance window).

    Example: netmon alerts silence add region=广东/广州 --for 3h -m "割接 CHG-1024"
    """
    from ..alerting.durations import parse_duration
    from ..alerting.selectors import split_matchers

    try:
        split_matchers(matchers)
        seconds = parse_duration(duration)
        t0 = datetime.fromisoformat(start).timestamp() if start else time.time()
    except ValueError as exc:
        raise InputError.one("silence", str(exc)) from None
    store = _store(config, state)
    s = store.add_silence(matchers, t0, t0 + seconds, by or getpass.getuser(), comment)
    console.print(f"silence {s.id}: {' '.join(matchers)} until {_ts(s.ends)}")


@silence_app.command("list")
def silence_list(config: ConfigOpt = None, state: StateOpt = None, expired: bool = False) -> None:
    """Silences that are active or scheduled (--expired to include past ones)."""
    store = _store(config, state)
    now = time.time()
    t = Table()
    for col in ("id", "matchers", "starts", "ends", "by", "comment"):
        t.add_column(col)
    for s in store.silences():
        if s.ends > now or expired:
            t.add_row(
                s.id, escape(" ".join(s.matchers)), _ts(s.starts), _ts(s.ends), escape(s.created_by), escape(s.comment)
            )
    console.print(t)


@silence_app.command("expire")
def silence_expire(silence_id: str, config: ConfigOpt = None, state: StateOpt = None) -> None:
    """End a silence now. Example: netmon alerts silence expire 1a2b3c4d"""
    store = _store(config, state)
    if not store.expire_silence(silence_id, time.time()):
        raise InputError.one("silence", f"no active silence {silence_id!r}")
    console.print(f"silence {silence_id} expired")


@app.command("rules")
def rules_cmd(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Rule files or directories (default: alerting.rules, else configs/alerts)"),
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Check rule files and list the rules; problems name file, line, rule id and field (exit 2).

    Example: netmon alerts rules configs/alerts/
    """
    from ..alerting.rules import DEFAULT_RULES_DIR, load_rules

    if not paths:
        if config is not None or config_path(None).exists():
            _, acfg = _alerting(config)
            paths = acfg.rules or [DEFAULT_RULES_DIR]
        else:
            paths = [DEFAULT_RULES_DIR]
    rules = load_rules(paths)
    t = Table(title=f"{len(rules)} rule(s)")
    for col in ("id", "kind", "measurement", "condition", "for", "severity", "summary"):
        t.add_column(col)
    for r in rules:
        cond = r.spec.when or (f"absent {r.spec.absent:g}s" if r.spec.absent else "each point")
        t.add_row(
            r.id,
            r.kind,
            r.spec.measurement,
            escape(cond),
            f"{r.spec.for_:g}s",
            r.spec.severity,
            escape(r.spec.summary.en),
        )
    console.print(t)


@app.command("test")
def test_cmd(
    receivers: Annotated[
        list[str] | None, typer.Argument(help="Receiver names from alerting.receivers (default: all)")
    ] = None,
    config: ConfigOpt = None,
    severity: Annotated[str, typer.Option("--severity", help="Severity of the sample alert")] = "warning",
) -> None:
    """Send a sample alert through receivers now and report each result (exit 1 if any failed).

    Example: netmon alerts test noc-dingtalk
    """
    from ..alerting.notify import DeliveryError, Dispatcher, Notice, build_notifiers
    from ..alerting.state import Alert

    cfg, acfg = _alerting(config)
    names = receivers or list(acfg.receivers)
    unknown = [n for n in names if n not in acfg.receivers]
    if unknown:
        raise InputError.one(
            str(config_path(config)),
            f"no receiver named {unknown[0]!r}; known: {', '.join(acfg.receivers) or 'none'}",
            field="alerting.receivers",
        )
    if not names:
        raise InputError.one(str(config_path(config)), "no receivers configured", field="alerting.receivers")
    disp = Dispatcher(build_notifiers(acfg, cfg.secret_store(), str(config_path(config))))
    now = time.time()
    sample = Alert(
        "test000000",
        "netmon_test",
        severity,
        {"device": "netmon-test", "site": "netmon", "tier": "central"},
        state="firing",
        summary_en="netmon test notification: please ignore",
        summary_zh="netmon 测试通知，请忽略",
        started=now,
        fired=now,
    )
    failed = 0
    for name in names:
        try:
            asyncio.run(disp.send_now(name, [Notice("test", sample, now)]))
            console.print(f"[green]ok[/green] {escape(name)}")
        except DeliveryError as exc:
            failed += 1
            err_console.print(f"[red]failed[/red] {escape(name)}: {escape(str(exc))}")
    if failed:
        raise NetmonError(f"{failed} of {len(names)} receiver(s) failed")


IF_REFRESH_S = 300  # re-read interface names from the sink: the daemon keeps polling


async def _learn_interfaces(cfg: Any, rx: Any, quiet: bool) -> int:
    """ifIndex -> ifName from what the daemon stored; a sink that cannot be read is a warning
    (traps still alert, naming the interface when the trap itself carries its name)."""
    from ..storage import open_query

    base = cfg.path.resolve().parent if cfg.path else None
    try:
        q = open_query(cfg.sink, base)
        try:
            return int(await rx.learn_from(q))
        finally:
            await q.close()
    except (InputError, NetmonError, OSError) as exc:
        if not quiet:
            err_console.print(
                f"[yellow]warning[/yellow] cannot read interface names from the sink: {escape(str(exc))}; "
                "a trap carrying only ifIndex will not name its interface",
                highlight=False,
            )
        return len(rx.interfaces)


def traps(
    config: ConfigOpt = None,
    listen: Annotated[
        str | None, typer.Option("--listen", help="HOST:PORT (default: alerting.traps.listen, 0.0.0.0:162)")
    ] = None,
    state: StateOpt = None,
) -> None:
    """Run the SNMP trap/inform receiver on its own, feeding the alert rules and notifiers.

    Traps from devices in the inventory become snmp_trap events (linkDown/linkUp also interface points), evaluated at once; counters of drops (unknown agents, garbage, bad keys) print every minute. A linkDown that carries only ifIndex is named from the last poll: the interface names the daemon stored in the sink of netmon.yaml (read at start and every 5 minutes). Port 162 needs root or CAP_NET_BIND_SERVICE. Ctrl-C stops.

    Example: netmon traps -c /etc/netmon/netmon.yaml --listen 0.0.0.0:1162
    """
    from ..alerting import AlertEngine
    from ..inventory import Topology, load_inventory
    from ..traps import TrapReceiver

    cfg, acfg = _alerting(config)
    if listen:
        acfg.traps.listen = listen
    topo = Topology(load_inventory(cfg.inventory))
    engine = AlertEngine.from_config(
        acfg, topo, state or acfg.state, cfg.secret_store(), source=str(config_path(config))
    )

    async def main() -> None:
        await engine.start()
        rx = TrapReceiver(acfg.traps, topo.inventory, engine.process_now, cfg.secret_store(), str(config_path(config)))
        rx.start()
        console.print(
            f"receiving traps on {rx.address[0]}:{rx.address[1]} ({len(topo.inventory.devices)} devices known)"
        )
        known = await _learn_interfaces(cfg, rx, quiet=False)
        console.print(f"{known} interface names from the last poll ({cfg.sink})", highlight=False)
        try:
            n = 0
            while True:
                await asyncio.sleep(1)
                engine.tick()
                n += 1
                if n % 60 == 0:
                    console.print(f"traps: {rx.stats()}  alerts: firing {engine.stats()['firing']}")
                if n % IF_REFRESH_S == 0:
                    await _learn_interfaces(cfg, rx, quiet=True)
        finally:
            rx.close()
            await engine.aclose()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        console.print("stopped")
