"""The topology as text (a tree with link state) and as an SVG map (tiers as rows, links coloured
by state; isolation breaches and undocumented links drawn over the declared tree)."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from ..inventory import Device, Topology
from .diff import TopologyDiff

# IF-MIB oper_status of the child's uplink port, and what it is drawn as.
STATE_COLOURS = {"up": "#2e7d32", "down": "#c62828", "unknown": "#9e9e9e"}


def link_state(
    child: Device, parent: str, local_interface: str | None, interface: str | None,
    states: dict[tuple[str, str], int], reach: dict[str, bool],
) -> str:  # fmt: skip
    """up/down from the last poll: the child's port (else the parent's), else device reachability."""
    for dev, ifname in ((child.name, local_interface), (parent, interface)):
        if ifname:
            v = states.get((dev, ifname.lower()))
            if v is not None:
                return "up" if v == 1 else "down"
    if reach.get(child.name) is False:
        return "down"
    if reach.get(child.name) and reach.get(parent):
        return "up"
    return "unknown"


def tree_lines(
    topo: Topology, selected: set[str], states: dict[tuple[str, str], int], reach: dict[str, bool],
    diff: TopologyDiff | None = None,
) -> list[str]:  # fmt: skip
    """One line per device, indented under its primary uplink, with the state of that link."""
    verdicts = {(v.child, v.parent): v.state for v in diff.links} if diff else {}
    keep = set(selected)
    for name in selected:
        keep.update(topo.ancestors(name))
    lines = []
    for depth, name in topo.walk():
        if name not in keep:
            continue
        d = topo.device(name)
        tail = ""
        if d.uplinks:
            up = d.uplinks[0]
            st = link_state(d, up.device, up.local_interface, up.interface, states, reach)
            lldp = verdicts.get((name, up.device))
            tail = f"  [{st}]" + (f" lldp:{lldp}" if lldp else "")
            if up.local_interface:
                tail += f"  {up.local_interface} -> {up.interface or '?'}"
        lines.append(f"{'  ' * depth}{name} ({d.network.value} {d.tier.value} {d.site}){tail}")
    if diff is not None:
        for a in diff.breaches:
            lines.append(f"!! ISOLATION BREACH {a.a} {a.a_interface} <-> {a.b} {a.b_interface}")
        for a in diff.undocumented:
            lines.append(f"?? undocumented link {a.a} {a.a_interface} <-> {a.b} {a.b_interface}")
    return lines


def svg_map(
    topo: Topology, selected: Iterable[str], states: dict[tuple[str, str], int], reach: dict[str, bool],
    diff: TopologyDiff | None = None, width_per_node: int = 150, row_height: int = 110,
) -> str:  # fmt: skip
    """A self-contained SVG: one row per tier (intranet left, extranet right), uplinks as lines
    coloured by state, breaches as thick red dashes, undocumented links as orange dashes."""
    names = set(selected)
    for n in list(names):
        names.update(topo.ancestors(n))
    devs = [topo.device(n) for n in sorted(names)]
    rows: dict[tuple[int, str], list[Device]] = {}
    for d in devs:
        rows.setdefault((d.tier.depth, d.network.value), []).append(d)
    order = {n: i for i, (_, n) in enumerate(topo.walk())}
    pos: dict[str, tuple[float, float]] = {}
    half = max((len(v) for v in rows.values()), default=1) * width_per_node
    for (depth, net), members in rows.items():
        members.sort(key=lambda d: order.get(d.name, 0))
        x0 = 20 if net == "intranet" else 60 + half
        for i, d in enumerate(members):
            pos[d.name] = (x0 + i * width_per_node + width_per_node / 2, 40 + depth * row_height)
    width = int(2 * half + 100)
    height = int(80 + (max((d.tier.depth for d in devs), default=0) + 1) * row_height)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
        '<text x="20" y="16" font-weight="bold">内网 intranet</text>',
        f'<text x="{60 + half}" y="16" font-weight="bold">外网 extranet</text>',
    ]
    for d in devs:
        for up in d.uplinks:
            if up.device not in pos or d.name not in pos:
                continue
            st = link_state(d, up.device, up.local_interface, up.interface, states, reach)
            (x1, y1), (x2, y2) = pos[d.name], pos[up.device]
            out.append(
                f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="{STATE_COLOURS[st]}" stroke-width="2">'
                f"<title>{escape(d.name)} {escape(up.local_interface or '')} → {escape(up.device)} {escape(up.interface or '')}: {st}</title></line>"
            )
    for kind, links, colour, dash, w in (
        ("undocumented", diff.undocumented if diff else [], "#ef6c00", "6,4", 2),
        ("ISOLATION BREACH", diff.breaches if diff else [], "#d50000", "10,4", 4),
    ):
        for a in links:
            if a.a in pos and a.b in pos:
                (x1, y1), (x2, y2) = pos[a.a], pos[a.b]
                out.append(
                    f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="{colour}" stroke-width="{w}" '
                    f'stroke-dasharray="{dash}"><title>{kind}: {escape(a.a)} {escape(a.a_interface)} ↔ {escape(a.b)} '
                    f"{escape(a.b_interface)}</title></line>"
                )
    for d in devs:
        x, y = pos[d.name]
        fill = "#c62828" if reach.get(d.name) is False else "#e3f2fd" if d.network.value == "intranet" else "#fff3e0"
        out.append(
            f'<rect x="{x - 60:.0f}" y="{y - 12:.0f}" width="120" height="24" rx="4" fill="{fill}" stroke="#555"/>'
        )
        out.append(f'<text x="{x:.0f}" y="{y + 4:.0f}" text-anchor="middle">{escape(d.name[:22])}</text>')
    out.append("</svg>")
    return "\n".join(out)
