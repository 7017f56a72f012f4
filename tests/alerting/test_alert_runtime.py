"""The wiring `netmon run` uses: make_engine from netmon.yaml, notifications without an explicit
start(), timers run by end_cycle, inventory reload, and the trap receiver from the config."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess

import yaml
from alerting_helpers import SMALL, Recorder, reach

from netmon.alerting.runtime import make_engine, make_trap_receiver
from netmon.config import load_config
from netmon.inventory import Topology, load_inventory
from netmon.lab.procs import free_port
from tests.conftest import need_binary


def _cfg(tmp_path, hook_url: str, inventory=SMALL, traps: dict | None = None):
    doc = {
        "inventory": [str(inventory)],
        "alerting": {
            "state": "alerts.db",  # relative to netmon.yaml
            "receivers": {"hook": {"type": "webhook", "url": hook_url, "retries": 0}},
            "groups": {"noc": ["hook"]},
            "default_groups": ["noc"],
            **({"traps": traps} if traps else {}),
        },
    }
    p = tmp_path / "netmon.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return load_config(p, environ={"TRAP_C": "rt-community"})


async def test_make_engine_notifies_without_explicit_start(tmp_path):
    hook = Recorder().start()
    try:
        cfg = _cfg(tmp_path, hook.url + "/h")
        topo = Topology(load_inventory(cfg.inventory))
        eng = make_engine(cfg, topo)
        assert eng is not None and eng.store.path == tmp_path / "alerts.db"
        eng.process([reach(topo.device("zj-in-core1"), 0, 1_900_000_000.0)])  # autostarts inside the loop
        eng.end_cycle(1_900_000_000.0)
        await asyncio.sleep(0)
        assert await eng.dispatcher.drain(10)
        (req,) = hook.wait(1)
        assert req.json()["alerts"][0]["labels"]["device"] == "zj-in-core1"
        # a reloaded inventory keeps the state and uses the new tree
        eng.set_topology(Topology(load_inventory(cfg.inventory)))
        assert [a.labels["device"] for a in eng.active()] == ["zj-in-core1"]
        await eng.aclose()
    finally:
        hook.stop()


def test_disabled(tmp_path):
    cfg = _cfg(tmp_path, "http://127.0.0.1:9/x")
    cfg.alerting["enabled"] = False
    assert make_engine(cfg, None) is None


async def test_trap_receiver_from_config(tmp_path):
    snmptrap = need_binary("snmptrap")
    inv = tmp_path / "inv.yaml"
    inv.write_text(
        SMALL.read_text(encoding="utf-8").replace("address: 10.0.0.1\n", "address: 127.0.0.1\n", 1), encoding="utf-8"
    )
    port = free_port(socket.SOCK_DGRAM)
    hook = Recorder().start()
    try:
        cfg = _cfg(tmp_path, hook.url + "/h", inv, {"listen": f"127.0.0.1:{port}", "communities": ["env:TRAP_C"]})
        os.environ["TRAP_C"] = "rt-community"
        topo = Topology(load_inventory(cfg.inventory))
        eng = make_engine(cfg, topo)
        assert eng is not None
        stored: list = []

        async def store(points):
            stored.extend(points)

        rx = make_trap_receiver(cfg, topo, eng, store)
        assert rx is not None
        await asyncio.to_thread(
            subprocess.run,
            [snmptrap, "-v2c", "-c", "rt-community", f"127.0.0.1:{port}", "", "1.3.6.1.6.3.1.1.5.1"],
            check=True,
            env={**os.environ, "MIBS": ""},
        )
        for _ in range(100):
            await asyncio.sleep(0.02)
            if hook.requests:
                break
        assert {p.measurement for p in stored} == {"snmp_trap", "alert"}
        assert hook.requests[0].json()["alerts"][0]["rule"] == "device_restarted"
        rx.close()  # type: ignore[attr-defined]
        await eng.aclose()
    finally:
        os.environ.pop("TRAP_C", None)
        hook.stop()
