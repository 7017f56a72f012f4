"""A real InfluxDB 1.x loaded with schema-conformant data for the dashboard queries.

Loading: `netmon demo --sink influxdb1://...` when that command exists and works (real lab
data); then the generator in sample_points.py fills every measurement the demo did not write
(all of them when there is no demo), using the demo's devices when it wrote any, else the
sample inventory configs/inventory/small.yaml. `NETMON_DASHBOARDS_DATA=generator` skips the demo.
"""

from __future__ import annotations

import os
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from netmon.inventory import Inventory, load_inventory
from netmon.lab.influx import Influxd, start_influxd
from netmon.storage.lineproto import Encoder
from tests.conftest import ROOT, need_binary, run_netmon

from tests.dashboards.grafana_sim import DB
from tests.dashboards.sample_points import generate

MEASUREMENTS = (
    "snmp_reach",
    "snmp_system",
    "interface",
    "health",
    "alert",
    "config_change",
    "compliance",
    "compliance_rule",
    "probe",
    "netmon_self",
)
DEMO_TIMEOUT_S = 90


@dataclass
class Loaded:
    influx: Influxd
    source: dict[str, str] = field(default_factory=dict)  # measurement -> "demo" | "generator"


def _write(influx: Influxd, points: list) -> None:
    payload, n, errors = Encoder().encode(points)
    assert not errors, errors[:3]
    for i in range(0, len(payload.splitlines()), 5000):
        chunk = b"\n".join(payload.splitlines()[i : i + 5000])
        req = urllib.request.Request(f"{influx.url}/write?db={DB}&precision=ns", data=chunk, method="POST")
        with urllib.request.urlopen(req, timeout=30) as resp:
            assert resp.status == 204


def _measurements(influx: Influxd) -> set[str]:
    r = influx.query("SHOW MEASUREMENTS", db=DB)["results"][0]
    return {row[0] for s in r.get("series", []) for row in s["values"]}


def _try_demo(influx: Influxd) -> str:
    """Run the demo into the database; returns why it was not used ('' when it was)."""
    if os.environ.get("NETMON_DASHBOARDS_DATA") == "generator":
        return "NETMON_DASHBOARDS_DATA=generator"
    if run_netmon("demo", "--help", timeout=60).returncode != 0:
        return "`netmon demo` does not exist yet"
    try:
        r = run_netmon("demo", "--cycles", "2", "--sink", f"influxdb1://{influx.url.split('//')[1]}/{DB}", timeout=DEMO_TIMEOUT_S)
    except Exception as exc:  # a hung demo must not hang the dashboard tests
        return f"`netmon demo` failed: {exc}"
    if r.returncode != 0:
        return f"`netmon demo` exited {r.returncode}: {r.stderr.strip()[-300:]}"
    if "snmp_reach" not in _measurements(influx):
        return "`netmon demo` wrote no snmp_reach points"
    return ""


@pytest.fixture(scope="session")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    need_binary("influxd")
    influx = start_influxd(tmp_path_factory.mktemp("influxd"))
    try:
        influx.query(f'CREATE DATABASE "{DB}"')
        out = Loaded(influx)
        why_not = _try_demo(influx)
        have = _measurements(influx)
        out.source = {m: "demo" for m in have}
        inv = load_inventory([ROOT / "configs/inventory/small.yaml"])
        if have:
            # Generate for the devices the demo polled, so chained variables stay consistent.
            r = influx.query('SHOW TAG VALUES FROM "snmp_reach" WITH KEY = "device"', db=DB)["results"][0]
            names = {row[1] for s in r.get("series", []) for row in s["values"]}
            known = [d for d in inv if d.name in names]
            if known:
                inv = Inventory(known)
        missing = [m for m in MEASUREMENTS if m not in have]
        if missing:
            pts = [p for p in generate(inv, time.time_ns()) if p.measurement in missing]
            _write(influx, pts)
            out.source.update({m: "generator" for m in missing})
        print(f"\ndashboard test data: {out.source}" + (f" (demo not used: {why_not})" if why_not else ""))
        yield out
    finally:
        influx.stop()


@pytest.fixture(scope="session")
def build_dir() -> Path:
    return ROOT / "dashboards" / "build"
