"""Issue 16: InfluxDB's "400 partial write ... dropped=N" counts and sets aside only the refused
points (the real influxd stored the rest), and points no database takes are refused one by one
before sending (never failing the batch). Raw InfluxQL on the real influxd is the truth."""

from __future__ import annotations

import asyncio
import time
import urllib.request
from pathlib import Path

from netmon.config import BatchSettings, SpoolSettings
from netmon.lab.influx import Influxd
from netmon.model import Point
from netmon.storage import Pipeline, decode
from netmon.storage.pipeline import DEAD_LETTER

NOW = time.time_ns() // 10**9 * 10**9
BATCH = BatchSettings(size=500, interval=0.05, retry_initial=0.05, retry_max=0.3)


def _raw_write(h: Influxd, db: str, body: str) -> None:
    req = urllib.request.Request(f"{h.url}/write?db={db}", data=body.encode(), method="POST")
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status == 204


async def _send(url: str, spool: Path, points: list[Point]) -> tuple[dict[str, float | bool], int]:
    pipe = await Pipeline.open(url, spool, SpoolSettings(), BATCH)
    try:
        errors = await pipe.submit(points)
        assert await pipe.flush(60)
        return pipe.stats(), len(errors)
    finally:
        await pipe.close()


def _dead(spool: Path) -> tuple[list[str], list[Point]]:
    data = (spool / DEAD_LETTER).read_bytes()
    comments = [ln for ln in data.decode(errors="replace").splitlines() if ln.startswith("#")]
    return comments, list(decode(data))


def test_field_type_conflict_dead_letters_only_the_refused_points(tmp_path, influxd, influx_db, influx_count):
    _raw_write(influxd, influx_db, f"pw,device=d0 v=1.5 {NOW - 10**9}\n")  # v is a float field now
    pts = [
        Point("pw", {"device": f"d{i}"}, {"v": f"text {i}" if i in (2, 5, 8) else float(i)}, NOW + i) for i in range(10)
    ]
    stats, refused_early = asyncio.run(_send(f"influxdb1://{influxd.url[7:]}/{influx_db}", tmp_path, pts))

    assert refused_early == 0
    assert influx_count(influxd, influx_db, "pw", "v") == 1 + 7  # influxd stored the 7 floats
    assert stats["points_written"] == 7
    assert stats["points_dead_lettered"] == 3
    assert stats["batches_partial"] == 1
    comments, dead = _dead(tmp_path)
    assert sorted(p.tags["device"] for p in dead) == ["d2", "d5", "d8"]  # exactly the refused lines
    assert all(isinstance(p.fields["v"], str) for p in dead)
    assert len(comments) == 1 and "3 of 10" in comments[0] and "field type conflict" in comments[0]
    assert (tmp_path / DEAD_LETTER).stat().st_mode & 0o777 == 0o600


def test_points_beyond_retention_mark_the_batch_partial(tmp_path, influxd, influx_db, influx_rows):
    influxd.query(f'CREATE RETENTION POLICY "short" ON "{influx_db}" DURATION 1h REPLICATION 1')
    old = NOW - 3 * 3600 * 10**9
    pts = [Point("rp", {"device": f"d{i}"}, {"v": i}, old + i if i < 2 else NOW + i) for i in range(6)]
    url = f"influxdb1://{influxd.url[7:]}/{influx_db}?rp=short"
    stats, _ = asyncio.run(_send(url, tmp_path, pts))

    res = influxd.query('SELECT count("v") FROM "short"."rp"', db=influx_db)["results"][0]
    assert res["series"][0]["values"][0][1] == 4  # the 4 recent points are stored
    assert stats["points_written"] == 4
    assert stats["points_dead_lettered"] == 2
    comments, dead = _dead(tmp_path)
    # influxd does not say which 2: the whole batch is kept, marked partial with the counts
    assert len(dead) == 6
    assert len(comments) == 1 and "2 of 6" in comments[0] and "not identifiable" in comments[0]


def test_invalid_points_are_refused_before_sending_never_failing_the_batch(tmp_path, influxd, influx_db, influx_count):
    good = [Point("val", {"device": f"d{i}"}, {"v": i}, NOW + i) for i in range(5)]
    bad = [
        Point("val", {"device": "big-tag", "descr": "x" * 70_000}, {"v": 1}, NOW),
        Point("val", {"device": "far-future"}, {"v": 1}, NOW + 2 * 366 * 86400 * 10**9),
        Point("val", {"device": "beyond-2262"}, {"v": 1}, (1 << 63) - 1),
        Point("val", {"device": "before-1970"}, {"v": 1}, -5),
        Point("val", {"device": "surrogate"}, {"v": 1, "cfg": "user \udcff\udcfe"}, NOW),  # undecoded bytes
    ]
    stats, refused_early = asyncio.run(
        _send(f"influxdb1://{influxd.url[7:]}/{influx_db}", tmp_path, [*good[:2], *bad, *good[2:]])
    )

    assert influx_count(influxd, influx_db, "val", "v") == 5
    assert refused_early == 5 and stats["points_rejected"] == 5
    assert stats["sink_rejects"] == 0 and stats["points_dead_lettered"] == 0
    comments, _ = _dead(tmp_path)
    text = "\n".join(comments)
    assert len(comments) == 5 and all("refused before sending" in c for c in comments)
    assert "series key" in text and "65535" in text
    assert "more than a year ahead" in text and "2262" in text and "before 1970" in text
    assert "not valid Unicode" in text and "surrogate" in text
