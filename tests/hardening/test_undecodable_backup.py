"""Issue 16: bytes that are neither UTF-8 nor GB18030 in one device's running config (and in its
"last changed by" user) must not stop that device being archived, nor any other device getting
its compliance results; the bytes are kept (byte-exact in git, shown as \\xNN) and reported."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from netmon.config import load_config
from netmon.inventory import load_inventory
from netmon.lab.sshsim import SimDevice, SshSim, default_config, start_sshsim
from netmon.runtime.backupjob import BackupJob
from netmon.storage import Pipeline
from netmon.storage.sqlite import iter_points
from tests.conftest import need_binary, run_netmon, ssh_lab_netmon_yaml

BAD = b"\xff\xfe"
DEVICES = ("bad", "body", "good")
ENV = {"HR_SSH_PW": "lab-Passw0rd", "HR_SSH_EN": "lab-En4ble"}


def _bad_config(who: bool = True) -> bytes:
    raw = default_config("huawei_vrp").read_bytes()
    if who:
        raw = raw.replace(b"by netadmin", b"by net" + BAD + b"admin", 1)  # the "last changed by" user
    return raw.replace(
        b"\nsysname ", b"\n#\ninterface Vlanif77\n description uplink " + BAD + b" bytes\n#\nsysname ", 1
    )


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshSim]:
    root = tmp_path_factory.mktemp("undecodable")
    (root / "bad.cfg").write_bytes(_bad_config())
    (root / "body.cfg").write_bytes(_bad_config(who=False))  # the bytes only in a description
    shutil.copy(default_config("huawei_vrp"), root / "good.cfg")
    devs = [SimDevice(n, "huawei_vrp", config=str(root / f"{n}.cfg")) for n in DEVICES]
    s = start_sshsim(devs, root / "sim")
    try:
        yield s
    finally:
        s.stop()


def _netmon_yaml(sim: SshSim, d: Path) -> Path:
    return ssh_lab_netmon_yaml(sim, d, DEVICES, "HR_SSH")


def test_backup_cli_archives_the_bad_device_and_reports_it(sim, tmp_path: Path) -> None:
    cfg = _netmon_yaml(sim, tmp_path)
    r = run_netmon("backup", "-c", str(cfg), env=ENV)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "Traceback" not in out
    assert "3/3 devices backed up, 3 new version(s), 0 failed" in r.stdout
    bad_line = next(ln for ln in r.stderr.splitlines() if "] bad:" in ln)
    assert "first version" in bad_line and "unchanged" not in bad_line
    assert "undecodable" in bad_line

    # Independent truth: stock git shows the device's exact bytes in the archive.
    git = need_binary("git")
    blob = subprocess.run(
        [git, "--git-dir", str(tmp_path / "archive" / "configs.git"), "show", "main:bad.cfg"],
        capture_output=True,
        check=True,
    ).stdout
    assert b"description uplink " + BAD + b" bytes" in blob
    msg = subprocess.run(
        [git, "--git-dir", str(tmp_path / "archive" / "configs.git"), "log", "-1", "--format=%B", "--", "bad.cfg"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "Changed-By: net\\xff\\xfeadmin" in msg and "Undecodable-Bytes: 4" in msg

    show = run_netmon("archive", "show", "bad", "-c", str(cfg))
    assert show.returncode == 0, show.stderr
    assert "description uplink \\xff\\xfe bytes" in show.stdout
    log = run_netmon("archive", "log", "bad", "-c", str(cfg))
    assert log.returncode == 0 and "net\\xff\\xfeadmin" in log.stdout

    again = run_netmon("backup", "-c", str(cfg), "--format", "json", env=ENV)
    assert again.returncode == 0, again.stderr
    doc = json.loads(again.stdout)
    assert doc["changes"] == []  # byte-exact storage: the same bytes are no change
    assert {d["device"]: d["undecodable_bytes"] for d in doc["devices"]} == {"bad": 4, "body": 2, "good": 0}


def test_daemon_backup_job_scans_every_device(sim, tmp_path: Path) -> None:
    """The daemon's backup job: backup, compliance scan, every point through the real pipeline."""
    cfg = load_config(_netmon_yaml(sim, tmp_path))
    db = tmp_path / "t.db"

    async def cycle() -> list[str]:
        os.environ.update(ENV)
        pipe = await Pipeline.open(f"sqlite:///{db}", tmp_path / "spool")
        try:
            job = BackupJob(cfg, pipe.submit)  # type: ignore[arg-type]
            out = await job.run_once(list(load_inventory(cfg.inventory)))
            assert await pipe.flush(30)
            return [r.device for r in out.scanned]
        finally:
            await pipe.close()

    scanned = asyncio.run(cycle())
    assert sorted(scanned) == list(DEVICES)
    con = sqlite3.connect(db)
    rows = con.execute("SELECT DISTINCT tags FROM series WHERE measurement = 'compliance'").fetchall()
    assert sorted(json.loads(t)["device"] for (t,) in rows) == list(DEVICES)
    who = [p.fields["changed_by"] for p in iter_points(con, "config_change") if p.tags.get("device") == "bad"]
    assert who == ["net\\xff\\xfeadmin"]
