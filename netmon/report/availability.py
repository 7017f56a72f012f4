"""Availability per device, site, region, tier and network over a period, root causes counted once.

From each device's reachability runs (``reach.py``):

- **polled** time has data; **no data** is time nobody polled (netmon stopped, data lost): it
  is shown apart and never counted as up or down. Availability = up time / polled time.
- A device is **unreachable behind X** while it is down *and* cut off from the centre by down
  ancestors (``Topology.cut_off_by``: every path to the root passes through a down device; a
  dual-homed device with one live parent is not cut off). X is the root cause: the down ancestor
  that is not itself cut off. Ancestors' down time is widened by one poll step each side,
  because a county polled just before its province can see the outage first. That time is
  still unavailability (users behind X were cut off) but it is not an outage of the device:
  **outages are counted at their root cause only**, with the devices cut off behind them.
- An **outage** is a stretch of the device's own downtime; only an *up* sample ends it (no data
  or time behind a failed parent in between does not), and its duration is the downtime in it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from ..inventory import Topology
from .reach import Run, Series

NS = 1_000_000_000
GROUP_KINDS = ("network", "tier", "province", "site")


@dataclass
class Outage:
    device: str
    start: int  # ns
    end: int  # ns (first up sample after it, or the period end when ongoing)
    down_ns: int = 0
    ongoing: bool = False
    behind: set[str] = field(default_factory=set)  # devices cut off by it


@dataclass
class DeviceAvail:
    device: str
    tags: dict[str, str]
    polled_ns: int = 0
    up_ns: float = 0.0
    own_down_ns: float = 0.0
    behind_ns: float = 0.0
    behind_causes: set[str] = field(default_factory=set)
    outages: list[Outage] = field(default_factory=list)
    in_inventory: bool = True

    def nodata_ns(self, period_ns: int) -> int:
        return period_ns - self.polled_ns

    @property
    def availability(self) -> float | None:
        return self.up_ns / self.polled_ns if self.polled_ns else None

    @property
    def outage_ns(self) -> int:
        return sum(o.down_ns for o in self.outages)

    @property
    def longest_ns(self) -> int:
        return max((o.down_ns for o in self.outages), default=0)


@dataclass
class Group:
    kind: str
    name: str
    devices: int = 0
    never_polled: int = 0
    polled_ns: int = 0
    up_ns: float = 0.0
    nodata_ns: int = 0
    behind_ns: float = 0.0
    outages: int = 0
    outage_ns: int = 0
    longest_ns: int = 0

    @property
    def availability(self) -> float | None:
        return self.up_ns / self.polled_ns if self.polled_ns else None


@dataclass
class AvailabilityReport:
    start: int
    end: int
    step_ns: int
    devices: list[DeviceAvail]
    groups: dict[str, list[Group]]
    outages: list[Outage]  # root-cause outages, longest first
    total: Group

    @property
    def period_ns(self) -> int:
        return self.end - self.start


def _down_intervals(runs: list[Run]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for r in runs:
        if r.up < 1.0:
            if out and out[-1][1] == r.start:
                out[-1] = (out[-1][0], r.end)
            else:
                out.append((r.start, r.end))
    return out


def _cut_off_segments(
    dev: str, topo: Topology, down: dict[str, list[tuple[int, int]]], widen: int
) -> list[tuple[int, int, str]]:
    """(start, end, root cause) while ``dev`` is cut off from the centre by down ancestors."""
    anc = [a for a in topo.ancestors(dev) if a in down]
    if not anc:
        return []
    edges: list[tuple[int, int, str]] = [(s - widen, e + widen, a) for a in anc for s, e in down[a]]
    cuts = sorted({t for s, e, _ in edges for t in (s, e)})
    out: list[tuple[int, int, str]] = []
    for a, b in itertools.pairwise(cuts):
        now = {x for s, e, x in edges if s <= a and b <= e}
        if not now or not topo.cut_off_by(now, dev):
            continue
        # the root cause: a down ancestor that is not itself cut off by the others, nearest the centre
        roots = [x for x in now if not topo.cut_off_by(now - {x}, x)] or sorted(now)
        root = min(roots, key=lambda x: (len(topo.path_to_root(x)), x))
        if out and out[-1][1] == a and out[-1][2] == root:
            out[-1] = (out[-1][0], b, root)
        else:
            out.append((a, b, root))
    return out


def _split(run: Run, cuts: list[tuple[int, int, str]]) -> list[tuple[int, int, float, str | None]]:
    """Pieces of a run, each either behind a root cause or the device's own."""
    pieces: list[tuple[int, int, float, str | None]] = []
    t = run.start
    for s, e, root in cuts:
        if e <= t or s >= run.end:
            continue
        if s > t:
            pieces.append((t, s, run.up, None))
        a, b = max(s, t), min(e, run.end)
        pieces.append((a, b, run.up, root))
        t = b
    if t < run.end:
        pieces.append((t, run.end, run.up, None))
    return pieces


