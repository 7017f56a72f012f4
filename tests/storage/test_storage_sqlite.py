"""sqlite:// — the embedded default; raw SQL on the file is the truth."""

import math
import sqlite3
import time

from netmon.model import Point
from netmon.storage import Pipeline, open_query, open_sink
from netmon.storage.lineproto import Encoder

T0 = 1_700_000_000_000_000_000
NASTY = ["a b", "a,b", "a=b", "q\"uo'te", "广东/广州/天河", "天河政务中心 1号楼", "x=1,y=2 z"]


def points() -> list[Point]:
    return [
        Point(
            "interface",
            {"device": f"d{i}", "site": s},
            {"descr": s + "\nline 2", "octets": 2**62 + i, "pct": 0.1 * i, "up": i % 2 == 1},
            T0 + k,
        )
        for k in range(3)
        for i, s in enumerate(NASTY)
    ]


async def test_round_trip_and_queries(tmp_path, fast_batch, spool_settings):
    db = tmp_path / "n.db"
    pts = points()
    async with await Pipeline.open(f"sqlite://{db}", tmp_path / "spool", spool_settings, fast_batch) as pipe:
        assert await pipe.submit(pts) == []
        assert await pipe.flush(30)
    # Truth: the rows in the file.
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    n = con.execute("SELECT count(*) FROM samples").fetchone()[0]
    assert n == 4 * len(pts)
    raw = {(t, f): v for t, f, v in con.execute("SELECT time_ns, field, value FROM samples")}
    assert raw[(T0 + 2, "descr")] in {s + "\nline 2" for s in NASTY}
    con.close()

    q = open_query(f"sqlite://{db}")
    got = await q.range("interface", 0, 2**62)
    assert sorted(got, key=lambda p: (p.time_ns, p.tags["device"])) == sorted(
        pts, key=lambda p: (p.time_ns, p.tags["device"])
    )  # types and strings exact
    latest = await q.latest("interface", where={"site": "广东/广州/天河"}, fields=["pct", "up"])
    assert [(p.tags["device"], p.time_ns, p.fields) for p in latest] == [("d4", T0 + 2, {"pct": 0.4, "up": False})]
    assert [p.time_ns for p in await q.range("interface", T0 + 1, T0 + 2, where={"device": "d0"})] == [T0 + 1]
    await q.close()


def test_queries_use_the_indexes(tmp_path):
    db = tmp_path / "n.db"
    from netmon.storage.sqlite import connect

    con = connect(db)
    plans = [
        " ".join(r[3] for r in con.execute("EXPLAIN QUERY PLAN " + sql, args))
        for sql, args in [
            ("SELECT MAX(time_ns) FROM samples WHERE series_id = ?", (1,)),
            ("SELECT * FROM samples WHERE series_id = ? AND time_ns >= ? AND time_ns < ?", (1, 0, 5)),
            ("DELETE FROM samples WHERE time_ns < ?", (5,)),
        ]
    ]
    assert all("USING" in p and "SCAN" not in p for p in plans), plans


async def test_replayed_batch_is_stored_once_and_retention_deletes_old(tmp_path):
    db = tmp_path / "r.db"
    sink = open_sink(f"sqlite://{db}?retention_days=1")
    await sink.start()
    now = time.time_ns()
    payload, n, _ = Encoder().encode(
        [Point("m", {"d": "x"}, {"v": 1}, now), Point("m", {"d": "x"}, {"v": 2}, now - 2 * 86400 * 10**9)]
    )
    await sink.write(payload, n)
    await sink.write(payload, n)  # replay after a crash between the write and the cursor update
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM samples").fetchone()[0] == 2
    assert sink.apply_retention() == 1
    assert con.execute("SELECT value FROM samples").fetchall() == [(1,)]
    await sink.close()


async def test_bad_points_counted_the_rest_kept(tmp_path, fast_batch, spool_settings, caplog):
    db = tmp_path / "b.db"
    good = [Point("health", {"device": "ok"}, {"cpu_pct": 1.0}, T0)]
    bad = [
        Point("health", {"device": "nan"}, {"cpu_pct": math.nan}, T0),
        Point("health", {"device": "e"}, {}, T0),
        Point("health", {"device": "long"}, {"s": "x" * 70000}, T0),
    ]
    async with await Pipeline.open(f"sqlite://{db}", tmp_path / "spool", spool_settings, fast_batch) as pipe:
        errors = await pipe.submit(bad + good)
        assert await pipe.flush(30)
        s = pipe.stats()
    assert [e.device for e in errors] == ["nan", "e", "long"]
    assert s["points_rejected"] == 3 and s["points_written"] == 1
    assert "device nan" in caplog.text
    q = open_query(f"sqlite://{db}")
    assert [p.tags["device"] for p in await q.latest("health")] == ["ok"]
    await q.close()
