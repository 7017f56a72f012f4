"""`netmon syslog serve|verify`: the syslog receiver on its own, and the archive's proof of integrity."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from ..errors import InputError, NetmonError
from .common import ConfigOpt, config_path, console, err_console

app = typer.Typer(
    help="Syslog: receive device logs (UDP, TCP, TLS) into the sink and the alert rules, and verify the "
    "hash-chained audit archive (GB/T 22239 8.1.3.5). `netmon run` starts the receiver itself when "
    "netmon.yaml has a `syslog:` section; see docs/SYSLOG.md.",
    no_args_is_help=True,
)


def _settings(config: Path | None) -> tuple[Any, Any]:
    from ..config import load_config
    from ..syslog.settings import load_syslog_settings

    path = config_path(config)
    cfg = load_config(path)
    return cfg, load_syslog_settings(cfg.syslog, str(path), path.resolve().parent)


@app.command()
def serve(
    config: ConfigOpt = None,
    udp: Annotated[
        str | None, typer.Option(help="UDP HOST:PORT ('' disables; default: syslog.udp, 0.0.0.0:514)")
    ] = None,
    tcp: Annotated[
        str | None, typer.Option(help="TCP HOST:PORT ('' disables; default: syslog.tcp, 0.0.0.0:601)")
    ] = None,
    sink: Annotated[str | None, typer.Option(help="store into this sink instead of netmon.yaml's")] = None,
    spool_dir: Annotated[
        Path | None,
        typer.Option(help="spool of this process (default: the spool dir + '-syslog', as `netmon run` owns its own)"),
    ] = None,
    alerts: Annotated[bool, typer.Option(help="evaluate the alert rules (brute force, config changes, flaps)")] = True,
    log_level: Annotated[str, typer.Option(help="debug | info | warning | error")] = "info",
) -> None:
    """Run the syslog receiver on its own: every message is archived, spooled into the sink as a
    `syslog` point tagged from the inventory, and evaluated by the alert rules at once.

    Defaults come from the `syslog:` section of netmon.yaml (UDP 514, TCP 601, TLS 6514 when
    `tls:` names a certificate and a 0600 key; archive in /var/lib/netmon/syslog). Ports below
    1024 need root or CAP_NET_BIND_SERVICE. Counters print every minute; Ctrl-C or SIGTERM stops
    after storing what was received.

    Example: netmon syslog serve -c /etc/netmon/netmon.yaml --udp 0.0.0.0:1514 --tcp 0.0.0.0:1601
    """
    from ..runtime.logs import setup_logging

    setup_logging(log_level)
    cfg, settings = _settings(config)
    if udp is not None:
        settings.udp = udp
    if tcp is not None:
        settings.tcp = tcp
    try:
        asyncio.run(_serve(cfg, settings, sink, spool_dir, alerts))
    except KeyboardInterrupt:
        console.print("stopped")


async def _serve(cfg: Any, settings: Any, sink: str | None, spool_dir: Path | None, with_alerts: bool) -> None:
    import signal

    from ..inventory import Topology, load_inventory
    from ..runtime.signals import on_signals
    from ..storage import Pipeline, SpoolLockedError
    from ..syslog.runtime import make_service

    topo = Topology(load_inventory(cfg.inventory))
    engine = None
    if with_alerts:
        from ..alerting.runtime import make_engine

        engine = make_engine(cfg, topo)
    base = cfg.path.resolve().parent if cfg.path else Path.cwd()
    spool = spool_dir or cfg.spool.dir.with_name(cfg.spool.dir.name + "-syslog")
    try:
        pipe = await Pipeline.open(sink or cfg.sink, spool, cfg.spool, cfg.batch, base_dir=base)
    except SpoolLockedError as exc:
        raise NetmonError(f"{exc} (give this receiver its own with --spool-dir)") from None
    svc = make_service(cfg, settings, topo.inventory, pipe, engine)
    stop = asyncio.Event()
    on_signals(((signal.SIGTERM, stop.set), (signal.SIGINT, stop.set)))
    try:
        if engine is not None:
            await engine.start()
        await svc.start()
        where = ", ".join(f"{k} {h}:{p}" for k, (h, p) in svc.listeners.addresses.items())
        console.print(
            f"receiving syslog on {where}; {len(topo.inventory.devices)} devices known; archive {settings.archive.dir}"
        )
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), 60)
            except TimeoutError:
                st = svc.stats()
                console.print(
                    f"syslog: received {st['received']} dropped {st['dropped']} parse errors {st['parse_errors']} "
                    f"unknown senders {st['unknown_senders']} spool {pipe.spool.pending_bytes} bytes pending"
                )
    finally:
        await svc.close()
        if engine is not None:
            await engine.aclose()
        await pipe.flush(10)
        await pipe.close()


def _day(text: str) -> date:
    t = text.strip().lower()
    if t == "today":
        return date.today()
    if t == "yesterday":
        return date.today() - timedelta(days=1)
    try:
        return date.fromisoformat(t)
    except ValueError:
        raise InputError.one("--day", f"{text!r} is not a date: write YYYY-MM-DD, today or yesterday") from None


@app.command("verify")
def verify_cmd(
    config: ConfigOpt = None,
    day: Annotated[
        list[str] | None,
        typer.Option("--day", "-d", help="YYYY-MM-DD, today or yesterday; repeatable (default: every day kept)"),
    ] = None,
    directory: Annotated[
        Path | None, typer.Option("--dir", help="archive directory (default: syslog.archive.dir)")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """Verify the syslog audit archive: every record's hash chain, the links between days, the
    closing record of finished days and the anchor of today's file.

    Reports, with file and line, a record that was modified, deleted, inserted or moved, and a
    file that was cut off or removed. Exit 0 when everything holds, 1 when something was
    tampered with (or damaged). With `syslog.archive.hmac_key` set, the same key is needed here
    (from the environment or the secrets file), and without it nobody can rebuild the chain.

    Example: netmon syslog verify -c /etc/netmon/netmon.yaml --day yesterday
    """
    from ..syslog.archive import verify

    if fmt not in ("table", "json"):
        raise InputError.one("--format", f"{fmt!r}: use table or json")
    cfg, settings = _settings(config)
    key = None
    if settings.archive.hmac_key:
        key = (
            cfg.secret_store()
            .resolve(settings.archive.hmac_key, f"{cfg.path}: syslog.archive.hmac_key")
            .get_secret_value()
            .encode()
        )
    d = directory or settings.archive.dir
    if not d.is_dir():
        raise NetmonError(f"{d}: no syslog archive here (syslog.archive.dir)")
    days = [_day(x) for x in day or []]
    rep = verify(d, days or None, key, date.today(), settings.archive.retention_days)
    if fmt == "json":
        doc = {
            "ok": rep.ok,
            "problems": rep.problems,
            "files": [
                {
                    "file": f.path.name,
                    "records": f.records,
                    "messages": f.messages,
                    "closed": f.closed,
                    "ok": f.ok,
                    "problems": f.problems,
                    "notes": f.notes,
                }
                for f in rep.files
            ],
        }
        console.print_json(json.dumps(doc, ensure_ascii=False))
    else:
        for f in rep.files:
            state = "[green]ok[/green]" if f.ok else "[red]TAMPERED[/red]"
            console.print(
                f"{state} {escape(f.path.name)}: {f.messages} messages, {f.records} records{' (day closed)' if f.closed else ''}"
            )
            for p in f.problems:
                console.print(f"  [red]problem[/red] {escape(p)}", soft_wrap=True)
            for n in f.notes:
                console.print(f"  note {escape(n)}", soft_wrap=True)
        for p in rep.problems:
            console.print(f"[red]problem[/red] {escape(p)}", soft_wrap=True)
        if not rep.files and not rep.problems:
            console.print("no archive files")
    if not rep.ok:
        err_console.print("the syslog archive does not verify: see the problems above")
        raise typer.Exit(1)
