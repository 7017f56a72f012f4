"""Issue 16: "spool N bytes pending" and netmon_spool_bytes report unacknowledged bytes, so they
fall to 0 once the real InfluxDB has everything, and count what is really waiting when it is down."""

from __future__ import annotations

import asyncio

from prometheus_client import generate_latest

from netmon.config import BatchSettings, SpoolSettings
from netmon.model import Point
from netmon.runtime.selfmon import SelfMetrics
from netmon.storage import Pipeline
from netmon.storage.lineproto import Encoder
from netmon.storage.spool import HDR_SIZE


def _points(n: int) -> list[Point]:
    return [Point("pend", {"device": "d1"}, {"v": i}, 1_700_000_000_000_000_000 + i) for i in range(n)]


def _gauge(metrics: SelfMetrics, name: str) -> float:
    for line in generate_latest(metrics.registry).decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not exported")


def test_pending_bytes_fall_to_zero_once_written(tmp_path, influxd, influx_db, influx_count):
    async def main() -> None:
        url = f"influxdb1://{influxd.url.split('://')[1]}/{influx_db}"
        pipe = await Pipeline.open(url, tmp_path, SpoolSettings(), BatchSettings(size=50, interval=0.05))
        try:
            for _ in range(4):
                await pipe.submit(_points(50))
            assert await pipe.flush(60)
            stats = pipe.stats()
            metrics = SelfMetrics("t")
            metrics.update_storage(stats)
            assert influx_count(influxd, influx_db, "pend", "v") == 50  # same series+time each round
            assert stats["spool_bytes"] == 0  # nothing waits: the sink acknowledged all of it
            assert _gauge(metrics, "netmon_spool_bytes") == 0
            assert stats["spool_disk_bytes"] > 0  # the segment being written still holds them
            assert _gauge(metrics, "netmon_spool_disk_bytes") == stats["spool_disk_bytes"]
            self_point = pipe.self_points({"instance": "t"})[0]
            assert self_point.fields["spool_bytes"] == 0
        finally:
            await pipe.close()

    asyncio.run(main())


def test_pending_bytes_count_what_the_down_sink_has_not_taken(tmp_path):
    async def main() -> None:
        pipe = await Pipeline.open("influxdb1://127.0.0.1:1/none", tmp_path, SpoolSettings(), BatchSettings(size=10))
        try:
            pts = _points(30)
            await pipe.submit(pts)
            payload = b"".join(Encoder("ns").encode(pts[i : i + 10])[0] for i in range(0, 30, 10))
            assert pipe.stats()["spool_bytes"] == len(payload) + 3 * HDR_SIZE  # independent: the records' size
        finally:
            await pipe.close(timeout=0)

    asyncio.run(main())
