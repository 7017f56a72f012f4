"""Where neighbour tables come from: the sink (what the daemon stored) or a live SNMP walk now."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from pathlib import Path

from ..config import NetmonConfig
from ..errors import InputError
from ..inventory import Device
from ..model import Point
from .neighbors import Walk, walks_from_points


async def stored_points(cfg: NetmonConfig, base: Path | None, sink: str | None = None) -> list[Point]:
    """The latest ``lldp_walk`` and ``lldp_neighbor`` points of every series in the sink."""
    from ..storage import open_query

    q = open_query(sink or cfg.sink, base)
    try:
        return [*await q.latest("lldp_walk"), *await q.latest("lldp_neighbor")]
    finally:
        await q.close()


async def walks_from_sink(
    cfg: NetmonConfig, base: Path | None, max_age: float, sink: str | None = None
) -> dict[str, Walk]:
    now = time.time_ns()
    return walks_from_points(await stored_points(cfg, base, sink), int(max_age * 1e9), now)


async def live_points(cfg: NetmonConfig, devices: Iterable[Device], concurrency: int = 50) -> list[Point]:
    """Walk LLDP-MIB of each device now (its SNMP credential from netmon.yaml)."""
    from collectors.snmp import lldp
    from collectors.snmp.engine import Target
    from collectors.snmp.engines import make_engine

    engine = make_engine(cfg.snmp.engine)
    store = cfg.secret_store()
    sem = asyncio.Semaphore(concurrency)
    s = cfg.snmp
    creds: dict[str, object] = {}

    async def one(d: Device) -> list[Point]:
        if not d.snmp:
            return []
        cred = creds.get(d.snmp)
        if cred is None:
            cred = creds[d.snmp] = cfg.snmp_credential(d.snmp, store)
        target = Target(d.address, cred, d.port or 161, s.timeout, s.retries, d.name)  # type: ignore[arg-type]
        async with sem:
            try:
                return await lldp.walk(engine, d, target, time.time_ns(), s.max_repetitions)
            except Exception as exc:  # one odd agent must not stop the others
                return [
                    Point(
                        "lldp_walk",
                        {**d.point_tags(), "source": "snmp"},
                        {"neighbors": 0, "lldp_mib": 0, "error": type(exc).__name__},
                    )
                ]

    try:
        results = await asyncio.gather(*(one(d) for d in devices))
    except InputError:
        raise
    finally:
        await engine.close()
    return [p for r in results for p in r]


async def link_states(
    cfg: NetmonConfig, base: Path | None, sink: str | None = None
) -> tuple[dict[tuple[str, str], int], dict[str, bool]]:
    """(device, interface lower-case) -> IF-MIB oper_status of the last poll; device -> answered SNMP."""
    from ..storage import open_query

    q = open_query(sink or cfg.sink, base)
    try:
        ifs = await q.latest("interface", fields=["oper_status"])
        reach = await q.latest("snmp_reach", fields=["up"])
    finally:
        await q.close()
    states: dict[tuple[str, str], int] = {}
    for p in ifs:
        v = p.fields.get("oper_status")
        if isinstance(v, int | float):
            for name in (p.tags.get("ifName", ""), p.tags.get("ifDescr", "")):
                if name:
                    states[(p.tags.get("device", ""), name.lower())] = int(v)
    up = {p.tags.get("device", ""): bool(p.fields.get("up")) for p in reach}
    return states, up
