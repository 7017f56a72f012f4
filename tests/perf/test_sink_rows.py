"""The SQLite sink's direct split of lines stores exactly what the full parser gives.

Truth: each payload decoded by ``lineproto.decode`` (the regex parser, tested on its own
against influxdb-client), compared with what the file holds, read back through
``iter_points`` (values and their types). Payloads are what the poller writes (interface
counters, strings in snmp_reach/snmp_system, bools) plus random tags and fields with
characters that need escaping.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from pathlib import Path

import pytest

import netmon.storage.sqlite as sqlite_sink
from netmon.model import Point
from netmon.storage import open_sink
from netmon.storage.lineproto import Encoder, decode
from netmon.storage.sqlite import iter_points

T0 = 1_790_000_000_000_000_000
ODD = ["a b", "a,b", "a=b", 'q"uo', "广东/广州", "x\\", "t", "1i", "true"]


def _polls(rng: random.Random, n: int) -> list[list[Point]]:
    base = {"device": "gd-gz-core1", "site": "广东省政务中心", "tier": "province"}
    out = []
    for k in range(n):
        t = T0 + k * 30_000_000_000
        pts = [Point("snmp_reach", dict(base), {"up": 1, "response_ms": 1.25 + k, "error": "", "values": 720}, t)]
        pts.append(
            Point(
                "snmp_system",
                dict(base),
                {"uptime_s": 12.5 * k, "sys_descr": "Huawei VRP\nV200R019", "vendor_mismatch": 0},
                t,
            )
        )
        for idx in range(1, 13):
            alias = ODD[idx % len(ODD)] if idx % 3 == 0 else f"to-county-{idx}"
            tags = {**base, "ifName": f"GE0/0/{idx}", "ifAlias": alias, "ifIndex": str(idx), "uplink": "0"}
            fields: dict[str, float | int | str | bool] = {
                "in_octets": rng.randrange(2**63), "out_octets": rng.randrange(2**40), "oper_status": 1,
                "in_bps": rng.random() * 1e9, "in_util_pct": round(rng.random() * 100, 3), "hc": 1,
                "speed_mbps": 1000, "ok": rng.random() < 0.5, "neg": -rng.randrange(1000), "tiny": 1e-7 * rng.random(),
                "whole": float(rng.randrange(100)),
            }  # fmt: skip
            pts.append(Point("interface", tags, fields, t))
        out.append(pts)
    return out


def _typed(points: list[Point]) -> dict[tuple[object, ...], dict[str, tuple[type, object]]]:
    return {
        (p.measurement, tuple(sorted(p.tags.items())), p.time_ns): {k: (type(v), v) for k, v in p.fields.items()}
        for p in points
    }


def test_fast_rows_equal_full_parser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(15)
    enc = Encoder()
    payloads = []
    for pts in _polls(rng, 6):
        payload, n, errors = enc.encode(pts)
        assert not errors and n == len(pts)
        payloads.append(payload)
    db = tmp_path / "fast.db"
    sink = open_sink(f"sqlite:///{db}?retention_days=0")
    full_parses = []
    real = sqlite_sink._parse_line
    monkeypatch.setattr(sqlite_sink, "_parse_line", lambda *a: full_parses.append(1) or real(*a))

    async def write() -> None:
        await sink.start()
        for payload in payloads:  # the first batch fills the series cache, the rest take the split
            await sink.write(payload, 0)
        await sink.close()

    asyncio.run(write())
    truth = _typed([p for payload in payloads for p in decode(payload)])
    con = sqlite3.connect(db)
    stored = _typed(list(iter_points(con)))
    rows = con.execute("SELECT count(*) FROM points").fetchone()[0]
    con.close()
    assert rows == len(truth) == sum(len(pts) for pts in _polls(random.Random(15), 6))  # one row per point
    assert stored == truth
    # The split did the bulk: after the first poll only lines with escapes are parsed.
    lines = sum(p.count(b"\n") for p in payloads)
    assert len(full_parses) < lines / 2, (len(full_parses), lines)
