"""sqlite:// — the embedded default; raw SQL on the file and influxdb-client's own serializer
are the truth (the layout is one row per point, its field set as line-protocol text)."""

import json
import logging
import math
import os
import sqlite3
import stat
import time

import influxdb_client
import pytest

from netmon.model import Point
from netmon.storage import Pipeline, open_query, open_sink
from netmon.storage.base import SinkRejected
from netmon.storage.lineproto import Encoder
from netmon.storage.sqlite import connect, iter_points, iter_samples

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
    # Truth: the rows in the file, one per point, the field set as influxdb-client writes it.
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT count(*) FROM points").fetchone()[0] == len(pts)
    raw = {
        (t, json.loads(tags)["device"]): f
        for tags, t, f in con.execute(
            "SELECT s.tags, p.time_ns, p.fields FROM points p JOIN series s ON s.id = p.series_id"
        )
    }
    for p in pts:
        official = influxdb_client.Point("x").time(p.time_ns)
        for k, v in p.fields.items():
            official.field(k, v)
        lp = official.to_line_protocol()
        assert raw[(p.time_ns, p.tags["device"])] == lp[len("x ") : lp.rindex(" ")]
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
    con = connect(db)
    plans = [
        " ".join(r[3] for r in con.execute("EXPLAIN QUERY PLAN " + sql, args))
        for sql, args in [
            ("SELECT time_ns, fields FROM points WHERE series_id = ? ORDER BY time_ns DESC", (1,)),
            ("SELECT time_ns, fields FROM points WHERE series_id = ? AND time_ns >= ? AND time_ns < ? ORDER BY time_ns",
             (1, 0, 5)),
            ("DELETE FROM points WHERE series_id = ? AND time_ns < ?", (1, 5)),
        ]
    ]  # fmt: skip
    assert all("USING" in p and "SCAN" not in p and "TEMP B-TREE" not in p for p in plans), plans
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600


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
    assert con.execute("SELECT count(*) FROM points").fetchone()[0] == 2
    assert sink.apply_retention() == 1
    assert con.execute("SELECT time_ns, fields FROM points").fetchall() == [(now, "v=1i")]
    await sink.close()


async def test_lines_of_one_series_and_time_merge_and_replay_once(tmp_path):
    """Two lines of one series at one time keep both field sets (later values win), in one batch
    or in two; replaying the batches changes nothing."""
    db = tmp_path / "m.db"
    sink = open_sink(f"sqlite://{db}")
    await sink.start()
    t = T0 + 7
    b1 = f'm,d=x a=1i,s="one, two" {t}\nm,d=x b=2.5,a=3i {t}\nm,d=y a=1i {t}\n'.encode()
    b2 = f'm,d=x c=true,s="three" {t}\n'.encode()
    for _ in range(2):
        for b in (b1, b2):
            await sink.write(b, 0)
    await sink.close()
    con = connect(db, readonly=True)
    got = {p.tags["d"]: p.fields for p in iter_points(con, "m")}
    assert con.execute("SELECT count(*) FROM points").fetchone()[0] == 2
    assert got == {"x": {"a": 3, "s": "three", "b": 2.5, "c": True}, "y": {"a": 1}}
    assert [type(v) for v in got["x"].values()] == [int, str, float, bool]
    con.close()


async def test_malformed_lines_are_refused_not_stored(tmp_path, caplog):
    db = tmp_path / "bad.db"
    sink = open_sink(f"sqlite://{db}")
    await sink.start()
    await sink.write(f"m,d=x v=1i {T0}\n".encode(), 1)  # the series is now known: the split path takes it
    for bad in (f"m,d=x v=xyz {T0 + 1}\n", f"m,d=x v=inf {T0 + 1}\n", f"m,d=x v=1i,w {T0 + 1}\n"):
        with pytest.raises(SinkRejected):
            await sink.write(bad.encode(), 1)
    # The split checks a line's structure, not each value's grammar (the encoder's job): a value
    # only another writer could send is stored, and readers skip it with a warning.
    await sink.write(f"m,d=x v=1e,w=2i {T0 + 2}\n".encode(), 1)
    await sink.close()
    con = connect(db, readonly=True)
    with caplog.at_level(logging.WARNING, "netmon.storage.sqlite"):
        assert [(p.time_ns, p.fields) for p in iter_points(con)] == [(T0, {"v": 1}), (T0 + 2, {"w": 2})]
    assert "stored field 'v' has a value that is not line protocol ('1e')" in caplog.text
    con.close()


OLD_SCHEMA = """
CREATE TABLE series(id INTEGER PRIMARY KEY, measurement TEXT NOT NULL, tags TEXT NOT NULL, UNIQUE(measurement, tags));
CREATE TABLE samples(series_id INTEGER NOT NULL, time_ns INTEGER NOT NULL, field TEXT NOT NULL, kind INTEGER NOT NULL,
    value, PRIMARY KEY(series_id, time_ns, field)) WITHOUT ROWID;
CREATE INDEX samples_time ON samples(time_ns);
"""


