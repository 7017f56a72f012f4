"""Hardening fixtures: the storage area's real influxd (one per session) and its raw-InfluxQL truth."""

from tests.storage.conftest import fast_batch, influx_count, influx_db, influx_rows, influxd, spool_settings

__all__ = ["fast_batch", "influx_count", "influx_db", "influx_rows", "influxd", "spool_settings"]
