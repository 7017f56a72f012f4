"""netmon itself: poll durations, points/s, spool depth, sink errors, overruns."""

# ruff: noqa: S608  # InfluxQL templates built from constants in this file, never from user input

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db

from .. import panels as P
from ..base import new
from ..influxql import InfluxQL, match, where
from ..variables import query_variable

UID = "netmon-self"


def _series(field: str, agg: str = "mean", by: str = '"instance"', alias: str = "$tag_instance") -> InfluxQL:
    f = where(match("instance", "instance"))
    return InfluxQL(
        "A",
        f'SELECT {agg}("{field}") FROM "netmon_self" WHERE {f} GROUP BY time($__interval), {by} fill(null)',
        alias=alias,
    )


def _last(field: str) -> InfluxQL:
    inner = f'SELECT last("{field}") AS "v" FROM "netmon_self" WHERE {where(match("instance", "instance"))} GROUP BY "instance"'
    return InfluxQL("A", f'SELECT sum("v") FROM ({inner}) WHERE $timeFilter')


def build() -> db.Dashboard:
    d = new(
        UID,
        "netmon · netmon itself 自监控",
        "Health of the pollers: how long a poll cycle takes, points written per second, spool depth "
        "(points waiting for a sink), sink errors and dropped points.",
        tags=["self"],
        time_from="now-3h",
        refresh="30s",
        variables=[
            query_variable("instance", "Instance 实例", 'SHOW TAG VALUES FROM "netmon_self" WITH KEY = "instance"')
        ],
    )
    return (
        d.with_panel(P.stat("Points/s", [_last("points_per_s")], "short", w=4))
        .with_panel(P.stat("Devices up", [_last("devices_up")], w=4))
        .with_panel(P.stat("Devices down", [_last("devices_down")], w=4, steps=P.ZERO_IS_GOOD))
        .with_panel(P.stat("Spool", [_last("spool_bytes")], "bytes", w=4))
        .with_panel(P.stat("Dropped points", [_last("spool_dropped")], w=4, steps=P.ZERO_IS_GOOD))
        .with_panel(P.stat("Alerts firing", [_last("alerts_firing")], w=4, steps=P.ZERO_IS_GOOD))
        .with_panel(
            P.ts(
                "Poll duration",
                [_series("poll_duration_s", "max", '"instance", "collector"', "$tag_instance $tag_collector")],
                "s",
                description="Longest poll cycle per collector in each interval; near the interval means overruns.",
            )
        )
        .with_panel(P.ts("Points per second", [_series("points_per_s")], "short"))
        .with_panel(
            P.ts("Spool depth", [_series("spool_bytes", "max")], "bytes", description="Points waiting for a sink.")
        )
        .with_panel(P.ts("Spool segments", [_series("spool_segments", "max")], "short"))
        .with_panel(P.ts("Sink errors", [_series("sink_errors", "max")], "short"))
        .with_panel(P.ts("Cycle overruns", [_series("cycle_overruns", "max")], "short"))
    )
