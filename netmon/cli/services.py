"""`netmon services`: service probes (HTTP(S), DNS, TCP, TLS certificates, OCSP/CRL) on demand."""

from __future__ import annotations

import asyncio
import contextlib
import json
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ..config import load_config
from ..errors import InputError, NetmonError
from ..model import Point
from ..secrets import SecretStore
from .common import ConfigOpt, config_path, console, err_console

app = typer.Typer(
    help="Service probes like blackbox_exporter: HTTP(S) status and latency split, DNS answers, TCP connect, "
    "TLS certificate expiry and chain (RSA and SM2), OCSP/CRL reachability. Targets come from the `services:` "
    "section of netmon.yaml (or --file); `netmon run` probes them every intervals.services. See docs/SERVICES.md.",
    no_args_is_help=True,
)


class Fmt(str, Enum):
    table = "table"
    json = "json"
    line = "line"


FileOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--file", "-f", help="target file(s) (YAML with `targets:`) instead of netmon.yaml's services section"
    ),
]
TargetOpt = Annotated[list[str] | None, typer.Option("--target", "-t", help="only these targets (by name; repeatable)")]
VantageOpt = Annotated[
    str | None,
    typer.Option(
        "--vantage", help="act as this vantage (default services.vantage); targets that do not list it are skipped"
    ),
]
AllOpt = Annotated[bool, typer.Option("--all", help="probe every target, whatever its vantages")]


def _settings(config: Path | None, files: list[Path] | None, vantage: str | None) -> Any:
    from collectors.service import ServiceSettings, load_service_settings, load_target_file

    if files:
        problems = []
        targets = []
        for f in files:
            try:
                targets.extend(load_target_file(f, SecretStore()))
            except InputError as exc:
                problems.extend(exc.problems)
        if problems:
            raise InputError(problems)
        settings = ServiceSettings(targets=targets)
    else:
        cfg = load_config(config_path(config))
        if not cfg.services:
            raise NetmonError(f"{cfg.path}: no `services:` section (see collectors/service/sample.yaml), or use --file")
        settings = load_service_settings(cfg.services, str(cfg.path), cfg.secret_store())
    if vantage:
        settings.vantage = vantage
    return settings


def _select(settings: Any, names: list[str] | None, every: bool) -> list[Any]:
    targets = list(settings.targets) if every or names else settings.mine()
    if names:
        known = {t.name for t in targets}
        missing = [n for n in names if n not in known]
        if missing:
            raise InputError.one("--target", f"no target named {', '.join(missing)}; `netmon services list` shows them")
        targets = [t for t in targets if t.name in names]
    if not targets:
        raise NetmonError(f"no target to probe from vantage {settings.vantage!r} (use --all or --vantage)")
    return targets


def _fmt_ms(v: Any) -> str:
    return f"{v:.1f}" if isinstance(v, int | float) else "-"


@app.command("check")
def check(
    config: ConfigOpt = None,
    file: FileOpt = None,
    target: TargetOpt = None,
    vantage: VantageOpt = None,
    every: AllOpt = False,
    fmt: Annotated[
        Fmt, typer.Option("--format", help="table, json (one object per point) or line protocol")
    ] = Fmt.table,
) -> None:
    """Probe the targets once and print what each probe found.

    Exit code 0 when every target is up, 1 when any is down (so it can gate a change window),
    2 for bad input (file:line: field: reason). Times are per phase: DNS, connect, TLS, first
    byte, transfer, in milliseconds; certificates show days left, issuer and chain validity.

    Examples:
      netmon services check -c netmon.yaml
      netmon services check -f portals.yaml --target gd-zwfw --format json
      netmon services check -c netmon.yaml --vantage 广东        # what the Guangdong poller would probe
    """
    from collectors.service import run_targets

    settings = _settings(config, file, vantage)
    targets = _select(settings, target, every)
    with (
        console.status(f"probing {len(targets)} target(s) from vantage {settings.vantage}...")
        if fmt == Fmt.table
        else contextlib.nullcontext()
    ):
        points: list[Point] = asyncio.run(run_targets(targets, settings))
    order = {t.name: i for i, t in enumerate(targets)}
    points.sort(key=lambda p: (order.get(p.tags.get("target", ""), 0), p.measurement))
    down = sum(1 for p in points if p.measurement == "service" and not p.fields.get("up"))
    if fmt == Fmt.json:
        for p in points:
            console.print_json(json.dumps(p.to_json(), ensure_ascii=False))
    elif fmt == Fmt.line:
        from ..storage import Encoder

        payload, _, _ = Encoder().encode(points)
        typer.echo(payload.decode().rstrip("\n"))
    else:
        _table(points)
    if down:
        err_console.print(f"{down} of {len(targets)} target(s) down")
        raise typer.Exit(1)


