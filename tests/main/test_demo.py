"""`netmon demo --cycles 3`: stored points against the lab's truth, and the report in Chromium."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from netmon.inventory import Topology, load_inventory
from netmon.lab.lab import LAB_MAX_INTERFACES
from netmon.lab.snmpsim import cached_recording
from netmon.storage import open_query
from tests.conftest import ROOT, run_netmon

ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("demo")
    r = run_netmon("demo", "--cycles", "3", "--interval", "3", "--out", str(out), timeout=240)
    return out, r


def test_demo_runs_and_summarises(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, r = demo_run
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "fault injected" in r.stdout and "gd-in-core1" in r.stdout
    assert "devices per tier and network" in r.stdout and "busiest links" in r.stdout
    assert (out / "report.html").exists()
    assert "Traceback" not in r.stdout + r.stderr


def test_demo_points_match_the_lab(demo_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, r = demo_run
    assert r.returncode == 0
    inv = load_inventory([ROOT / "configs" / "inventory" / "small.yaml"])
    topo = Topology(inv)
    cut = {"gd-in-core1", *topo.descendants("gd-in-core1")}

    async def read() -> tuple[list, list, list]:
        q = open_query(f"sqlite:///{out / 'lab' / 'netmon.db'}")
        reach = await q.range("snmp_reach", 0, 2**63 - 1)
        system = await q.latest("snmp_system")
        ifs = await q.latest("interface")
        await q.close()
        return reach, system, ifs

    reach, system, ifs = asyncio.run(read())
    per_dev = Counter(p.tags["device"] for p in reach)
    assert set(per_dev) == {d.name for d in inv} and set(per_dev.values()) == {3}
    ups = sorted(reach, key=lambda p: p.time_ns)
    # After the fault (injected after cycle 1) the province and everything behind it is down.
    last = {p.tags["device"]: p for p in ups}
    assert {d for d, p in last.items() if not p.fields["up"]} == cut
    # sysName and interface names equal what the device recordings hold (the lab's truth).
    state = json.loads((out / "lab" / "state.json").read_text()) if (out / "lab" / "state.json").exists() else None
    assert state is None  # the demo stopped its lab
    recs = {p.tags["device"]: p for p in system}
    lab_inv = load_inventory([out / "lab" / "inventory.yaml"])
    checked = 0
    for dev in lab_inv:
        rec = cached_recording(dev.tags["lab_recording"], LAB_MAX_INTERFACES)  # the file snmpsim served
        truth = {}
        for line in rec.read_text(errors="replace").splitlines():
            oid, _, rest = line.partition("|")
            truth[oid] = rest
        sysname = truth.get("1.3.6.1.2.1.1.5.0", "")
        if dev.name in recs and sysname.startswith("4|"):
            assert recs[dev.name].fields["sys_name"] == sysname[2:]
            checked += 1
        names = {p.tags["ifName"] for p in ifs if p.tags["device"] == dev.name}
        rec_names = set()
        for k, v in truth.items():
            if k.startswith("1.3.6.1.2.1.31.1.1.1.1."):
                tag, _, val = v.partition("|")
                rec_names.add(bytes.fromhex(val).decode() if tag == "4x" else val)
        if rec_names and names:
            assert names == rec_names, (dev.name, names ^ rec_names)
    assert checked >= 10
    assert any("in_bps" in p.fields for p in ifs)


def test_report_renders_in_chromium(demo_run: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path) -> None:
    out, r = demo_run
    assert r.returncode == 0
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip("chromium is not installed (make test installs it as root)")
    report = out / "report.html"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0"]  # fmt: skip
    dom = subprocess.run([chromium, *flags, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=90)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert 'data-charts="4"' in dom.stdout or 'data-charts="3"' in dom.stdout, dom.stdout[:500]
    assert dom.stdout.count("<rect") > 10 and "<polyline" in dom.stdout
    errors = [ln for ln in dom.stderr.splitlines() if "CONSOLE" in ln and ("Uncaught" in ln or "Error" in ln)]
    assert not errors, errors
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "demo-report.png"
    subprocess.run(
        [chromium, *flags, f"--screenshot={shot}", "--window-size=1280,2400", report.as_uri()],
        capture_output=True,
        timeout=90,
    )
    assert shot.exists() and shot.stat().st_size > 10_000
