"""A month (November 2026, Asia/Shanghai) of snmp_reach at a 5-minute step with known outages.

Expected figures are worked out by hand in EXPECTED (minutes), independently of the report code.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from netmon.inventory import load_inventory
from netmon.model import Point
from tests.conftest import ROOT

TZ = ZoneInfo("Asia/Shanghai")
STEP = 300
P, C, K = "gd-in-core1", "gd-gz-in-core1", "gd-gz-th-in-core1"  # province, city and county behind it
G, N, B = "zj-hz-in-core1", "sc-in-core1", "zj-ex-core1"  # gaps in data, never polled, outage across the month start
DEVICES = [P, C, K, G, N, B]
MONTH_MIN = 30 * 24 * 60


def at(day: int, hh: int, mm: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hh, mm, tzinfo=TZ)


# (device) -> list of (start, end) down intervals, local time, end exclusive
DOWN = {
    P: [(at(10, 10, 0), at(10, 12, 0))],
    C: [(at(10, 10, 0), at(10, 12, 0))],  # behind P
    K: [(at(10, 9, 55), at(10, 12, 5)), (at(20, 3, 0), at(20, 3, 30))],  # seen a step early/late behind P; then its own
    G: [(at(25, 10, 0), at(25, 12, 0))],
    B: [(datetime(2026, 10, 31, 23, 0, tzinfo=TZ), at(1, 1, 0))],
}
# (device) -> list of (start, end) with no samples at all
GAPS = {G: [(at(15, 0, 0), at(16, 0, 0)), (at(25, 10, 30), at(25, 11, 30))]}

EXPECTED = {  # minutes; availability in % (3 decimals)
    P: {
        "polled": MONTH_MIN,
        "nodata": 0,
        "own_down": 120,
        "behind": 0,
        "outages": 1,
        "outage_total": 120,
        "longest": 120,
    },
    C: {"polled": MONTH_MIN, "nodata": 0, "own_down": 0, "behind": 120, "outages": 0, "outage_total": 0, "longest": 0},
    K: {
        "polled": MONTH_MIN,
        "nodata": 0,
        "own_down": 30,
        "behind": 130,
        "outages": 1,
        "outage_total": 30,
        "longest": 30,
    },
    G: {
        "polled": MONTH_MIN - 1500,
        "nodata": 1500,
        "own_down": 60,
        "behind": 0,
        "outages": 1,
        "outage_total": 60,
        "longest": 60,
    },
    N: {"polled": 0, "nodata": MONTH_MIN, "own_down": 0, "behind": 0, "outages": 0, "outage_total": 0, "longest": 0},
    B: {"polled": MONTH_MIN, "nodata": 0, "own_down": 60, "behind": 0, "outages": 1, "outage_total": 60, "longest": 60},
}
for _e in EXPECTED.values():
    _e["availability"] = (
        None if not _e["polled"] else round(100 * (_e["polled"] - _e["own_down"] - _e["behind"]) / _e["polled"], 3)
    )
TOTAL_POLLED = sum(e["polled"] for e in EXPECTED.values())
TOTAL_UP = sum(e["polled"] - e["own_down"] - e["behind"] for e in EXPECTED.values())
TOTAL_AVAIL = round(100 * TOTAL_UP / TOTAL_POLLED, 3)
P_BEHIND = {C, K}  # devices cut off behind P's outage


def points() -> list[Point]:
    inv = load_inventory([ROOT / "configs" / "inventory" / "small.yaml"])
    start, end = at(31, 12, 0, month=10), at(1, 12, 0, month=12)  # data on both sides of the month
    out = []
    for dev in DEVICES:
        if dev == N:
            continue
        tags = inv.devices[dev].point_tags()
        t = start
        while t < end:
            if not any(a <= t < b for a, b in GAPS.get(dev, [])):
                up = 0 if any(a <= t < b for a, b in DOWN.get(dev, [])) else 1
                out.append(Point("snmp_reach", tags, {"up": up, "response_ms": 12.5 if up else 0.0, "error": "" if up else "timeout", "values": 40 * up},
                                 int(t.timestamp()) * 10**9))  # fmt: skip
            t += timedelta(seconds=STEP)
    return out


def down_samples() -> int:
    return sum(1 for p in points() if p.fields["up"] == 0)
