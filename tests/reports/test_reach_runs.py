"""The two readers of reachability runs agree: SQLite's aggregate-first path and the query helper's
sample-by-sample path, on random series with outages, holes, jitter and downsampled fractions."""

from __future__ import annotations

import asyncio
import random

from netmon.model import Point
from netmon.report.reach import QueryRuns, SqliteRuns, runs_from_samples
from netmon.storage import Encoder, open_sink
from netmon.storage.sqlite import SqliteQuery

S = 10**9
STEP = 60 * S
START, END = 1_800_000_000 * S, 1_800_000_000 * S + 2 * 86400 * S


def _series(rnd: random.Random, kind: str) -> list[tuple[int, float]]:
    out, t = [], START - rnd.randrange(0, 200) * S
    while t < END + 300 * S:
        if kind == "hole" and rnd.random() < 0.002:
            t += rnd.randrange(2, 200) * STEP
        v = 1.0
        if kind == "down" and rnd.random() < 0.01:
            v = 0.0
        if kind == "fraction" and rnd.random() < 0.02:
            v = rnd.choice([0.2, 0.6, 0.8])
        out.append((t, v))
        t += STEP + (rnd.randrange(-2, 3) * S if kind == "jitter" else 0)
    return out


def test_readers_agree(tmp_path):
    rnd = random.Random(5)
    data = {f"d{i}": _series(rnd, kind) for i, kind in enumerate(["clean", "down", "hole", "jitter", "fraction"] * 6)}
    url = f"sqlite:///{tmp_path / 'r.db'}"

    async def main():
        sink = open_sink(url)
        await sink.start()
        pts = [Point("snmp_reach", {"device": d}, {"up": v}, t) for d, s in data.items() for t, v in s]
        enc = Encoder()
        for i in range(0, len(pts), 5000):
            payload, n, _ = enc.encode(pts[i : i + 5000])
            await sink.write(payload, n)
        await sink.close()
        fast = await SqliteRuns(tmp_path / "r.db").read(START, END, STEP, STEP * 3 // 2)
        q = SqliteQuery(tmp_path / "r.db")
        slow = await QueryRuns(q).read(START, END, STEP, STEP * 3 // 2)
        await q.close()
        return fast, slow

    fast, slow = asyncio.run(main())
    assert set(fast) == set(slow) == set(data)
    for d, s in data.items():
        truth = runs_from_samples(sorted(s), STEP, STEP * 3 // 2, START, END)
        assert fast[d].runs == truth, d
        assert slow[d].runs == truth, d
    assert any(len(v.runs) > 1 for v in fast.values())


def test_sqlite_reader_is_not_fooled_by_the_field_set(tmp_path, monkeypatch):
    """Reach points as the poller writes them (a string ``error`` next to ``up``): the SQL that
    vouches for ``up`` = 1 in the stored field set must not take ",up=1i," inside a string for
    the field; points it vouches for never reach Python."""
    import netmon.report.reach as reach

    rnd = random.Random(9)
    fooling = [",up=1i,", ",up=1,"]  # on down points: read as up if the string were taken for the field
    data: dict[str, list[tuple[int, float]]] = {}
    pts = []
    for i, kind in enumerate(["clean", "down", "hole", "tricky", "float", "clean"] * 4):
        dev = f"d{i}"
        s = _series(rnd, "down" if kind == "tricky" else kind if kind != "float" else "fraction")
        data[dev] = s
        for k, (t, v) in enumerate(s):
            err = fooling[k % 2] if kind == "tricky" and v == 0.0 else ""
            up: float | int = v if kind == "float" else int(v)
            pts.append(
                Point(
                    "snmp_reach",
                    {"device": dev, "site": "a b,c=d"},
                    {"up": up, "response_ms": 1.5, "error": err, "values": 40},
                    t,
                )
            )
    url = f"sqlite:///{tmp_path / 'r.db'}"
    calls = 0
    real = reach._up

    def counting(fields):
        nonlocal calls
        calls += 1
        return real(fields)

    monkeypatch.setattr(reach, "_up", counting)

    async def main():
        sink = open_sink(url)
        await sink.start()
        enc = Encoder()
        for i in range(0, len(pts), 5000):
            payload, n, _ = enc.encode(pts[i : i + 5000])
            await sink.write(payload, n)
        await sink.close()
        return await SqliteRuns(tmp_path / "r.db").read(START, END, STEP, STEP * 3 // 2)

    fast = asyncio.run(main())
    for d, s in data.items():
        assert fast[d].runs == runs_from_samples(sorted(s), STEP, STEP * 3 // 2, START, END), d
    assert 0 < calls < len(pts) // 20  # only points SQL could not vouch for (down, fractions) reach Python
