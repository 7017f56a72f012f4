"""Storage fixtures: a real influxd 1.6.7 and a real VictoriaMetrics, one each per session."""

from __future__ import annotations

import itertools

import pytest

from netmon.config import BatchSettings, SpoolSettings
from netmon.lab.influx import Influxd, influxd_binary, start_influxd
from netmon.lab.victoria import Victoria, start_victoria, victoria_binary

_db_names = itertools.count(1)


@pytest.fixture(scope="session")
def influxd(tmp_path_factory) -> Influxd:
    if influxd_binary() is None:
        pytest.skip("influxd is not installed (Debian package influxdb; make test installs it as root)")
    h = start_influxd(tmp_path_factory.mktemp("influxd"))
    yield h
    h.stop()


@pytest.fixture(scope="session")
def victoria(tmp_path_factory) -> Victoria:
    if victoria_binary() is None:
        pytest.skip("victoria-metrics is not installed (Debian package victoria-metrics)")
    h = start_victoria(tmp_path_factory.mktemp("vm"))
    yield h
    h.stop()


@pytest.fixture
def influx_db(influxd: Influxd) -> str:
    """A fresh database on the session's influxd."""
    name = f"t{next(_db_names)}"
    influxd.query(f'CREATE DATABASE "{name}"')
    return name


@pytest.fixture
def fast_batch() -> BatchSettings:
    return BatchSettings(size=500, interval=0.05, retry_initial=0.05, retry_max=0.3)


@pytest.fixture
def spool_settings() -> SpoolSettings:
    return SpoolSettings(fsync="batch")


def _influx_rows(h: Influxd, db: str, measurement: str) -> list[dict]:
    """Every row of a measurement through raw InfluxQL: dicts of tags + fields + time."""
    res = h.query(f'SELECT * FROM "{measurement}" GROUP BY *', db=db)["results"][0]
    rows = []
    for s in res.get("series", []):
        for v in s["values"]:
            d = {c: x for c, x in zip(s["columns"], v, strict=True) if x is not None}
            d.update(s.get("tags") or {})
            rows.append(d)
    return rows


def _influx_count(h: Influxd, db: str, measurement: str, field: str) -> int:
    res = h.query(f'SELECT count("{field}") FROM "{measurement}"', db=db)["results"][0]
    return int(res["series"][0]["values"][0][1]) if res.get("series") else 0


@pytest.fixture
def influx_rows():
    """rows(influxd, db, measurement): every row via raw InfluxQL (the independent truth)."""
    return _influx_rows


@pytest.fixture
def influx_count():
    return _influx_count
