"""`netmon relay` as an operator runs it: setup, status, job, run; bad input exits non-zero."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from netmon.lab.influx import Influxd
from netmon.lab.lab import default_inventory
from tests.conftest import run_netmon
from tests.scaleout.so_helpers import Topology, influx_rows


def _config(topo: Topology, tmp: Path, tag: str, sink: str = "sqlite:unused.db", **nats: object) -> Path:
    s = topo.settings(tag)
    section = s.model_dump(exclude_defaults=True)
    section.update(nats)
    path = tmp / "netmon.yaml"
    doc = {"inventory": [str(default_inventory())], "sink": sink, "spool": {"dir": str(tmp / "spool")}, "nats": section}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _env(topo: Topology) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("NETMON_TEST_")}


def test_help_teaches() -> None:
    r = run_netmon("relay", "--help")
    assert r.returncode == 0
    for cmd in ("setup", "run", "status", "job", "worker"):
        assert cmd in r.stdout
    r = run_netmon("relay", "job", "--help")
    assert "netmon relay job --province 广东 poll" in r.stdout


def test_setup_status_job_and_run(topo: Topology, tmp_path: Path, influxd: Influxd, influx_db: str) -> None:
    topo.wait_leaves()
    sink = f"influxdb1://{influxd.url.split('//')[1]}/{influx_db}"
    cfg = str(_config(topo, tmp_path, "cli", sink=sink))
    env = _env(topo)
    r = run_netmon("relay", "setup", "-c", cfg, env=env)
    assert r.returncode == 0, r.stderr
    assert "stream T_cli created" in r.stdout and "consumer relay_cli" in r.stdout
    r = run_netmon("relay", "setup", "-c", cfg, env=env)  # idempotent
    assert r.returncode == 0 and "stream T_cli updated" in r.stdout

    r = run_netmon("relay", "status", "-c", cfg, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "广东" in r.stdout and "浙江" in r.stdout and "STALLED" not in r.stdout

    r = run_netmon("relay", "job", "--province", "广东", "poll", "gd-in-core1", "-c", cfg, env=env)
    assert r.returncode == 0, r.stderr
    assert "queued poll of gd-in-core1 for 广东" in r.stdout
    r = run_netmon("relay", "job", "--province", "上海", "poll", "x", "-c", cfg, env=env)
    assert r.returncode == 2 and "unknown province '上海'" in r.stderr and "Traceback" not in r.stderr
    r = run_netmon("relay", "job", "--province", "gd", "reboot", "x", "-c", cfg, env=env)
    assert r.returncode == 2 and "unknown job kind 'reboot'" in r.stderr

    # A poller's batch on the leaf, then a relay that stops once idle.
    import asyncio

    from netmon.storage.factory import open_sink

    async def publish() -> None:
        s = topo.settings("cli")
        snk = open_sink(topo.sink_url(s, "gd"))
        await snk.start()
        await snk.write(b"cpu,device=gd-in-core1 util=12.5 1700000000000000001\n", 1)
        await snk.close()

    asyncio.run(publish())
    r = run_netmon("relay", "run", "-c", cfg, "--max-idle", "3", "--log-level", "warning", env=env)
    assert r.returncode == 0, r.stderr
    assert "relayed 1 points in 1 messages" in r.stdout
    assert [(x["time"], x["util"]) for x in influx_rows(influxd, influx_db, "cpu")] == [(1700000000000000001, 12.5)]


def test_wrong_hub_password_is_a_clear_error(topo: Topology, tmp_path: Path) -> None:
    cfg = str(_config(topo, tmp_path, "cli2"))
    env = {**_env(topo), "NETMON_TEST_RELAY_PW": "wrong-pw-123"}
    r = run_netmon("relay", "status", "-c", cfg, env=env)
    assert r.returncode == 1
    assert "refused the login" in r.stderr and "user 'relay'" in r.stderr
    assert "wrong-pw-123" not in r.stderr + r.stdout and "Traceback" not in r.stderr


def test_bad_nats_section_names_the_field(topo: Topology, tmp_path: Path) -> None:
    cfg = str(_config(topo, tmp_path, "cli3", password="plaintext-secret"))
    r = run_netmon("relay", "setup", "-c", cfg, env=_env(topo))
    assert r.returncode == 2
    assert "nats.password" in r.stderr and "inline secrets are not allowed" in r.stderr
    assert "plaintext-secret" not in r.stderr
