"""The nats:// sink against real nats-server leaf servers (JetStream domains gd and js)."""

from __future__ import annotations

import asyncio
import os

import pytest

from netmon.config import BatchSettings, SpoolSettings
from netmon.errors import NetmonError
from netmon.model import Point
from netmon.scaleout.nats_sink import NatsSink, chunks, msg_id
from netmon.scaleout.settings import NatsSettings
from netmon.storage import Pipeline
from netmon.storage.factory import open_sink
from netmon.storage.lineproto import decode
from tests.scaleout.so_helpers import Topology

FAST = BatchSettings(size=200, interval=0.05, retry_initial=0.05, retry_max=0.3)


async def _leaf_msgs(topo: Topology, s: NatsSettings, domain: str) -> list[bytes]:
    import nats

    leaf = topo.gd if domain == "gd" else topo.zj
    nc = await nats.connect(leaf.url, user="poller", password=leaf.users["poller"])
    try:
        p = s.province(domain)
        js = nc.jetstream()
        info = await js.stream_info(p.stream)
        out = []
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            out.append((await js.get_msg(p.stream, seq)).data or b"")
        return out
    finally:
        await nc.close()


def test_chunks_split_at_line_ends_and_keep_every_byte() -> None:
    payload = b"".join(b"m,d=%d v=%di %d\n" % (i, i, i) for i in range(1000))
    parts = chunks(payload, 1000)
    assert len(parts) > 10 and all(len(c) <= 1000 and c.endswith(b"\n") for c in parts)
    assert b"".join(parts) == payload
    assert msg_id("a", b"x") == msg_id("a", b"x") != msg_id("b", b"x")


async def test_publish_keeps_bytes_and_retries_are_deduplicated(topo: Topology, settings: NatsSettings) -> None:
    sink = open_sink(topo.sink_url(settings, "gd"))
    await sink.start()
    try:
        payload = b'if,device=gd-core1 in_octets=1i,name="Gi0/1" 1700000000123456789\n'
        await sink.write(payload, 1)
        await sink.write(payload, 1)  # a retry after a lost ack: same batch, same Nats-Msg-Id
        assert isinstance(sink, NatsSink) and sink.duplicates == 1
    finally:
        await sink.close()
    msgs = await _leaf_msgs(topo, settings, "gd")
    assert msgs == [payload]  # stored once, byte for byte: original timestamp untouched


async def test_big_batch_is_split_under_max_payload(topo: Topology, settings: NatsSettings) -> None:
    sink = open_sink(topo.sink_url(settings, "zj"))
    assert isinstance(sink, NatsSink)
    sink.chunk = 4096
    await sink.start()
    payload = b"".join(b"m,d=x v=%di %d\n" % (i, 1_700_000_000_000_000_000 + i) for i in range(2000))
    try:
        await sink.write(payload, 2000)
    finally:
        await sink.close()
    msgs = await _leaf_msgs(topo, settings, "zj")
    assert len(msgs) > 5 and b"".join(msgs) == payload


async def test_wrong_leaf_credentials_are_a_clear_error(
    topo: Topology, settings: NatsSettings, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("NETMON_TEST_POLLER_PW_GD", "not-the-password")
    with pytest.raises(NetmonError) as ei:
        await Pipeline.open(topo.sink_url(settings, "gd"), tmp_path / "spool", SpoolSettings(), FAST)
    msg = str(ei.value)
    assert "refused the login" in msg and "user 'poller'" in msg and "env:NETMON_TEST_POLLER_PW_GD" in msg
    assert "not-the-password" not in msg


async def test_missing_stream_is_named(topo: Topology, settings: NatsSettings, tmp_path) -> None:
    url = topo.sink_url(settings, "gd").replace(f"stream={settings.provinces[0].stream}", "stream=NOPE")
    with pytest.raises(NetmonError, match=r"stream NOPE does not exist on the leaf \(domain gd\).*netmon relay setup"):
        await Pipeline.open(url, tmp_path / "spool", SpoolSettings(), FAST)


async def test_dead_leaf_loses_nothing(topo: Topology, settings: NatsSettings, tmp_path) -> None:
    """The spool stays in front: points submitted while the leaf is down arrive after it restarts."""
    pipe = await Pipeline.open(topo.sink_url(settings, "zj"), tmp_path / "spool", SpoolSettings(fsync="batch"), FAST)
    t0 = 1_700_000_000_000_000_000
    try:
        await pipe.submit([Point("m", {"d": "a"}, {"v": i}, t0 + i) for i in range(50)])
        assert await pipe.flush(10)
        topo.zj.kill()
        await pipe.submit([Point("m", {"d": "a"}, {"v": i}, t0 + i) for i in range(50, 120)])
        await asyncio.sleep(0.5)
        assert not await pipe.flush(0.5)  # held in the spool, not lost
        await asyncio.to_thread(topo.zj.start_again)
        assert await pipe.flush(30)
    finally:
        await pipe.close()
        if not topo.zj.alive():
            topo.zj.start_again()
    await asyncio.to_thread(topo.wait_leaves)
    pts = [p for m in await _leaf_msgs(topo, settings, "zj") for p in decode(m)]
    assert sorted((p.time_ns, p.fields["v"]) for p in pts) == [(t0 + i, i) for i in range(120)]
    assert os.environ.get("NETMON_TEST_POLLER_PW_ZJ")  # fixture env still in place for later tests
