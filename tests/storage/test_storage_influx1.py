"""influxdb1:// against a real influxd 1.6.7; raw InfluxQL on /query is the truth."""

import logging

import pytest

from netmon.errors import NetmonError
from netmon.lab.influx import start_influxd
from netmon.lab.procs import free_port
from netmon.model import Point
from netmon.storage import DEAD_LETTER, Pipeline, open_query
from netmon.storage.lineproto import clean_key

T0 = 1_700_000_000_000_000_000
NASTY = [
    "a b",
    "a,b",
    "a=b",
    "q\"uo'te",
    "广东/广州/天河",
    "天河政务中心 1号楼",
    "x=1,y=2 z",
    "C:\\dir\\f",
    "t\tab\nnl\\",
]


def nasty_points() -> list[Point]:
    pts = []
    for i, s in enumerate(NASTY):
        pts.append(
            Point(
                "interface",
                {"device": f"dev {i}", "site": s, "ifAlias": s},
                {"descr": s + "\nsecond line", "in_octets": 2**40 + i, "util_pct": 0.5 + i, "up": i % 2 == 0},
                T0 + i,
            )
        )
    return pts


async def test_round_trip_exact(influxd, influx_db, tmp_path, fast_batch, spool_settings, influx_rows):
    pts = nasty_points()
    pipe = await Pipeline.open(f"influxdb1://{influxd.url[7:]}/{influx_db}", tmp_path, spool_settings, fast_batch)
    assert await pipe.submit(pts) == []
    assert await pipe.flush(30)
    assert pipe.stats()["points_written"] == len(pts)
    await pipe.close()
    rows = sorted(influx_rows(influxd, influx_db, "interface"), key=lambda r: r["time"])
    assert len(rows) == len(pts)
    for p, r in zip(pts, rows, strict=True):
        assert r["time"] == p.time_ns
        assert {k: r[k] for k in p.tags} == {k: clean_key(v) for k, v in p.tags.items()}  # tags: see STORAGE.md
        assert {k: r[k] for k in p.fields} == p.fields


async def test_query_helper_latest_and_range(influxd, influx_db, tmp_path, fast_batch, spool_settings):
    url = f"influxdb1://{influxd.url[7:]}/{influx_db}?gzip=1"  # compressed writes too
    pts = [
        Point("health", {"device": d, "site": "天河 1"}, {"cpu_pct": float(10 * k + j), "profile": "vrp"}, T0 + k)
        for k in range(5)
        for j, d in enumerate(["a", "b b"])
    ]
    async with await Pipeline.open(url, tmp_path, spool_settings, fast_batch) as pipe:
        await pipe.submit(pts)
        assert await pipe.flush(30)
    q = open_query(url)
    try:
        latest = await q.latest("health")
        assert sorted((p.tags["device"], p.time_ns, p.fields["cpu_pct"]) for p in latest) == [
            ("a", T0 + 4, 40.0),
            ("b b", T0 + 4, 41.0),
        ]
        rng = await q.range("health", T0 + 1, T0 + 3, where={"device": "b b"}, fields=["cpu_pct"])
        assert [(p.time_ns, p.fields) for p in rng] == [(T0 + 1, {"cpu_pct": 11.0}), (T0 + 2, {"cpu_pct": 21.0})]
        assert await q.latest("health", where={"device": "nope"}) == []
    finally:
        await q.close()


async def test_missing_database_is_a_clear_error(influxd, tmp_path):
    with pytest.raises(NetmonError, match="database 'nodb' does not exist"):
        await Pipeline.open(f"influxdb1://{influxd.url[7:]}/nodb", tmp_path)
    (await Pipeline.open("sqlite:spool-test.db", tmp_path, base_dir=tmp_path)).spool.close()  # lock was released


async def test_wrong_password_is_401_and_not_echoed(tmp_path, monkeypatch):
    h = start_influxd(tmp_path / "authd", auth=True)
    try:
        h.query("CREATE USER admin WITH PASSWORD 'right-pw' WITH ALL PRIVILEGES")
        monkeypatch.setenv("INFLUX_PASSWORD", "wrong-secret-pw")
        with pytest.raises(NetmonError) as ei:
            await Pipeline.open(f"influxdb1://admin@{h.url[7:]}/db", tmp_path / "spool")
        assert "401" in str(ei.value) and "INFLUX_PASSWORD" in str(ei.value)
        assert "wrong-secret-pw" not in str(ei.value)
    finally:
        h.stop()


async def test_refused_batches_go_to_dead_letter_logged_once(
    influxd, influx_db, tmp_path, fast_batch, caplog, spool_settings, influx_count
):
    url = f"influxdb1://{influxd.url[7:]}/{influx_db}"
    pipe = await Pipeline.open(url, tmp_path, spool_settings, fast_batch)
    await pipe.submit([Point("m", {"d": "1"}, {"v": 1}, T0)])
    assert await pipe.flush(30)
    with caplog.at_level(logging.ERROR, "netmon.storage"):
        for k in range(2):  # 'v' is an integer field now: strings are a type conflict (HTTP 400)
            await pipe.submit([Point("m", {"d": "1"}, {"v": f"text {k}"}, T0 + 1 + k)])
            assert await pipe.flush(30)
    await pipe.submit([Point("m", {"d": "1"}, {"v": 5}, T0 + 10)])  # and later good points still flow
    assert await pipe.flush(30)
    s = pipe.stats()
    await pipe.close()
    assert s["points_dead_lettered"] == 2 and s["points_written"] == 2
    assert caplog.text.count("sink refused a batch") == 1
    dl = (tmp_path / DEAD_LETTER).read_text()
    assert dl.count("# ") == 2 and "HTTP 400" in dl and "field type conflict" in dl
    assert 'm,d=1 v="text 0"' in dl and 'v="text 1"' in dl
    assert influx_count(influxd, influx_db, "m", "v") == 2


async def test_unreachable_at_start_spools_then_replays(
    influxd, influx_db, tmp_path, fast_batch, caplog, spool_settings, influx_rows
):
    dead = f"influxdb1://127.0.0.1:{free_port()}/{influx_db}"
    with caplog.at_level(logging.WARNING, "netmon.storage"):
        pipe = await Pipeline.open(dead, tmp_path, spool_settings, fast_batch)
    assert "spooling to" in caplog.text
    pts = [Point("probe", {"target": "t"}, {"rtt_avg_ms": float(i)}, T0 + i) for i in range(100)]
    await pipe.submit(pts)
    assert not await pipe.flush(0.5)
    s = pipe.stats()
    assert s["sink_up"] == 0 and s["spool_pending_points"] == 100 and s["sink_errors"] >= 1
    await pipe.close(timeout=0.1)
    # Next start, the database is there: the spool replays with the original timestamps.
    pipe = await Pipeline.open(f"influxdb1://{influxd.url[7:]}/{influx_db}", tmp_path, spool_settings, fast_batch)
    assert await pipe.flush(30)
    await pipe.close()
    rows = influx_rows(influxd, influx_db, "probe")
    assert sorted((r["time"], r["rtt_avg_ms"]) for r in rows) == [(p.time_ns, p.fields["rtt_avg_ms"]) for p in pts]
