"""influxdb:// (influxdb-client's WriteApi, v2 API) against a real VictoriaMetrics.

InfluxDB 2.x cannot be installed on this machine; VictoriaMetrics serves /api/v2/write with the
same line protocol, and its /api/v1/export is the truth. It keeps numeric and boolean fields
(as <measurement>_<field>) at millisecond resolution; string fields become 0.
"""

import pytest

from netmon.errors import NetmonError
from netmon.lab.victoria import start_victoria
from netmon.model import Point
from netmon.storage import Pipeline, SinkRejected, open_query, open_sink

T0_MS = 1_700_000_000_000
SITES = ["a b", "a,b", "a=b", "q\"uo'te", "广东/广州/天河", "天河政务中心 1号楼"]


async def test_round_trip_through_write_api(victoria, tmp_path, fast_batch, spool_settings, monkeypatch):
    monkeypatch.setenv("INFLUX_TOKEN", "any-token")
    pts = [
        Point(
            "iface",
            {"device": f"d{i}", "site": s},
            {"in_bps": 1.25 * i, "errors": 10**12 + i, "up": True, "descr": "a string"},
            (T0_MS + i) * 1_000_000,
        )
        for i, s in enumerate(SITES)
    ]
    url = f"influxdb://{victoria.url[7:]}?org=gov&bucket=netmon&gzip=1"
    async with await Pipeline.open(url, tmp_path, spool_settings, fast_batch) as pipe:
        assert await pipe.submit(pts) == []
        assert await pipe.flush(30)
        assert pipe.stats()["points_written"] == len(pts)
    got = {}
    for s in victoria.export('{__name__=~"iface_.*"}'):
        m = s["metric"]
        got[(m["__name__"], m["device"], m["site"])] = list(zip(s["timestamps"], s["values"], strict=True))
    for i, s in enumerate(SITES):
        assert got[("iface_in_bps", f"d{i}", s)] == [(T0_MS + i, 1.25 * i)]
        assert got[("iface_errors", f"d{i}", s)] == [(T0_MS + i, 10**12 + i)]
        assert got[("iface_up", f"d{i}", s)] == [(T0_MS + i, 1)]
        assert got[("iface_descr", f"d{i}", s)] == [(T0_MS + i, 0)]  # VictoriaMetrics keeps strings as 0
    assert len(got) == 4 * len(SITES)


async def test_wrong_token_is_refused_at_start(tmp_path, monkeypatch):
    vm = start_victoria(tmp_path / "vm", user="netmon", password="right")
    try:
        monkeypatch.setenv("INFLUX_TOKEN", "wrong-secret-token")
        url = f"influxdb://{vm.url[7:]}?org=gov&bucket=netmon"
        with pytest.raises(NetmonError) as ei:
            await Pipeline.open(url, tmp_path / "spool")
        assert "401" in str(ei.value) and "INFLUX_TOKEN" in str(ei.value)
        assert "wrong-secret-token" not in str(ei.value)
        # A token revoked while running: the write itself is refused (4xx, not retried).
        sink = open_sink(url)
        with pytest.raises(SinkRejected) as er:
            await sink.write(b"m v=1 1\n", 1)
        assert er.value.status == 401 and "wrong-secret-token" not in str(er.value)
        await sink.close()
    finally:
        vm.stop()


async def test_missing_token_is_named(tmp_path, monkeypatch):
    monkeypatch.delenv("INFLUX_TOKEN", raising=False)
    with pytest.raises(NetmonError, match="set the environment variable INFLUX_TOKEN"):
        await Pipeline.open("influxdb://127.0.0.1:9?org=o&bucket=b", tmp_path)


async def test_query_helper_uses_influxql_compat(influxd, influx_db, tmp_path, fast_batch, spool_settings, monkeypatch):
    """influxdb:// queries go through /query (v1 compat in 1.8+/2.x/3.x); influxd 1.6 answers it."""
    monkeypatch.setenv("INFLUX_TOKEN", "t")
    async with await Pipeline.open(
        f"influxdb1://{influxd.url[7:]}/{influx_db}", tmp_path, spool_settings, fast_batch
    ) as pipe:
        await pipe.submit([Point("health", {"device": "d 1"}, {"cpu_pct": float(i)}, 10 + i) for i in range(3)])
        assert await pipe.flush(30)
    q = open_query(f"influxdb://{influxd.url[7:]}?org=gov&bucket={influx_db}")
    try:
        (p,) = await q.latest("health", where={"device": "d 1"})
        assert (p.time_ns, p.fields) == (12, {"cpu_pct": 2.0})
        assert [x.time_ns for x in await q.range("health", 0, 12)] == [10, 11]
    finally:
        await q.close()


async def test_v2_url_at_an_old_influxd_says_what_to_do(influxd, tmp_path, monkeypatch):
    monkeypatch.setenv("INFLUX_TOKEN", "t")
    with pytest.raises(NetmonError, match=r"404.*use influxdb1://"):
        await Pipeline.open(f"influxdb://{influxd.url[7:]}?org=gov&bucket=nobucket", tmp_path)
