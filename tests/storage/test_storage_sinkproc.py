"""The SQLite sink in a process of its own (netmon/storage/sinkproc.py): the file it writes is
the file the in-thread sink writes (read back with raw SQL through iter_points), refusals keep
their class, and a dead child loses nothing: the batch fails as retryable and the next write
starts a new child."""

import os
import signal
import time

import pytest

from netmon.model import Point
from netmon.storage import Pipeline, open_sink
from netmon.storage.base import SinkRejected, SinkUnavailable
from netmon.storage.lineproto import Encoder
from netmon.storage.sinkproc import ProcessSink
from netmon.storage.sqlite import connect, iter_points
from netmon.storage.urls import parse_sink_url

T0 = time.time_ns() - 3600 * 10**9  # recent: a new child applies retention when it starts


def payload(k: int) -> tuple[bytes, int]:
    pts = [
        Point("interface", {"device": f"d{i}", "ifName": f"GE0/{i}"}, {"in_octets": 10 * k + i, "up": True}, T0 + k)
        for i in range(50)
    ]
    data, n, errors = Encoder().encode(pts)
    assert not errors
    return data, n


def stored(db) -> list[str]:
    con = connect(db, readonly=True)
    try:
        return sorted(
            repr((p.measurement, sorted(p.tags.items()), p.time_ns, sorted(p.fields.items()))) for p in iter_points(con)
        )
    finally:
        con.close()


async def test_the_child_writes_what_the_thread_sink_writes(tmp_path):
    a, b = tmp_path / "thread.db", tmp_path / "proc.db"
    direct, child = open_sink(f"sqlite://{a}"), ProcessSink(parse_sink_url(f"sqlite://{b}"))
    for sink in (direct, child):
        await sink.start()
        for k in range(3):
            await sink.write(*payload(k))
        await sink.close()
    assert stored(b) == stored(a)
    assert len(stored(b)) == 150
    assert child.precision == direct.precision


async def test_a_refused_batch_is_refused_in_the_parent(tmp_path):
    sink = ProcessSink(parse_sink_url(f"sqlite://{tmp_path / 'n.db'}"))
    await sink.start()
    try:
        with pytest.raises(SinkRejected) as err:
            await sink.write(f"m,d=x v=xyz {T0}\n".encode(), 1)
        assert err.value.status == 400
        await sink.write(*payload(0))  # the child is still up
    finally:
        await sink.close()
    assert len(stored(tmp_path / "n.db")) == 50


async def test_a_dead_child_fails_the_batch_as_retryable_and_is_started_again(tmp_path):
    db = tmp_path / "n.db"
    sink = ProcessSink(parse_sink_url(f"sqlite://{db}"))
    await sink.start()
    try:
        await sink.write(*payload(0))
        assert sink._proc is not None
        first = sink._proc.pid
        os.kill(first, signal.SIGKILL)
        # Whether the parent has seen the exit yet or finds out on this write, the batch is
        # never acknowledged unstored: it fails as retryable, or goes to a new child.
        try:
            await sink.write(*payload(1))
        except SinkUnavailable as exc:
            assert "sink process exited" in str(exc)
            await sink.write(*payload(1))  # the pipeline's retry: a new child takes the same batch
        assert sink._proc is not None and sink._proc.pid != first and sink.restarts == 1
    finally:
        await sink.close()
    assert len(stored(db)) == 100


async def test_the_url_is_not_on_the_child_command_line(tmp_path):
    db = tmp_path / "secret-place.db"
    sink = ProcessSink(parse_sink_url(f"sqlite://{db}"))
    await sink.start()
    try:
        assert sink._proc is not None
        with open(f"/proc/{sink._proc.pid}/cmdline", "rb") as f:
            cmdline = f.read()
        assert b"netmon.storage.sinkproc" in cmdline and b"secret-place" not in cmdline
    finally:
        await sink.close()


async def test_through_the_pipeline_every_point_lands_and_the_child_stops(tmp_path, fast_batch, spool_settings):
    db = tmp_path / "n.db"
    sink = ProcessSink(parse_sink_url(f"sqlite://{db}"))
    pipe = await Pipeline.open(sink, tmp_path / "spool", spool_settings, fast_batch)
    pts = [Point("health", {"device": f"d{i}"}, {"cpu_pct": float(i)}, T0 + i) for i in range(500)]
    await pipe.submit(pts)
    await pipe.flush(10)
    proc = sink._proc
    await pipe.close()
    assert proc is not None and proc.returncode == 0
    assert [
        (p.tags["device"], p.fields["cpu_pct"])
        for p in sorted(iter_points(connect(db, readonly=True)), key=lambda p: p.time_ns)
    ] == [(f"d{i}", float(i)) for i in range(500)]
