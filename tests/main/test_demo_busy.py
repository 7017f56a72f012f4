"""`netmon demo` on a busy machine: no device down that the injected fault did not take down.

Two CPU hogs (one per core of a 2-core machine) run for the whole demo. The lab times the
simulator at start and fits time-outs, concurrency and interval to it (netmon.lab.calibrate),
and the daemon never blames a device for time it spent waiting itself; so every device
outside the fault's reach answers in every cycle, and those behind the fault are down after it.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from netmon.inventory import Topology, load_inventory
from netmon.storage import open_query
from tests.conftest import ROOT, run_netmon

HOG = "import time\nend = time.monotonic() + 600\nwhile time.monotonic() < end: sum(range(1000))\n"


def test_busy_demo_shows_only_the_fault(tmp_path: Path) -> None:
    hogs = [subprocess.Popen([sys.executable, "-c", HOG]) for _ in range(2)]
    try:
        r = run_netmon("demo", "--cycles", "3", "--interval", "3", "--out", str(tmp_path), timeout=400)
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    inv = load_inventory([ROOT / "configs" / "inventory" / "small.yaml"])
    cut = {"gd-in-core1", *Topology(inv).descendants("gd-in-core1")}

    async def read() -> list:
        q = open_query(f"sqlite:///{tmp_path / 'lab' / 'netmon.db'}")
        try:
            return await q.range("snmp_reach", 0, 2**63 - 1)
        finally:
            await q.close()

    by_dev: dict[str, list] = defaultdict(list)
    for p in sorted(asyncio.run(read()), key=lambda p: p.time_ns):
        by_dev[p.tags["device"]].append(p)
    wrongly_down = {
        d: [p.fields["error"] for p in pts if not p.fields["up"]] for d, pts in by_dev.items() if d not in cut
    }
    assert not {d: e for d, e in wrongly_down.items() if e}, wrongly_down
    assert {d for d, pts in by_dev.items() if not pts[-1].fields["up"]} == cut
    # Every device outside the fault was polled in every cycle.
    assert all(len(by_dev[d.name]) == 3 for d in inv if d.name not in cut), {d: len(v) for d, v in by_dev.items()}
