"""Wiring for `netmon run` and `netmon syslog serve`: the service from netmon.yaml, storing into
a pipeline and feeding the alert engine's event path."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..config import NetmonConfig
from ..inventory import Inventory
from ..model import Point
from .service import SyslogCollector, SyslogService
from .settings import SyslogSettings, load_syslog_settings


def syslog_settings(cfg: NetmonConfig) -> SyslogSettings | None:
    """The validated ``syslog:`` section, or None when netmon.yaml has none (or enabled: false)."""
    if not cfg.syslog:
        return None
    s = load_syslog_settings(
        cfg.syslog, str(cfg.path or "netmon.yaml"), cfg.path.resolve().parent if cfg.path else None
    )
    return s if s.enabled else None


def event_store(
    pipeline: Any, engine: Any, count: Callable[[int], None] | None = None
) -> Callable[[list[Point]], Awaitable[None]]:
    """Spool the points, then run them through the alert engine at once (like traps)."""

    async def store(points: list[Point]) -> None:
        if count is not None:
            count(len(points))
        await pipeline.submit(points)
        if engine is not None:
            out = engine.process_now(points)
            if out:
                await pipeline.submit(out)

    return store


def make_service(
    cfg: NetmonConfig,
    settings: SyslogSettings,
    inventory: Inventory | None,
    pipeline: Any,
    engine: Any,
    *,
    registry: Any = None,
    instance: str | None = None,
    count: Callable[[int], None] | None = None,
) -> SyslogService:
    """A service (not started) storing through ``pipeline``; its counters on ``registry`` (/metrics)."""
    spool = pipeline.spool
    max_bytes = float(pipeline.spool_settings.max_bytes)
    step = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}.get(getattr(pipeline.sink, "precision", "ns"), 1)
    svc = SyslogService(
        settings, inventory, event_store(pipeline, engine, count),
        secrets=cfg.secret_store(), source=str(cfg.path or "netmon.yaml"),
        spool_fill=lambda: spool.bytes / max_bytes, instance=instance, time_step_ns=step,
    )  # fmt: skip
    if registry is not None:
        registry.register(SyslogCollector(svc))
    return svc
