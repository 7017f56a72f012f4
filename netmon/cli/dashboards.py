"""`netmon dashboards build|push`: Grafana dashboards generated from code (dashboards/)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import InputError, NetmonError
from ..urlmask import mask_url
from .common import console, err_console

app = typer.Typer(
    help="Grafana dashboards as code: national overview, region drill-down, device, links, compliance and "
    "netmon itself, in InfluxQL (InfluxDB 1.x, 2.x via DBRP, 3.x). "
    "[bold]build[/bold] writes the JSON (for file provisioning); [bold]push[/bold] sends it to Grafana's API.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "dashboards" / "build"


@app.command(
    help="Generate every dashboard's JSON from the code in dashboards/.\n\n"
    "The output is stable (a rebuild of unchanged code changes no byte), so it is committed in dashboards/build/ "
    "and Grafana's file provider (dashboards/provisioning/dashboards/netmon.yaml) loads it as it is: one "
    "sub-directory per folder (netmon-national, netmon-intranet, netmon-extranet).\n\n"
    "Example: [cyan]netmon dashboards build --out /var/lib/grafana/dashboards/netmon[/cyan]\n\n"
    "CI: [cyan]netmon dashboards build --check[/cyan] fails when the committed JSON is stale."
)
def build(
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="Directory to write into: one sub-directory per folder, one JSON file per dashboard."
        ),
    ] = DEFAULT_OUT,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if the files under --out differ from the code.")
    ] = False,
) -> None:
    from dashboards.render import differences, write_all

    if out.exists() and not out.is_dir():
        raise InputError.one(str(out), "--out must be a directory")
    if check:
        diffs = differences(out)
        for d in diffs:
            err_console.print(f"[yellow]stale[/yellow] {escape(str(out / d))}", highlight=False)
        if diffs:
            raise NetmonError(
                f"{len(diffs)} dashboard file(s) under {out} are out of date; run `netmon dashboards build`"
            )
        console.print(f"dashboards under {escape(str(out))} are up to date")
        return
    try:
        written, removed = write_all(out)
    except OSError as exc:
        raise NetmonError(f"cannot write dashboards to {out}: {exc.strerror or exc}") from None
    for p in written:
        console.print(f"wrote   {escape(str(p))}", highlight=False, soft_wrap=True)
    for p in removed:
        console.print(f"removed {escape(str(p))}", highlight=False, soft_wrap=True)
    console.print(f"{len(written)} written, {len(removed)} removed, the rest unchanged, under {escape(str(out))}")


def _token() -> str:
    for name in ("NETMON_GRAFANA_TOKEN", "GRAFANA_TOKEN"):
        if os.environ.get(name):
            return os.environ[name]
    raise InputError.one(
        "environment",
        "no Grafana token: set NETMON_GRAFANA_TOKEN (or GRAFANA_TOKEN) to a service-account token with the Editor role",
    )


@app.command(
    help="Create or update the dashboards in Grafana (HTTP API), in one folder per network.\n\n"
    "The token comes from $NETMON_GRAFANA_TOKEN (or $GRAFANA_TOKEN), never the command line; a service account "
    "with the Editor role. Folders: 'netmon · 全国 national' (overview, netmon itself), 'netmon · 内网 intranet', "
    "'netmon · 外网 extranet'. Uids are stable, so links and bookmarks survive a push.\n\n"
    "Everything is checked before anything is written. A dashboard edited in the Grafana UI since the last push "
    "(or not made by netmon) is not overwritten - exit 1, nothing written - unless [bold]--force[/bold]. If a "
    "write fails half-way, this run's writes are rolled back. The report lists each dashboard: create, update "
    "(with the panels, variables and settings that changed), unchanged, conflict or overwrite.\n\n"
    "Example: [cyan]NETMON_GRAFANA_TOKEN=glsa_... netmon dashboards push --url http://grafana:3000 --dry-run[/cyan]"
)
def push(
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            "-u",
            help="Grafana base URL, e.g. https://grafana.noc.example:3000 (default: $NETMON_GRAFANA_URL).",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite dashboards changed in the Grafana UI (or not made by netmon).")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Check and report what would change; write nothing.")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each Grafana API call.", min=0.1)] = 10.0,
) -> None:
    from dashboards.push import PushError
    from dashboards.push import push as do_push

    url = url or os.environ.get("NETMON_GRAFANA_URL")
    if not url:
        raise InputError.one("command line", "no Grafana URL: give --url or set NETMON_GRAFANA_URL", field="--url")
    parsed = urlsplit(url)
    if parsed.username or parsed.password:
        # Never echo the URL: it holds a credential.
        raise InputError.one(
            "command line",
            "--url must not hold a user or password; put the token in NETMON_GRAFANA_TOKEN",
            field="--url",
        )
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InputError.one(
            "command line", f"--url must be http(s)://HOST[:PORT][/path], got {mask_url(url)!r}", field="--url"
        )
    try:
        p = do_push(url, _token(), force=force, dry_run=dry_run, timeout=timeout)
    except PushError as exc:
        if exc.plan is not None and exc.plan.changes:
            _report(exc.plan.changes, err=True)
        raise
    _report(p.changes)
    for f in p.new_folders:
        console.print(f"{'would create' if dry_run else 'created'} folder {escape(f.title)} ({f.uid})", highlight=False)
    n = len(p.writes)
    verb = "would write" if dry_run else "wrote"
    console.print(f"{verb} {n} dashboard(s), {len(p.changes) - n} unchanged, at {escape(p.url)}")


def _report(changes: list, err: bool = False) -> None:  # type: ignore[type-arg]
    t = Table("dashboard", "folder", "action", "what changed", show_lines=False)
    colour = {"create": "green", "update": "cyan", "unchanged": "dim", "conflict": "red", "overwrite": "yellow"}
    for c in changes:
        t.add_row(escape(c.uid), escape(c.folder.uid), f"[{colour[c.action]}]{c.action}[/]", escape(c.detail))
    (err_console if err else console).print(t)
