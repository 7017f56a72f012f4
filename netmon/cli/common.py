"""Shared CLI plumbing: loading config + inventory + scope, and printing errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ..config import NetmonConfig, load_config
from ..inventory import Device, Inventory, Scope, Topology, load_inventory

console = Console()
err_console = Console(stderr=True)

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", help="netmon.yaml (default: $NETMON_CONFIG, else ./netmon.yaml)", show_default=False
    ),
]
ScopeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--scope",
        "-s",
        help="Select devices: KEY=VALUE with KEY in network, tier, region, province, site, role, vendor, "
        "device, tag.NAME; commas mean OR, repeated options mean AND. E.g. --scope tier=county --scope region=广东/*",
        show_default=False,
    ),
]
InventoryOpt = Annotated[
    list[Path] | None,
    typer.Option("--inventory", "-i", help="Inventory file(s), YAML or CSV, instead of those named in netmon.yaml"),
]


def platform_keys() -> str:
    """The registry's platform keys for --vendor help ("huawei_vrp | h3c_comware | ..."); a
    broken site folder must not break --help (the command itself reports it)."""
    from ..errors import InputError
    from ..platforms import platforms

    try:
        return " | ".join(platforms())
    except InputError:
        return "see `netmon platforms list`"


def config_path(config: Path | None) -> Path:
    import os

    if config is not None:
        return config
    env = os.environ.get("NETMON_CONFIG")
    return Path(env) if env else Path("netmon.yaml")


@dataclass
class Context:
    config: NetmonConfig | None
    inventory: Inventory
    topology: Topology
    scope: Scope

    @property
    def selected(self) -> list[Device]:
        """The devices in scope; none is an EmptyScope error (exit 1) naming the scope."""
        return self.scope.require(self.inventory)


def load_context(config: Path | None, inventory: list[Path] | None, scope: list[str] | None) -> Context:
    sc = Scope.parse(scope)
    cfg: NetmonConfig | None = None
    if inventory:
        files = inventory
    else:
        cfg = load_config(config_path(config))
        files = cfg.inventory
    inv = load_inventory(files)
    return Context(cfg, inv, Topology(inv), sc)
