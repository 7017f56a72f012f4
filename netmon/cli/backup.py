"""`netmon backup` and `netmon archive log|show|diff`: SSH config collection and its archive."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import NetmonError
from .common import ConfigOpt, ScopeOpt, config_path, console, err_console, load_context

archive_app = typer.Typer(
    help="Read the configuration archive: versions, a stored config, diffs. Secrets are always masked.\n\n"
    "Example: netmon archive diff gd-sg-lc-in-core1 -c netmon.yaml",
    no_args_is_help=True,
)

DeviceArg = Annotated[str, typer.Argument(help="Device name as in the inventory")]


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.add_typer(archive_app, name="archive")


def backup(
    config: ConfigOpt = None,
    scope: ScopeOpt = None,
    tofu: Annotated[
        bool,
        typer.Option(
            "--tofu",
            help="Trust on first use: record the host key of a device not yet in known_hosts (onboarding). "
            "A CHANGED key is still refused.",
        ),
    ] = False,
    concurrency: Annotated[
        int | None, typer.Option(help="Devices in session at once (default: ssh.concurrency, 20)")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Back up running configs over SSH into the archive.

    Connects to every selected device that has an `ssh:` credential. Sessions are read-only: only the allow-listed show/display commands of collectors/ssh/commands.yaml are ever sent. Each running config is stored as a new version when it really changed (volatile lines such as timestamps are ignored); changes are printed with secrets masked. A failing device keeps its previous version. Settings come from the `ssh:` and `archive:` sections of netmon.yaml. Exit code 1 when any device failed.

    Example: netmon backup -c netmon.yaml --scope tier=county --scope province=广东
    """
    from ..archive import backup_with_config, settings_from_config

    if fmt not in ("table", "json"):
        raise typer.BadParameter("--format must be table or json")
    ctx = load_context(config, None, scope)
    assert ctx.config is not None
    devices = [d for d in ctx.selected if d.ssh]
    skipped = [d.name for d in ctx.selected if not d.ssh]
    if concurrency is not None:
        ctx.config.ssh = {**ctx.config.ssh, "concurrency": concurrency}
    settings_from_config(ctx.config)  # validate before anything starts
    if not devices:
        raise NetmonError("no selected device has an `ssh:` credential in the inventory; nothing to back up")
    done = 0
    started = time.monotonic()

    def progress(res, change, archive_error) -> None:  # type: ignore[no-untyped-def]
        nonlocal done
        done += 1
        if fmt != "table":
            return
        if not res.ok:
            state = f"[red]FAILED[/red] {escape(str(res.error))}"
        elif archive_error:
            state = f"[red]FAILED[/red] {escape(archive_error)}"
        elif change is None:
            state = "unchanged"
        else:
            state = f"[yellow]{escape(change.summary().split(': ', 1)[1])}[/yellow]"
        if res.ok and res.undecodable_bytes:
            state += f" [yellow]({res.undecodable_bytes} undecodable byte(s) kept, shown as \\xNN)[/yellow]"
        err_console.print(
            f"[{done}/{len(devices)}] {escape(res.device.name)}: {state} ({res.duration_s:.1f}s)",
            highlight=False,
            soft_wrap=True,
        )

    report = backup_with_config(ctx.config, devices, tofu=tofu or None, progress=progress)
    wall = time.monotonic() - started
    if fmt == "json":
        out = {
            "devices": [
                {
                    "device": r.device.name,
                    "ok": r.ok and r.device.name not in report.archive_errors,
                    "error": r.error.kind.value
                    if r.error
                    else ("archive" if r.device.name in report.archive_errors else ""),
                    "message": str(r.error.message) if r.error else report.archive_errors.get(r.device.name, ""),
                    "command_errors": {k: v.kind.value for k, v in r.command_errors.items()},
                    "undecodable_bytes": r.undecodable_bytes,
                    "duration_s": round(r.duration_s, 3),
                }
                for r in report.results
            ],
            "changes": [
                {
                    "device": c.device,
                    "version": c.version,
                    "previous": c.previous,
                    "changed_by": c.changed_by,
                    "changed_at": c.changed_at,
                    "lines_added": c.lines_added,
                    "lines_removed": c.lines_removed,
                    "first": c.first,
                    "diff": c.diff,
                }
                for c in report.changes
            ],
            "skipped_no_credential": skipped,
        }
        console.print_json(json.dumps(out, ensure_ascii=False))
    else:
        for c in report.changes:
            if not c.first:
                console.print(f"[bold]{escape(c.summary())}[/bold]", highlight=False)
                console.print(escape(c.diff), highlight=False, soft_wrap=True)
        failed = report.failed
        ok = len(report.results) - len(failed)
        console.print(
            f"{ok}/{len(report.results)} devices backed up, {len(report.changes)} new version(s), "
            f"{len(failed)} failed, {len(skipped)} without ssh credential; {wall:.1f}s",
            highlight=False,
        )
        if failed:
            t = Table("device", "error", "detail", title="failed")
            for r in failed:
                kind = r.error.kind.value if r.error else "archive"
                msg = r.error.message if r.error else report.archive_errors.get(r.device.name, "")
                t.add_row(r.device.name, kind, escape(msg))
            console.print(t)
    if report.failed:
        raise typer.Exit(1)


