"""Issue 16: what netmon writes is for its own account only (0600 files, 0700 directories), and
no lab secret is visible in a process's command line."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from netmon.model import Point
from tests.conftest import need_binary, run_netmon

# dulwich (like git) makes object files read-only, 0444 filtered by the umask: with netmon's
# umask 0400. They sit inside the archive's 0700 directory.
GIT_OBJECT = "/configs.git/objects/"


def _loose_modes(root: Path) -> list[str]:
    """Every path under root (root included) that its group or others could read, write or enter."""
    bad = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [".", *dirnames, *filenames]:
            p = Path(dirpath) / name if name != "." else Path(dirpath)
            mode = stat.S_IMODE(p.lstat().st_mode)
            if p.is_symlink() or not mode & 0o077:
                continue
            if GIT_OBJECT in str(p) and p.is_file() and mode & 0o333 == 0:
                continue
            bad.append(f"{oct(mode)} {p.relative_to(root.parent)}")
    return bad


def test_demo_creates_nothing_others_can_read(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    r = subprocess.run(
        ["bash", "-c", 'umask 022 && exec "$0" -m netmon demo --cycles 1 --out "$1"', os.sys.executable, str(out)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    made = {p.relative_to(out).as_posix() for p in out.rglob("*")}
    # what the issue names: telemetry, alert state, spool segments, archive, report, lab state
    for must in ("report.html", "lab/netmon.db", "lab/alerts.db", "lab/spool/LOCK", "lab/spool/cursor",
                 "lab/archive/configs.git", "lab/netmon.yaml", "lab/inventory.yaml", "lab/ssh/sshsim.spec.json"):  # fmt: skip
        assert must in made, must
    assert any(m.startswith("lab/spool/") and m.endswith(".seg") for m in made)
    assert _loose_modes(out) == []


def test_library_callers_get_private_files_too(tmp_path: Path) -> None:
    """Without the CLI's umask (this test process keeps 022), each writer sets its own modes."""
    from netmon.alerting.state import AlertStore
    from netmon.archive import ConfigArchive
    from netmon.compliance.points import save_state
    from netmon.report.html import write_report
    from netmon.storage import Pipeline

    old = os.umask(0o022)
    try:
        base = tmp_path / "lib"

        async def store() -> None:
            pipe = await Pipeline.open(f"sqlite:///{base / 'db' / 'netmon.db'}", base / "spool")
            await pipe.submit([Point("m", {"device": "d"}, {"v": 1}, 1_700_000_000_000_000_000)])
            assert await pipe.flush(10)
            await pipe.close()

        asyncio.run(store())
        AlertStore(base / "state" / "alerts.db").close()
        ConfigArchive(base / "archive").store("r1", "sysname R1\n", "huawei_vrp")
        write_report(base / "reports" / "report.html", "<html></html>")
        save_state(base / "compliance-state.json", [])
        made = {p.relative_to(base).as_posix() for p in base.rglob("*")}
        assert {"db/netmon.db", "spool/LOCK", "state/alerts.db", "reports/report.html", "compliance-state.json"} <= made
        assert _loose_modes(base) == []
    finally:
        os.umask(old)


def _tree_cmdlines(pid: int) -> dict[int, str]:
    """Command lines of a process and all its descendants (each lab process has its own session)."""
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, grew = {pid}, True
    while grew:
        kids = {c for c, p in parent.items() if p in tree} - tree
        grew = bool(kids)
        tree |= kids
    out = {}
    for p in tree:
        try:
            out[p] = Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
    return out


def test_lab_secrets_not_on_any_command_line(tmp_path: Path) -> None:
    snmpget = need_binary("snmpget")
    lab = tmp_path / "lab"
    up = run_netmon("lab", "up", "--dir", str(lab), timeout=240)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        state = json.loads((lab / "state.json").read_text())
        secrets = yaml.safe_load((lab / "secrets.yaml").read_text())
        cmdlines = _tree_cmdlines(int(state["pid"]))
        assert any("snmpsim_agent" in c for c in cmdlines.values()), cmdlines
        assert any("sshsim" in c for c in cmdlines.values()), cmdlines
        for pid, line in cmdlines.items():
            for key, value in secrets.items():
                assert str(value) not in line, (pid, key)
        # the keys are in use all the same: net-snmp answers with them (the independent truth)
        cfg = yaml.safe_load((lab / "netmon.yaml").read_text())
        user = cfg["credentials"]["snmp"]["v3-intranet"]["user"]
        port = next(iter(state["devices"].values()))["snmp_port"]
        got = subprocess.run(
            [snmpget, "-v3", "-l", "authPriv", "-u", user, "-a", "SHA", "-A", secrets["lab_auth"], "-x", "AES",
             "-X", secrets["lab_priv"], "-On", "-r", "2", "-t", "3", f"127.0.0.1:{port}", "1.3.6.1.2.1.1.3.0"],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert got.returncode == 0 and "Timeticks" in got.stdout, got.stderr
        # the SSH simulator's spec (it names the lab password) and the whole lab folder are private
        assert _loose_modes(lab) == []
    finally:
        run_netmon("lab", "down", "--dir", str(lab))


@pytest.mark.parametrize("umask", [0o022])
def test_cli_sets_umask(tmp_path: Path, umask: int) -> None:
    """A file a command creates through a library that honours only the umask (here: `inventory
    generate -o`, a plain write) is private too."""
    out = tmp_path / "inv.csv"
    r = subprocess.run(
        ["bash", "-c", f'umask {umask:03o} && exec "$0" -m netmon inventory generate --size small -o "$1"',
         os.sys.executable, str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
