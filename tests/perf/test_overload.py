"""A starved poller blames itself, not the network (issue 15 part 3).

CPU-bound work injected into the daemon's point path (each device's points cost 0.6 s of
CPU, as if storing them were that slow) holds the event loop for longer than the 0.5 s SNMP
time-out while other devices' requests are in flight and real snmpd answers them at once.
The daemon must not mark any device down for that, and must raise `poller_overloaded`
naming the cause and its measured capacity.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from netmon.config import load_config
from netmon.lab.snmpd import Snmpd
from netmon.model import Point
from netmon.runtime.mainjob import MainJob, RunOptions
from netmon.storage import open_query

from .conftest import write_config

BURN_S = 0.6  # longer than the 0.5 s time-out


def _burn(points: list[Point]) -> None:
    """Pure CPU in the event loop for every device's poll results."""
    if any(p.measurement == "snmp_reach" for p in points):
        end = time.perf_counter() + BURN_S
        while time.perf_counter() < end:
            sum(range(1000))


def test_starved_poller_raises_overload_not_device_down(
    snmpd: Snmpd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETMON_TEST_COMMUNITY", snmpd.community)
    devices = 12
    cfg = load_config(write_config(tmp_path, snmpd, devices, interval=2.0, timeout=0.5, retries=0, budget=2.0))
    job = MainJob(cfg, RunOptions(max_cycles=3, backup=False, listen=""))
    alerts: list[Point] = []
    job.observers.append(lambda pts: alerts.extend(p for p in pts if p.measurement == "alert"))
    job.observers.append(_burn)
    assert asyncio.run(job.run()) == 0
    rules = {str(a.tags.get("rule")) for a in alerts}
    assert "device_unreachable" not in rules, [a.fields for a in alerts if a.tags.get("rule") == "device_unreachable"]
    overload = [a for a in alerts if a.tags.get("rule") == "poller_overloaded"]
    assert overload, rules
    text = str(overload[0].fields)
    assert "cycle took" in text and "capacity" in text, text

    async def stored() -> tuple[list[Point], list[Point]]:
        q = open_query(cfg.sink)
        try:
            return await q.range("snmp_reach", 0, 2**63 - 1), await q.range("netmon_self", 0, 2**63 - 1)
        finally:
            await q.close()

    reach, selfp = asyncio.run(stored())
    # Every verdict stored is "up" (snmpd answered everything); polls netmon could not finish
    # for its own reasons leave no verdict rather than a false "down".
    assert reach and all(p.fields["up"] == 1 for p in reach), [p.fields for p in reach if p.fields["up"] != 1][:3]
    snmp_self = [p for p in selfp if p.tags.get("collector") == "snmp"]
    assert any(p.fields.get("overloaded") == 1 for p in snmp_self)
    # The capacity it measured matches the injected cost: about interval / 0.6 s per device.
    caps = [int(p.fields["capacity"]) for p in snmp_self if p.fields.get("overloaded") == 1]
    assert caps and all(c <= 2.0 / BURN_S + 1 for c in caps), caps
