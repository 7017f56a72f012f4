"""Root cause from the topology: which down devices are causes, which are merely cut off.

Given the set of devices down in a cycle, a device is *cut off* when every path from it to
the centre passes through another down device (``Topology.cut_off_by``); its alerts are
suppressed and name the root cause. A down device that is not cut off is a *root*: its alert
is the one incident that goes out, listing the impact (devices cut off, by tier, and sites).
The intranet and extranet are separate trees in the topology, so each has its own roots.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..inventory import Topology


@dataclass
class Analysis:
    down: frozenset[str]
    roots: set[str] = field(default_factory=set)
    cause_of: dict[str, str] = field(default_factory=dict)  # cut-off device -> root device
    impact: dict[str, dict[str, Any]] = field(default_factory=dict)  # root -> impact summary
    # interfaces that are the two ends of a root's uplinks: (device, ifName) -> root
    uplink_ends: dict[tuple[str, str], str] = field(default_factory=dict)


class RootCause:
    def __init__(self, topology: Topology | None) -> None:
        self.topology = topology
        self._last: Analysis = Analysis(frozenset())

    def analyse(self, down: set[str] | frozenset[str]) -> Analysis:
        """Recomputed only when the down set changes (cost ~ devices below the down ones)."""
        down = frozenset(down)
        if down == self._last.down:
            return self._last
        a = Analysis(down)
        topo = self.topology
        if topo is None:
            a.roots = set(down)
            self._last = a
            return a
        known = {d for d in down if d in topo.inventory.devices}
        a.roots = {d for d in down if d not in known}
        candidates: set[str] = set()
        for d in known:
            candidates.add(d)
            candidates.update(topo.descendants(d))
        cut = {c for c in candidates if topo.cut_off_by(known - {c}, c)}
        a.roots |= known - cut
        for c in cut:
            a.cause_of[c] = self._nearest_root(c, a.roots)
        for r in a.roots:
            if r not in topo.inventory.devices:
                continue
            behind = sorted(c for c, root in a.cause_of.items() if root == r)
            devs = [topo.device(n) for n in behind]
            a.impact[r] = {
                "devices": len(devs),
                "by_tier": dict(Counter(d.tier.value for d in devs)),
                "sites": sorted({d.site for d in devs}),
                "network": topo.device(r).network.value,
            }
            me = topo.device(r)
            for up in me.uplinks:
                if up.interface:
                    a.uplink_ends[(up.device, up.interface)] = r
                if up.local_interface:
                    a.uplink_ends[(r, up.local_interface)] = r
        self._last = a
        return a

    def _nearest_root(self, name: str, roots: set[str]) -> str:
        assert self.topology is not None
        for n in self.topology.path_to_root(name)[1:]:
            if n in roots:
                return n
        anc = self.topology.ancestors(name) & roots
        return sorted(anc)[0] if anc else ""


def impact_text(impact: dict[str, Any], lang: str) -> str:
    if not impact or not impact.get("devices"):
        return ""
    order = ["central", "province", "city", "county", "township"]
    zh_tier = {"central": "中央", "province": "省", "city": "市", "county": "县", "township": "乡镇"}
    tiers = sorted(impact.get("by_tier", {}).items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 9)
    sites = impact.get("sites", [])
    shown = "、".join(sites[:8]) + ("…" if len(sites) > 8 else "")
    if lang == "zh":
        parts = "，".join(f"{zh_tier.get(t, t)}级 {n} 台" for t, n in tiers)
        return f"影响 {impact['devices']} 台设备（{parts}），{len(sites)} 个站点：{shown}"
    parts = ", ".join(f"{n} {t}" for t, n in tiers)
    return f"impact: {impact['devices']} devices cut off ({parts}) at {len(sites)} sites: {', '.join(sites[:8])}"
