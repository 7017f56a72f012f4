"""Shared plumbing of the alert-ordering tests: the sample inventory, a real webhook receiver."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from netmon.alerting import AlertEngine
from netmon.inventory import Topology, load_inventory
from netmon.model import Point
from netmon.secrets import SecretStore
from tests.conftest import ROOT

from .echo_server import EchoServer

T0 = 1_800_000_000.0
TOPOLOGY = Topology(load_inventory([ROOT / "configs" / "inventory" / "small.yaml"]))


def engine(tmp_path: Path, hook: EchoServer, **extra: Any) -> AlertEngine:
    section = {
        "rules": [],  # the shipped rules (configs/alerts)
        "receivers": {"hook": {"type": "webhook", "url": hook.url + "/hook", "retries": 0, "timeout": 5}},
        "groups": {"noc": ["hook"]},
        "default_groups": ["noc"],
        **extra,
    }
    return AlertEngine.from_config(section, TOPOLOGY, tmp_path / "alerts.db", SecretStore(environ={}))


def reach(name: str, up: bool, t: float) -> Point:
    fields = {"up": int(up), "response_ms": 5.0, "error": "" if up else "timeout"}
    return Point("snmp_reach", TOPOLOGY.device(name).point_tags(), fields, int(t * 1e9))


def intranet() -> list[str]:
    return [d.name for d in TOPOLOGY.inventory if d.network.value == "intranet"]


def poll(eng: AlertEngine, names: Iterable[str], down: set[str], t: float) -> None:
    eng.process([reach(n, n not in down, t) for n in names])


async def pages(eng: AlertEngine, hook: EchoServer) -> list[tuple[str, str, str]]:
    """(rule, device, kind) of every alert notified to the receiver so far."""
    assert await eng.dispatcher.drain(10)
    await asyncio.sleep(0.2)
    out = []
    for body in hook.bodies:
        for a in json.loads(body)["alerts"]:
            out.append((a["rule"], a["labels"]["device"], a["kind"]))
    return out