def _table(points: list[Point]) -> None:
    tbl = Table(title="service probes", show_lines=False)
    for col in (
        "target",
        "kind",
        "up",
        "status",
        "dns ms",
        "connect ms",
        "tls ms",
        "first byte ms",
        "total ms",
        "detail",
    ):
        tbl.add_column(col, overflow="fold")
    certs = Table(title="certificates")
    for col in ("target", "days left", "subject", "issuer", "key", "signature", "chain", "revocation"):
        certs.add_column(col, overflow="fold")
    revs: dict[str, list[str]] = {}
    for p in points:
        if p.measurement == "service_revocation":
            revs.setdefault(p.tags["target"], []).append(f"{p.tags.get('method')}: {p.fields.get('status')}")
    for p in points:
        f, name = p.fields, p.tags.get("target", "?")
        if p.measurement == "service":
            status = f.get("status_code", f.get("rcode", ""))
            up = "[green]up[/green]" if f.get("up") else f"[red]down: {escape(str(f.get('error')))}[/red]"
            tbl.add_row(name, p.tags.get("kind", ""), up, str(status), *(_fmt_ms(f.get(k)) for k in ("dns_ms", "connect_ms", "tls_ms", "first_byte_ms", "duration_ms")),
                        escape(str(f.get("detail") or f.get("answers") or "")))  # fmt: skip
        elif p.measurement == "service_cert":
            cv = f.get("chain_valid")
            valid = "not checked" if cv is None else "valid" if cv else f"INVALID: {f.get('chain_error')}"
            certs.add_row(name, f"{float(f['days_left']):.1f}", escape(str(f["subject"])), escape(str(f["issuer"])), str(f["key_type"]),
                          str(f["sig_alg"]), escape(f"{f['chain_len']} cert(s), {valid}"), ", ".join(revs.get(name, [])) or "-")  # fmt: skip
    console.print(tbl)
    if certs.row_count:
        console.print(certs)


@app.command("list")
def list_targets(config: ConfigOpt = None, file: FileOpt = None, vantage: VantageOpt = None) -> None:
    """List the targets, what they probe, where they live and which vantages probe them (* = this poller).

    Example: netmon services list -c netmon.yaml --vantage central
    """
    settings = _settings(config, file, vantage)
    mine = {t.name for t in settings.mine()}
    tbl = Table(title=f"service targets (this poller: vantage {settings.vantage})")
    for col in ("", "target", "kind", "what", "network", "tier", "region", "vantages"):
        tbl.add_column(col, overflow="fold")
    for t in settings.targets:
        what = t.url or (f"{t.query} {t.record_type} @ {t.server}" if t.kind == "dns" else f"{t.host}:{t.port}")
        tbl.add_row("*" if t.name in mine else "", t.name, t.kind, escape(what or ""), t.network or "", t.tier.value if t.tier else "",
                    t.region or "", ", ".join(t.vantages) or "(all)")  # fmt: skip
    console.print(tbl)
