"""Region drill-down of one network, templated by tier, region and site."""

# ruff: noqa: S608  # InfluxQL templates built from constants in this file, never from user input

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db

from .. import panels as P
from ..base import NETWORK_LABEL, new
from ..influxql import InfluxQL, match, tag_is, where
from ..variables import chain

LEVELS = ["network", "tier", "region", "site"]


def uid(net: str) -> str:
    return f"netmon-{net}-region"


def build(net: str) -> db.Dashboard:
    scope = where(*(match(v, v) for v in LEVELS), time=False)
    f = where(scope)
    up_link = where(scope, tag_is("uplink", "1"))
    device_link = f"/d/netmon-{net}-device?var-device=${{__value.raw}}&${{__url_time_range}}"
    d = new(
        uid(net),
        f"netmon · {NETWORK_LABEL[net]} · Region drill-down 地区",
        "Availability, uplink utilisation and errors of the devices in the chosen tier, region and site.",
        tags=[net, "region"],
        variables=chain(LEVELS, network=net),
    )
    last_up = f'SELECT last("up") AS "up" FROM "snmp_reach" WHERE {f} GROUP BY "device", "region", "site"'
    return (
        d.with_panel(
            P.stat("Devices up", [InfluxQL("A", f'SELECT sum("up") AS "up" FROM ({last_up}) WHERE $timeFilter')], w=4)
        )
        .with_panel(
            P.stat(
                "Devices down",
                [InfluxQL("A", f'SELECT count("up") - sum("up") AS "down" FROM ({last_up}) WHERE $timeFilter')],
                w=4,
                steps=P.ZERO_IS_GOOD,
            )
        )
        .with_panel(
            P.stat(
                "Availability",
                [InfluxQL("A", f'SELECT mean("up") * 100 FROM "snmp_reach" WHERE {f}')],
                "percent",
                w=4,
                steps=P.AVAILABILITY_STEPS,
            )
        )
        .with_panel(
            P.stat(
                "SNMP response (mean)",
                [InfluxQL("A", f'SELECT mean("response_ms") FROM "snmp_reach" WHERE {f}')],
                "ms",
                w=4,
            )
        )
        .with_panel(
            P.stat(
                "Uplink errors/s (peak)",
                [
                    InfluxQL(
                        "A",
                        f'SELECT max("in_errors_ps") + max("out_errors_ps") AS "errors" FROM "interface" WHERE {up_link}',
                    )
                ],
                "pps",
                w=4,
                steps=P.ZERO_IS_GOOD,
            )
        )
        .with_panel(
            P.stat(
                "Probe loss (mean)",
                [InfluxQL("A", f'SELECT mean("loss_pct") FROM "probe" WHERE {f}')],
                "percent",
                w=4,
                steps=((None, "green"), (1, "orange"), (5, "red")),
            )
        )
        .with_panel(
            P.table(
                "Availability per site",
                [
                    InfluxQL(
                        "A",
                        f'SELECT mean("up") * 100 AS "availability %", mean("response_ms") AS "response ms" '
                        f'FROM "snmp_reach" WHERE {f} GROUP BY "region", "site", "device"',
                        table=True,
                    )
                ],
                transformations=[
                    P.transform("organize", {"excludeByName": {"Time": True}}),
                    P.transform("sortBy", {"sort": [{"field": "availability %"}]}),
                ],
                units={"availability %": "percent", "response ms": "ms"},
                links={"device": device_link},
                h=10,
                description="Worst first; click a device to open its dashboard.",
            )
        )
        .with_panel(
            P.timeline(
                "Reachability per device",
                [
                    InfluxQL(
                        "A",
                        f'SELECT last("up") FROM "snmp_reach" WHERE {f} GROUP BY time($__interval), "device" fill(null)',
                        alias="$tag_device",
                    )
                ],
                value_mappings=P.UP_DOWN,
                h=10,
            )
        )
        .with_panel(
            P.ts(
                "Uplink utilisation in / out",
                [
                    InfluxQL(
                        "A",
                        f'SELECT mean("in_util_pct") FROM "interface" WHERE {up_link} '
                        'GROUP BY time($__interval), "device", "ifName" fill(null)',
                        alias="$tag_device $tag_ifName in",
                    ),
                    InfluxQL(
                        "B",
                        f'SELECT mean("out_util_pct") FROM "interface" WHERE {up_link} '
                        'GROUP BY time($__interval), "device", "ifName" fill(null)',
                        alias="$tag_device $tag_ifName out",
                    ),
                ],
                "percent",
                negative=" out$",
                steps=P.UTIL_STEPS,
                description="In above the axis, out below.",
            )
        )
        .with_panel(
            P.ts(
                "Uplink traffic in / out",
                [
                    InfluxQL(
                        "A",
                        f'SELECT mean("in_bps") FROM "interface" WHERE {up_link} '
                        'GROUP BY time($__interval), "device", "ifName" fill(null)',
                        alias="$tag_device $tag_ifName in",
                    ),
                    InfluxQL(
                        "B",
                        f'SELECT mean("out_bps") FROM "interface" WHERE {up_link} '
                        'GROUP BY time($__interval), "device", "ifName" fill(null)',
                        alias="$tag_device $tag_ifName out",
                    ),
                ],
                "bps",
                negative=" out$",
            )
        )
        .with_panel(
            P.ts(
                "Interface errors per device",
                [
                    InfluxQL(
                        "A",
                        'SELECT sum("errors") FROM (SELECT mean("in_errors_ps") + mean("out_errors_ps") AS "errors" '
                        f'FROM "interface" WHERE {f} GROUP BY time($__interval), "device", "ifName") '
                        'WHERE $timeFilter GROUP BY time($__interval), "device" fill(null)',
                        alias="$tag_device",
                    )
                ],
                "pps",
                description="In + out errors per second, summed over each device's interfaces.",
            )
        )
        .with_panel(
            P.ts(
                "Probe round-trip time",
                [
                    InfluxQL(
                        "A",
                        f'SELECT mean("rtt_avg_ms") FROM "probe" WHERE {f} '
                        'GROUP BY time($__interval), "device", "target" fill(null)',
                        alias="$tag_device → $tag_target",
                    )
                ],
                "ms",
            )
        )
    )
