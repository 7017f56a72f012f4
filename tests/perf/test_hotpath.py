"""The `--workers` path (points encoded in the worker, only what alerting reads sent to the
parent) stores and alerts exactly as the Point path, against real snmpd; the polled counters
lie between two snmpbulkwalks taken around the poll (issue 15)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from netmon.alerting.engine import AlertEngine
from netmon.alerting.runtime import make_engine
from netmon.config import NetmonConfig, load_config
from netmon.inventory import Topology, load_inventory
from netmon.lab.snmpd import Snmpd
from netmon.model import Point
from netmon.runtime.snmpjob import SnmpJob
from netmon.runtime.workers import encode_result
from netmon.storage import Pipeline, open_query
from netmon.storage.lineproto import Encoded, Encoder
from tests.conftest import ROOT
from tests.snmp import truth

from .conftest import write_config

IFX = "1.3.6.1.2.1.31.1.1.1"
IFT = "1.3.6.1.2.1.2.2.1"
# A rule that fires on this host's interfaces (every up interface), with a summary reading a
# field and tags, next to the shipped rules: the trimmed points must give the same alerts.
RULES = """
rules:
  - id: test_interface_up
    measurement: interface
    when: oper_status == 1
    recover: oper_status != 1
    for: 0s
    severity: info
    summary:
      en: "{device} {ifName} up, {in_octets} octets in, {in_bps} b/s"
      zh: "{device} {ifName} up"
"""


def _config(tmp: Path, snmpd: Snmpd) -> NetmonConfig:
    (tmp / "rules.yaml").write_text(RULES)
    extra = {
        "alerting": {
            "state": str(tmp / "alerts.db"),
            "rules": [str(ROOT / "configs" / "alerts"), str(tmp / "rules.yaml")],
        }
    }
    return load_config(write_config(tmp, snmpd, 3, timeout=2.0, retries=1, budget=20, extra=extra))


async def _poll_twice(
    cfg: NetmonConfig, snmpd: Snmpd
) -> tuple[list[list[Point]], dict[str, object], dict[str, object]]:
    topology = Topology(load_inventory(cfg.inventory))
    job = SnmpJob(cfg, topology)
    try:
        polls = [await asyncio.gather(*(job.poll(d) for d in topology.inventory))]
        await asyncio.sleep(1.2)  # a second poll has rate baselines
        auth = truth.v2c(snmpd.community)
        before = await asyncio.to_thread(truth.bulkwalk, snmpd.port, auth, IFX)
        polls.append(await asyncio.gather(*(job.poll(d) for d in topology.inventory)))
        after = await asyncio.to_thread(truth.bulkwalk, snmpd.port, auth, IFX)
    finally:
        await job.close()
    return [p for cycle in polls for p in cycle], before, after


async def _store(cfg: NetmonConfig, db: Path, polls: list[list[Point]], encoded: bool) -> list[Point]:
    sink = f"sqlite:///{db}"
    pipe = await Pipeline.open(sink, db.parent / f"spool-{db.stem}", cfg.spool, cfg.batch)
    try:
        encoder = Encoder()
        for pts in polls:
            if encoded:
                enc = encode_result(pts, encoder, {}, cfg.batch.size)
                await pipe.submit_encoded(enc.payloads, enc.errors)
            else:
                await pipe.submit(pts)
        assert await pipe.flush(30)
    finally:
        await pipe.close()
    q = open_query(sink)
    try:
        out: list[Point] = []
        for m in sorted({p.measurement for pts in polls for p in pts}):
            out += await q.range(m, 0, 2**63 - 1)
        return out
    finally:
        await q.close()


def _rows(points: list[Point]) -> list[tuple[object, ...]]:
    return sorted(
        (p.measurement, tuple(sorted(p.tags.items())), tuple(sorted(p.fields.items())), p.time_ns) for p in points
    )


def _alerts(engine: AlertEngine, polls: list[list[Point]]) -> list[tuple[object, ...]]:
    out: list[Point] = []
    for pts in polls:
        out += engine.process(pts)
    out += engine.end_cycle(time.time())
    return sorted((p.tags.get("rule"), p.tags.get("state"), tuple(sorted(p.fields.items()))) for p in out)


def test_encoded_path_stores_and_alerts_as_the_point_path(
    snmpd: Snmpd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NETMON_TEST_COMMUNITY", snmpd.community)
    cfg = _config(tmp_path, snmpd)
    polls, before, after = asyncio.run(_poll_twice(cfg, snmpd))
    interfaces = [p for pts in polls[-3:] for p in pts if p.measurement == "interface"]
    assert interfaces and all("in_bps" in p.fields for p in interfaces)  # the second poll has rates

    # The counters of the second poll lie between two snmpbulkwalks taken around it.
    for name, col in (("in_octets", 6), ("out_octets", 10), ("in_ucast_pkts", 7)):
        lo, hi = truth.column(before, f"{IFX}.{col}"), truth.column(after, f"{IFX}.{col}")
        for p in interfaces:
            idx = int(p.tags["ifIndex"])
            assert lo[idx] <= p.fields[name] <= hi[idx], (name, p.tags["ifName"], lo[idx], p.fields[name], hi[idx])
    names = truth.column(after, f"{IFX}.1")
    assert {p.tags["ifIndex"]: p.tags["ifName"] for p in interfaces} == {
        str(i): n.decode() for i, n in names.items() if isinstance(n, bytes)
    }

    # The same series, fields and values in SQLite, whether the points or a worker's encoding were spooled.
    by_points = asyncio.run(_store(cfg, tmp_path / "points.db", polls, encoded=False))
    by_bytes = asyncio.run(_store(cfg, tmp_path / "encoded.db", polls, encoded=True))
    assert len(by_points) == sum(len(p) for p in polls)
    assert _rows(by_bytes) == _rows(by_points)

    # Alerting on the points a worker sends the parent gives the alerts of the whole points.
    topology = Topology(load_inventory(cfg.inventory))
    whole = make_engine(cfg, topology, tmp_path / "whole.db")
    parent = make_engine(cfg, topology, tmp_path / "parent.db")
    assert whole is not None and parent is not None
    needs = parent.fields_needed()
    assert needs["interface"] is not None and "in_octets" in needs["interface"]  # trimmed, with what rules read
    sent = [encode_result(pts, Encoder(), needs, cfg.batch.size) for pts in polls]
    assert all(isinstance(s, Encoded) and s.total == len(p) for s, p in zip(sent, polls, strict=True))
    assert sum(len(p.fields) for s in sent for p in s) < sum(len(p.fields) for pts in polls for p in pts) / 2
    expected = _alerts(whole, polls)
    assert any(rule == "test_interface_up" for rule, _, _ in expected)
    assert _alerts(parent, [list(s) for s in sent]) == expected
