"""Compliance (MLPS 2.0 / baseline) of one network: scores per tier, province and clause; failing rules."""

# ruff: noqa: S608  # InfluxQL templates built from constants in this file, never from user input

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db

from .. import panels as P
from ..base import NETWORK_LABEL, new
from ..influxql import InfluxQL, match, where
from ..variables import chain, query_variable

LEVELS = ["network", "tier", "region"]


def uid(net: str) -> str:
    return f"netmon-{net}-compliance"


def build(net: str) -> db.Dashboard:
    scope = where(*(match(v, v) for v in LEVELS), match("standard", "standard"), time=False)
    f = where(scope)
    device_link = f"/d/netmon-{net}-device?var-device=${{__value.raw}}&${{__url_time_range}}"
    variables = [
        *chain(LEVELS, network=net),
        # The standards scanned in this network (intranet systems are usually assessed at level 3).
        query_variable(
            "standard",
            "Standard 标准",
            f'SHOW TAG VALUES FROM "compliance" WITH KEY = "standard" WHERE {match("network", "network")}',
        ),
    ]
    last_scan = (
        'SELECT last("score_pct") AS "score_pct", last("fail") AS "fail", last("high_fail") AS "high_fail" '
        f'FROM "compliance" WHERE {f} GROUP BY "device", "tier", "province", "standard"'
    )
    last_rule = (
        f'SELECT last("failed") AS "failed" FROM "compliance_rule" WHERE {f} '
        'GROUP BY "device", "standard", "rule", "clause", "severity"'
    )
    d = new(
        uid(net),
        f"netmon · {NETWORK_LABEL[net]} · Compliance 等级保护",
        "Classified-protection (等级保护 2.0, GB/T 22239-2019) and baseline scan results: score per tier, "
        "province and clause over time, and the rules failing on most devices at their latest scan.",
        tags=[net, "compliance"],
        time_from="now-30d",
        refresh="15m",
        variables=variables,
    )
    return (
        d.with_panel(
            P.stat(
                "Mean score (latest scans)",
                [InfluxQL("A", f'SELECT mean("score_pct") FROM ({last_scan}) WHERE $timeFilter')],
                "percent",
                w=8,
                steps=P.SCORE_STEPS,
            )
        )
        .with_panel(
            P.stat(
                "Devices scanned",
                [InfluxQL("A", f'SELECT count("score_pct") FROM ({last_scan}) WHERE $timeFilter')],
                w=8,
            )
        )
        .with_panel(
            P.stat(
                "High-severity failures (latest scans)",
                [InfluxQL("A", f'SELECT sum("high_fail") FROM ({last_scan}) WHERE $timeFilter')],
                w=8,
                steps=P.ZERO_IS_GOOD,
            )
        )
        .with_panel(
            P.ts(
                "Score per tier",
                [
                    InfluxQL(
                        "A",
                        f'SELECT mean("score_pct") FROM "compliance" WHERE {f} GROUP BY time($__interval), "tier" fill(none)',
                        alias="$tag_tier",
                    )
                ],
                "percent",
                steps=P.SCORE_STEPS,
                min_=0,
                max_=100,
            )
        )
        .with_panel(
            P.ts(
                "Score per province",
                [
                    InfluxQL(
                        "A",
                        f'SELECT mean("score_pct") FROM "compliance" WHERE {f} '
                        'GROUP BY time($__interval), "province" fill(none)',
                        alias="$tag_province",
                    )
                ],
                "percent",
                steps=P.SCORE_STEPS,
                min_=0,
                max_=100,
            )
        )
        .with_panel(
            P.ts(
                "Failures per clause",
                [
                    InfluxQL(
                        "A",
                        f'SELECT sum("failed") FROM "compliance_rule" WHERE {f} '
                        'GROUP BY time($__interval), "clause" fill(none)',
                        alias="$tag_clause",
                    )
                ],
                "none",
                w=24,
                description="Failed rule checks per GB/T 22239 clause, summed over devices and scans in each interval.",
            )
        )
        .with_panel(
            P.table(
                "Top failing rules (latest scan of each device)",
                [
                    InfluxQL(
                        "A",
                        f'SELECT sum("failed") AS "devices failing" FROM ({last_rule}) WHERE $timeFilter '
                        'GROUP BY "standard", "rule", "clause", "severity"',
                        table=True,
                    )
                ],
                transformations=[
                    P.transform("organize", {"excludeByName": {"Time": True}}),
                    *P.top_n("devices failing", 15),
                ],
                h=10,
            )
        )
        .with_panel(
            P.table(
                "Lowest-scoring devices (latest scan)",
                [
                    InfluxQL(
                        "A",
                        'SELECT "score_pct" AS "score %", "fail" AS "failed", "high_fail" AS "high failed" '
                        f'FROM ({last_scan}) WHERE $timeFilter GROUP BY "device", "tier", "province", "standard"',
                        table=True,
                    )
                ],
                transformations=[
                    P.transform("organize", {"excludeByName": {"Time": True}}),
                    P.transform("sortBy", {"sort": [{"field": "score %"}]}),
                    P.transform("limit", {"limitField": 15}),
                ],
                units={"score %": "percent"},
                steps=P.SCORE_STEPS,
                links={"device": device_link},
                h=10,
            )
        )
    )
