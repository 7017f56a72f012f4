"""The on-disk spool: order, acknowledgement, torn/corrupt records, bounds, lock, kill -9, full disk."""

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from netmon.config import SpoolSettings
from netmon.storage import Spool, SpoolFullError, SpoolLockedError
from netmon.storage.spool import HDR_SIZE, encode_record
from tests.conftest import need_root


def rec(i: int) -> bytes:
    return f"m,k=v x={i}i {i}\n".encode()


def drain(sp: Spool, ack: bool = True) -> list[bytes]:
    out = []
    while (b := sp.read_batch(3)) is not None:
        out.extend(line + b"\n" for line in b.payload.split(b"\n") if line)
        if ack:
            sp.ack(b.end)
    return out


def test_order_ack_and_replay_after_reopen(tmp_path):
    s = SpoolSettings(segment_bytes=4096)
    sp = Spool.open(tmp_path, s)
    for i in range(400):
        sp.append(rec(i), 1)
    assert sp.segments > 2 and sp.pending_points == 400
    b = sp.read_batch(50)
    assert b.points == 50
    sp.ack(b.end)
    sp.read_batch(10)  # read but never acknowledged: must come back after a restart
    sp.close()

    sp = Spool.open(tmp_path, s)
    assert sp.pending_points == 350
    assert drain(sp) == [rec(i) for i in range(50, 400)]
    assert sp.segments == 1  # only the (empty) segment being written is left
    sp.close()
    assert [p.name for p in tmp_path.glob("*.seg")] == []


