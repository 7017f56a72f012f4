"""Telemetry storage: points → durable spool → sink (SQLite, InfluxDB 1.x, InfluxDB v2 API).

The lead's entry points::

    pipe = await Pipeline.open(cfg.sink, cfg.spool.dir, cfg.spool, cfg.batch, base_dir=cfg_dir)
    await pipe.submit(points)        # durable per spool.fsync; never waits for the sink
    pipe.stats()                     # self-metrics; pipe.self_points(tags) as netmon_self points
    await pipe.flush(10); await pipe.close()
    q = open_query(cfg.sink); await q.latest("interface", where={"device": "..."})

See docs/STORAGE.md.
"""

from .base import Query, Sink, SinkRejected, SinkUnavailable
from .factory import open_query, open_sink
from .lineproto import Encoder, PointError, decode
from .pipeline import DEAD_LETTER, Pipeline
from .spool import Spool, SpoolFullError, SpoolLockedError
from .urls import SinkURL, parse_sink_url

__all__ = [
    "DEAD_LETTER",
    "Encoder",
    "Pipeline",
    "PointError",
    "Query",
    "Sink",
    "SinkRejected",
    "SinkURL",
    "SinkUnavailable",
    "Spool",
    "SpoolFullError",
    "SpoolLockedError",
    "decode",
    "open_query",
    "open_sink",
    "parse_sink_url",
]