def _archive(config: Path | None):  # type: ignore[no-untyped-def]
    from ..archive import ConfigArchive, load_archive_settings
    from ..config import load_config

    path = config_path(config)
    cfg = load_config(path)
    s = load_archive_settings(cfg.archive, str(path), path.resolve().parent)
    return ConfigArchive(s.dir, s.author)


def _platform(message: str) -> str:
    for ln in message.splitlines():
        if ln.startswith("Platform: "):
            return ln.split(": ", 1)[1].strip()
    return ""  # unknown: masking then applies every platform's patterns


@archive_app.command("log")
def log_cmd(
    device: DeviceArg, config: ConfigOpt = None, limit: Annotated[int, typer.Option(help="Newest N versions")] = 20
) -> None:
    """List a device's archived versions, newest first.

    Example: netmon archive log gd-sg-lc-in-core1
    """
    arch = _archive(config)
    arch.repo(create=False)
    versions = arch.versions(device, limit)
    if not versions:
        raise NetmonError(f"no archived configuration for device {device!r} in {arch.root}")
    t = Table("version", "time (UTC)", "change", "changed by")
    for v in versions:
        by = next((ln.split(": ", 1)[1] for ln in v.message.splitlines() if ln.startswith("Changed-By: ")), "")
        t.add_row(
            v.id, time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(v.time)), f"+{v.lines_added} -{v.lines_removed}", by
        )
    console.print(t)


@archive_app.command("show")
def show_cmd(
    device: DeviceArg,
    config: ConfigOpt = None,
    version: Annotated[
        str | None, typer.Option("--version", "-v", help="Version id (prefix) or @N (N versions before the latest)")
    ] = None,
) -> None:
    """Print an archived config (latest by default) with secrets masked.

    Example: netmon archive show gd-sg-lc-in-core1 --version @1
    """
    from ..archive import mask_config

    arch = _archive(config)
    arch.repo(create=False)
    v = arch.resolve(device, version)
    text = arch.show(device, v.commit)
    masked = mask_config(text, _platform(v.message))
    console.out(masked.encode("utf-8", "replace").decode("utf-8"), highlight=False, end="")


@archive_app.command("diff")
def diff_cmd(
    device: DeviceArg,
    old: Annotated[str | None, typer.Argument(help="Older version (default: the one before NEW)")] = None,
    new: Annotated[str | None, typer.Argument(help="Newer version (default: latest)")] = None,
    config: ConfigOpt = None,
) -> None:
    """Unified diff between two archived versions, secrets masked (default: the last change).

    Example: netmon archive diff gd-sg-lc-in-core1 @2 @0
    """
    from ..archive import mask_diff

    arch = _archive(config)
    arch.repo(create=False)
    v = arch.resolve(device, new)
    diff = arch.diff(device, old, new)
    console.out(mask_diff(diff, _platform(v.message)).encode("utf-8", "replace").decode("utf-8"), highlight=False)
