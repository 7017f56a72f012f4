"""The whole path: `netmon run` walks LLDP on the health interval, the isolation breach becomes a
critical finding and alert in the sink, and `netmon topology diff|show` read what was stored.
The SSH path: neighbour tables from the SSH device simulators (TextFSM) into the same diff."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from netmon.lab.procs import start
from netmon.storage.sqlite import iter_points
from tests.conftest import ROOT, run_netmon


def _rows(db: Path, measurement: str) -> list[dict]:
    if not db.exists():
        return []
    con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        return [{"time": p.time_ns, **p.tags, **p.fields} for p in iter_points(con, measurement)]
    except sqlite3.OperationalError:
        return []
    finally:
        con.close()


@pytest.fixture(scope="module")
def daemon(network):
    d, _agents = network
    cfg = d / "netmon.yaml"
    cfg.write_text(
        f"""
inventory: [inventory.yaml]
credentials: {{snmp: {{lab: {{version: 2c, community: "env:LAB_COMMUNITY"}}}}}}
sink: sqlite:///{d}/netmon.db
spool: {{dir: spool}}
batch: {{interval: 0.2}}
http: {{listen: ""}}
intervals: {{snmp: 2, health: 1, jitter: 0}}
topology: {{lldp_interval: 1s}}
alerting: {{state: alerts.db}}
""",
        encoding="utf-8",
    )
    env = dict(os.environ, LAB_COMMUNITY="public")
    proc = start(
        "netmon-run", [sys.executable, "-m", "netmon", "run", "-c", str(cfg)], d / "run.log", env=env, cwd=ROOT
    )
    db = d / "netmon.db"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not [
        r for r in _rows(db, "alert") if r.get("rule") == "lldp_isolation_breach"
    ]:
        assert proc.alive(), proc.log_tail(30)
        time.sleep(0.5)
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.popen.wait(30)
    except subprocess.TimeoutExpired:
        proc.stop()
    yield d, cfg, db, env


def test_daemon_stores_neighbours_finding_and_alert(daemon):
    _d, _cfg, db, _ = daemon
    walks = _rows(db, "lldp_walk")
    assert {r["device"] for r in walks} >= {"c-in-core", "gd-in-core", "gd-ex-core"}
    nb = _rows(db, "lldp_neighbor")
    assert {r["source"] for r in nb} == {"snmp"}
    found = [r for r in _rows(db, "security_finding") if r.get("rule") == "lldp_isolation_breach"]
    assert found and {r["severity"] for r in found} == {"critical"} and {r["category"] for r in found} == {"isolation"}
    alerts = [r for r in _rows(db, "alert") if r.get("rule") == "lldp_isolation_breach"]
    assert alerts and alerts[0]["severity"] == "critical" and "ISOLATION BREACH" in alerts[0]["summary"]


def test_topology_diff_cli_reads_the_sink(daemon):
    d, cfg, _db, env = daemon
    r = run_netmon("topology", "diff", "-c", str(cfg), "--format", "json", env=env)
    assert r.returncode == 1, r.stderr  # breaches, missing and undocumented links
    doc = json.loads(r.stdout)
    assert [sorted([b["a"], b["b"]]) for b in doc["isolation_breaches"]] == [["gd-ex-core", "gd-in-core"]]
    assert [(m["child"], m["parent"]) for m in doc["missing"]] == [("gz-in-acc", "gd-in-core")]
    assert [(u["a"], u["b"]) for u in doc["undocumented"]] == [("c-in-core", "gz-in-acc")]
    assert {n["name"] or n["chassis_id"] for n in doc["unknown_neighbours"]} == {"mystery-switch", "de:ad:be"}
    # scoped to the extranet: only what touches it
    r2 = run_netmon("topology", "diff", "-c", str(cfg), "--scope", "network=extranet", "--format", "json", env=env)
    doc2 = json.loads(r2.stdout)
    assert doc2["isolation_breaches"] and not doc2["missing"] and not doc2["undocumented"]
    # the table form names the breach first
    t = run_netmon("topology", "diff", "-c", str(cfg), env=env)
    assert t.returncode == 1 and t.stdout.index("ISOLATION BREACHES") < t.stdout.index("declared uplinks")
    # --propose writes YAML the inventory loader takes
    prop = d / "proposed.yaml"
    p = run_netmon("topology", "diff", "-c", str(cfg), "--propose", str(prop), env=env)
    assert p.returncode == 1
    doc3 = yaml.safe_load(prop.read_text(encoding="utf-8"))
    assert doc3["devices"][0]["name"] == "gz-in-acc"
    inv = yaml.safe_load((d / "inventory.yaml").read_text(encoding="utf-8"))
    for dev in inv["devices"]:
        if dev["name"] == "gz-in-acc":
            dev["uplinks"] = doc3["devices"][0]["uplinks"]
    (d / "inv2.yaml").write_text(yaml.safe_dump(inv, allow_unicode=True), encoding="utf-8")
    ok = run_netmon("inventory", "validate", "-i", str(d / "inv2.yaml"))
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_topology_show_text_svg_and_live(daemon):
    d, cfg, _db, env = daemon
    r = run_netmon("topology", "show", "-c", str(cfg), env=env)
    assert r.returncode == 0, r.stderr
    line = next(x for x in r.stdout.splitlines() if x.strip().startswith("gd-in-core"))
    assert "[up]" in line and "lldp:confirmed" in line  # its uplink port is up in the last poll
    assert "ISOLATION BREACH gd-ex-core" in r.stdout or "ISOLATION BREACH gd-in-core" in r.stdout
    svg = d / "map.svg"
    s = run_netmon("topology", "show", "-c", str(cfg), "--format", "svg", "-o", str(svg), env=env)
    assert s.returncode == 0
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    titles = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert any(t.startswith("ISOLATION BREACH") for t in titles)
    assert any("gd-in-core GigabitEthernet1/0/1 → c-in-core GigabitEthernet0/0/1: up" in t for t in titles)
    live = run_netmon("topology", "diff", "-c", str(cfg), "--live", "--format", "json", env=env)
    assert json.loads(live.stdout)["isolation_breaches"]
    bad = run_netmon("topology", "diff", "-c", str(cfg), "--max-age", "soon", env=env)
    assert bad.returncode == 2 and "--max-age" in bad.stderr and "Traceback" not in bad.stderr


SSH_INVENTORY = """
devices:
- {name: sg-in-wan-isr4451, address: 10.20.254.1, network: intranet, tier: city, region: 广东/韶关, site: 韶关政务中心, role: core, vendor: cisco_ios}
- {name: lc-in-core, address: 127.0.0.1, network: intranet, tier: county, region: 广东/韶关/乐昌, site: 乐昌政务中心, role: core,
   vendor: huawei_vrp, uplinks: [{device: sg-in-wan-isr4451, interface: GigabitEthernet0/0/2, local_interface: GigabitEthernet1/0/0}]}