def test_lock_names_the_holder_pid(tmp_path):
    code = textwrap.dedent(f"""
        import sys, time
        from netmon.config import SpoolSettings
        from netmon.storage import Spool
        sp = Spool.open({str(tmp_path)!r}, SpoolSettings())
        print("locked", flush=True)
        time.sleep(60)
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(SpoolLockedError) as ei:
            Spool.open(tmp_path, SpoolSettings())
        assert f"pid {holder.pid}" in str(ei.value)
    finally:
        holder.kill()
        holder.wait()
    Spool.open(tmp_path, SpoolSettings()).close()  # the lock died with its holder


def test_torn_last_record_is_skipped_with_a_warning(tmp_path, caplog):
    sp = Spool.open(tmp_path, SpoolSettings())
    for i in range(5):
        sp.append(rec(i), 1)
    sp.close()
    seg = sorted(tmp_path.glob("*.seg"))[-1]
    whole = encode_record(rec(5), 1, time.time_ns())
    with seg.open("ab") as fh:
        fh.write(whole[: HDR_SIZE + 4])  # a crash in the middle of a write
    sp = Spool.open(tmp_path, SpoolSettings())
    assert sp.pending_points == 5
    with caplog.at_level(logging.WARNING, "netmon.storage.spool"):
        assert drain(sp) == [rec(i) for i in range(5)]
    assert sp.pending_points == 0
    assert "torn last record" in caplog.text
    assert sp.counters.corrupt_records == 1
    sp.append(rec(6), 1)  # the spool goes on working
    assert drain(sp) == [rec(6)]
    sp.close()


def test_corrupt_record_in_the_middle_skips_only_that_record(tmp_path, caplog):
    sp = Spool.open(tmp_path, SpoolSettings())
    for i in range(10):
        sp.append(rec(i), 1)
    sp.close()
    seg = sorted(tmp_path.glob("*.seg"))[-1]
    data = bytearray(seg.read_bytes())
    rec_len = len(encode_record(rec(0), 1, 0))
    data[3 * rec_len + HDR_SIZE + 2] ^= 0xFF  # flip a byte in record 3's payload
    seg.write_bytes(bytes(data))
    sp = Spool.open(tmp_path, SpoolSettings())
    assert sp.pending_points == 9  # the depth counts what will really be delivered
    with caplog.at_level(logging.WARNING, "netmon.storage.spool"):
        got = drain(sp)
    assert got == [rec(i) for i in range(10) if i != 3]
    assert sp.pending_points == 0
    assert "corrupted record" in caplog.text
    sp.close()


def test_overflow_drops_oldest_and_counts(tmp_path):
    s = SpoolSettings(max_bytes=64 * 1024, segment_bytes=8192)
    sp = Spool.open(tmp_path, s)
    n = 5000
    for i in range(n):
        sp.append(rec(i), 1)
    assert sp.bytes <= s.max_bytes
    left = drain(sp)
    dropped = sp.counters.dropped_points
    assert dropped > 0 and dropped + len(left) == n
    assert left == [rec(i) for i in range(dropped, n)]  # the newest survive, in order
    sp.close()


def test_max_age_drops_old_segments(tmp_path):
    s = SpoolSettings(max_age=60, segment_bytes=4096)
    sp = Spool.open(tmp_path, s)
    for i in range(300):
        sp.append(rec(i), 1)
    before = sp.pending_points
    sp.expire(time.time_ns() + 3600 * 10**9)  # an hour later
    assert sp.counters.dropped_points > 0
    assert sp.pending_points == before - sp.counters.dropped_points
    sp.close()


WRITER = textwrap.dedent("""
    import asyncio, sys
    from netmon.config import BatchSettings, SpoolSettings
    from netmon.model import Point
    from netmon.storage import Pipeline

    async def main():
        # The sink is a closed port: everything stays in the spool, as in an outage.
        pipe = await Pipeline.open(sys.argv[2], sys.argv[1], SpoolSettings(fsync="never"), BatchSettings())
        i = 0
        while True:
            pts = [Point("interface", {"device": "d%d" % (i % 7), "ifIndex": str(j)}, {"seq": i, "j": j},
                         1_700_000_000_000_000_000 + i * 1000 + j) for j in range(30)]
            await pipe.submit(pts)
            print(i, flush=True)  # acknowledged to the caller
            i += 1

    asyncio.run(main())
""")


async def test_kill_9_writer_loses_nothing_acknowledged(tmp_path, caplog):
    from netmon.lab.procs import free_port
    from netmon.storage import Pipeline, open_query

    spool_dir = tmp_path / "spool"
    dead = f"influxdb1://127.0.0.1:{free_port()}/netmon"
    w = subprocess.Popen([sys.executable, "-c", WRITER, str(spool_dir), dead], stdout=subprocess.PIPE, text=True)
    acked = -1
    try:
        for line in w.stdout:
            acked = int(line)
            if acked >= 300:
                break
    finally:
        os.kill(w.pid, signal.SIGKILL)
        w.wait()
    assert acked >= 300
    # A power cut would also tear the record being written: add one by hand.
    seg = sorted(spool_dir.glob("*.seg"))[-1]
    with seg.open("ab") as fh:
        fh.write(encode_record(b"interface seq=999999i 1\n", 1, 0)[:30])

    db = tmp_path / "netmon.db"
    with caplog.at_level(logging.WARNING):
        pipe = await Pipeline.open(f"sqlite://{db}", spool_dir)
        assert await pipe.flush(60)
        stats = pipe.stats()
        await pipe.close()
    assert "torn last record" in caplog.text
    assert stats["spool_corrupt_records"] == 1
    q = open_query(f"sqlite://{db}")
    pts = await q.range("interface", 0, 2**62)
    await q.close()
    seqs = {p.fields["seq"] for p in pts}
    assert set(range(acked + 1)) <= seqs  # every acknowledged poll is there
    assert len(pts) == 30 * len(seqs)  # and each point once
    for p in pts:
        assert p.time_ns == 1_700_000_000_000_000_000 + p.fields["seq"] * 1000 + p.fields["j"]


@pytest.fixture
def tiny_tmpfs(tmp_path):
    need_root("mounting a small tmpfs to fill the spool's disk")
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount tmpfs here: {r.stderr.strip()}")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_drops_oldest_then_refuses_clearly(tiny_tmpfs):
    s = SpoolSettings(max_bytes=1 << 30, segment_bytes=32 * 1024)  # the byte bound is far away: the disk is not
    sp = Spool.open(tiny_tmpfs / "spool", s)
    payload = b"m v=1i 1\n" * 100  # ~900 bytes a record
    for _ in range(1000):  # ~900 KB into 256 KB
        sp.append(payload, 100)
    assert sp.counters.dropped_points > 0  # full disk: the oldest went first, counted
    left = 0
    while (b := sp.read_batch(1000)) is not None:
        left += b.points
        sp.ack(b.end)
    assert left + sp.counters.dropped_points == 100 * 1000
    assert sp.counters.corrupt_records == 0  # no half-written record left behind
    # A single record bigger than the whole disk: refused with a message, spool still usable.
    with pytest.raises(SpoolFullError, match="disk full"):
        sp.append(b"m v=1i 1\n" * 40000, 40000)
    sp.append(payload, 100)
    assert sp.read_batch(1000).points == 100
    sp.close()


def test_segment_removed_behind_our_back_is_counted_not_fatal(tmp_path, caplog):
    sp = Spool.open(tmp_path, SpoolSettings(segment_bytes=4096))
    for i in range(300):
        sp.append(rec(i), 1)
    first = sorted(tmp_path.glob("*.seg"))[0]
    first.unlink()
    with caplog.at_level(logging.WARNING, "netmon.storage.spool"):
        left = drain(sp)
    assert "vanished" in caplog.text
    assert sp.counters.dropped_points + len(left) == 300
    assert left == [rec(i) for i in range(300 - len(left), 300)]
    sp.close()
