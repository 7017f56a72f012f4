"""A real InfluxDB 1.x loaded with schema-conformant data for the dashboard queries.

Loading: `netmon demo --sink influxdb1://...` when that command exists and works (real lab
data); then the generator in dash_sample_points.py fills every measurement the demo did not write
(all of them when there is no demo), using the demo's devices when it wrote any, else the
sample inventory configs/inventory/small.yaml. `NETMON_DASHBOARDS_DATA=generator` skips the demo.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from netmon.inventory import Inventory, load_inventory
from netmon.lab.influx import Influxd, start_influxd
from netmon.storage.lineproto import Encoder
from tests.conftest import NETMON, ROOT, need_binary, run_netmon
from tests.dashboards.dash_grafana_sim import DB
from tests.dashboards.dash_sample_points import generate
from tests.services.sample_points import service_points

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
# Fields the dashboards read, per measurement: a device lacking one in the demo's data gets
# generated points for that measurement, so e.g. a vendor profile that cannot read temperature
# does not leave the device dashboard's temperature panel empty.
USED_FIELDS = {
    "snmp_reach": ("up", "response_ms"),
    "snmp_system": ("uptime_s", "sys_descr"),
    "interface": ("in_bps", "out_bps", "in_util_pct", "out_util_pct", "in_errors_ps", "out_errors_ps", "oper_status"),
    "health": ("cpu_pct", "mem_pct", "temp_c"),
    "compliance": ("score_pct", "high_fail"),
    "compliance_rule": ("failed",),
    "probe": ("rtt_avg_ms", "loss_pct"),
    "config_change": ("version",),
}
SELF_FIELDS = ("poll_duration_s", "points_per_s", "devices_up", "devices_down", "spool_bytes", "spool_segments")
SELF_FIELDS += ("spool_dropped", "sink_errors", "alerts_firing", "cycle_overruns")
# Lab start, one SSH backup + scan, two polling cycles: ~35 s on a quiet 2-core VM. A full `make test`
# run shares the cores with other servers; one run in ~15 lost the demo to a 90 s limit, and the
# fixture then falls back to generated points (test_the_lab_demo_fed_the_core_panels fails).
DEMO_TIMEOUT_S = 180


@dataclass
class Loaded:
    influx: Influxd
    source: dict[str, str] = field(default_factory=dict)  # measurement -> "demo" | "generator"


def _write(influx: Influxd, points: list) -> None:
    payload, _n, errors = Encoder().encode(points)
    assert not errors, errors[:3]
    for i in range(0, len(payload.splitlines()), 5000):
        chunk = b"\n".join(payload.splitlines()[i : i + 5000])
        req = urllib.request.Request(f"{influx.url}/write?db={DB}&precision=ns", data=chunk, method="POST")
        with urllib.request.urlopen(req, timeout=30) as resp:
            assert resp.status == 204


def _measurements(influx: Influxd) -> set[str]:
    r = influx.query("SHOW MEASUREMENTS", db=DB)["results"][0]
    return {row[0] for s in r.get("series", []) for row in s["values"]}


def _reap(work: Path) -> None:
    """Stop what the demo left running: processes whose command line names our own work dir.

    The demo's lab processes run in their own sessions, so a killed demo would orphan them;
    they are found by the unique temporary path and ended by pid.
    """
    mine = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if str(work).encode() in (proc / "cmdline").read_bytes():
                mine.append(int(proc.name))
        except OSError:
            continue
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in mine:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        if sig == signal.SIGTERM and mine:
            time.sleep(2)


def _run_demo(args: list[str], work: Path) -> tuple[int | None, str]:
    """Run `netmon demo`; on timeout Ctrl-C it (it stops its lab then), then kill it. Returns (exit code, stderr)."""
    env = dict(os.environ, COLUMNS="200")
    p = subprocess.Popen(
        [*NETMON, *args],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _out, err = p.communicate(timeout=DEMO_TIMEOUT_S)
        return p.returncode, err
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGINT)
        try:
            p.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
        return None, f"timed out after {DEMO_TIMEOUT_S}s"
    finally:
        _reap(work)


def _try_demo(influx: Influxd, work: Path) -> str:
    """Run the demo into the database; returns why it was not used ('' when it was).

    A demo that fails or times out may have written part of a run: the database is emptied
    then, so the tests never mix half a demo with generated points.
    """
    if os.environ.get("NETMON_DASHBOARDS_DATA") == "generator":
        return "NETMON_DASHBOARDS_DATA=generator"
    if run_netmon("demo", "--help", timeout=60).returncode != 0:
        return "`netmon demo` does not exist yet"
    sink = f"influxdb1://{influx.url.split('//')[1]}/{DB}"
    # Two short cycles: rates need a second poll, and the demo's fault (an uplink taken down
    # after the first cycle) gives the alert panels something to show.
    code, err = _run_demo(["demo", "--cycles", "2", "--interval", "2", "--out", str(work), "--sink", sink], work)
    why = ""
    if code is None:
        why = f"`netmon demo` {err}"
    elif code != 0:
        last = (err.strip().splitlines() or [""])[-1]
        why = f"`netmon demo` exited {code}: {last}"
    elif "snmp_reach" not in _measurements(influx):
        why = "`netmon demo` wrote no snmp_reach points"
    if why:
        influx.query(f'DROP DATABASE "{DB}"')
        influx.query(f'CREATE DATABASE "{DB}"')
    return why


def _rows(influx: Influxd, q: str) -> list[tuple[dict[str, str], dict[str, object]]]:
    r = influx.query(q, db=DB)["results"][0]
    return [
        (s.get("tags", {}), dict(zip(s["columns"], row, strict=True)))
        for s in r.get("series", [])
        for row in s["values"]
    ]


def _gaps(influx: Influxd, devices: list[str]) -> tuple[dict[str, set[str]], set[str]]:
    """What the demo's data lacks for the dashboards: per measurement the devices missing a used
    field, and the whole measurements (alert, netmon_self) that leave a panel empty."""
    per_device: dict[str, set[str]] = {}
    for m, fields in USED_FIELDS.items():
        sel = ", ".join(f'count("{f}") AS "{f}"' for f in fields)
        covered = {
            t["device"]
            for t, row in _rows(influx, f'SELECT {sel} FROM "{m}" GROUP BY "device"')
            if all(row[f] for f in fields)
        }
        if set(devices) - covered:
            per_device[m] = set(devices) - covered
    whole: set[str] = set()
    nets = {t["network"] for t, _ in _rows(influx, 'SELECT last("up") FROM "snmp_reach" GROUP BY "network"')}
    active = {
        t["network"]
        for t, row in _rows(
            influx, 'SELECT last("firing") AS "firing" FROM "alert" GROUP BY "network", "rule", "device"'
        )
        if row["firing"] == 1
    }
    if nets - active:
        whole.add("alert")
    sel = ", ".join(f'count("{f}") AS "{f}"' for f in SELF_FIELDS)
    counts = _rows(influx, f'SELECT {sel} FROM "netmon_self"')
    if not counts or not all(counts[0][1][f] for f in SELF_FIELDS):
        whole.add("netmon_self")
    return per_device, whole


@pytest.fixture(scope="session")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    need_binary("influxd")
    influx = start_influxd(tmp_path_factory.mktemp("influxd"))
    try:
        influx.query(f'CREATE DATABASE "{DB}"')
        out = Loaded(influx)
        why_not = _try_demo(influx, tmp_path_factory.mktemp("demo"))
        inv = load_inventory([ROOT / "configs/inventory/small.yaml"])
        now = time.time_ns()
        if why_not:
            _write(influx, list(generate(inv, now)))
            out.source = {m: "generator" for m in MEASUREMENTS}
        else:
            # Fill what the demo did not cover (a device that never answered, a vendor profile
            # without temperature, no compliance scan yet), for the devices the demo polled.
            names = sorted(
                {t["device"] for t, _ in _rows(influx, 'SELECT last("up") FROM "snmp_reach" GROUP BY "device"')}
            )
            inv = Inventory([d for d in inv if d.name in names]) if any(d.name in names for d in inv) else inv
            per_device, whole = _gaps(influx, [d.name for d in inv])
            pts = [
                p
                for p in generate(inv, now)
                if p.measurement in whole or p.tags.get("device") in per_device.get(p.measurement, ())
            ]
            _write(influx, pts)
            for m in MEASUREMENTS:
                n = len(per_device.get(m, ()))
                out.source[m] = "generator" if m in whole else f"demo + generator for {n} device(s)" if n else "demo"
        if "service" not in _measurements(influx):  # service probes: no demo data (tests/services/sample_points.py)
            _write(influx, list(service_points(now)))
            out.source["service"] = "generator"
        print(f"\ndashboard test data: {out.source}" + (f" (demo not used: {why_not})" if why_not else ""))
        yield out
    finally:
        influx.stop()


@pytest.fixture(scope="session")
def build_dir() -> Path:
    return ROOT / "dashboards" / "build"
