"""One device of one network: interfaces, health and SNMP response, with config changes as annotations."""

# ruff: noqa: S608  # InfluxQL templates built from constants in this file, never from user input

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as db

from .. import panels as P
from ..base import NETWORK_LABEL, new
from ..influxql import Annotation, InfluxQL, match, where
from ..variables import chain

LEVELS = ["network", "tier", "region", "site", "device", "interface"]


def uid(net: str) -> str:
    return f"netmon-{net}-device"


def _if(field: str, alias_suffix: str, ref: str) -> InfluxQL:
    return InfluxQL(
        ref,
        f'SELECT mean("{field}") FROM "interface" WHERE {where(match("device", "device"), match("ifName", "interface"))} '
        'GROUP BY time($__interval), "ifName" fill(null)',
        alias=f"$tag_ifName {alias_suffix}",
    )


def _dev(measurement: str, select: str, ref: str = "A", alias: str | None = None) -> InfluxQL:
    return InfluxQL(
        ref,
        f'SELECT {select} FROM "{measurement}" WHERE {where(match("device", "device"))} '
        "GROUP BY time($__interval) fill(null)",
        alias=alias,
    )


def _last(measurement: str, field: str) -> InfluxQL:
    return InfluxQL("A", f'SELECT last("{field}") FROM "{measurement}" WHERE {where(match("device", "device"))}')


def _config_changes() -> Annotation:
    # Each archived config version marks the graphs, so a traffic change can be matched to an edit.
    return Annotation(
        "Config changes 配置变更",
        f'SELECT "version", "lines_added", "lines_removed", "changed_by" FROM "config_change" '
        f"WHERE {where(match('device', 'device'))}",
        text_column="version",
    )


def build(net: str) -> db.Dashboard:
    d = new(
        uid(net),
        f"netmon · {NETWORK_LABEL[net]} · Device 设备",
        "One device: interface traffic, utilisation, errors, discards and status; CPU, memory, temperature "
        "and SNMP response time. Config changes are shown as annotations.",
        tags=[net, "device"],
        variables=chain(LEVELS, network=net, single=frozenset({"device"})),
    ).annotation(_config_changes())
    return (
        d.with_panel(
            P.stat(
                "Reachable",
                [_last("snmp_reach", "up")],
                w=4,
                value_mappings=P.UP_DOWN,
                steps=((None, "red"), (1, "green")),
            )
        )
        .with_panel(P.stat("Uptime", [_last("snmp_system", "uptime_s")], "s", w=4))
        .with_panel(P.stat("SNMP response", [_last("snmp_reach", "response_ms")], "ms", w=4))
        .with_panel(P.stat("CPU", [_last("health", "cpu_pct")], "percent", w=4, steps=UTIL_LIKE))
        .with_panel(P.stat("Memory", [_last("health", "mem_pct")], "percent", w=4, steps=UTIL_LIKE))
        .with_panel(
            P.stat(
                "Temperature",
                [_last("health", "temp_c")],
                "celsius",
                w=4,
                steps=((None, "green"), (60, "orange"), (75, "red")),
            )
        )
        .with_panel(
            P.table(
                "System",
                [
                    InfluxQL(
                        "A",
                        'SELECT last("sys_name") AS "sysName", last("sys_descr") AS "sysDescr", '
                        'last("sys_object_id") AS "sysObjectID", last("vendor_detected") AS "detected vendor", '
                        'last("vendor_mismatch") AS "vendor mismatch" '
                        f'FROM "snmp_system" WHERE {where(match("device", "device"))} GROUP BY "vendor", "role", "site"',
                        table=True,
                    )
                ],
                transformations=[P.transform("organize", {"excludeByName": {"Time": True}})],
                w=24,
                h=5,
                description="What the device says it is; 'vendor mismatch' 1 means the inventory vendor is wrong.",
            )
        )
        .with_panel(
            P.ts("Traffic in / out", [_if("in_bps", "in", "A"), _if("out_bps", "out", "B")], "bps", negative=" out$")
        )
        .with_panel(
            P.ts(
                "Utilisation in / out",
                [_if("in_util_pct", "in", "A"), _if("out_util_pct", "out", "B")],
                "percent",
                negative=" out$",
                steps=P.UTIL_STEPS,
            )
        )
        .with_panel(
            P.ts(
                "Errors in / out",
                [_if("in_errors_ps", "in", "A"), _if("out_errors_ps", "out", "B")],
                "pps",
                negative=" out$",
            )
        )
        .with_panel(
            P.ts(
                "Discards in / out",
                [_if("in_discards_ps", "in", "A"), _if("out_discards_ps", "out", "B")],
                "pps",
                negative=" out$",
            )
        )
        .with_panel(
            P.timeline(
                "Interface status (ifOperStatus)",
                [
                    InfluxQL(
                        "A",
                        'SELECT last("oper_status") FROM "interface" '
                        f"WHERE {where(match('device', 'device'), match('ifName', 'interface'))} "
                        'GROUP BY time($__interval), "ifName" fill(null)',
                        alias="$tag_ifName",
                    )
                ],
                value_mappings=P.IF_OPER_STATUS,
                w=24,
            )
        )
        .with_panel(
            P.ts(
                "CPU and memory",
                [_dev("health", 'mean("cpu_pct")', "A", "CPU"), _dev("health", 'mean("mem_pct")', "B", "memory")],
                "percent",
                min_=0,
                max_=100,
                w=8,
            )
        )
        .with_panel(P.ts("Temperature", [_dev("health", 'max("temp_c")', "A", "max sensor")], "celsius", w=8))
        .with_panel(P.ts("SNMP response time", [_dev("snmp_reach", 'mean("response_ms")', "A", "response")], "ms", w=8))
    )


# CPU and memory: sustained 80 % on a router's control plane delays routing and SNMP alike.
UTIL_LIKE: P.Steps = ((None, "green"), (80, "orange"), (90, "red"))
