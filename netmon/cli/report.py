"""`netmon report`: availability reports (placeholder replaced below)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Reports.", no_args_is_help=True)
