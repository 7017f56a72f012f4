"""Times shown to people are local (netmon.yaml `timezone:`), with the offset: reports and `netmon alerts`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import yaml

from netmon.alerting import AlertEngine
from netmon.inventory import Topology, load_inventory
from netmon.model import Point
from netmon.timefmt import fmt_duration, fmt_time, zone
from tests.conftest import ROOT, run_netmon

SMALL = ROOT / "configs" / "inventory" / "small.yaml"
T0 = datetime(2026, 11, 10, 2, 0, 0, tzinfo=UTC).timestamp()  # 10:00 in Shanghai


def test_fmt_time_and_duration():
    sh = ZoneInfo("Asia/Shanghai")
    assert fmt_time(T0, sh) == "2026-11-10 10:00:00 +08:00"
    assert fmt_time(int(T0 * 1e9), sh) == "2026-11-10 10:00:00 +08:00"  # nanoseconds too
    assert fmt_time(T0, ZoneInfo("UTC")) == "2026-11-10 02:00:00 +00:00"
    assert fmt_time(None) == "-"
    assert fmt_duration(2 * 3600 + 5 * 60) == "2h 05m" and fmt_duration(90061, "zh") == "1天1小时1分"
    assert zone("Asia/Shanghai") is zone("Asia/Shanghai")


def test_alerts_list_and_history_in_local_time(tmp_path):
    cfg = {"inventory": [str(SMALL)], "timezone": "Asia/Shanghai", "alerting": {"state": str(tmp_path / "alerts.db")}}
    path = tmp_path / "netmon.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    topo = Topology(load_inventory([SMALL]))
    eng = AlertEngine.from_config(cfg["alerting"], topo, None)
    dev = topo.device("c-in-core1")
    eng.process(
        [
            Point(
                "snmp_reach",
                dev.point_tags(),
                {"up": 0, "response_ms": 0.0, "error": "timeout", "values": 0},
                int(T0 * 1e9),
            )
        ]
    )
    eng.end_cycle(T0)
    eng._save()
    env = {"TZ": "UTC"}  # the machine's zone differs from netmon.yaml's: netmon.yaml wins
    r = run_netmon("alerts", "list", "-c", str(path), env=env)
    assert r.returncode == 0, r.stderr
    assert "10:00:00" in r.stdout and "+08:00" in r.stdout and "02:00:00" not in r.stdout, r.stdout
    r = run_netmon("alerts", "history", "-c", str(path), "--since", "3650d", env=env)
    assert r.returncode == 0, r.stderr
    assert "+08:00" in r.stdout and "02:00:00" not in r.stdout, r.stdout
    r = run_netmon("alerts", "list", "-c", str(path), "--format", "json", env=env)
    assert json.loads(r.stdout)  # machine output keeps epoch values
