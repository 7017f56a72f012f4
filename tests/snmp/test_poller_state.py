"""Per-device state: static columns cached between polls, refreshed on change; engine bugs contained."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from collectors.snmp.engine import Oid, Target, VarBind
from collectors.snmp.engine_pysnmp import PysnmpEngine
from collectors.snmp.poller import IF_NUMBER, STATIC_COLS, SnmpPoller
from netmon.config import SnmpSettings
from tests.snmp.conftest import Polled, devices


class Recording:
    """Wraps the real engine and records which columns each walk asked for."""

    def __init__(self, inner: PysnmpEngine, fake_if_number: list[int] | None = None) -> None:
        self.inner = inner
        self.walks: list[list[Oid]] = []
        self.fake_if_number = fake_if_number

    async def get(self, target: Target, oids: Sequence[Oid]) -> list[VarBind]:
        out = await self.inner.get(target, oids)
        if self.fake_if_number:
            n = self.fake_if_number.pop(0)
            out = [vb._replace(value=n) if vb.oid == IF_NUMBER else vb for vb in out]
        return out

    async def bulk_walk(self, target, roots, max_repetitions=25, max_values=1_000_000):
        self.walks.append(list(roots))
        return await self.inner.bulk_walk(target, roots, max_repetitions, max_values)

    async def close(self) -> None:
        await self.inner.close()


def _static_walked(walk: list[Oid]) -> bool:
    return STATIC_COLS["ifName"] in walk


def test_static_columns_cached_and_refreshed(lab):
    dev = next(d for d in devices() if d.name == "cisco-3560")
    target = Polled(lab, None, []).target(dev.name)  # type: ignore[arg-type]
    # ifNumber as the agent reports it, then the same, then one more interface appears.
    rec = Recording(PysnmpEngine(), fake_if_number=[57, 57, 58, 58])

    async def run():
        poller = SnmpPoller(rec, SnmpSettings(static_refresh_polls=10, device_budget=60))  # type: ignore[arg-type]
        try:
            return [await poller.poll_device(dev, target) for _ in range(4)]
        finally:
            await rec.close()

    polls = asyncio.run(run())
    assert [_static_walked(w) for w in rec.walks] == [True, False, True, False]
    # Cached names are still on every point of the polls that did not walk them.
    for pts in polls:
        names = {p.tags["ifName"] for p in pts if p.measurement == "interface"}
        assert "Gi0/1" in names
    # The first poll walks 64- and 32-bit counters to find out; later polls only the 64-bit ones.
    assert len(rec.walks[0]) > len(rec.walks[1])


def test_engine_bug_is_contained(lab, caplog):
    class Broken:
        async def get(self, target, oids):
            raise ValueError("boom")

        async def bulk_walk(self, target, roots, max_repetitions=25, max_values=1_000_000):
            raise AssertionError("not reached")

        async def close(self):
            return None

    caplog.set_level(logging.WARNING, logger="netmon.snmp")
    dev = next(d for d in devices() if d.name == "hw-s5720")
    pts = asyncio.run(SnmpPoller(Broken()).poll_device(dev, Polled(lab, None, []).target(dev.name)))  # type: ignore[arg-type]
    assert pts[0].fields["up"] == 0 and pts[0].fields["error"] == "malformed"
    assert "ValueError" in caplog.text and "Traceback" not in caplog.text
