"""Sinks and query helpers by URL."""

from __future__ import annotations

from pathlib import Path

from .base import Query, Sink
from .urls import SinkURL, parse_sink_url


def _url(url: str | SinkURL, base_dir: Path | None) -> SinkURL:
    return url if isinstance(url, SinkURL) else parse_sink_url(url, base_dir)


def open_sink(url: str | SinkURL, base_dir: Path | None = None) -> Sink:
    """The sink for a URL (not started: ``await sink.start()`` checks it). Bad URL: InputError."""
    u = _url(url, base_dir)
    if u.kind == "sqlite":
        from .sqlite import SqliteSink

        return SqliteSink(u)
    if u.kind == "influxdb1":
        from .influx1 import Influx1Sink

        return Influx1Sink(u)
    if u.kind == "nats":
        from ..scaleout.nats_sink import NatsSink

        return NatsSink(u)
    from .influx2 import Influx2Sink

    return Influx2Sink(u)


def open_query(url: str | SinkURL, base_dir: Path | None = None) -> Query:
    """The query helper (latest values, time ranges) for the database a sink URL names."""
    u = _url(url, base_dir)
    if u.kind == "nats":
        from ..errors import InputError

        raise InputError.one(u.text, "nats:// only carries points to the centre; query the central database instead")
    if u.kind == "sqlite":
        from .sqlite import SqliteQuery

        assert u.path is not None
        return SqliteQuery(u.path)
    if u.kind == "influxdb1":
        from .influx1 import influx1_query

        return influx1_query(u)
    from .influx2 import influx2_query

    return influx2_query(u)
