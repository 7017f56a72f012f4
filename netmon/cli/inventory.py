"""`netmon inventory validate|show|tree|generate`."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

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
        t.add_row(
            d.name, d.address, d.network.value, d.tier.value, d.region or "-", d.site, d.role, d.vendor, up or "-"
        )
    console.print(t)


def tree_lines(parents: list[int | None], labels: list[str]) -> list[str]:
    """Lines of a tree drawn with guides (as `tree(1)` does): ``parents[i]`` is the index of row
    i's parent row (None: under the top), rows in depth-first order. Linear in rows."""
    last = [True] * len(parents)
    seen: dict[int | None, int] = {}
    for i, p in enumerate(parents):
        if p in seen:
            last[seen[p]] = False  # an earlier sibling has a later one
        seen[p] = i
    cont: list[str] = []  # the guide prefix under each row, for its children
    out = []
    for i, p in enumerate(parents):
        pre = cont[p] if p is not None else ""
        out.append(f"{pre}{'└── ' if last[i] else '├── '}{labels[i]}")
        cont.append(pre + ("    " if last[i] else "│   "))
    return out


@app.command()
def tree(config: ConfigOpt = None, inventory: InventoryOpt = None, scope: ScopeOpt = None) -> None:
    """Draw the hierarchy, centre to township, with device counts per tier and network.

    Each device is drawn under its primary (first) uplink; devices outside --scope are shown dim
    only where they lead to one inside it. A chain of same-tier devices at one site (switches
    daisy-chained behind a core) is drawn as one list under its first member, each line naming
    the device it hangs off ("via ..."), so long chains stay readable.

    Example: netmon inventory tree -c netmon.yaml --scope region=广东/广州
    """
    ctx = load_context(config, inventory, scope)
    selected = {d.name for d in ctx.selected}
    topo = ctx.topology
    # Written directly, styled with plain ANSI codes on a colour terminal: rich's Tree (or a rich
    # print per line) costs ~0.3 ms a line, more than the rest of the command on 30,000 devices.
    styled = console.is_terminal and console.color_system is not None and not console.no_color

    def bold(text: str) -> str:
        return f"\x1b[1m{text}\x1b[0m" if styled else text

    def dim(text: str) -> str:
        return f"\x1b[2m{text}\x1b[0m" if styled else text

    labels = []
    drawn = topo.draw(selected)
    for r in drawn:
        d = topo.device(r.name)
        if r.name in selected:
            where = d.region or "中央"
            label = f"{bold(r.name)} {dim(f'{d.tier.value} {d.role} {d.vendor} {where}')}"
        else:
            label = dim(r.name)  # kept only to show the path to selected devices
        if r.via:
            label += " " + dim(f"via {r.via}")
        labels.append(label)
    lines = [bold("netmon topology"), *tree_lines([r.parent for r in drawn], labels)]
    console.file.write("\n".join(lines) + "\n")
    console.file.flush()
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
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="write here instead of stdout; .csv writes CSV")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", "-f", help="yaml | csv (default: from --out's suffix, else yaml)")
    ] = None,
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
