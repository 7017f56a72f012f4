"""Schema-conformant points (docs/SCHEMA.md) for every device of an inventory.

Used when `netmon demo` cannot load the test database (not there yet, or failing) and to add
the measurements a demo run did not produce. Deterministic (seeded) and shaped like real
polls: counters grow, rates appear from the second poll on, one device is down lately, a few
alerts fire, compliance scans run twice a day.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from netmon.inventory import Device, Inventory, Topology
from netmon.model import Point

STEP_S = 60
HEALTH_STEP_S = 300
SCAN_STEP_S = 12 * 3600
RULES = [
    # (rule, clause of GB/T 22239-2019, severity)
    ("password-complexity", "8.1.4.1", "high"),
    ("login-failure-lockout", "8.1.4.1", "medium"),
    ("ssh-only-management", "8.1.4.2", "high"),
    ("telnet-disabled", "8.1.4.2", "high"),
    ("snmpv3-only", "8.1.4.2", "medium"),
    ("syslog-server", "8.1.4.3", "medium"),
    ("ntp-configured", "8.1.4.3", "low"),
    ("unused-ports-shutdown", "8.1.3.2", "low"),
]


def interfaces(inv: Inventory, topo: Topology) -> dict[str, list[tuple[str, str]]]:
    """Device name -> [(ifName, uplink flag)]: its uplinks, the ports its children hang off, one access port."""
    out: dict[str, list[tuple[str, str]]] = {d.name: [] for d in inv}
    for d in inv:
        for i, u in enumerate(d.uplinks):
            out[d.name].append((u.local_interface or f"Uplink{i}", "1"))
            if u.device in out:
                out[u.device].append((u.interface or f"Downlink-{d.name}", "0"))
    for d in inv:
        out[d.name].append(("GigabitEthernet0/0/24", "0"))
        seen: set[str] = set()
        out[d.name] = [x for x in out[d.name] if not (x[0] in seen or seen.add(x[0]))]
    return out


def generate(inv: Inventory, now_ns: int, *, hours: float = 2.0, down: str | None = None) -> Iterator[Point]:
    """Points for the last ``hours`` up to ``now_ns``, plus 7 days of compliance scans."""
    rnd = random.Random(9)
    topo = Topology(inv)
    ifs = interfaces(inv, topo)
    devices = sorted(inv, key=lambda d: d.name)
    down = down or devices[-1].name
    steps = int(hours * 3600 / STEP_S)
    start_ns = now_ns - steps * STEP_S * 10**9
    for d in devices:
        yield from _device(d, ifs[d.name], start_ns, steps, rnd, is_down=d.name == down)
        yield from _compliance(d, now_ns, rnd)
    yield from _alerts(devices, now_ns, down)
    yield from _self(start_ns, steps, len(devices))


def _device(
    d: Device, ifnames: list[tuple[str, str]], start_ns: int, steps: int, rnd: random.Random, *, is_down: bool
) -> Iterator[Point]:
    tags = d.point_tags()
    counters = {name: [rnd.randrange(10**9), rnd.randrange(10**9), 0, 0, 0, 0] for name, _ in ifnames}
    speed = 10000 if d.tier.value in ("central", "province") else 1000
    parent = d.uplinks[0].device if d.uplinks else None
    for s in range(steps + 1):
        t = start_ns + s * STEP_S * 10**9
        up = 0 if is_down and s > steps - 10 else 1
        reach: dict[str, float | int | str | bool] = {
            "up": up,
            "response_ms": 2000.0 if not up else 20 + rnd.random() * 80,
        }
        reach.update(error="" if up else "timeout", values=0 if not up else 30 + 8 * len(ifnames))
        yield Point("snmp_reach", dict(tags), reach, t)
        if not up:
            continue
        yield Point(
            "snmp_system",
            dict(tags),
            {
                "uptime_s": 86400.0 * 30 + s * STEP_S,
                "sys_name": d.name,
                "sys_descr": f"{d.vendor} device {d.name}",
                "sys_object_id": "1.3.6.1.4.1.2011.2.23.1",
                "vendor_detected": d.vendor,
                "vendor_mismatch": 0,
            },
            t,
        )
        for name, uplink in ifnames:
            c = counters[name]
            util = (35 if uplink == "1" else 8) + 30 * rnd.random()
            delta_in = int(util / 100 * speed * 1e6 / 8 * STEP_S)
            delta_out = int(delta_in * (0.4 + 0.5 * rnd.random()))
            errs_in, errs_out = rnd.choice([0, 0, 0, 1, 3]), rnd.choice([0, 0, 2])
            disc_in, disc_out = rnd.choice([0, 0, 5]), rnd.choice([0, 1])
            c[0] += delta_in
            c[1] += delta_out
            c[2] += errs_in
            c[3] += errs_out
            c[4] += disc_in
            c[5] += disc_out
            fields: dict[str, float | int | str | bool] = {
                "in_octets": c[0],
                "out_octets": c[1],
                "in_ucast_pkts": c[0] // 700,
                "out_ucast_pkts": c[1] // 700,
                "in_mcast_pkts": 0,
                "out_mcast_pkts": 0,
                "in_bcast_pkts": 0,
                "out_bcast_pkts": 0,
                "in_errors": c[2],
                "out_errors": c[3],
                "in_discards": c[4],
                "out_discards": c[5],
                "oper_status": 1,
                "admin_status": 1,
                "speed_mbps": speed,
                "hc": 1,
            }
            if s > 0:  # rates only from the second poll on, as the SNMP collector does
                fields.update(
                    in_bps=delta_in * 8 / STEP_S,
                    out_bps=delta_out * 8 / STEP_S,
                    in_pps=delta_in / 700 / STEP_S,
                    out_pps=delta_out / 700 / STEP_S,
                    in_errors_ps=errs_in / STEP_S,
                    out_errors_ps=errs_out / STEP_S,
                    in_discards_ps=disc_in / STEP_S,
                    out_discards_ps=disc_out / STEP_S,
                    in_util_pct=delta_in * 8 / STEP_S / (speed * 1e6) * 100,
                    out_util_pct=delta_out * 8 / STEP_S / (speed * 1e6) * 100,
                )
            itags = dict(
                tags, ifName=name, ifAlias=f"to {name}", ifIndex=str(ifnames.index((name, uplink)) + 1), uplink=uplink
            )
            yield Point("interface", itags, fields, t)
        if (s * STEP_S) % HEALTH_STEP_S == 0:
            yield Point(
                "health",
                dict(tags),
                {
                    "cpu_pct": 10 + 50 * rnd.random(),
                    "mem_pct": 40 + 30 * rnd.random(),
                    "mem_used_bytes": 2 * 2**30,
                    "mem_total_bytes": 4 * 2**30,
                    "temp_c": 35 + 15 * rnd.random(),
                    "fans_total": 4,
                    "fans_failed": 0,
                    "psu_total": 2,
                    "psu_failed": 0,
                    "profile": d.vendor,
                },
                t,
            )
        if parent and s % 2 == 0:
            loss = rnd.choice([0.0, 0.0, 0.0, 20.0])
            yield Point(
                "probe",
                dict(tags, target=parent, kind="icmp"),
                {
                    "sent": 5,
                    "received": int(5 * (1 - loss / 100)),
                    "loss_pct": loss,
                    "rtt_min_ms": 1.0,
                    "rtt_avg_ms": 2 + 10 * rnd.random(),
                    "rtt_max_ms": 30.0,
                    "jitter_ms": rnd.random(),
                    "path_ok": 1,
                },
                t,
            )
        if s == steps // 2:
            yield Point(
                "config_change",
                dict(tags),
                {"lines_added": 3, "lines_removed": 1, "version": f"v{s}", "changed_by": "noc-admin"},
                t,
            )


def _compliance(d: Device, now_ns: int, rnd: random.Random) -> Iterator[Point]:
    standard = "mlps-l3" if d.network.value == "intranet" else "mlps-l2"
    tags = dict(d.point_tags(), standard=standard)
    for k in range(14):
        t = now_ns - (k * SCAN_STEP_S + 1800) * 10**9
        failed_rules = [r for r in RULES if rnd.random() < 0.3]
        high = sum(1 for r in failed_rules if r[2] == "high")
        passed = len(RULES) - len(failed_rules)
        yield Point(
            "compliance",
            dict(tags),
            {
                "score_pct": 100.0 * passed / len(RULES),
                "pass": passed,
                "fail": len(failed_rules),
                "warn": 0,
                "review": 1,
                "na": 0,
                "high_fail": high,
            },
            t,
        )
        for rule, clause, sev in RULES:
            failed = (rule, clause, sev) in failed_rules
            rtags = dict(tags, rule=rule, clause=clause, severity=sev, result="fail" if failed else "pass")
            yield Point("compliance_rule", rtags, {"failed": int(failed)}, t)


def _alerts(devices: list[Device], now_ns: int, down: str) -> Iterator[Point]:
    """The down device fires device_down; one device per network had a resolved high-utilisation alert."""
    by_name = {d.name: d for d in devices}
    t0 = now_ns - 9 * STEP_S * 10**9
    d = by_name[down]
    base = dict(d.point_tags(), rule="device_down", severity="critical")
    yield Point(
        "alert",
        dict(base, state="pending"),
        {"value": 0.0, "summary": f"{down} not answering SNMP", "root_cause": "", "firing": 0},
        t0,
    )
    yield Point(
        "alert",
        dict(base, state="firing"),
        {"value": 0.0, "summary": f"{down} not answering SNMP", "root_cause": "", "firing": 1},
        t0 + 60 * 10**9,
    )
    for net in ("intranet", "extranet"):
        first = next((x for x in devices if x.network.value == net), None)
        if first is None:
            continue
        tags = dict(first.point_tags(), rule="uplink_utilisation", severity="warning")
        yield Point(
            "alert",
            dict(tags, state="firing"),
            {"value": 91.0, "summary": "uplink above 90 %", "root_cause": "", "firing": 1},
            now_ns - 3600 * 10**9,
        )
        yield Point(
            "alert",
            dict(tags, state="resolved"),
            {"value": 60.0, "summary": "uplink back under 90 %", "root_cause": "", "firing": 0},
            now_ns - 1800 * 10**9,
        )
        # A second device of the network with a firing alert, so each overview column has one.
        second = next((x for x in devices if x.network.value == net and x.name not in (first.name, down)), None)
        if second is not None:
            tags = dict(second.point_tags(), rule="high_cpu", severity="warning")
            yield Point(
                "alert",
                dict(tags, state="firing"),
                {"value": 93.0, "summary": "CPU above 90 %", "root_cause": "", "firing": 1},
                now_ns - 600 * 10**9,
            )


def _self(start_ns: int, steps: int, n_devices: int) -> Iterator[Point]:
    for s in range(steps + 1):
        t = start_ns + s * STEP_S * 10**9
        for collector in ("snmp", "health"):
            yield Point(
                "netmon_self",
                {"instance": "poller-1", "collector": collector},
                {"poll_duration_s": 3.0 + (s % 7) * 0.4 if collector == "snmp" else 1.2},
                t,
            )
        yield Point(
            "netmon_self",
            {"instance": "poller-1"},
            {
                "devices_up": n_devices - (1 if s > steps - 10 else 0),
                "devices_down": 1 if s > steps - 10 else 0,
                "points_per_s": 420.0 + s % 13,
                "spool_bytes": 4096 * (s % 5),
                "spool_segments": 1 + s % 3,
                "spool_dropped": 0,
                "sink_errors": 0,
                "alerts_firing": 1 if s > steps - 9 else 0,
                "cycle_overruns": 0,
            },
            t,
        )
