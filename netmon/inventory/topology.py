"""The topology tree, central down to township, built from tiers, region paths and uplinks.

A device's parents are its uplinks. An uplink must point to a device of a higher tier
(nearer the centre), or of the same tier at the same site (an access switch behind its site's
core). Devices with no uplinks are roots; normally only the centre has them. Several uplinks
make a DAG: the first is the primary path, and a device is cut off only when every path to a
root is down (the alert engine asks ``ancestors`` for that).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from ..errors import Problem
from .load import Inventory
from .model import Device


def topology_problems(
    inv: Inventory,
    sources: Mapping[str, str] | None = None,
    lines: Mapping[str, int | None] | None = None,
    ignore_missing: set[str] | frozenset[str] = frozenset(),
) -> list[Problem]:
    """Dangling uplinks, tier inversions and cycles, each named with file and line."""
    sources = sources or {}
    lines = lines or {}
    out: list[Problem] = []

    def add(dev: Device, reason: str, field: str) -> None:
        out.append(
            Problem(sources.get(dev.name, "inventory"), f"device {dev.name}: {reason}", lines.get(dev.name), field)
        )

    for dev in inv:
        for i, up in enumerate(dev.uplinks):
            parent = inv.devices.get(up.device)
            fld = f"uplinks[{i}].device"
            if parent is None:
                if up.device in ignore_missing:
                    continue  # already reported as invalid; don't cascade
                add(dev, f"uplink to {up.device!r}, which is not in the inventory", fld)
            elif parent.name == dev.name:
                add(dev, "uplink to itself", fld)
            elif parent.tier.depth > dev.tier.depth:
                add(
                    dev,
                    f"tier inversion: a {dev.tier.value} device cannot uplink to {parent.name} ({parent.tier.value})",
                    fld,
                )
            elif parent.tier == dev.tier and parent.site != dev.site:
                add(
                    dev,
                    f"uplink to {parent.name} of the same tier ({dev.tier.value}) at another site; "
                    "uplinks go toward the centre",
                    fld,
                )
            elif parent.network != dev.network:
                add(dev, f"uplink crosses networks ({dev.network.value} -> {parent.network.value} {parent.name})", fld)
    # Cycles can only form among same-tier, same-site links, but check generally.
    state: dict[str, int] = {}
    for start in inv.devices:
        if state.get(start):
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(_parents(inv, start)))]
        state[start] = 1
        path = [start]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
                continue
            if state.get(nxt) == 1:
                cyc = [*path[path.index(nxt) :], nxt]
                add(inv[node], "uplink cycle: " + " -> ".join(cyc), "uplinks")
            elif not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, iter(_parents(inv, nxt))))
                path.append(nxt)
    return out


def _parents(inv: Inventory, name: str) -> list[str]:
    return [u.device for u in inv[name].uplinks if u.device in inv.devices and u.device != name]


class Topology:
    """Navigation over a validated inventory."""

    def __init__(self, inv: Inventory) -> None:
        self.inventory = inv
        self._children: dict[str, list[str]] = defaultdict(list)
        for dev in inv:
            for up in dev.uplinks:
                if up.device in inv.devices:
                    self._children[up.device].append(dev.name)

    def device(self, name: str) -> Device:
        return self.inventory[name]

    def parents(self, name: str) -> list[str]:
        return _parents(self.inventory, name)

    def children(self, name: str) -> list[str]:
        return list(self._children.get(name, ()))

    def roots(self) -> list[str]:
        return [d.name for d in self.inventory if not self.parents(d.name)]

    def path_to_root(self, name: str) -> list[str]:
        """Primary path: the device, its first uplink, that one's first uplink, ... to a root."""
        path = [name]
        seen = {name}
        while True:
            ps = self.parents(path[-1])
            if not ps or ps[0] in seen:
                return path
            path.append(ps[0])
            seen.add(ps[0])

    def ancestors(self, name: str) -> set[str]:
        return self.with_ancestors(self.parents(name))

    def descendants(self, name: str) -> list[str]:
        """Everything below the device, breadth first (each once)."""
        out: list[str] = []
        seen = {name}
        queue = deque(self.children(name))
        while queue:
            n = queue.popleft()
            if n in seen:
                continue
            seen.add(n)
            out.append(n)
            queue.extend(self.children(n))
        return out

    def cut_off_by(self, down: set[str], name: str) -> bool:
        """True if every path from ``name`` to a root passes through a device in ``down``."""
        seen: set[str] = set()
        todo = [name]
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            ps = self.parents(n)
            if not ps and n not in down:
                return False
            todo.extend(p for p in ps if p not in down)
        return True

    def with_ancestors(self, names: Iterable[str]) -> set[str]:
        """The devices and everything above them on any path (linear in devices + uplinks)."""
        keep: set[str] = set()
        todo = list(names)
        while todo:
            n = todo.pop()
            if n not in keep:
                keep.add(n)
                todo.extend(self.parents(n))
        return keep

    def draw(self, selected: Iterable[str] | None = None) -> list[DrawRow]:
        """Rows of the drawn hierarchy (primary uplinks), in order, for ``selected`` devices and
        their ancestors. A chain of same-tier devices at one site (access switches daisy-chained
        behind a core) is drawn as siblings under its first member, each saying which device it
        hangs off (``via``): indentation stays bounded by the tiers, so a 20,000-device chain
        draws in linear time and stays readable."""
        keep = self.with_ancestors(selected) if selected is not None else None
        rows: list[DrawRow] = []
        row_of: dict[str, int] = {}
        for _depth, name in self.walk():
            if keep is not None and name not in keep:
                continue
            ps = self.parents(name)
            primary = ps[0] if ps else None
            if primary is None or primary not in row_of:
                rows.append(DrawRow(name, None))
            else:
                prow = rows[row_of[primary]]
                hop = prow.parent is not None and self._chained(primary, rows[prow.parent].name)
                if hop and self._chained(name, primary):
                    rows.append(DrawRow(name, prow.parent, via=primary))  # a chain hop: beside the one before
                else:
                    rows.append(DrawRow(name, row_of[primary]))
            row_of[name] = len(rows) - 1
        return rows

    def _chained(self, child: str, parent: str) -> bool:
        c, p = self.inventory[child], self.inventory[parent]
        return c.tier == p.tier and c.site == p.site

    def walk(self) -> Iterable[tuple[int, str]]:
        """Depth-first (depth, name) over the primary tree, for drawing."""
        primary_children: dict[str, list[str]] = defaultdict(list)
        for d in self.inventory:
            ps = self.parents(d.name)
            if ps:
                primary_children[ps[0]].append(d.name)
        stack = [(0, r) for r in reversed(self.roots())]
        while stack:
            depth, n = stack.pop()
            yield depth, n
            stack.extend((depth + 1, c) for c in reversed(primary_children.get(n, ())))


@dataclass(frozen=True, slots=True)
class DrawRow:
    """One device in :meth:`Topology.draw`: ``parent`` is the index of the row it is drawn under
    (None: a root); ``via`` names its uplink when that is not the row it is drawn under."""

    name: str
    parent: int | None
    via: str | None = None
