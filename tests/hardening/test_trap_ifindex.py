"""Issue 16: `netmon traps` names the interface of a linkDown that carries only ifIndex, from the
interface table of the last poll (what the daemon stored), and the uplink alert fires."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

from netmon.lab.procs import free_port
from netmon.lab.snmpd import start_snmpd
from tests.conftest import ROOT, need_binary, run_netmon

from .echo_server import EchoServer

LINK_DOWN = "1.3.6.1.6.3.1.1.5.3"
IF_INDEX = "1.3.6.1.2.1.2.2.1.1"
TRAP_COMMUNITY = "hr-trap-community"


def _if_names(port: int, community: str) -> dict[int, str]:
    """ifName per ifIndex as net-snmp reads it (the independent truth)."""
    out = subprocess.run(
        [need_binary("snmpwalk"), "-v2c", "-c", community, "-On", "-Oq", f"127.0.0.1:{port}", "1.3.6.1.2.1.31.1.1.1.1"],
        capture_output=True, text=True, check=True, timeout=30, env={**os.environ, "MIBS": ""},
    ).stdout  # fmt: skip
    names = {}
    for line in out.splitlines():
        oid, _, value = line.partition(" ")
        names[int(oid.rsplit(".", 1)[1])] = value.strip().strip('"')
    return names


def test_link_down_with_only_ifindex_names_the_interface(tmp_path: Path) -> None:
    need_binary("snmptrap")
    snmpd = start_snmpd(tmp_path)
    try:
        names = _if_names(snmpd.port, snmpd.community)
        idx = max(names)  # the last interface (not lo), as the device's uplink
        trap_port = free_port(socket.SOCK_DGRAM)
        with EchoServer({"/hook": (200, "application/json", "{}")}) as hook:
            inv = {
                "devices": [
                    {"name": "c-core", "address": "10.0.0.1", "network": "intranet", "tier": "central",
                     "site": "中心", "role": "core", "vendor": "huawei_vrp"},
                    {"name": "gd-core", "address": "127.0.0.1", "port": snmpd.port, "network": "intranet",
                     "tier": "province", "region": "广东", "site": "广东省政务中心", "role": "core",
                     "vendor": "huawei_vrp", "snmp": "v2",
                     "uplinks": [{"device": "c-core", "interface": "GigabitEthernet0/0/2",
                                  "local_interface": names[idx]}]},
                ]
            }  # fmt: skip
            (tmp_path / "inv.yaml").write_text(yaml.safe_dump(inv, allow_unicode=True), encoding="utf-8")
            cfg = {
                "inventory": ["inv.yaml"],
                "credentials": {"snmp": {"v2": {"version": "2c", "community": "env:HR_COMMUNITY"}}},
                "sink": "sqlite:netmon.db",
                "spool": {"dir": "spool"},
                "http": {"listen": ""},
                "snmp": {"timeout": 3},
                "alerting": {
                    "state": "alerts.db",
                    "receivers": {"hook": {"type": "webhook", "url": hook.url + "/hook", "retries": 0}},
                    "default_groups": ["hook"],
                    "groups": {"hook": ["hook"]},
                    "traps": {"listen": f"127.0.0.1:{trap_port}", "communities": ["env:HR_TRAP"]},
                },
            }
            path = tmp_path / "netmon.yaml"
            path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
            env = {"HR_COMMUNITY": snmpd.community, "HR_TRAP": TRAP_COMMUNITY}
            # a real poll first: the daemon stores the interface table
            r = run_netmon("run", "-c", str(path), "--cycles", "1", env=env, timeout=120)
            assert r.returncode == 0, r.stderr[-3000:]
            hook.requests.clear()
            hook.bodies.clear()

            proc = subprocess.Popen(
                [sys.executable, "-m", "netmon", "traps", "-c", str(path)], cwd=ROOT,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                env={**os.environ, **env, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
            )  # fmt: skip
            lines: list[str] = []
            reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)  # type: ignore[union-attr]
            reader.start()
            try:
                # ready: listening, and (since the fix) the last poll's interface names loaded
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and not any("receiving traps" in ln for ln in lines):
                    time.sleep(0.1)
                assert any("receiving traps" in ln for ln in lines), lines
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and not any("interface names" in ln for ln in lines):
                    time.sleep(0.1)
                # IF-MIB's minimum linkDown: ifIndex only, no ifDescr, no ifName
                subprocess.run(
                    [need_binary("snmptrap"), "-v2c", "-c", TRAP_COMMUNITY, f"127.0.0.1:{trap_port}", "",
                     LINK_DOWN, f"{IF_INDEX}.{idx}", "i", str(idx)],
                    check=True, timeout=10, capture_output=True, env={**os.environ, "MIBS": ""},
                )  # fmt: skip
                deadline = time.monotonic() + 20
                while not hook.bodies and time.monotonic() < deadline:
                    time.sleep(0.1)
            finally:
                proc.terminate()
                proc.wait(10)
            assert hook.bodies, "no alert for a linkDown carrying only ifIndex"
            alerts = json.loads(hook.bodies[0])["alerts"]
            got = [(a["rule"], a["labels"]["device"], a["labels"].get("ifName")) for a in alerts]
            assert got == [("uplink_down", "gd-core", names[idx])]
    finally:
        snmpd.stop()
