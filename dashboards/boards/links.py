"""Links of one network across tiers: top-N utilisation and error rates, trends per tier."""

# ruff: noqa: S608  # InfluxQL templates built from constants in this file, never from user input

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db

from .. import panels as P
from ..base import NETWORK_LABEL, new
from ..influxql import InfluxQL, match, tag_is, where
from ..variables import chain

LEVELS = ["network", "tier", "region"]


def uid(net: str) -> str:
    return f"netmon-{net}-links"


def build(net: str) -> db.Dashboard:
    scope = where(*(match(v, v) for v in LEVELS), tag_is("uplink", "1"), time=False)
    f = where(scope)
    device_link = f"/d/netmon-{net}-device?var-device=${{__value.raw}}&${{__url_time_range}}"
    d = new(
        uid(net),
        f"netmon · {NETWORK_LABEL[net]} · Links 链路",
        "Uplinks (interfaces named as uplinks in the inventory) across the tiers: the busiest and the most "
        "error-prone first, and the trend of each tier.",
        tags=[net, "links"],
        variables=chain(LEVELS, network=net),
    )
    return (
        d.with_panel(
            P.table(
                "Top 10 uplinks by utilisation",
                [
                    InfluxQL(
                        "A",
                        'SELECT max("in_util_pct") AS "in peak %", max("out_util_pct") AS "out peak %", '
                        'mean("in_util_pct") AS "in mean %", mean("out_util_pct") AS "out mean %", '
                        f'last("speed_mbps") AS "speed Mbit/s" FROM "interface" WHERE {f} '
                        'GROUP BY "tier", "device", "ifName", "ifAlias"',
                        table=True,
                    )
                ],
                transformations=[
                    P.transform(
                        "calculateField",
                        {
                            "mode": "reduceRow",
                            "reduce": {"reducer": "max", "include": ["in peak %", "out peak %"]},
                            "alias": "peak %",
                        },
                    ),
                    P.transform("organize", {"excludeByName": {"Time": True}}),
                    *P.top_n("peak %", 10),
                ],
                units={k: "percent" for k in ("in peak %", "out peak %", "in mean %", "out mean %", "peak %")},
                steps=P.UTIL_STEPS,
                links={"device": device_link},
                h=10,
            )
        )
        .with_panel(
            P.table(
                "Top 10 uplinks by error rate",
                [
                    InfluxQL(
                        "A",
                        'SELECT max("in_errors_ps") AS "in errors/s", max("out_errors_ps") AS "out errors/s", '
                        'max("in_discards_ps") AS "in discards/s", max("out_discards_ps") AS "out discards/s" '
                        f'FROM "interface" WHERE {f} GROUP BY "tier", "device", "ifName"',
                        table=True,
                    )
                ],
                transformations=[
                    P.transform(
                        "calculateField",
                        {
                            "mode": "reduceRow",
                            "reduce": {"reducer": "sum", "include": ["in errors/s", "out errors/s"]},
                            "alias": "errors/s",
                        },
                    ),
                    P.transform("organize", {"excludeByName": {"Time": True}}),
                    *P.top_n("errors/s", 10),
                ],
                units={
                    k: "pps" for k in ("in errors/s", "out errors/s", "in discards/s", "out discards/s", "errors/s")
                },
                links={"device": device_link},
                h=10,
            )
        )
        .with_panel(
            P.ts(
                "Peak uplink utilisation per tier",
                [
                    InfluxQL(
                        "A",
                        f'SELECT max("in_util_pct") FROM "interface" WHERE {f} GROUP BY time($__interval), "tier" fill(null)',
                        alias="$tag_tier in",
                    ),
                    InfluxQL(
                        "B",
                        f'SELECT max("out_util_pct") FROM "interface" WHERE {f} GROUP BY time($__interval), "tier" fill(null)',
                        alias="$tag_tier out",
                    ),
                ],
                "percent",
                negative=" out$",
                steps=P.UTIL_STEPS,
            )
        )
        .with_panel(
            P.ts(
                "Uplink errors per tier",
                [
                    InfluxQL(
                        "A",
                        'SELECT sum("errors") FROM (SELECT mean("in_errors_ps") + mean("out_errors_ps") AS "errors" '
                        f'FROM "interface" WHERE {f} GROUP BY time($__interval), "tier", "device", "ifName") '
                        'WHERE $timeFilter GROUP BY time($__interval), "tier" fill(null)',
                        alias="$tag_tier",
                    )
                ],
                "pps",
                description="In + out errors per second summed over the uplinks of each tier.",
            )
        )
        .with_panel(
            P.ts(
                "Uplink traffic per tier",
                [
                    InfluxQL(
                        "A",
                        'SELECT sum("bps") FROM (SELECT mean("in_bps") AS "bps" '
                        f'FROM "interface" WHERE {f} GROUP BY time($__interval), "tier", "device", "ifName") '
                        'WHERE $timeFilter GROUP BY time($__interval), "tier" fill(null)',
                        alias="$tag_tier in",
                    ),
                    InfluxQL(
                        "B",
                        'SELECT sum("bps") FROM (SELECT mean("out_bps") AS "bps" '
                        f'FROM "interface" WHERE {f} GROUP BY time($__interval), "tier", "device", "ifName") '
                        'WHERE $timeFilter GROUP BY time($__interval), "tier" fill(null)',
                        alias="$tag_tier out",
                    ),
                ],
                "bps",
                negative=" out$",
                w=24,
            )
        )
    )
