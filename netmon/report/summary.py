"""A NOC summary built from the Point stream as it flows (no database round trip)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..inventory import Device, Network, Tier
from ..model import Point


@dataclass
class LinkRow:
    device: str
    tier: str
    network: str
    if_name: str
    if_alias: str
    in_bps: float
    out_bps: float
    util_pct: float
    uplink: bool


@dataclass
class Tally:
    """Latest state per device and interface, plus per-cycle series for charts."""

    devices: dict[str, Device]
    reach: dict[str, tuple[bool, str, float]] = field(default_factory=dict)  # device -> (up, error, response_ms)
    links: dict[tuple[str, str], LinkRow] = field(default_factory=dict)
    health: dict[str, dict[str, Any]] = field(default_factory=dict)
    alerts: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (rule, device) -> latest
    compliance: dict[str, dict[str, Any]] = field(default_factory=dict)  # device -> fields + tags
    series: list[dict[str, Any]] = field(default_factory=list)  # per cycle: time, up/down, bps per network
    measurements: Counter[str] = field(default_factory=Counter)

    def observe(self, points: list[Point]) -> None:
        for p in points:
            self.measurements[p.measurement] += 1
            dev = p.tags.get("device", "")
            f = p.fields
            if p.measurement == "snmp_reach":
                self.reach[dev] = (bool(f.get("up")), str(f.get("error", "")), float(f.get("response_ms", 0) or 0))
            elif p.measurement == "interface" and "in_bps" in f:
                util = max(float(f.get("in_util_pct", 0) or 0), float(f.get("out_util_pct", 0) or 0))
                self.links[(dev, p.tags.get("ifName", ""))] = LinkRow(
                    dev, p.tags.get("tier", ""), p.tags.get("network", ""), p.tags.get("ifName", ""),
                    p.tags.get("ifAlias", ""), float(f.get("in_bps", 0) or 0), float(f.get("out_bps", 0) or 0), util,
                    p.tags.get("uplink") == "1",
                )  # fmt: skip
            elif p.measurement == "health":
                self.health.setdefault(dev, {}).update(f)
            elif p.measurement == "alert":
                self.alerts[(p.tags.get("rule", ""), dev)] = {**p.tags, **f}
            elif p.measurement == "compliance":
                self.compliance[dev] = {**p.tags, **f}

    def close_cycle(self, when: float) -> None:
        up, down = self.up_down()
        bps: dict[str, float] = defaultdict(float)
        for row in self.links.values():
            bps[row.network] += row.in_bps + row.out_bps
        self.series.append({"time": when, "up": up, "down": down, **{f"bps_{k}": v for k, v in bps.items()}})

    def up_down(self) -> tuple[int, int]:
        up = sum(1 for ok, _, _ in self.reach.values() if ok)
        return up, len(self.reach) - up

    def per_tier(self) -> list[dict[str, Any]]:
        """Rows of tier x network: up, down, availability %."""
        counts: dict[tuple[Tier, Network], list[int]] = defaultdict(lambda: [0, 0])
        for name, (ok, _, _) in self.reach.items():
            d = self.devices.get(name)
            if d is not None:
                counts[(d.tier, d.network)][0 if ok else 1] += 1
        rows = []
        for tier in Tier:
            for net in Network:
                up, down = counts.get((tier, net), [0, 0])
                if up + down:
                    rows.append({"tier": tier.value, "network": net.value, "up": up, "down": down,
                                 "availability": 100.0 * up / (up + down)})  # fmt: skip
        return rows

    def busiest(self, n: int = 10) -> list[LinkRow]:
        return sorted(self.links.values(), key=lambda r: max(r.in_bps, r.out_bps), reverse=True)[:n]

    def outliers(self, n: int = 8) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for dev, f in self.health.items():
            score = max(float(f.get("cpu_pct", 0) or 0), float(f.get("mem_pct", 0) or 0))
            rows.append({"device": dev, "cpu_pct": f.get("cpu_pct"), "mem_pct": f.get("mem_pct"),
                         "temp_c": f.get("temp_c"), "score": score})  # fmt: skip
        return sorted(rows, key=lambda r: float(r["score"]), reverse=True)[:n]

    def compliance_by_tier(self) -> list[dict[str, Any]]:
        acc: dict[tuple[str, str], list[float]] = defaultdict(list)
        for f in self.compliance.values():
            acc[(f.get("tier", ""), f.get("network", ""))].append(float(f.get("score_pct", 0)))
        order = {t.value: i for i, t in enumerate(Tier)}
        return [
            {"tier": t, "network": n, "devices": len(v), "score_pct": sum(v) / len(v)}
            for (t, n), v in sorted(acc.items(), key=lambda kv: (order.get(kv[0][0], 9), kv[0][1]))
        ]

    def active_alerts(self) -> list[dict[str, Any]]:
        return [a for a in self.alerts.values() if a.get("state") in ("firing", "suppressed", "pending")]
