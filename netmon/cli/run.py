"""`netmon run`, `netmon demo` and `netmon lab up|down|status`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..config import load_config
from ..errors import NetmonError
from ..fsmode import open_private, private_dir
from ..inventory import Scope
from ..runtime.logs import setup_logging
from .common import ConfigOpt, ScopeOpt, config_path, console

lab_app = typer.Typer(help="The built-in lab: simulated devices on 127.0.0.1 serving recordings of real devices.",
                      no_args_is_help=True)  # fmt: skip

LabDirOpt = Annotated[Path, typer.Option("--dir", help="where the lab keeps its files, config and state")]


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("demo")(demo)
    app.add_typer(lab_app, name="lab")


def run(
    config: ConfigOpt = None,
    scope: ScopeOpt = None,
    sink: Annotated[str | None, typer.Option(help="override the sink URL of netmon.yaml")] = None,
    cycles: Annotated[int | None, typer.Option(help="stop after N polling cycles (default: run until SIGTERM)")] = None,
    log_json: Annotated[bool, typer.Option("--log-json", help="log one JSON object per line")] = False,
    log_level: Annotated[str | None, typer.Option(help="debug | info | warning | error")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="SNMP polling processes: this one and N-1 workers, devices split by site (default: one per CPU core; 1 = all in this process)",
        ),
    ] = None,
) -> None:
    """Run the daemon: poll the inventory, spool and store every point, evaluate alerts.

    SIGHUP reloads netmon.yaml and the inventory (rates and alert state are kept); SIGTERM or
    Ctrl-C stops cleanly (in-flight polls finish, the spool is flushed, exit 0). Split a
    national network across pollers with --scope, e.g. one process per province:

        netmon run -c /etc/netmon/netmon.yaml --scope region=广东
    """
    from ..runtime.mainjob import MainJob, RunOptions

    cfg = load_config(config_path(config))
    setup_logging(log_level or cfg.log.level, log_json or cfg.log.json_format)
    from ..runtime.workers import default_workers

    opts = RunOptions(
        scope=Scope.parse(scope), sink=sink, max_cycles=cycles, workers=workers or default_workers(),
        log_level=log_level or cfg.log.level, log_json=log_json or cfg.log.json_format,
    )  # fmt: skip
    job = MainJob(cfg, opts)
    # Refuse to start on an SNMP credential that cannot be resolved (as for alert receivers):
    # otherwise the daemon would run, poll nothing and exit 0.
    cfg.check_snmp_credentials(job.devices)
    from ..runtime.gctune import tune_gc

    tune_gc()  # the daemon's own process only (tests run MainJob inside pytest)
    sys.exit(asyncio.run(job.run()))


def demo(
    cycles: Annotated[int | None, typer.Option(help="polling cycles to run (default: until Ctrl-C)")] = None,
    sink: Annotated[str | None, typer.Option(help="store into this sink instead of the lab's SQLite file")] = None,
    interval: Annotated[float, typer.Option(help="seconds between polling cycles")] = 5.0,
    out: Annotated[Path, typer.Option(help="folder for the lab, the database and the HTML report")] = Path(
        "netmon-demo"
    ),
    fault: Annotated[
        str, typer.Option(help="device whose uplink goes down during the run ('' for none)")
    ] = "gd-in-core1",
    fault_at: Annotated[int, typer.Option(help="cycle after which the fault is injected")] = 1,
) -> None:
    """The whole main job on the built-in lab, in one command.

    Starts simulated devices (snmpsim serving recordings of real Huawei, H3C, Cisco, Ruijie and
    ZTE devices; SSH simulators when available) for the sample four-tier network, polls them
    with the real daemon into SQLite (or --sink), takes a provincial uplink down part-way so
    the alert path shows, then prints a NOC summary and writes an HTML report.
    """
    from ..lab.extra import require_lab
    from ..runtime.demo import run_demo

    require_lab()
    # The live status line and the summary tell the story; log lines would only interleave.
    setup_logging("error")
    report = asyncio.run(run_demo(cycles=cycles, sink=sink, interval=interval, out=out, fault=fault, fault_at=fault_at))
    console.print(f"\n[bold]HTML report:[/bold] {report}")


@lab_app.command("up")
def lab_up(
    directory: LabDirOpt = Path(".netmon-lab"),
    inventory: Annotated[Path | None, typer.Option("--inventory", "-i", help="inventory to simulate")] = None,
) -> None:
    """Start the lab in the background and print how to poll it.

    Needs the `lab` extra (pip install 'netmon[lab]'). Example: netmon lab up --dir .netmon-lab
    """
    from ..lab.extra import require_lab

    require_lab()
    directory = directory.resolve()
    state = directory / "state.json"
    if state.exists() and _alive(json.loads(state.read_text())["pid"]):
        raise NetmonError(f"a lab is already running from {directory} (netmon lab down --dir {directory})")
    private_dir(directory)
    (directory / "ready").unlink(missing_ok=True)
    log = os.fdopen(open_private(directory / "lab.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND), "ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "netmon.lab.serve", str(directory), str(inventory or "")],
        stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    with console.status("starting simulated devices..."):
        deadline = time.monotonic() + 120
        while not (directory / "ready").exists():
            if proc.poll() is not None:
                tail = (directory / "lab.log").read_text(errors="replace").splitlines()[-5:]
                raise NetmonError("the lab failed to start:\n" + "\n".join(tail))
            if time.monotonic() > deadline:
                proc.terminate()
                raise NetmonError("the lab did not start within 120 s; see " + str(directory / "lab.log"))
            time.sleep(0.2)
    _print_status(directory)
    console.print(f"\nPoll it:  netmon run -c {directory / 'netmon.yaml'}\nStop it:  netmon lab down --dir {directory}")


@lab_app.command("down")
def lab_down(directory: LabDirOpt = Path(".netmon-lab")) -> None:
    """Stop a lab started with `netmon lab up`."""
    state = directory / "state.json"
    if not state.exists():
        console.print(f"no lab running from {directory}")
        return
    pid = int(json.loads(state.read_text())["pid"])
    if _alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
    state.unlink(missing_ok=True)
    console.print(f"lab stopped ({directory})")


@lab_app.command("status")
def lab_status(directory: LabDirOpt = Path(".netmon-lab")) -> None:
    """Show whether the lab runs and which device answers on which port."""
    if not (directory / "state.json").exists():
        console.print(f"no lab running from {directory}")
        raise typer.Exit(3)
    _print_status(directory)


def _print_status(directory: Path) -> None:
    st = json.loads((directory / "state.json").read_text(encoding="utf-8"))
    alive = _alive(st["pid"])
    t = Table(title=f"lab in {directory}: {'running' if alive else 'NOT running'} (pid {st['pid']})")
    for c in ("device", "SNMP port", "recording"):
        t.add_column(c)
    for name, d in st["devices"].items():
        t.add_row(name, str(d["snmp_port"]), d["recording"])
    console.print(t)
    if not alive:
        raise typer.Exit(3)


def _alive(pid: int) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, PermissionError):
        return False
    # A zombie child still "exists"; check its state.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return True
