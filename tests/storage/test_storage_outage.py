"""The outage test: points flow while a real influxd is SIGKILLed and restarted later."""

import asyncio

import pytest

from netmon.config import BatchSettings, SpoolSettings
from netmon.lab.influx import influxd_binary, start_influxd
from netmon.model import Point
from netmon.storage import Pipeline

T0 = 1_700_000_000_000_000_000
DEVICES = 20


@pytest.fixture
def own_influxd(tmp_path):
    if influxd_binary() is None:
        pytest.skip("influxd is not installed (Debian package influxdb)")
    h = start_influxd(tmp_path / "influxd")
    h.query("CREATE DATABASE netmon")
    yield h
    h.stop()


def poll(k: int) -> list[Point]:
    return [
        Point(
            "interface",
            {"device": f"d{d}", "tier": "county"},
            {"poll": k, "in_bps": k * 1.5 + d},
            T0 + k * 1_000_000 + d,
        )
        for d in range(DEVICES)
    ]


async def test_kill_and_restart_influxd_loses_and_duplicates_nothing(own_influxd, tmp_path):
    h = own_influxd
    batch = BatchSettings(size=200, interval=0.05, retry_initial=0.05, retry_max=0.5)
    pipe = await Pipeline.open(f"influxdb1://{h.url[7:]}/netmon", tmp_path / "spool", SpoolSettings(), batch)
    k = 0

    async def produce(seconds: float) -> None:
        nonlocal k
        end = asyncio.get_running_loop().time() + seconds
        while asyncio.get_running_loop().time() < end:
            await pipe.submit(poll(k))
            k += 1
            await asyncio.sleep(0.01)

    await produce(1.0)
    before = k
    h.kill()  # SIGKILL, as a crash would
    await produce(1.5)
    during = pipe.stats()
    h.restart()
    await produce(1.0)
    assert await pipe.flush(60)
    stats = pipe.stats()
    await pipe.close()

    assert before > 10 and k > before + 10
    assert during["sink_errors"] > 0 and during["spool_pending_points"] > 0  # it really was down and spooling
    assert stats["spool_pending_points"] == 0 and stats["points_dead_lettered"] == 0
    res = h.query('SELECT "poll", "in_bps" FROM interface GROUP BY "device"', db="netmon")["results"][0]
    got = sorted((s["tags"]["device"], v[0], v[1], v[2]) for s in res["series"] for v in s["values"])
    want = sorted(
        (p.tags["device"], p.time_ns, p.fields["poll"], p.fields["in_bps"]) for i in range(k) for p in poll(i)
    )
    assert len(got) == k * DEVICES
    assert got == want  # every point once, original timestamps, same values
