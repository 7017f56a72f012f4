"""Issue 16: `netmon alerts list` shows ids whole, however narrow the terminal, so that
`netmon alerts ack <id as listed>` works."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from netmon.alerting import AlertEngine
from netmon.inventory import Topology, load_inventory
from netmon.model import Point
from netmon.secrets import SecretStore
from tests.conftest import ROOT, run_netmon

SMALL = ROOT / "configs" / "inventory" / "small.yaml"
T0 = 1_800_000_000.0


@pytest.fixture
def state(tmp_path: Path) -> tuple[Path, list[str]]:
    section = {"state": str(tmp_path / "alerts.db"), "receivers": {}, "default_groups": []}
    cfg = tmp_path / "netmon.yaml"
    cfg.write_text(yaml.safe_dump({"inventory": [str(SMALL)], "alerting": section}), encoding="utf-8")
    topo = Topology(load_inventory([SMALL]))
    eng = AlertEngine.from_config(section, topo, None, SecretStore(environ={}))
    down = ["gd-in-core1", "zj-in-core1", "sc-in-core1"]  # three provinces: three firing alerts
    eng.process([Point("snmp_reach", topo.device(n).point_tags(), {"up": 0, "error": "timeout"}, int(T0 * 1e9))
                 for n in down])  # fmt: skip
    eng.end_cycle(T0)
    ids = sorted(a.id for a in eng.active() if a.state == "firing")
    eng.store.close()
    assert len(ids) == 3
    return cfg, ids


@pytest.mark.parametrize("columns", ["60", "40"])
def test_list_shows_whole_ids_that_ack_accepts(state: tuple[Path, list[str]], columns: str) -> None:
    cfg, ids = state
    r = run_netmon("alerts", "list", "-c", str(cfg), "--no-suppressed", env={"COLUMNS": columns})
    assert r.returncode == 0, r.stderr
    shown = sorted(set(re.findall(r"\b[0-9a-f]{6,}\b", r.stdout)) & set(ids))
    assert shown == ids, r.stdout
    assert "…" not in "".join(ln.split("│")[1] for ln in r.stdout.splitlines() if ln.count("│") > 2)
    # what the list shows is what ack takes
    r = run_netmon("alerts", "ack", shown[0], "-c", str(cfg), "--by", "noc", env={"COLUMNS": columns})
    assert r.returncode == 0 and f"acknowledged {shown[0]}" in r.stdout, r.stderr
