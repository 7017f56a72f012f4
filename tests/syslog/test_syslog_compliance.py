"""Compliance that checks what is in effect: `netmon run` receives syslog (logger, a sender with a
skewed clock) and a v2c trap (net-snmp snmptrap); `netmon scan --scope` then adjusts the log-host,
NTP, retention and SNMP rules of otherwise compliant configurations from what it observed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from syslog_helpers import logger

from netmon.lab.procs import free_port, start, tcp_open, wait_for
from tests.conftest import ROOT, need_binary, run_netmon

COMPLIANT = ROOT / "tests" / "compliance" / "configs" / "huawei_compliant.cfg"
INVENTORY = """
devices:
- {name: c-core, address: 10.0.0.1, network: intranet, tier: central, site: 中心, role: core, vendor: huawei_vrp}
- {name: gd-core, address: 127.0.0.1, network: intranet, tier: province, region: 广东, site: 广东省政务中心, role: core, vendor: huawei_vrp, uplinks: [{device: c-core}]}
- {name: gd-skew, address: 127.0.0.3, network: intranet, tier: province, region: 广东, site: 广东省政务中心, role: aggregation, vendor: huawei_vrp, uplinks: [{device: c-core}]}
- {name: gd-quiet, address: 10.9.0.2, network: intranet, tier: province, region: 广东, site: 广东省政务中心, role: aggregation, vendor: huawei_vrp, uplinks: [{device: c-core}]}
"""


def _findings(doc: dict, device: str) -> dict[str, dict]:
    for r in doc["devices"]:
        if r["device"] == device:
            return {f["rule"]: f for f in r["findings"]}
    raise AssertionError(f"{device} not in the scan")


def test_scan_adjusts_verdicts_from_what_netmon_observed(tmp_path):
    snmptrap = need_binary("snmptrap")
    (tmp_path / "inventory.yaml").write_text(INVENTORY, encoding="utf-8")
    cfgs = tmp_path / "configs"
    cfgs.mkdir()
    for name in ("c-core", "gd-core", "gd-skew", "gd-quiet"):
        shutil.copy(COMPLIANT, cfgs / f"{name}.cfg")
    udp, tcp, trap = free_port(socket.SOCK_DGRAM), free_port(), free_port(socket.SOCK_DGRAM)
    cfg = tmp_path / "netmon.yaml"
    cfg.write_text(
        f"""
inventory: [inventory.yaml]
sink: sqlite:///{tmp_path}/netmon.db
spool: {{dir: spool}}
batch: {{interval: 0.2}}
http: {{listen: ""}}
intervals: {{snmp: 3600}}
archive: {{dir: {cfgs}}}
alerting: {{state: alerts.db, traps: {{listen: "127.0.0.1:{trap}", communities: ["env:TRAP_COMMUNITY"]}}}}
syslog:
  udp: 127.0.0.1:{udp}
  tcp: 127.0.0.1:{tcp}
  device_timezone: Asia/Shanghai
  archive: {{dir: syslog-archive, timezone: Asia/Shanghai}}
""",
        encoding="utf-8",
    )
    env = dict(os.environ, TRAP_COMMUNITY="gov-trap-7")
    proc = start(
        "netmon-run", [sys.executable, "-m", "netmon", "run", "-c", str(cfg)], tmp_path / "run.log", env=env, cwd=ROOT
    )
    try:
        wait_for(lambda: tcp_open("127.0.0.1", tcp), 30, "netmon run", proc.popen)
        for i in range(5):
            logger(udp, "--udp", "--rfc3164", "-t", "shell", message=f"in sync {i}")  # no timeQuality SD
        # gd-skew's clock is 10 minutes behind: its RFC 3164 timestamps say so
        behind = datetime.fromtimestamp(time.time() - 600, ZoneInfo("Asia/Shanghai")).strftime("%b %e %H:%M:%S")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.3", 0))
            for i in range(5):
                s.sendto(f"<189>{behind} gd-skew %%01SHELL/5/CMDRECORD(s)[{i}]:x".encode(), ("127.0.0.1", udp))
        subprocess.run(
            [snmptrap, "-v2c", "-c", "gov-trap-7", f"127.0.0.1:{trap}", "", "1.3.6.1.6.3.1.1.5.5"],
            check=True, timeout=10, env={**os.environ, "MIBS": ""},
        )  # fmt: skip
        time.sleep(3)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.popen.wait(30)
    assert proc.popen.returncode == 0, proc.log_tail(20)

    observed = run_netmon("scan", "-c", str(cfg), "--scope", "region=广东", "--format", "json")
    assert "observed evidence (24 h) from the sink: 2 of 3 device(s) seen" in observed.stderr, observed.stderr
    doc = json.loads(observed.stdout)
    plain = json.loads(
        run_netmon("scan", "-c", str(cfg), "--scope", "region=广东", "--format", "json", "--config-only").stdout
    )

    # the configuration alone passes the log host, NTP and SNMP rules on all three
    for dev in ("gd-core", "gd-skew", "gd-quiet"):
        f = _findings(plain, dev)
        assert (f["AU-01"]["result"], f["AU-03"]["result"], f["SN-01"]["result"], f["AU-07"]["result"]) == (
            "PASS",
            "PASS",
            "PASS",
            "REVIEW",
        )

    quiet = _findings(doc, "gd-quiet")
    assert quiet["AU-01"]["result"] == "WARN"
    assert any("no syslog message from this device reached netmon" in n for n in quiet["AU-01"]["notes"])
    assert quiet["AU-07"]["result"] == "REVIEW"  # its records are not in netmon's archive

    core = _findings(doc, "gd-core")
    assert core["AU-01"]["result"] == "PASS" and any("5 syslog messages received" in n for n in core["AU-01"]["notes"])
    assert core["AU-03"]["result"] == "PASS" and any("in sync" in n for n in core["AU-03"]["notes"])
    assert core["AU-07"]["result"] == "PASS" and any("keeps its records 200 days" in n for n in core["AU-07"]["notes"])
    assert core["SN-01"]["result"] == "FAIL" and any("1 v1/v2c traps received" in n for n in core["SN-01"]["notes"])

    skew = _findings(doc, "gd-skew")
    assert skew["AU-03"]["result"] == "WARN"
    assert any("+600" in n or "+599" in n or "+601" in n for n in skew["AU-03"]["notes"]), skew["AU-03"]["notes"]
    assert skew["SN-01"]["result"] == "PASS"
    # scores follow the adjusted verdicts
    scores = {r["device"]: r["score_pct"] for r in doc["devices"]}
    plain_scores = {r["device"]: r["score_pct"] for r in plain["devices"]}
    assert scores["gd-quiet"] < plain_scores["gd-quiet"] and scores["gd-core"] != plain_scores["gd-core"]
    assert Path(tmp_path / "syslog-archive").is_dir()
