"""`netmon report availability`: availability per device, site, region, tier and network."""

from __future__ import annotations

import asyncio
import io
import os
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..errors import NetmonError
from .common import ConfigOpt, ScopeOpt, console, err_console, load_context

app = typer.Typer(help="Reports from the stored telemetry (see docs/REPORTS.md).", no_args_is_help=True)


class Fmt(str, Enum):
    html = "html"
    csv = "csv"
    xlsx = "xlsx"


class Lang(str, Enum):
    zh = "zh"
    en = "en"
    both = "both"


def _write_private(path: Path, data: bytes) -> None:
    """Mode 0600 from the start (a report names the network's weak points); replaced atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise NetmonError(f"cannot write {path}: {exc.strerror or exc}") from None


@app.command("availability")
def availability(
    month: Annotated[
        str | None, typer.Option("--month", "-m", help="a calendar month in local time, e.g. 2026-11")
    ] = None,
    frm: Annotated[
        str | None, typer.Option("--from", help="start: 2026-11-03 or 2026-11-03T08:00 (local unless +08:00 is given)")
    ] = None,
    to: Annotated[str | None, typer.Option("--to", help="end; a date includes that whole day (default: now)")] = None,
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="html (self-contained), csv or xlsx")] = Fmt.html,
    lang: Annotated[Lang, typer.Option("--lang", help="labels in Chinese, English or both")] = Lang.both,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write (default availability-PERIOD.FORMAT)")
    ] = None,
    config: ConfigOpt = None,
    scope: ScopeOpt = None,
    sink: Annotated[str | None, typer.Option("--sink", help="database to read (default: netmon.yaml's sink)")] = None,
    step: Annotated[
        float | None,
        typer.Option(
            "--step",
            min=1.0,
            help="seconds one sample stands for (default intervals.snmp; 300 for 5-minute downsampled data)",
        ),
    ] = None,
) -> None:
    """Availability report from the stored reachability (snmp_reach): per device, site, region, tier, network.

    Availability = up time / polled time. Time with no data at all (netmon not running, data lost)
    is shown apart. Outages are counted once, at their root cause: counties cut off behind a failed
    province are "unreachable behind" it, not outages of their own. Times are in local time
    (netmon.yaml `timezone:`, default the system's). A period with no data exits 1.

    Examples:
      netmon report availability -c netmon.yaml --month 2026-11
      netmon report availability --month 2026-11 --format xlsx -o 2026-11.xlsx --scope region=广东
      netmon report availability --from 2026-11-03 --to 2026-11-09 --format csv --lang zh
    """
    from ..report.avail_html import render_html
    from ..report.avail_tables import sheets, to_csv, to_xlsx
    from ..report.availability import NS, compute
    from ..report.period import period
    from ..report.reach import Series, open_runs
    from ..storage import open_query
    from ..timefmt import zone

    ctx = load_context(config, None, scope)
    cfg = ctx.config
    assert cfg is not None
    tz = zone(cfg.timezone)
    start, end = period(month, frm, to, tz)
    step_ns = int((step or cfg.intervals.snmp) * NS)
    url = sink or cfg.sink
    base = cfg.path.resolve().parent if cfg.path else None
    names = [d.name for d in ctx.selected]
    s_ns, e_ns = int(start.timestamp() * NS), int(end.timestamp() * NS)

    async def read() -> dict[str, Series]:
        q = open_query(url, base)
        try:
            return await open_runs(q).read(s_ns, e_ns, step_ns, int(step_ns * 1.5))
        finally:
            await q.close()

    with console.status(f"reading reachability {start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} from {url}"):
        series = asyncio.run(read())
    if not any(s.runs for s in series.values()):
        raise NetmonError(
            f"no reachability data (snmp_reach) between {start.isoformat()} and {end.isoformat()} in {url}: "
            "was netmon polling then, and is this the right sink (--sink)?"
        )
    rep = compute(series, ctx.topology, names, s_ns, e_ns, step_ns)
    tables = sheets(rep, lang.value, tz)
    label = month or f"{start:%Y%m%d}-{end:%Y%m%d}"
    out = output or Path(f"availability-{label}.{fmt.value}")
    if fmt == Fmt.html:
        data = render_html(rep, tables, lang.value, tz).encode()
    elif fmt == Fmt.csv:
        data = to_csv(tables).encode("utf-8-sig")  # BOM: Excel opens Chinese CSV correctly
    else:
        buf = io.BytesIO()
        to_xlsx(tables, buf)
        data = buf.getvalue()
    _write_private(out, data)
    t = rep.total
    avail = "-" if t.availability is None else f"{100 * t.availability:.3f}%"
    err_console.print(
        f"{t.devices} devices, availability {avail}, {t.outages} outage(s) (root causes), {t.never_polled} never polled"
    )
    console.print(str(out))