- {name: hx-twn-in-acc-s2910, address: 10.21.190.11, network: intranet, tier: township, region: 广东/韶关/乐昌/黄圃, site: 黄圃镇, role: access,
   vendor: ruijie_rgos, uplinks: [{device: lc-in-core, interface: GigabitEthernet1/0/4}]}
- {name: sg-ex-core-s12508, address: 10.148.0.1, network: extranet, tier: city, region: 广东/韶关, site: 韶关政务中心, role: core, vendor: h3c_comware}
- {name: lc-ex-agg, address: 127.0.0.1, network: extranet, tier: county, region: 广东/韶关/乐昌, site: 乐昌政务中心, role: aggregation,
   vendor: h3c_comware, uplinks: [{device: sg-ex-core-s12508, interface: GigabitEthernet3/0/14, local_interface: GigabitEthernet1/0/1}]}
- {name: lc-ex-acc-01, address: 10.148.4.21, network: intranet, tier: county, region: 广东/韶关/乐昌, site: 乐昌政务中心, role: access,
   vendor: h3c_comware, uplinks: [{device: lc-in-core}]}
"""


def test_ssh_neighbour_tables_through_the_simulator(tmp_path):
    """Huawei `display lldp neighbor` and H3C `display lldp neighbor-information list` from the SSH
    simulators, parsed by the SSH collector: confirmed links, and an access switch of the intranet
    plugged into the extranet aggregation (a breach seen only over SSH)."""
    from pydantic import SecretStr

    from collectors.ssh import SshCollector, SshSettings
    from netmon.config import SshCredential
    from netmon.inventory import load_inventory
    from netmon.lab.sshsim import SimDevice, start_sshsim
    from netmon.topology.diff import diff
    from netmon.topology.neighbors import walks_from_points
    from netmon.topology.watch import IsolationWatch

    (tmp_path / "inv.yaml").write_text(SSH_INVENTORY, encoding="utf-8")
    sim = start_sshsim([SimDevice("lc-in-core", "huawei_vrp"), SimDevice("lc-ex-agg", "h3c_comware")], tmp_path / "sim")
    try:
        inv = load_inventory([tmp_path / "inv.yaml"])
        devs = [inv[n].model_copy(update={"ssh_port": sim.ports[n], "ssh": "lab"}) for n in ("lc-in-core", "lc-ex-agg")]
        known = sim.write_known_hosts(tmp_path / "known_hosts")
        settings = SshSettings.model_validate({"known_hosts": known, "command_timeout": 8.0, "device_budget": 30.0})
        cred = SshCredential(
            username="netadmin", password=SecretStr("lab-Passw0rd"), enable_secret=SecretStr("lab-En4ble")
        )
        results = asyncio.run(SshCollector(settings, lambda _: cred).collect(devs, lambda r: None))
        pts = [p for r in results for p in r.points]
    finally:
        sim.stop()
    lldp = [p for p in pts if p.measurement == "lldp_neighbor"]
    assert {p.tags["device"] for p in lldp} == {"lc-in-core", "lc-ex-agg"}
    td = diff(inv, walks_from_points(pts))
    v = {(x.child, x.parent): x.state for x in td.links}
    assert v[("lc-in-core", "sg-in-wan-isr4451")] == "confirmed"  # the name in capitals, as VRP prints it
    assert v[("hx-twn-in-acc-s2910", "lc-in-core")] == "confirmed"
    assert v[("lc-ex-agg", "sg-ex-core-s12508")] == "confirmed"  # GE1/0/1 is GigabitEthernet1/0/1
    assert [sorted([b.a, b.b]) for b in td.breaches] == [["lc-ex-acc-01", "lc-ex-agg"]]
    assert v[("lc-ex-acc-01", "lc-in-core")] == "missing"
    found = IsolationWatch(inv).check(pts)
    assert [(f.tags["device"], f.tags["network"]) for f in found] == [("lc-ex-agg", "extranet")]
