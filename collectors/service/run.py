"""One probe of one target, bounded by its timeout, as Points; and a cycle over many targets."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from netmon.model import FieldValue, Point

from .dns import probe_dns
from .http import probe_http
from .result import Phases, ProbeFailed, ProbeResult
from .settings import ServiceSettings, Target
from .tls import probe_tcp, probe_tls

log = logging.getLogger("netmon.services")

_PHASE_WORDS = {"start": "start", "dns": "DNS", "connect": "connect", "tls": "TLS handshake", "first_byte": "waiting for the response",
                "transfer": "reading the response", "revocation": "OCSP/CRL"}  # fmt: skip


async def probe(target: Target, settings: ServiceSettings) -> tuple[ProbeResult, Phases]:
    """Probe one target; never raises: every failure is a result with ``error`` and ``detail``."""
    timeout = target.timeout or settings.timeout
    ph = Phases()
    try:
        async with asyncio.timeout(timeout):
            if target.kind == "http":
                res = await probe_http(target, settings, ph, timeout)
            elif target.kind == "dns":
                res = await probe_dns(target, ph, timeout)
            elif target.kind == "tcp":
                res = await probe_tcp(target, settings, ph)
            else:
                res = await probe_tls(target, settings, ph, timeout)
    except TimeoutError:
        res = ProbeResult(
            False, "timeout", f"no answer within {timeout:g}s ({_PHASE_WORDS.get(ph.current, ph.current)})"
        )
    except ProbeFailed as exc:
        res = ProbeResult(False, exc.error, exc.detail)
    except Exception as exc:  # a probe bug must not stop the cycle: say so, as a failed probe
        log.exception("service probe of %s failed unexpectedly", target.name)
        res = ProbeResult(False, "internal", f"{type(exc).__name__}: {exc}")
    return res, ph


def to_points(target: Target, vantage: str, res: ProbeResult, ph: Phases, time_ns: int) -> list[Point]:
    tags = target.point_tags(vantage)
    fields: dict[str, FieldValue] = {
        "up": int(res.up),
        "duration_ms": round(ph.total_ms(), 3),
        "error": res.error,
        "detail": res.detail[:2000],
    }
    for phase, ms in ph.marks.items():
        fields[f"{phase}_ms"] = round(ms, 3)
    fields.update(res.fields)
    out = [Point("service", tags, fields, time_ns)]
    if res.cert is not None:
        out.append(Point("service_cert", dict(tags), res.cert.fields(), time_ns))
    for r in res.revocation:
        out.append(Point("service_revocation", {**tags, "method": r.method}, r.fields(), time_ns))
    return out


async def probe_points(target: Target, settings: ServiceSettings) -> list[Point]:
    t = time.time_ns()
    res, ph = await probe(target, settings)
    return to_points(target, settings.vantage, res, ph, t)


async def run_targets(
    targets: list[Target], settings: ServiceSettings, emit: Callable[[list[Point]], Awaitable[None]] | None = None,
    spread: float = 0.0, phase: Callable[[str], float] | None = None,
) -> list[Point]:  # fmt: skip
    """Probe targets concurrently (``settings.concurrency``), each starting at ``phase(name) * spread``
    seconds; points go to ``emit`` per target as they come (the daemon) or are returned (the CLI)."""
    sem = asyncio.Semaphore(settings.concurrency)
    collected: list[Point] = []
    t0 = time.monotonic()

    async def one(t: Target) -> None:
        if spread > 0 and phase is not None:
            await asyncio.sleep(max(0.0, t0 + phase(t.name) * spread - time.monotonic()))
        async with sem:
            pts = await probe_points(t, settings)
        if emit is not None:
            await emit(pts)
        else:
            collected.extend(pts)

    await asyncio.gather(*(one(t) for t in targets))
    return collected
