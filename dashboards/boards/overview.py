"""National overview: intranet and extranet side by side, one column each."""

# ruff: noqa: S608  # InfluxQL templates built from constants in this file, never from user input

from __future__ import annotations

from typing import Any

from grafana_foundation_sdk.builders import dashboard as db

from .. import panels as P
from ..base import NETWORK_LABEL, NETWORKS, new
from ..influxql import InfluxQL, tag_is, where

UID = "netmon-overview"


def _last_up(net: str, by: str) -> str:
    """The latest reachability of each device (grouped by ``by``), as a subquery."""
    return f'SELECT last("up") AS "up" FROM "snmp_reach" WHERE {where(tag_is("network", net))} GROUP BY {by}'


def _column(net: str) -> dict[str, list[Any]]:
    lbl = NETWORK_LABEL[net]
    n = tag_is("network", net)
    last_dev = _last_up(net, '"device"')
    last_tp = _last_up(net, '"device", "tier", "province"')
    device_link = f"/d/netmon-{net}-device?var-device=${{__value.raw}}&${{__url_time_range}}"
    return {
        "stats": [
            P.stat(
                f"{lbl}: devices up",
                [InfluxQL("A", f'SELECT sum("up") AS "up" FROM ({last_dev}) WHERE $timeFilter')],
                w=4,
                description="Devices whose latest SNMP poll in the time range answered.",
            ),
            P.stat(
                f"{lbl}: devices down",
                [
                    InfluxQL(
                        "A",
                        f'SELECT count("up") - sum("up") AS "down" FROM ({last_dev}) WHERE $timeFilter',
                    )
                ],
                w=4,
                steps=P.ZERO_IS_GOOD,
                description="Devices whose latest SNMP poll in the time range failed.",
            ),
            P.stat(
                f"{lbl}: availability",
                [InfluxQL("A", f'SELECT mean("up") * 100 AS "availability" FROM "snmp_reach" WHERE {where(n)}')],
                "percent",
                w=4,
                steps=P.AVAILABILITY_STEPS,
                description="Share of successful SNMP polls over the time range, all devices.",
            ),
        ],
        "tables": [
            P.table(
                f"{lbl}: availability per tier and province",
                [
                    InfluxQL(
                        "A",
                        f'SELECT mean("up") * 100 AS "availability %" FROM "snmp_reach" WHERE {where(n)} '
                        'GROUP BY "tier", "province"',
                        table=True,
                    ),
                    InfluxQL(
                        "B",
                        f'SELECT count("up") AS "devices", count("up") - sum("up") AS "down now" '
                        f"FROM ({last_tp}) WHERE $timeFilter "
                        'GROUP BY "tier", "province"',
                        table=True,
                    ),
                ],
                transformations=[
                    P.transform("merge", {}),
                    P.transform("organize", {"excludeByName": {"Time": True}}),
                    P.transform("sortBy", {"sort": [{"field": "availability %"}]}),
                ],
                units={"availability %": "percent"},
                steps=P.AVAILABILITY_STEPS,
                h=9,
                description="Worst first. 'down now' counts devices whose latest poll failed.",
            ),
        ],
        "timelines": [
            P.timeline(
                f"{lbl}: availability per tier",
                [
                    InfluxQL(
                        "A",
                        f'SELECT mean("up") * 100 FROM "snmp_reach" WHERE {where(n)} '
                        'GROUP BY time($__interval), "tier" fill(null)',
                        alias="$tag_tier",
                    )
                ],
                steps=P.AVAILABILITY_STEPS,
                unit="percent",
                h=6,
            ),
        ],
        "alerts": [
            P.table(
                f"{lbl}: active alerts",
                [
                    InfluxQL(
                        "A",
                        'SELECT "summary", "value", "root_cause" FROM ('
                        'SELECT last("firing") AS "firing", last("summary") AS "summary", last("value") AS "value", '
                        f'last("root_cause") AS "root_cause" FROM "alert" WHERE {where(n)} '
                        'GROUP BY "rule", "severity", "device") WHERE "firing" = 1 AND $timeFilter '
                        'GROUP BY "rule", "severity", "device"',
                        table=True,
                    )
                ],
                transformations=[P.transform("organize", {"excludeByName": {"Time": True}})],
                links={"device": device_link},
                description="Alerts whose latest state change in the time range is firing.",
            ),
        ],
        "uplinks": [
            P.table(
                f"{lbl}: busiest uplinks",
                [
                    InfluxQL(
                        "A",
                        'SELECT max("in_util_pct") AS "in %", max("out_util_pct") AS "out %" FROM "interface" '
                        f"WHERE {where(n, tag_is('uplink', '1'))} "
                        'GROUP BY "device", "ifName", "tier"',
                        table=True,
                    )
                ],
                transformations=[
                    P.transform(
                        "calculateField",
                        {
                            "mode": "reduceRow",
                            "reduce": {"reducer": "max", "include": ["in %", "out %"]},
                            "alias": "peak %",
                        },
                    ),
                    P.transform("organize", {"excludeByName": {"Time": True}}),
                    *P.top_n("peak %", 10),
                ],
                units={"in %": "percent", "out %": "percent", "peak %": "percent"},
                steps=P.UTIL_STEPS,
                links={"device": device_link},
                description="Top 10 uplinks by peak utilisation (in or out) over the time range.",
            ),
        ],
        "compliance": [
            P.table(
                f"{lbl}: compliance score per tier",
                [
                    InfluxQL(
                        "A",
                        'SELECT mean("score_pct") AS "score %", sum("high_fail") AS "high-severity failures" FROM ('
                        'SELECT last("score_pct") AS "score_pct", last("high_fail") AS "high_fail" FROM "compliance" '
                        f'WHERE {where(n)} GROUP BY "device", "tier") WHERE $timeFilter GROUP BY "tier"',
                        table=True,
                    )
                ],
                transformations=[P.transform("organize", {"excludeByName": {"Time": True}})],
                units={"score %": "percent"},
                steps=P.SCORE_STEPS,
                description="Mean of each device's latest scan score (any standard) over the last 7 days.",
            ).time_from("7d"),
        ],
    }


def build() -> db.Dashboard:
    d = new(
        UID,
        "netmon · National overview 全国总览",
        "Intranet (内网) and extranet (外网) side by side: reachability, availability per tier and province, "
        "active alerts, busiest uplinks and compliance per tier.",
        tags=["overview"],
        refresh="1m",
    )
    cols = {net: _column(net) for net in NETWORKS}
    # The stats of one network fill half a row; the other panels are half a row each, so they
    # alternate intranet, extranet and the SDK's left-to-right layout makes two columns.
    for net in NETWORKS:
        for p in cols[net]["stats"]:
            d = d.with_panel(p)
    for section in ("tables", "timelines", "alerts", "uplinks", "compliance"):
        for i in range(len(cols[NETWORKS[0]][section])):
            for net in NETWORKS:
                d = d.with_panel(cols[net][section][i])
    return d
