"""The daemon's own backup → scan path adds observed evidence too (issue 17 part 2): the SSH
simulator serves the same compliant configuration to two devices, the sink holds syslog messages
from one of them, and the compliance points `netmon run`'s backup job stores say the other's log
host is configured but not in effect."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from netmon.config import load_config
from netmon.inventory import load_inventory
from netmon.lab.sshsim import SimDevice, SshSim, start_sshsim
from netmon.model import Point
from netmon.runtime.backupjob import BackupJob
from netmon.storage import Pipeline
from tests.conftest import ROOT, ssh_lab_netmon_yaml

COMPLIANT = ROOT / "tests" / "compliance" / "configs" / "huawei_compliant.cfg"
DEVICES = ("heard", "quiet")
ENV = {"OB_SSH_PW": "lab-Passw0rd", "OB_SSH_EN": "lab-En4ble"}


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshSim]:
    root = tmp_path_factory.mktemp("observed-daemon")
    s = start_sshsim([SimDevice(n, "huawei_vrp", config=str(COMPLIANT)) for n in DEVICES], root / "sim")
    try:
        yield s
    finally:
        s.stop()


def _netmon_yaml(sim: SshSim, d: Path, observed: bool) -> Path:
    extra = f"sink: sqlite:///{d}/netmon.db\ncompliance: {{observed: {str(observed).lower()}}}\n"
    return ssh_lab_netmon_yaml(sim, d, DEVICES, "OB_SSH", extra)


def _rule_results(db: Path, rule: str) -> dict[str, str]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT tags FROM series WHERE measurement = 'compliance_rule'").fetchall()
    finally:
        con.close()
    out = {}
    for (t,) in rows:
        tags = json.loads(t)
        if tags["rule"] == rule:
            out[tags["device"]] = tags["result"]
    return out


@pytest.mark.parametrize("observed", [True, False])
def test_daemon_scan_adds_observed_evidence(sim: SshSim, tmp_path: Path, observed: bool) -> None:
    cfg = load_config(_netmon_yaml(sim, tmp_path, observed))
    db = tmp_path / "netmon.db"
    now = time.time_ns()
    heard = [
        Point("syslog", {"device": "heard", "severity": "notice"}, {"message": f"m{i}", "skew_s": 0.2}, now - i * 10**9)
        for i in range(5)
    ]
    receiver = Point("netmon_self", {"collector": "syslog"}, {"messages_received": 5}, now)

    async def cycle() -> None:
        os.environ.update(ENV)
        pipe = await Pipeline.open(f"sqlite:///{db}", tmp_path / "spool")
        try:
            await pipe.submit([*heard, receiver])  # what `netmon syslog` stored earlier
            assert await pipe.flush(30)
            job = BackupJob(cfg, pipe.submit)  # type: ignore[arg-type]
            out = await job.run_once(list(load_inventory(cfg.inventory)))
            assert sorted(r.device for r in out.scanned) == list(DEVICES)
            assert await pipe.flush(30)
        finally:
            await pipe.close()

    asyncio.run(cycle())
    au01 = _rule_results(db, "AU-01")
    # The configuration alone passes AU-01 on both; only what netmon saw tells them apart.
    assert au01 == ({"heard": "PASS", "quiet": "WARN"} if observed else {"heard": "PASS", "quiet": "PASS"})
