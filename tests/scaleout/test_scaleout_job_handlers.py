"""The job kinds a province's poller runs (backup now, scan now, poll), against the lab's real
SSH simulators and snmpsim agents; the work-queue transport itself is tested in test_scaleout_outage."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from netmon.config import load_config
from netmon.inventory import Topology, load_inventory
from netmon.lab.lab import Lab
from netmon.scaleout.service import job_handlers


@pytest.fixture(scope="module")
def ssh_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    lab = Lab.start(tmp_path_factory.mktemp("joblab"), ssh=True)
    try:
        yield lab
    finally:
        lab.stop()


def test_backup_scan_and_poll_jobs(ssh_lab: Lab, tmp_path: Path) -> None:
    cfg = load_config(ssh_lab.config_path)
    cfg.archive = {"dir": str(tmp_path / "archive")}
    inv = load_inventory(cfg.inventory)
    handlers, closers = job_handlers(cfg, Topology(inv))
    assert sorted(handlers) == ["backup", "poll", "scan"]
    dev = inv["gd-gz-in-core1"]  # an H3C device: backed up and scanned

    async def go() -> tuple[list, list, list]:
        try:
            return await handlers["backup"](dev), await handlers["scan"](dev), await handlers["poll"](dev)
        finally:
            for c in closers:
                await c.close()

    backup, scan, poll = asyncio.run(go())
    reach = [p for p in backup if p.measurement == "ssh_reach"]
    assert len(reach) == 1 and reach[0].fields["up"] == 1
    assert any(p.measurement == "config_change" and p.tags["change"] == "first" for p in backup)
    assert any(p.measurement == "compliance" and p.tags["device"] == dev.name for p in backup)  # scan follows backup
    comp = [p for p in scan if p.measurement == "compliance"]
    assert len(comp) == 1 and 0 <= float(comp[0].fields["score_pct"]) <= 100
    assert {p.measurement for p in poll} >= {"snmp_reach", "snmp_system", "interface"}
