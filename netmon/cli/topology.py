"""`netmon topology diff|show`: the inventory's uplinks against what LLDP says, and the map."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import InputError
from .common import ConfigOpt, ScopeOpt, console, load_context

app = typer.Typer(
    help="Topology truth from the network's own neighbour tables (LLDP over SNMP, walked by `netmon run` "
    "on the health interval, and the SSH `lldp` tables of `netmon backup`): undocumented links, declared "
    "links that are missing, and intranet-extranet adjacencies (isolation breaches). See docs/TOPOLOGY.md.",
    no_args_is_help=True,
)

MaxAgeOpt = Annotated[
    str | None,
    typer.Option("--max-age", help="ignore neighbour tables older than this (default: topology.max_age, 2d)"),
]
LiveOpt = Annotated[
    bool, typer.Option("--live", help="walk LLDP-MIB of the selected devices now instead of reading the sink")
]
SinkOpt = Annotated[str | None, typer.Option("--sink", help="read this sink instead of netmon.yaml's")]


def _walks(ctx: Any, max_age: str | None, live: bool, sink: str | None) -> dict[str, Any]:
    from ..alerting.durations import parse_duration
    from ..topology.neighbors import walks_from_points
    from ..topology.settings import load_topology_settings
    from ..topology.source import live_points, walks_from_sink

    cfg = ctx.config
    settings = load_topology_settings(cfg.topology, str(cfg.path))
    try:
        age = parse_duration(max_age) if max_age else settings.max_age
    except ValueError as exc:
        raise InputError.one("--max-age", str(exc)) from None
    base = cfg.path.resolve().parent if cfg.path else None
    if live:
        return walks_from_points(asyncio.run(live_points(cfg, ctx.selected)))
    return asyncio.run(walks_from_sink(cfg, base, age, sink))


@app.command("diff")
def diff_cmd(
    config: ConfigOpt = None,
    scope: ScopeOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
    propose: Annotated[
        Path | None,
        typer.Option(
            "--propose", help="write inventory uplinks for the undocumented links to this YAML file ('-': stdout)"
        ),
    ] = None,
    max_age: MaxAgeOpt = None,
    live: LiveOpt = False,
    sink: SinkOpt = None,
) -> None:
    """Compare the inventory's uplinks with the LLDP neighbours the devices report.

    Lists, for the selected devices: isolation breaches (an intranet device adjacent to an
    extranet one: critical), declared uplinks that are missing (an end has LLDP and shows no such
    neighbour), undocumented links between inventory devices, and unknown neighbours (resolved by
    system name, management address or chassis id to no device). Declared links with no LLDP at
    either end are 'unverified'. Reads what `netmon run` stored (default) or walks now (--live).
    Exit 0 when the inventory matches, 1 when there are breaches, missing or undocumented links.

    Examples:
      netmon topology diff -c /etc/netmon/netmon.yaml --scope region=广东
      netmon topology diff --scope tier=county --propose uplinks.yaml
      netmon topology diff --live --scope device=gd-gz-core1 --format json
    """
    from ..topology.diff import diff
    from ..topology.propose import propose as make_proposal

    if fmt not in ("table", "json"):
        raise InputError.one("--format", f"{fmt!r}: use table or json")
    ctx = load_context(config, None, scope)
    walks = _walks(ctx, max_age, live, sink)
    d = diff(ctx.inventory, walks, ctx.selected)
    if propose is not None:
        text = make_proposal(ctx.inventory, d.undocumented)
        if str(propose) == "-":
            sys.stdout.write(text)
        else:
            propose.write_text(text, encoding="utf-8")
            console.print(f"proposed uplinks written to {propose}")
    if fmt == "json":
        console.print_json(json.dumps(d.to_json(), ensure_ascii=False))
    elif str(propose) != "-":
        _print_diff(d)
    if not d.clean:
        raise typer.Exit(1)


def _table(title: str, columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    if not rows:
        return
    t = Table(title=title)
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*r)
    console.print(t)


def _print_diff(d: Any) -> None:
    with_lldp = sum(1 for w in d.walked.values() if w.lldp)
    console.print(f"neighbour tables: {with_lldp} devices with LLDP, {len(d.walked) - with_lldp} without")

    def adj(links: list[Any]) -> list[tuple[str, ...]]:
        return [(a.a, a.a_interface, a.b, a.b_interface, f"{a.seen_by} ({a.source}, {a.how})") for a in links]

    def links(vs: list[Any]) -> list[tuple[str, ...]]:
        return [(v.child, v.local_interface, v.parent, v.interface, v.note) for v in vs]

    _table("[bold red]ISOLATION BREACHES (intranet ↔ extranet)[/bold red]",
           ("device", "interface", "adjacent to", "its interface", "seen by"), adj(d.breaches))  # fmt: skip
    counts = {s: sum(v.state == s for v in d.links) for s in ("confirmed", "missing", "unverified")}
    console.print(
        f"declared uplinks: {counts['confirmed']} confirmed, {counts['missing']} missing, {counts['unverified']} unverified"
    )
    link_cols = ("child", "local interface", "parent", "interface", "why")
    _table("missing (declared, not seen)", link_cols, links(d.missing))
    _table("confirmed on other ports", link_cols, links([v for v in d.links if v.state == "confirmed" and v.note]))
    _table("undocumented links (seen, not in the inventory)",
           ("device", "interface", "device", "interface", "seen by"), adj(d.undocumented))  # fmt: skip
    _table(
        "unknown neighbours (not in the inventory)",
        ("device", "local interface", "neighbour", "its interface", "chassis id", "address"),
        [(n.device, n.local_interface, n.name or "-", n.interface, n.chassis_id, n.mgmt_address) for n in d.unknown],
    )
    if d.clean:
        console.print("[green]the inventory matches what the devices see[/green]")


@app.command("show")
def show_cmd(
    config: ConfigOpt = None,
    scope: ScopeOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, svg or json")] = "text",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="write to this file (svg: default topology.svg)")
    ] = None,
    max_age: MaxAgeOpt = None,
    sink: SinkOpt = None,
) -> None:
    """Show the tree of the selected devices with the state of each uplink from the last poll
    (up/down of the child's uplink port, else device reachability), the LLDP verdict of the link,
    and breaches and undocumented links on top. `--format svg` draws a map (intranet and extranet
    side by side, a row per tier) for the HTML report or a browser.

    Examples:
      netmon topology show -c /etc/netmon/netmon.yaml --scope region=广东/广州
      netmon topology show --scope network=intranet --format svg -o intranet.svg
    """
    from ..topology.diff import diff
    from ..topology.render import link_state, svg_map, tree_lines
    from ..topology.source import link_states

    if fmt not in ("text", "svg", "json"):
        raise InputError.one("--format", f"{fmt!r}: use text, svg or json")
    ctx = load_context(config, None, scope)
    cfg = ctx.config
    assert cfg is not None  # load_context read netmon.yaml (no --inventory here)
    base = cfg.path.resolve().parent if cfg.path else None
    states, reach = asyncio.run(link_states(cfg, base, sink))
    d = diff(ctx.inventory, _walks(ctx, max_age, False, sink), ctx.selected)
    names = {x.name for x in ctx.selected}
    if fmt == "svg":
        path = out or Path("topology.svg")
        path.write_text(svg_map(ctx.topology, names, states, reach, d), encoding="utf-8")
        console.print(f"map written to {path}")
        return
    if fmt == "json":
        links = []
        for dev in ctx.selected:
            for up in dev.uplinks:
                links.append({"child": dev.name, "parent": up.device, "local_interface": up.local_interface,
                              "interface": up.interface,
                              "state": link_state(dev, up.device, up.local_interface, up.interface, states, reach)})  # fmt: skip
        text = json.dumps({"links": links, "diff": d.to_json()}, ensure_ascii=False, indent=1)
    else:
        text = "\n".join(tree_lines(ctx.topology, names, states, reach, d))
    if out is not None:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"written to {out}")
    else:
        console.print(escape(text), highlight=False, soft_wrap=True)
