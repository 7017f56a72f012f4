"""`netmon alerts list|history|ack|silence|test` as a user runs them, against a state file the
engine wrote and receivers on 127.0.0.1."""

from __future__ import annotations

import json

import yaml
from alerting_helpers import SMALL, T0, Recorder, reach

from netmon.alerting import AlertEngine
from netmon.inventory import Topology, load_inventory
from netmon.secrets import SecretStore

ENV = {"HOOK_SECRET": "cli-hook-secret"}


def _config(tmp_path, ok_url: str, bad_url: str):
    cfg = {
        "inventory": [str(SMALL)],
        "alerting": {
            "state": str(tmp_path / "alerts.db"),
            "receivers": {
                "good": {"type": "webhook", "url": ok_url, "secret": "env:HOOK_SECRET", "retries": 0},
                "broken": {"type": "webhook", "url": bad_url, "retries": 0, "timeout": 2},
            },
            "groups": {"noc": ["good"]},
            "default_groups": ["noc"],
        },
    }
    path = tmp_path / "netmon.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path, cfg


def test_cli_end_to_end(tmp_path, netmon_cli):
    ok, bad = Recorder().start(), Recorder(status=500).start()
    try:
        path, cfg = _config(tmp_path, ok.url + "/ok", bad.url + "/bad")
        topo = Topology(load_inventory([SMALL]))
        eng = AlertEngine.from_config(cfg["alerting"], topo, None, SecretStore(environ=ENV))
        down = {"gd-gz-in-core1", *topo.descendants("gd-gz-in-core1")}
        eng.process([reach(topo.device(n), 0, T0) for n in sorted(down)])
        eng.end_cycle(T0)

        r = netmon_cli("alerts", "list", "-c", str(path), "--format", "json")
        assert r.returncode == 0, r.stderr
        rows = json.loads(r.stdout)
        assert len(rows) == len(down)
        root = [x for x in rows if x["state"] == "firing"]
        assert [x["device"] for x in root] == ["gd-gz-in-core1"]
        assert {x["root_cause"] for x in rows if x["state"] == "suppressed"} == {"gd-gz-in-core1"}

        table = netmon_cli("alerts", "list", "-c", str(path))
        assert "gd-gz-in-core1" in table.stdout and "suppressed" in table.stdout

        aid = root[0]["id"]
        r = netmon_cli("alerts", "ack", aid[:6], "-c", str(path), "--by", "wang.wu", "-m", "carrier ticket 88")
        assert r.returncode == 0 and "acknowledged" in r.stdout, r.stderr
        eng.tick(T0 + 5)  # the daemon picks the ack up
        assert [a.acked_by for a in eng.active() if a.id == aid] == ["wang.wu"]
        r = netmon_cli("alerts", "ack", "ffffffff", "-c", str(path))
        assert r.returncode == 2 and "no active alert" in r.stderr

        r = netmon_cli("alerts", "history", "-c", str(path), "--format", "json", "-n", "200")
        hist = json.loads(r.stdout)
        assert {h["state"] for h in hist} >= {"firing", "suppressed"}
        assert any(h["acked_by"] == "wang.wu" for h in hist)

        r = netmon_cli(
            "alerts",
            "silence",
            "add",
            "region=四川",
            "alertname=device_unreachable",
            "--for",
            "1h",
            "-m",
            "割接",
            "-c",
            str(path),
        )
        assert r.returncode == 0, r.stderr
        sid = r.stdout.split()[1].rstrip(":")
        eng.tick(T0 + 6)
        assert any(s.id == sid for s, _ in eng._silences)
        assert "region=四川" in netmon_cli("alerts", "silence", "list", "-c", str(path)).stdout
        assert netmon_cli("alerts", "silence", "expire", sid, "-c", str(path)).returncode == 0
        r = netmon_cli("alerts", "silence", "add", "nonsense", "-c", str(path))
        assert r.returncode == 2 and "KEY=VALUE" in r.stderr

        # `test` goes through the real receivers: one answers, one says 500
        r = netmon_cli("alerts", "test", "good", "-c", str(path), env=ENV)
        assert r.returncode == 0 and "ok" in r.stdout, r.stderr
        (req,) = ok.wait(1)
        assert req.json()["alerts"][0]["kind"] == "test" and "X-Netmon-Signature" in req.headers
        r = netmon_cli("alerts", "test", "-c", str(path), env=ENV)
        assert r.returncode == 1 and "broken" in r.stderr and "HTTP 500" in r.stderr
        assert "cli-hook-secret" not in r.stdout + r.stderr
        r = netmon_cli("alerts", "test", "nobody", "-c", str(path), env=ENV)
        assert r.returncode == 2 and "no receiver named 'nobody'" in r.stderr
        # a missing secret is a clear error, not a traceback
        r = netmon_cli("alerts", "test", "good", "-c", str(path))
        assert r.returncode == 2 and "HOOK_SECRET" in r.stderr and "Traceback" not in r.stderr
        eng.store.close()
    finally:
        ok.stop()
        bad.stop()