def _old_file(db, t0):
    """A file as netmon wrote it before: the old schema, one row per field (kind 0 float, 1 int,
    2 bool, 3 string), with values that need exact formatting and escaping."""
    values = [
        ("pct", 0, 0.1 + 0.2), ("whole", 0, 3.0), ("tiny", 0, 1e-300), ("neg", 0, -2.5e17),
        ("octets", 1, 2**63 - 1), ("minus", 1, -5), ("up", 2, 1), ("down", 2, 0),
        ("descr", 3, 'x "quoted", a=b\nline 2 \\ end'), ("empty", 3, ""), ("a key, with=odd", 1, 7),
    ]  # fmt: skip
    truth = {}
    con = sqlite3.connect(db)
    con.executescript(OLD_SCHEMA)
    con.execute("INSERT INTO series VALUES (1, 'interface', ?)", ('{"device":"d1"}',))  # the canonical tags JSON
    con.execute("INSERT INTO series VALUES (2, 'snmp_reach', ?)", ('{"device":"广州"}',))
    for k in range(3):
        t = t0 + k * 30 * 10**9
        con.executemany("INSERT INTO samples VALUES (1, ?, ?, ?, ?)", [(t, f, kind, v) for f, kind, v in values])
        con.execute("INSERT INTO samples VALUES (2, ?, 'up', 1, ?)", (t, k % 2))
        typed = {f: (bool(v) if kind == 2 else v) for f, kind, v in values}
        truth[("interface", t)] = typed
        truth[("snmp_reach", t)] = {"up": k % 2}
    con.commit()
    con.close()
    os.chmod(db, 0o600)
    return truth


@pytest.mark.parametrize("first_open", ["sink", "query"])
async def test_old_layout_is_converted_on_open(tmp_path, caplog, first_open):
    db = tmp_path / "old.db"
    t0 = (time.time_ns() // 10**9 - 3600) * 10**9  # within the default retention
    truth = _old_file(db, t0)
    caplog.set_level(logging.WARNING, "netmon.storage.sqlite")
    if first_open == "sink":
        sink = open_sink(f"sqlite://{db}")
        await sink.start()
        await sink.write(f"snmp_reach,device=广州 up=1i {t0 + 90 * 10**9}\n".encode(), 1)  # after: a new poll
        await sink.close()
        truth[("snmp_reach", t0 + 90 * 10**9)] = {"up": 1}
    q = open_query(f"sqlite://{db}")
    got = await q.range("interface", 0, 2**62)
    assert "converted 36 samples (one row per field) into 6 points" in caplog.text
    con = sqlite3.connect(db)
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")] == [
        "points", "series"
    ]  # fmt: skip
    stored = {(p.measurement, p.time_ns): p.fields for p in iter_points(con)}
    assert stored == truth
    for key, fields in truth.items():  # exact types, not just equal numbers
        assert {k: type(v) for k, v in stored[key].items()} == {k: type(v) for k, v in fields.items()}, key
    assert [(p.time_ns, p.fields) for p in got] == [(t, f) for (m, t), f in sorted(truth.items()) if m == "interface"]
    assert len(list(iter_samples(con, "interface"))) == 33
    con.close()
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    await q.close()


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


async def test_latest_with_fields_is_the_newest_point_that_has_them(tmp_path):
    db = tmp_path / "l.db"
    sink = open_sink(f"sqlite://{db}?retention_days=0")
    await sink.start()
    await sink.write(f"m,d=x a=1i,b=2i {T0}\nm,d=x a=3i {T0 + 1}\nm,d=y a=5i {T0}\n".encode(), 3)
    await sink.close()
    q = open_query(f"sqlite://{db}")
    assert [(p.tags["d"], p.time_ns, p.fields) for p in await q.latest("m", fields=["b"])] == [("x", T0, {"b": 2})]
    assert [(p.tags["d"], p.time_ns, p.fields) for p in await q.latest("m")] == [
        ("x", T0 + 1, {"a": 3}),
        ("y", T0, {"a": 5}),
    ]
    assert [(p.time_ns, p.fields) for p in await q.range("m", 0, 2**62, where={"d": "x"}, fields=["b"])] == [
        (T0, {"b": 2})
    ]
    await q.close()


def test_series_caches_hold_every_series_of_a_full_node():
    """Below the series a node writes per interval the split's cache is cleared every batch and
    every line is parsed again (bench_sink --devices 5000: 0.34 -> 2.64 ms per poll at 200k)."""
    from netmon.storage import sqlite as sq

    devices, series_per_device = 10_000, 50  # twice what one 2-core node polls on time
    assert devices * series_per_device <= sq._PREFIX_CACHE_MAX
