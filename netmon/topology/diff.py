"""The inventory's uplinks against the neighbours devices report: what the network really is.

For every declared uplink (child -> parent) the verdict is *confirmed* (an adjacency between the
two was seen, from either end), *missing* (at least one end has a fresh LLDP table and neither
shows the other) or *unverified* (no LLDP table from either end). Adjacencies between inventory
devices that no uplink declares are *undocumented*; any adjacency between an intranet and an
extranet device is an *isolation breach* (critical: the networks must never touch). Neighbours
that resolve to no inventory device are *unknown*.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..inventory import Device, Inventory, Network
from .neighbors import Neighbour, Resolver, Walk, norm_interface


@dataclass(frozen=True)
class Adjacency:
    """Two inventory devices seen next to each other (a, b sorted by name), with the ports."""

    a: str
    b: str
    a_interface: str = ""
    b_interface: str = ""
    seen_by: str = ""  # the device whose table showed it
    how: str = ""  # how the neighbour was resolved: name, address, chassis
    source: str = ""


@dataclass
class LinkVerdict:
    child: str
    parent: str
    interface: str  # on the parent (as declared)
    local_interface: str  # on the child (as declared)
    state: str  # confirmed | missing | unverified
    observed: Adjacency | None = None
    note: str = ""


@dataclass
class TopologyDiff:
    links: list[LinkVerdict] = field(default_factory=list)
    undocumented: list[Adjacency] = field(default_factory=list)
    breaches: list[Adjacency] = field(default_factory=list)
    unknown: list[Neighbour] = field(default_factory=list)
    walked: dict[str, Walk] = field(default_factory=dict)

    @property
    def missing(self) -> list[LinkVerdict]:
        return [v for v in self.links if v.state == "missing"]

    @property
    def clean(self) -> bool:
        return not (self.missing or self.undocumented or self.breaches)

    def to_json(self) -> dict[str, Any]:
        def adj(a: Adjacency) -> dict[str, str]:
            return {"a": a.a, "a_interface": a.a_interface, "b": a.b, "b_interface": a.b_interface,
                    "seen_by": a.seen_by, "resolved_by": a.how, "source": a.source}  # fmt: skip

        return {
            "isolation_breaches": [adj(a) for a in self.breaches],
            "missing": [self._link(v) for v in self.missing],
            "undocumented": [adj(a) for a in self.undocumented],
            "unknown_neighbours": [
                {
                    "device": n.device,
                    "local_interface": n.local_interface,
                    "name": n.name,
                    "interface": n.interface,
                    "chassis_id": n.chassis_id,
                    "mgmt_address": n.mgmt_address,
                    "source": n.source,
                }
                for n in self.unknown
            ],
            "links": [self._link(v) for v in self.links],
            "devices_with_lldp": sorted(d for d, w in self.walked.items() if w.lldp),
        }

    @staticmethod
    def _link(v: LinkVerdict) -> dict[str, str]:
        return {"child": v.child, "local_interface": v.local_interface, "parent": v.parent, "interface": v.interface,
                "state": v.state, "note": v.note}  # fmt: skip


def adjacencies(walks: Iterable[Walk], resolver: Resolver) -> tuple[list[Adjacency], list[Neighbour]]:
    """Inventory-to-inventory adjacencies (deduplicated across both ends) and unknown neighbours."""
    seen: dict[tuple[str, str, str, str], Adjacency] = {}
    unknown: list[Neighbour] = []
    for w in walks:
        for n in w.neighbours or []:
            dev, how = resolver.resolve(n)
            if dev is None:
                unknown.append(n)
                continue
            if dev.name == n.device:
                continue  # a loop back to itself (a port looped to another port): not a link
            ends = sorted([(n.device, n.local_interface), (dev.name, n.interface)])
            key = (ends[0][0], norm_interface(ends[0][1]), ends[1][0], norm_interface(ends[1][1]))
            if key not in seen:
                seen[key] = Adjacency(ends[0][0], ends[1][0], ends[0][1], ends[1][1], n.device, how, n.source)
    return list(seen.values()), unknown


def diff(inventory: Inventory, walks: dict[str, Walk], devices: Iterable[Device] | None = None) -> TopologyDiff:
    """Compare uplinks of ``devices`` (default all) with the neighbour tables in ``walks``."""
    own = {d: w.chassis_id for d, w in walks.items() if w.chassis_id}
    resolver = Resolver(inventory, own)
    scope = {d.name for d in (devices if devices is not None else inventory)}
    adj, unknown = adjacencies(walks.values(), resolver)
    out = TopologyDiff(
        unknown=[n for n in unknown if n.device in scope], walked={d: w for d, w in walks.items() if d in scope}
    )
    pairs: dict[frozenset[str], list[Adjacency]] = {}
    for a in adj:
        pairs.setdefault(frozenset((a.a, a.b)), []).append(a)
    declared: set[frozenset[str]] = set()
    for d in inventory:
        for up in d.uplinks:
            if up.device not in inventory.devices:
                continue
            key = frozenset((d.name, up.device))
            declared.add(key)
            if d.name not in scope and up.device not in scope:
                continue
            seen = pairs.get(key, [])
            lldp_ends = [x for x in (d.name, up.device) if x in walks and walks[x].lldp]
            if seen:
                v = LinkVerdict(d.name, up.device, up.interface or "", up.local_interface or "", "confirmed", seen[0])
                v.note = _port_note(d.name, up.local_interface, up.device, up.interface, seen)
            elif lldp_ends:
                v = LinkVerdict(d.name, up.device, up.interface or "", up.local_interface or "", "missing",
                                note=f"LLDP of {', '.join(lldp_ends)} shows no such neighbour")  # fmt: skip
            else:
                v = LinkVerdict(d.name, up.device, up.interface or "", up.local_interface or "", "unverified",
                                note="no LLDP table from either end")  # fmt: skip
            out.links.append(v)
    for key, seen in pairs.items():
        names = sorted(key)
        if not (set(names) & scope):
            continue
        da, db = inventory[names[0]], inventory[names[1]]
        if da.network != db.network:
            out.breaches.extend(seen)
        elif key not in declared:
            out.undocumented.extend(seen)
    return out


def _port_note(child: str, local_if: str | None, parent: str, parent_if: str | None, seen: list[Adjacency]) -> str:
    """Say when the link is there but on other ports than the inventory declares."""
    want = {child: norm_interface(local_if or ""), parent: norm_interface(parent_if or "")}
    for a in seen:
        got = {a.a: norm_interface(a.a_interface), a.b: norm_interface(a.b_interface)}
        if all(not want[x] or not got.get(x) or want[x] == got[x] for x in want):
            return ""
    a = seen[0]
    return f"seen on {a.a} {a.a_interface} <-> {a.b} {a.b_interface}, not on the declared ports"


def isolation_breach(dev: Device, other: Device) -> bool:
    return dev.network != other.network and {dev.network, other.network} == {Network.intranet, Network.extranet}
