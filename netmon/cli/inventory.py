"""`netmon inventory validate|show|tree|generate`."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.tree import Tree

from ..inventory.generate import dump, dump_csv, generate
from ..inventory.model import Network, Tier
from .common import ConfigOpt, InventoryOpt, ScopeOpt, console, load_context

app = typer.Typer(help="Validate, list and draw the four-tier inventory.", no_args_is_help=True)


@app.command()
def validate(config: ConfigOpt = None, inventory: InventoryOpt = None, scope: ScopeOpt = None) -> None:
    """Check the inventory: fields, duplicates, uplinks, tiers, cycles. Exit 2 listing every problem."""
    ctx = load_context(config, inventory, scope)
    sel = ctx.selected
    console.print(f"[green]OK[/green] {len(ctx.inventory)} devices valid; {len(sel)} in scope ({ctx.scope})")


@app.command()
def show(
    config: ConfigOpt = None,
    inventory: InventoryOpt = None,
    scope: ScopeOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table | json")] = "table",
) -> None:
    """List devices in scope with their placement."""
    ctx = load_context(config, inventory, scope)
    sel = ctx.selected
    if fmt == "json":
        for d in sel:
            sys.stdout.write(json.dumps(d.model_dump(mode="json"), ensure_ascii=False) + "\n")
        return
    t = Table(title=f"{len(sel)} devices ({ctx.scope})")
    for col in ("device", "address", "network", "tier", "region", "site", "role", "vendor", "uplink"):
        t.add_column(col)
    for d in sel:
        up = ", ".join(f"{u.device}" + (f" {u.interface}" if u.interface else "") for u in d.uplinks)
        t.add_row(d.name, d.address, d.network.value, d.tier.value, d.region or "-", d.site, d.role, d.vendor, up or "-")
    console.print(t)


@app.command()
def tree(config: ConfigOpt = None, inventory: InventoryOpt = None, scope: ScopeOpt = None) -> None:
    """Draw the hierarchy, centre to township, with device counts per tier and network."""
    ctx = load_context(config, inventory, scope)
    selected = {d.name for d in ctx.selected}
    topo = ctx.topology
    root = Tree("[bold]netmon topology[/bold]")
    nodes: dict[int, Tree] = {-1: root}
    for depth, name in topo.walk():
        d = topo.device(name)
        # Keep ancestors of selected devices so the path stays readable.
        if name not in selected and not (set(topo.descendants(name)) & selected):
            continue
        label = f"[bold]{name}[/bold] [dim]{d.tier.value} {d.role} {d.vendor} {d.region or '中央'}[/dim]"
        if name not in selected:
            label = f"[dim]{name}[/dim]"
        parent = nodes.get(depth - 1, root)
        nodes[depth] = parent.add(label)
    console.print(root)
    counts = Counter((d.network, d.tier) for d in ctx.selected)
    t = Table(title="devices per tier and network")
    t.add_column("tier")
    for n in Network:
        t.add_column(n.value, justify="right")
    t.add_column("total", justify="right")
    for tier in Tier:
        row = [counts[(n, tier)] for n in Network]
        t.add_row(tier.value, *map(str, row), str(sum(row)))
    t.add_row("[bold]total[/bold]", *(str(sum(counts[(n, x)] for x in Tier)) for n in Network), str(len(ctx.selected)))
    console.print(t)


@app.command("generate")
def generate_cmd(
    size: Annotated[str, typer.Option(help="small (~60 devices) or national (~33,000)")] = "small",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="write here instead of stdout; .csv writes CSV")] = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="yaml | csv (default: from --out's suffix, else yaml)")] = None,
) -> None:
    """Generate the sample four-tier network (deterministic).

    Example: netmon inventory generate --size national -o national.csv
    """
    fmt = fmt or ("csv" if out is not None and out.suffix.lower() == ".csv" else "yaml")
    doc = generate(size)
    text = dump_csv(doc) if fmt == "csv" else dump(doc)
    if out:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")
    else:
        sys.stdout.write(text)
