"""`netmon run` against the lab: SIGHUP reload, SIGTERM stop, /metrics, nothing lost or doubled."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from netmon.lab.lab import Lab
from netmon.lab.procs import free_port
from netmon.storage import open_query
from tests.conftest import ROOT


def _config(lab: Lab, tmp: Path, port: int, interval: float = 2.0) -> Path:
    doc = yaml.safe_load(lab.config_path.read_text(encoding="utf-8"))
    doc["inventory"] = [str(lab.dir / "inventory.yaml")]
    doc["secrets_file"] = str(lab.dir / "secrets.yaml")
    doc["sink"] = f"sqlite:///{tmp / 'run.db'}"
    doc["spool"] = {"dir": str(tmp / "spool")}
    doc["intervals"] = {"snmp": interval, "health": interval, "jitter": 0.2}
    doc["http"] = {"listen": f"127.0.0.1:{port}"}
    doc["log"] = {"level": "info", "json": True}
    path = tmp / "netmon.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def _wait_metric(port: int, name: str, at_least: float, timeout: float = 60) -> dict[str, float]:
    deadline = time.monotonic() + timeout
    values: dict[str, float] = {}
    while time.monotonic() < deadline:
        try:
            _, text = _get(f"http://127.0.0.1:{port}/metrics")
        except OSError:
            time.sleep(0.3)
            continue
        values = {}
        for fam in text_string_to_metric_families(text):
            for s in fam.samples:
                key = s.name + (json.dumps(s.labels, sort_keys=True) if s.labels else "")
                values[key] = s.value
        if values.get(name, 0) >= at_least:
            return values
        time.sleep(0.3)
    raise AssertionError(f"{name} did not reach {at_least}: {values.get(name)}")


def test_run_reload_stop_no_loss(lab: Lab, tmp_path: Path) -> None:
    port = free_port()
    cfg = _config(lab, tmp_path, port)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    log = (tmp_path / "run.log").open("w")
    p = subprocess.Popen(
        [sys.executable, "-m", "netmon", "run", "-c", str(cfg)], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT
    )
    try:
        m = _wait_metric(port, 'netmon_cycles_total{"collector": "snmp"}', 2)
        assert m["netmon_points_total"] > 0
        assert m['netmon_devices{"collector": "snmp", "state": "up"}'] == len(lab.inventory)
        assert 'netmon_poll_duration_seconds_count{"collector": "snmp"}' in m or any(
            k.startswith("netmon_cycle_duration") for k in m
        )
        status, body = _get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200 and json.loads(body)["status"] == "ok"
        # A second daemon on the same spool is refused with a clear message.
        second = subprocess.run([sys.executable, "-m", "netmon", "run", "-c", str(cfg)], capture_output=True, text=True, cwd=ROOT,
                                env=dict(env, NETMON__HTTP__LISTEN="127.0.0.1:0"), timeout=60)  # fmt: skip
        assert second.returncode != 0
        assert "spool" in second.stderr and "Traceback" not in second.stderr
        p.send_signal(signal.SIGHUP)
        _wait_metric(port, 'netmon_cycles_total{"collector": "snmp"}', 4)
        p.send_signal(signal.SIGTERM)
        assert p.wait(60) == 0
    finally:
        if p.poll() is None:
            p.kill()
        log.close()
    text = (tmp_path / "run.log").read_text()
    lines = [json.loads(ln) for ln in text.splitlines() if ln.startswith("{")]
    assert any("reloaded" in ln["msg"] for ln in lines), text[-2000:]
    assert "Traceback" not in text

    async def check() -> None:
        q = open_query(f"sqlite:///{tmp_path / 'run.db'}")
        reach = await q.range("snmp_reach", 0, 2**63 - 1)
        selfp = await q.range("netmon_self", 0, 2**63 - 1, where={"collector": "snmp"})
        await q.close()
        cycles = len(selfp)
        assert cycles >= 4
        per_device = Counter(p.tags["device"] for p in reach)
        assert set(per_device) == {d.name for d in lab.inventory}
        # Every device polled once per cycle; the cycle SIGTERM interrupted is partial (devices
        # not yet started are skipped, its self point is still written).
        assert all(cycles - 1 <= n <= cycles for n in per_device.values()), (cycles, per_device)
        assert max(per_device.values()) == cycles
        # No duplicates: one point per device per instant.
        assert len({(p.tags["device"], p.time_ns) for p in reach}) == len(reach)
        assert all(p.fields["up"] == 1 for p in reach)

    asyncio.run(check())


@pytest.mark.parametrize("hogs", [0, 4], ids=["quiet", "both-cores-busy"])
def test_run_with_probes_and_health(lab: Lab, tmp_path: Path, hogs: int) -> None:
    """With a `probe:` section the daemon also probes every device (ICMP over raw sockets). With
    both cores held by CPU-bound processes the lab still answers every echo: a reply that waited
    in a socket buffer while netmon's reader was starved is netmon's delay, never the device's
    loss (before: 16 runs each dissecting every reply in Python, and replies read after scapy's
    deadline were dropped, so a device or two showed 50 % loss)."""
    if os.geteuid() != 0:
        pytest.skip("needs root (raw sockets for ICMP probes)")
    # The hogs load netmon's host; the devices it polls have CPUs of their own, so the
    # simulated ones are put ahead of the hogs. Two CI runs timed out 58 and 43 of 58 devices:
    # the lab's relay was then a thread of this process and waited for its GIL behind the busy
    # poller (the devices' network slowed with netmon's load); it is now a process of its own.
    lab.snmp.set_priority(-10 if hogs else 0)
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(hogs)]
    try:
        _probes_and_health(lab, tmp_path, slow_devices=bool(hogs))
    finally:
        for p in busy:
            p.kill()
            p.wait()
        lab.snmp.set_priority(0)


def _probes_and_health(lab: Lab, tmp_path: Path, slow_devices: bool) -> None:
    from netmon.config import load_config
    from netmon.runtime.mainjob import MainJob, RunOptions

    cfg_path = _config(lab, tmp_path, free_port())
    doc = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    if slow_devices:
        # The lab fitted its time-outs to the simulator on a quiet machine (1 s); under the hogs
        # the simulator (Python, in sessions of its own, so where the kernel shares CPU time by
        # session its niceness does not rank it above the hogs) can answer several times
        # slower: a CI run timed out 49 of 58 devices so. Real devices do not share netmon's
        # CPUs, so they get the time the loaded simulator needs. netmon's own delay never
        # counts either way (the engine reads what waited in its socket before it times out a
        # request; tests/perf/test_overload.py covers that).
        snmp = doc.setdefault("snmp", {})
        snmp["timeout"] = 4 * max(1.0, float(snmp.get("timeout", 1.0)))
        snmp["device_budget"] = 4 * float(snmp.get("device_budget", 8))
    doc["probe"] = {"kinds": ["icmp"], "count": 2, "interval": 0.05, "path": {"enabled": False}}
    doc["intervals"]["probe"] = 2.0
    doc["alerting"] = {"state": str(tmp_path / "alerts.db")}
    cfg_path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    job = MainJob(load_config(cfg_path), RunOptions(max_cycles=2, listen=""))
    assert asyncio.run(job.run()) == 0

    async def read() -> tuple[list, list, list]:
        q = open_query(f"sqlite:///{tmp_path / 'run.db'}")
        probes = await q.latest("probe")
        health = await q.latest("health")
        reach = await q.latest("snmp_reach")
        await q.close()
        return probes, health, reach

    probes, health, reach = asyncio.run(read())
    assert {p.tags["device"] for p in probes} == {d.name for d in lab.inventory}
    bad = [
        (p.tags["device"], p.fields)
        for p in probes
        if not (p.tags["kind"] == "icmp" and p.fields["received"] == 2 and p.fields["loss_pct"] == 0)
    ]
    assert not bad, bad
    errors = Counter(str(p.fields.get("error")) for p in reach if not p.fields["up"])
    # vendor profiles answered on most recordings
    assert len(health) >= len(lab.inventory) // 2, (
        len(health),
        errors,
        lab.snmp.serving(),
        lab.snmp.paused,
        lab.snmp.relay_errors,
    )


def test_bad_config_exits_2_without_traceback(tmp_path: Path) -> None:
    from tests.conftest import run_netmon

    r = run_netmon("run", "-c", str(tmp_path / "missing.yaml"))
    assert r.returncode == 2 and "missing.yaml: cannot read" in r.stderr and "Traceback" not in r.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("inventory: [x.yaml]\nintervals: {snmp: -1}\n", encoding="utf-8")
    r = run_netmon("run", "-c", str(bad))
    assert r.returncode == 2 and f"{bad}:2: intervals.snmp: Input should be greater than 0" in r.stderr


def test_unreachable_sink_at_start_spools_then_delivers(lab: Lab, tmp_path: Path) -> None:
    """The database is down when the daemon starts: it runs, warns, spools; the next start delivers."""
    from netmon.config import load_config
    from netmon.lab.influx import start_influxd
    from netmon.runtime.mainjob import MainJob, RunOptions
    from tests.conftest import need_binary

    need_binary("influxd")
    influx = start_influxd(tmp_path / "influx")
    influx.query('CREATE DATABASE "netmon"')
    influx.stop()  # the database is down when the daemon starts
    cfg = load_config(_config(lab, tmp_path, free_port()))
    cfg.alerting = {"state": str(tmp_path / "alerts.db")}
    sink = f"influxdb1://{influx.url.split('//')[1]}/netmon"
    job = MainJob(cfg, RunOptions(sink=sink, max_cycles=1, listen="", stop_grace=2))
    assert asyncio.run(job.run()) == 0
    assert job.pipeline is not None and job.pipeline.stats()["spool_pending_points"] > 0
    influx.restart()
    try:
        job = MainJob(cfg, RunOptions(sink=sink, max_cycles=1, listen="", stop_grace=5))
        assert asyncio.run(job.run()) == 0
        rows = influx.query('SELECT count("up") FROM "snmp_reach"', db="netmon")["results"][0]["series"][0]["values"]
        assert rows[0][1] == 2 * len(lab.inventory)  # both runs' polls, the first replayed from the spool
    finally:
        influx.stop()
