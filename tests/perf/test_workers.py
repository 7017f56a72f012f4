"""`netmon run --workers 2` stores what one process stores: every device once per cycle, the
same series with the same fields and static values (issue 15 part 2), against real snmpd."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from netmon.config import load_config
from netmon.lab.snmpd import Snmpd
from netmon.model import Point
from netmon.runtime.mainjob import MainJob, RunOptions
from netmon.runtime.workers import shard_of
from netmon.storage import open_query

from .conftest import write_config

DEVICES = 24
CYCLES = 2
STATIC = ("ifName", "ifAlias", "ifIndex", "speed_mbps", "oper_status", "admin_status", "sys_name", "sys_object_id")


def _run(tmp: Path, snmpd: Snmpd, workers: int) -> tuple[MainJob, list[Point]]:
    tmp.mkdir()
    cfg = load_config(write_config(tmp, snmpd, DEVICES, interval=2.0, timeout=2.0, retries=1, budget=20, sites=6))
    job = MainJob(cfg, RunOptions(max_cycles=CYCLES, backup=False, listen="", workers=workers))
    assert asyncio.run(job.run()) == 0

    async def stored() -> list[Point]:
        q = open_query(cfg.sink)
        try:
            out: list[Point] = []
            for m in ("snmp_reach", "snmp_system", "interface"):
                out += await q.range(m, 0, 2**63 - 1)
            return out
        finally:
            await q.close()

    return job, asyncio.run(stored())


def _series(
    points: list[Point],
) -> dict[tuple[str, tuple[tuple[str, str], ...]], tuple[frozenset[str], tuple[object, ...]]]:
    last: dict[tuple[str, tuple[tuple[str, str], ...]], Point] = {}
    for p in sorted(points, key=lambda p: p.time_ns):
        last[(p.measurement, tuple(sorted(p.tags.items())))] = p
    return {k: (frozenset(p.fields), tuple(p.fields.get(f) for f in STATIC)) for k, p in last.items()}


def test_two_workers_store_what_one_process_stores(
    snmpd: Snmpd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETMON_TEST_COMMUNITY", snmpd.community)
    multi_job, multi = _run(tmp_path / "multi", snmpd, 2)
    assert len({shard_of(d, 2) for d in multi_job.devices}) == 2  # both shards had devices
    # The daemon polled shard 0 itself (its health timing knows exactly those devices) and the
    # worker the rest (every device is stored below).
    assert multi_job.snmp is not None
    assert set(multi_job.snmp._last_health) == {d.name for d in multi_job.devices if shard_of(d, 2) == 0}
    _, single = _run(tmp_path / "single", snmpd, 1)
    for pts in (multi, single):
        reach = [p for p in pts if p.measurement == "snmp_reach"]
        assert Counter(p.tags["device"] for p in reach) == {f"dev{i:04d}": CYCLES for i in range(DEVICES)}
        assert all(p.fields["up"] == 1 for p in reach)
    # Same series, same field names (rates included: the second cycle had baselines), same statics.
    assert _series(multi) == _series(single)
    assert Counter(p.measurement for p in multi) == Counter(p.measurement for p in single)


def test_a_killed_worker_is_started_again(snmpd: Snmpd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGKILL one worker after the first cycle: the daemon goes on, the worker comes back,
    and the last cycle polls every device again."""
    import os
    import signal

    from netmon.runtime.scheduler import CycleResult

    monkeypatch.setenv("NETMON_TEST_COMMUNITY", snmpd.community)
    cfg = load_config(write_config(tmp_path, snmpd, 12, interval=2.0, timeout=2.0, retries=1, budget=20, sites=6))
    job = MainJob(cfg, RunOptions(max_cycles=4, backup=False, listen="", workers=2))
    killed: list[int] = []

    def after(result: CycleResult) -> None:
        if result.collector == "snmp" and result.number == 1:
            pid = job.pool._workers[1].proc.pid
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    job.cycle_observers.append(after)
    assert asyncio.run(job.run()) == 0
    assert killed and job.pool is not None and job.pool.restarts == 1

    async def stored() -> list[Point]:
        q = open_query(cfg.sink)
        try:
            return await q.range("snmp_reach", 0, 2**63 - 1)
        finally:
            await q.close()

    reach = asyncio.run(stored())
    assert all(p.fields["up"] == 1 for p in reach)  # no device blamed for the dead worker
    # At most the polls sent before the parent noticed the death are lost; the rest go on.
    per_device = Counter(p.tags["device"] for p in reach)
    assert set(per_device) == {f"dev{i:04d}" for i in range(12)} and min(per_device.values()) >= 3, per_device
