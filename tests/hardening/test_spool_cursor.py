"""Issue 16: a spool cursor past a segment's end (or inside a record) must not skip the
segment silently: the points reach the real InfluxDB, the repair is counted and logged."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from netmon.config import BatchSettings, SpoolSettings
from netmon.lab.influx import Influxd
from netmon.model import Point
from netmon.storage import Pipeline, Spool
from netmon.storage.spool import HDR_SIZE

N = 40


def _points(start: int = 0) -> list[Point]:
    return [Point("cur", {"device": "d1"}, {"v": i}, 1_700_000_000_000_000_000 + i) for i in range(start, start + N)]


async def _spool_points(directory: Path, settings: SpoolSettings) -> None:
    """Spool N points while the sink is unreachable (nothing acknowledged), then stop."""
    pipe = await Pipeline.open("influxdb1://127.0.0.1:1/none", directory, settings, BatchSettings(size=5))
    await pipe.submit(_points())
    await pipe.close(timeout=0)


def _segment(directory: Path) -> Path:
    segs = sorted(p for p in directory.glob("*.seg") if p.stat().st_size)
    assert len(segs) == 1
    return segs[0]


async def _replay(directory: Path, settings: SpoolSettings, influxd: Influxd, db: str) -> dict[str, float | bool]:
    pipe = await Pipeline.open(
        f"influxdb1://{influxd.url.split('://')[1]}/{db}", directory, settings, BatchSettings(size=5, interval=0.05)
    )
    try:
        assert await pipe.flush(60)
        return pipe.stats()
    finally:
        await pipe.close()


def test_cursor_past_segment_end_resends_the_segment(tmp_path, influxd, influx_db, influx_count, caplog):
    settings = SpoolSettings(fsync="always")
    asyncio.run(_spool_points(tmp_path, settings))
    seg = _segment(tmp_path)
    size = seg.stat().st_size
    # e.g. the segment's unsynced tail lost in a power loss while the cursor's rename survived
    (tmp_path / "cursor").write_text(f"{int(seg.stem)} {size + 4096}\n")

    with caplog.at_level(logging.WARNING, logger="netmon.storage.spool"):
        stats = asyncio.run(_replay(tmp_path, settings, influxd, influx_db))

    assert influx_count(influxd, influx_db, "cur", "v") == N  # the independent truth: every point stored
    assert stats["spool_cursor_repairs"] == 1
    msg = [r.getMessage() for r in caplog.records if r.name == "netmon.storage.spool" and "cursor" in r.getMessage()]
    assert msg and seg.name in msg[0] and f"{size + 4096}" in msg[0] and f"({size} bytes)" in msg[0]


def test_cursor_inside_a_record_goes_back_to_its_start(tmp_path, caplog):
    settings = SpoolSettings()
    sp = Spool.open(tmp_path, settings)
    recs = [f"m v={i}i {i}\n".encode() for i in range(6)]
    for r in recs:
        sp.append(r, 1)
    sp.close()
    seg = _segment(tmp_path)
    one = HDR_SIZE + len(recs[0])
    (tmp_path / "cursor").write_text(f"{int(seg.stem)} {2 * one + 3}\n")  # 3 bytes into the third record

    with caplog.at_level(logging.WARNING, logger="netmon.storage.spool"):
        sp = Spool.open(tmp_path, settings)
    try:
        assert sp.pending_points == 4
        b = sp.read_batch(100)
        assert b is not None and b.payload == b"".join(recs[2:])
        assert sp.counters.cursor_repairs == 1 and sp.counters.cursor_resent_bytes == 3
        assert sp.counters.corrupt_records == 0
        assert any(seg.name in r.getMessage() and "inside a record" in r.getMessage() for r in caplog.records)
    finally:
        sp.close()


def test_a_valid_cursor_is_not_repaired(tmp_path):
    sp = Spool.open(tmp_path, SpoolSettings())
    for i in range(6):
        sp.append(f"m v={i}i {i}\n".encode(), 1)
    b = sp.read_batch(2)
    assert b is not None
    sp.ack(b.end)
    sp.close()
    sp = Spool.open(tmp_path, SpoolSettings())
    try:
        assert sp.pending_points == 4 and sp.counters.cursor_repairs == 0
    finally:
        sp.close()


def test_cursor_ahead_of_every_segment_deletes_nothing(tmp_path, caplog):
    settings = SpoolSettings(segment_bytes=4096)
    sp = Spool.open(tmp_path, settings)
    recs = [f"m v={i}i {i}\n".encode() for i in range(400)]
    for r in recs:
        sp.append(r, 1)
    sp.close()
    segs = sorted(tmp_path.glob("*.seg"))
    assert len(segs) > 2
    (tmp_path / "cursor").write_text(f"{int(segs[-1].stem) + 50} 0\n")  # e.g. a cursor copied from another spool

    with caplog.at_level(logging.WARNING, logger="netmon.storage.spool"):
        sp = Spool.open(tmp_path, settings)
    try:
        assert sp.pending_points == 400
        got = []
        while (b := sp.read_batch(100)) is not None:
            got.append(b.payload)
        assert b"".join(got) == b"".join(recs)
        assert sp.counters.cursor_repairs == 1
        assert sp.counters.cursor_resent_bytes == sum(p.stat().st_size for p in segs)
        assert any(segs[0].name in r.getMessage() and "re-sending" in r.getMessage() for r in caplog.records)
    finally:
        sp.close()
