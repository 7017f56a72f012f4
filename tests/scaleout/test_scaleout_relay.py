"""netmon relay: central stream (sourcing both provinces across leaf links) into a real influxd."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest

from netmon.lab.influx import Influxd
from netmon.scaleout.relay import REASON_HEADER, Relay
from netmon.scaleout.settings import NatsSettings
from netmon.scaleout.streams import SourceWatch, setup_province, source_status
from netmon.storage.factory import open_sink
from tests.scaleout.so_helpers import Topology, hub_client, influx_count, influx_rows, wait_until

T0 = 1_700_000_000_000_000_000


async def _publish(topo: Topology, s: NatsSettings, domain: str, payloads: list[bytes]) -> None:
    sink = open_sink(topo.sink_url(s, domain))
    await sink.start()
    try:
        for p in payloads:
            await sink.write(p, 1)
    finally:
        await sink.close()


def _lp(domain: str, i: int) -> bytes:
    return b"cpu,device=%s-core1,province=%s util=%d.5,n=%di %d\n" % (
        domain.encode(),
        domain.encode(),
        i,
        i,
        T0 + i * 1000,
    )


async def _start_relay(
    topo: Topology, s: NatsSettings, influxd: Influxd, db: str
) -> tuple[Relay, asyncio.Task[object]]:
    nc = await hub_client(topo)
    sink = open_sink(f"influxdb1://127.0.0.1:{influxd.url.rsplit(':', 1)[1]}/{db}?timeout=2")
    relay = Relay(nc, s, sink, instance="test")
    task = asyncio.create_task(relay.run())
    return relay, task


async def _stop(relay: Relay, task: asyncio.Task[object]) -> None:
    relay.stop()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(task, 15)
    await relay.nc.close()
    await relay.sink.close()


async def test_relay_stores_both_provinces_and_dead_letters_garbage(
    topo: Topology, settings: NatsSettings, influxd: Influxd, influx_db: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, "netmon.relay")
    bad = b"this is not line protocol\n"
    await _publish(topo, settings, "gd", [_lp("gd", i) for i in range(30)] + [bad])
    await _publish(topo, settings, "zj", [_lp("zj", i) for i in range(20)])
    relay, task = await _start_relay(topo, settings, influxd, influx_db)
    try:
        await wait_until(lambda: relay.c.points >= 50 and relay.c.dead_lettered == 1, 20, "50 points relayed")
        await wait_until(lambda: relay.sources and relay.lag == 0, 10, "relay stats")
        pts = relay.points()
    finally:
        await _stop(relay, task)
    rows = influx_rows(influxd, influx_db, "cpu")
    got = sorted((r["province"], r["time"], r["util"], r["n"]) for r in rows)
    want = sorted(
        [("gd", T0 + i * 1000, i + 0.5, i) for i in range(30)] + [("zj", T0 + i * 1000, i + 0.5, i) for i in range(20)]
    )
    assert got == want  # exactly once, original timestamps, values intact

    # The garbage is kept, with the reason, in the dead-letter stream, and not retried.
    nc = await hub_client(topo)
    try:
        msg = await nc.jetstream().get_last_msg(settings.deadletter_stream, f"{settings.deadletter_subject}.gd")
        ci = await nc.jetstream().consumer_info(settings.stream, settings.consumer)
    finally:
        await nc.close()
    assert msg.data == bad
    assert "not valid line protocol" in (msg.headers or {})[REASON_HEADER]
    assert ci.num_ack_pending == 0 and ci.num_pending == 0
    assert any("dead-lettered" in r.getMessage() for r in caplog.records)

    # Self-metrics: the relay's own point and one per province, none stalled.
    by_prov = {p.tags.get("province", ""): p for p in pts}
    assert by_prov[""].fields["points"] == 50 and by_prov[""].fields["dead_lettered"] == 1
    assert {"广东", "浙江"} <= set(by_prov) and not by_prov["广东"].fields["stalled"]


async def test_relay_holds_data_while_influx_is_down(
    topo: Topology, settings: NatsSettings, influxd: Influxd, influx_db: str
) -> None:
    relay, task = await _start_relay(topo, settings, influxd, influx_db)
    try:
        await _publish(topo, settings, "gd", [_lp("gd", i) for i in range(10)])
        await wait_until(lambda: relay.c.points >= 10, 20, "first points")
        await asyncio.to_thread(influxd.stop)
        await _publish(topo, settings, "gd", [_lp("gd", i) for i in range(10, 40)])
        await wait_until(lambda: relay.c.sink_errors > 0, 20, "the relay to notice the database is down")
        nc = await hub_client(topo)
        try:
            ci = await nc.jetstream().consumer_info(settings.stream, settings.consumer)
            si = await nc.jetstream().stream_info(settings.stream)
        finally:
            await nc.close()
        assert relay.c.points == 10  # nothing acknowledged while down
        assert ci.num_ack_pending + ci.num_pending >= 1 and si.state.messages == 40  # the stream holds it
        assert not relay.sink_up
    finally:
        await asyncio.to_thread(influxd.restart)
    try:
        await wait_until(lambda: relay.c.points >= 40, 30, "catch-up after the database returns")
    finally:
        await _stop(relay, task)
    assert influx_count(influxd, influx_db, "cpu") == 40


async def test_stream_recreated_under_a_source_is_detected(topo: Topology, settings: NatsSettings) -> None:
    await _publish(topo, settings, "zj", [_lp("zj", i) for i in range(5)])
    nc = await hub_client(topo)
    watch = SourceWatch()
    try:
        await wait_until(lambda: _copied(nc, settings, 5), 15, "the hub to copy the province stream")
        first = {st.domain: st for st in await source_status(nc, settings, watch)}
        assert not first["zj"].stalled and first["zj"].reachable and first["zj"].leaf_last_seq == 5
        p = settings.province("zj")
        await nc.jetstream(domain="zj").delete_stream(p.stream)
        await setup_province(nc, settings, p)
        await _publish(topo, settings, "zj", [_lp("zj", i) for i in range(5, 8)])
        await asyncio.sleep(1.0)
        st = {x.domain: x for x in await source_status(nc, settings, watch)}["zj"]
        assert not await _copied(nc, settings, 6)  # the hub really is stuck
    finally:
        await nc.close()
    assert st.stalled
    assert "was recreated (sequence 5 -> 3)" in st.reason and "new name" in st.reason


async def _copied(nc: object, s: NatsSettings, n: int) -> bool:
    info = await nc.jetstream().stream_info(s.stream)  # type: ignore[attr-defined]
    return int(info.state.messages) >= n