def compute(
    series: dict[str, Series],
    topology: Topology | None,
    selected: list[str] | None,
    start: int,
    end: int,
    step_ns: int,
) -> AvailabilityReport:
    """Figures for the ``selected`` devices (None: every device with data); root causes use all data."""
    down = {dev: iv for dev, s in series.items() if (iv := _down_intervals(s.runs))}
    names = list(selected) if selected is not None else sorted(series)
    results: dict[str, DeviceAvail] = {}
    inv = topology.inventory if topology is not None else None
    for dev in sorted(set(names) | set(down)):  # root causes outside the selection still get their outages
        s = series.get(dev)
        if inv is not None and dev in inv.devices:
            tags = inv.devices[dev].point_tags()
        else:
            tags = dict(s.tags) if s else {"device": dev}
        d = results[dev] = DeviceAvail(dev, tags, in_inventory=inv is not None and dev in inv.devices)
        if s is None:
            continue
        cuts = (
            _cut_off_segments(dev, topology, down, step_ns)
            if (topology is not None and dev in down and d.in_inventory)
            else []
        )
        cur: Outage | None = None
        for run in s.runs:
            d.polled_ns += run.end - run.start
            for a, b, u, root in _split(run, cuts) if cuts else [(run.start, run.end, run.up, None)]:
                length = b - a
                d.up_ns += u * length
                lost = (1.0 - u) * length
                if u >= 1.0:
                    if cur is not None:
                        cur.end = a
                        cur = None
                    continue
                if root is not None:
                    d.behind_ns += lost
                    d.behind_causes.add(root)
                    continue
                d.own_down_ns += lost
                if cur is None:
                    cur = Outage(dev, a, b)
                    d.outages.append(cur)
                cur.down_ns += round(lost)
                cur.end = b
        if cur is not None:
            last = s.runs[-1]
            cur.ongoing = last.up < 1.0 and last.end >= end
    # who was cut off behind which outage
    for d in results.values():
        if not d.behind_causes:
            continue
        s = series[d.device]
        cuts = _cut_off_segments(d.device, topology, down, step_ns) if topology is not None else []
        for a, b, root in cuts:
            if not any(r.up < 1.0 and r.start < b and a < r.end for r in s.runs):
                continue
            for o in results[root].outages if root in results else []:
                if o.start - step_ns < b and a < o.end + step_ns:
                    o.behind.add(d.device)
    shown = [results[n] for n in names if n in results]
    outages = sorted((o for d in shown for o in d.outages), key=lambda o: (-o.down_ns, o.start, o.device))
    return AvailabilityReport(
        start, end, step_ns, shown, _groups(shown, end - start), outages, _group("total", "*", shown, end - start)
    )


def _group(kind: str, name: str, devs: list[DeviceAvail], period: int) -> Group:
    g = Group(kind, name)
    for d in devs:
        g.devices += 1
        g.never_polled += d.polled_ns == 0
        g.polled_ns += d.polled_ns
        g.up_ns += d.up_ns
        g.nodata_ns += d.nodata_ns(period)
        g.behind_ns += d.behind_ns
        g.outages += len(d.outages)
        g.outage_ns += d.outage_ns
        g.longest_ns = max(g.longest_ns, d.longest_ns)
    return g


def _groups(devs: list[DeviceAvail], period: int) -> dict[str, list[Group]]:
    out: dict[str, list[Group]] = {}
    for kind in GROUP_KINDS:
        by: dict[str, list[DeviceAvail]] = defaultdict(list)
        for d in devs:
            by[d.tags.get(kind) or "-"].append(d)
        out[kind] = [_group(kind, name, members, period) for name, members in sorted(by.items())]
    return out
