"""Issue 16: `netmon inventory tree` is linear on a long same-site chain (20,000 devices, 68 s
before); the drawing is checked line by line (speed is in bench/bench_inventory.py)."""

from __future__ import annotations

from pathlib import Path

from netmon.inventory.generate import dump_csv, generate_chain
from tests.conftest import run_netmon

N = 20_000


def test_tree_of_a_20000_device_chain(tmp_path: Path) -> None:
    p = tmp_path / "chain.csv"
    p.write_text(dump_csv(generate_chain(N)), encoding="utf-8")
    r = run_netmon("inventory", "tree", "-i", str(p), timeout=300)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[:4] == [
        "netmon topology",
        "└── c-in-core1 central core huawei_vrp 中央",
        "    └── gd-in-core1 province core huawei_vrp 广东",
        "        ├── gd-in-acc1 province access " + lines[3].split(" access ", 1)[1],
    ]
    assert "via" not in lines[3]  # the first switch hangs off the core, drawn under it
    chain = lines[3 : 3 + N]
    for i, line in enumerate(chain, start=1):
        guide = "└── " if i == N else "├── "
        assert line.startswith("        " + guide + f"gd-in-acc{i} province access "), line
        if i > 1:
            assert line.endswith(f" via gd-in-acc{i - 1}"), line
    assert len(max(chain, key=len)) < 100  # bounded indentation: no line grows with the chain
    assert "20001" in next(ln for ln in lines if "│ province" in ln)  # the counts table


def test_tree_scope_keeps_the_path(tmp_path: Path) -> None:
    """A scope deep in the chain still shows the way to it (its ancestors, dim), nothing else."""
    p = tmp_path / "chain.csv"
    p.write_text(dump_csv(generate_chain(50)), encoding="utf-8")
    r = run_netmon("inventory", "tree", "-i", str(p), "--scope", "device=gd-in-acc40")
    assert r.returncode == 0, r.stderr
    names = [ln.split("── ", 1)[1].split()[0] for ln in r.stdout.splitlines() if "── " in ln]
    assert names == ["c-in-core1", "gd-in-core1", *(f"gd-in-acc{i}" for i in range(1, 41))]
    assert sum(1 for ln in r.stdout.splitlines() if " access " in ln) == 1  # only acc40 is in scope
