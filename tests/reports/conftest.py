"""A month of known reachability written through the real sinks: SQLite and influxd 1.x."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from netmon.lab.influx import influxd_binary, start_influxd
from netmon.storage import Encoder, open_sink
from tests.conftest import ROOT
from tests.reports.month_data import points


async def _write(url: str, base: Path | None = None) -> int:
    sink = open_sink(url, base)
    await sink.start()
    pts = points()
    enc = Encoder()
    try:
        for i in range(0, len(pts), 5000):
            payload, n, errors = enc.encode(pts[i : i + 5000])
            assert not errors
            await sink.write(payload, n)
    finally:
        await sink.close()
    return len(pts)


def write_config(d: Path, sink: str) -> Path:
    cfg = d / "netmon.yaml"
    cfg.write_text(
        f"inventory: [{ROOT / 'configs' / 'inventory' / 'small.yaml'}]\nsink: {sink}\ntimezone: Asia/Shanghai\n"
        "intervals: {snmp: 300}\n",
        encoding="utf-8",
    )
    return cfg


@pytest.fixture(scope="package")
def month_sqlite(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("month-sqlite")
    url = f"sqlite:///{d / 'netmon.db'}"
    asyncio.run(_write(url))
    return write_config(d, url)


@pytest.fixture(scope="package")
def month_influx(tmp_path_factory):
    if influxd_binary() is None:
        pytest.skip("influxd is not installed (Debian package influxdb; make test installs it as root)")
    d = tmp_path_factory.mktemp("month-influx")
    h = start_influxd(d / "influxd")
    try:
        h.query('CREATE DATABASE "netmon"')
        url = f"influxdb1://{h.url.removeprefix('http://')}/netmon"
        asyncio.run(_write(url))
        yield write_config(d, url), h
    finally:
        h.stop()
