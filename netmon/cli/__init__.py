"""The `netmon` command line. Each command group lives in its own module, listed below."""

from __future__ import annotations

import importlib
import sys

import typer
from rich.markup import escape

from .. import speedups
from ..errors import EXIT_BAD_INPUT, EXIT_FAILURE, InputError, NetmonError
from ..fsmode import private_umask
from .common import err_console

app = typer.Typer(
    name="netmon",
    help="Network and security operations monitor for a four-tier e-government network "
    "(intranet and extranet; central, province, city, county, township).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

# (module, group name or None for top-level commands registered by the module itself)
COMMAND_MODULES: list[tuple[str, str | None]] = [
    ("netmon.cli.inventory", "inventory"),
    ("netmon.cli.alerts", None),  # `alerts` group and top-level `traps`
    ("netmon.cli.poll", None),
    ("netmon.cli.backup", None),
    ("netmon.cli.run", None),
    ("netmon.cli.dashboards", "dashboards"),
    ("netmon.cli.probe", None),
    ("netmon.cli.scan", None),  # `scan` and the `rules` group
    ("netmon.cli.relay", "relay"),
    ("netmon.cli.platforms", "platforms"),
    ("netmon.cli.services", "services"),
    ("netmon.cli.report", "report"),
    ("netmon.cli.syslog", "syslog"),
    ("netmon.cli.topology", "topology"),
]


def _register() -> None:
    for modname, group in COMMAND_MODULES:
        mod = importlib.import_module(modname)
        if group is None:
            mod.register(app)
        else:
            app.add_typer(mod.app, name=group)


_register()


def main() -> None:
    # Everything netmon writes (telemetry, alert state, spool, archive, reports, lab state)
    # describes a classified network: for this account only (README, "Files netmon writes").
    private_umask()
    for src in speedups.stale():  # a compiled module older than its source would run old code
        err_console.print(
            f"[yellow]warning[/yellow] the compiled {src.name} is older than its source: run `make compiled` "
            "(or `python -m netmon.speedups clean` for plain Python)",
            highlight=False,
        )
    try:
        app()
    except InputError as exc:
        for p in exc.problems:
            err_console.print(f"[red]error[/red] {escape(str(p))}", markup=True, highlight=False, soft_wrap=True)
        err_console.print(f"{len(exc.problems)} problem(s); nothing was changed.")
        sys.exit(EXIT_BAD_INPUT)
    except NetmonError as exc:
        err_console.print(f"[red]error[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        sys.exit(EXIT_FAILURE)
    except KeyboardInterrupt:
        sys.exit(130)
