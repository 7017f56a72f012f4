"""Pipeline behaviour that does not depend on the sink kind (SQLite as the sink here)."""

import asyncio
import sqlite3

import pytest

from netmon.config import BatchSettings, SpoolSettings
from netmon.errors import InputError, NetmonError
from netmon.model import Point
from netmon.storage import Pipeline, SpoolLockedError
from netmon.storage.sqlite import iter_points


def polls(n: int, per: int = 10) -> list[list[Point]]:
    return [[Point("m", {"d": str(d)}, {"k": k}, 1000 * k + d) for d in range(per)] for k in range(n)]


async def test_fsync_always_group_commits_concurrent_submits(tmp_path, monkeypatch):
    db = tmp_path / "g.db"
    pipe = await Pipeline.open(
        f"sqlite://{db}", tmp_path / "s", SpoolSettings(fsync="always"), BatchSettings(size=1000, interval=0.05)
    )
    calls = 0
    real = pipe.spool.sync

    def counting_sync() -> None:
        nonlocal calls
        calls += 1
        real()

    monkeypatch.setattr(pipe.spool, "sync", counting_sync)
    await asyncio.gather(*(pipe.submit(p) for p in polls(100)))
    assert 1 <= calls < 100  # 100 concurrent submits, far fewer fsyncs
    assert await pipe.flush(30)
    await pipe.close()
    assert sorted((p.time_ns, p.fields["k"]) for p in iter_points(sqlite3.connect(db), "m")) == [
        (t, k) for k in range(100) for t in range(1000 * k, 1000 * k + 10)
    ]


async def test_self_metrics(tmp_path):
    pipe = await Pipeline.open(
        f"sqlite://{tmp_path / 'm.db'}", tmp_path / "s", SpoolSettings(), BatchSettings(size=50, interval=0.05)
    )
    for p in polls(20):
        await pipe.submit(p)
    assert await pipe.flush(30)
    s = pipe.stats()
    assert s["points_submitted"] == s["points_written"] == s["sink_written"] == 200
    assert s["spool_pending_points"] == 0 and s["sink_up"] == 1 and s["sink_failing"] is False
    assert s["batches_written"] >= 4 and s["replay_points_per_s"] > 0
    assert 0 < s["write_latency_s_avg"] <= s["write_latency_s_max"]
    (sp,) = pipe.self_points({"instance": "t"})
    assert sp.measurement == "netmon_self" and sp.fields["spool_dropped"] == 0
    assert await pipe.submit([sp]) == []
    await pipe.close()


async def test_second_pipeline_on_the_same_spool_is_refused(tmp_path):
    pipe = await Pipeline.open(f"sqlite://{tmp_path / 'a.db'}", tmp_path / "s")
    try:
        with pytest.raises(SpoolLockedError, match="in use by another netmon"):
            await Pipeline.open(f"sqlite://{tmp_path / 'b.db'}", tmp_path / "s")
    finally:
        await pipe.close()


async def test_bad_url_and_unwritable_database(tmp_path):
    with pytest.raises(InputError, match="unknown sink scheme"):
        await Pipeline.open("mysql://x/y", tmp_path / "s")
    (tmp_path / "afile").write_text("")
    with pytest.raises(NetmonError, match="sqlite database"):
        await Pipeline.open(f"sqlite://{tmp_path / 'afile' / 'x.db'}", tmp_path / "s")
    (await Pipeline.open(f"sqlite://{tmp_path / 'ok.db'}", tmp_path / "s")).spool.close()  # lock released each time
