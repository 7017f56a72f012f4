"""Wiring for `netmon run` / `netmon demo`: build the engine (and trap receiver) from netmon.yaml."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from ..config import NetmonConfig
from ..inventory import Topology
from ..model import Point
from .config import AlertingConfig, parse_alerting
from .engine import AlertEngine


def alerting_config(cfg: NetmonConfig) -> AlertingConfig:
    """The validated ``alerting:`` section (InputError names alerting.<field>)."""
    source = str(cfg.path or "netmon.yaml")
    return parse_alerting(cfg.alerting, source, cfg.path.resolve().parent if cfg.path else None)


def make_engine(cfg: NetmonConfig, topology: Topology | None, state_path: Path | None = None) -> AlertEngine | None:
    """The alert engine for this config, or None when ``alerting.enabled: false``.

    Notifier and timer tasks start by themselves on the first ``process()`` inside the event
    loop (or call ``await engine.start()``); ``await engine.aclose()`` at shutdown.
    """
    acfg = alerting_config(cfg)
    if not acfg.enabled:
        return None
    return AlertEngine.from_config(
        acfg, topology, state_path or acfg.state, cfg.secret_store(), source=str(cfg.path or "netmon.yaml")
    )


def make_trap_receiver(
    cfg: NetmonConfig,
    topology: Topology | None,
    engine: AlertEngine,
    store: Callable[[list[Point]], Awaitable[object] | object] | None = None,
) -> object | None:
    """A started TrapReceiver when netmon.yaml has ``alerting.traps.listen``, else None.

    Each trap's points go to the engine at once (``process_now``) and, if given, to ``store``
    (e.g. the pipeline's submit) together with the alert points they caused. Needs a running loop.
    """
    from ..traps import TrapReceiver

    acfg = alerting_config(cfg)
    if "listen" not in (cfg.alerting.get("traps") or {}):
        return None

    pending: set[asyncio.Future[object]] = set()

    def emit(points: list[Point]) -> None:
        out = points + engine.process_now(points)
        if store is not None:
            r = store(out)
            if asyncio.iscoroutine(r):
                fut = asyncio.ensure_future(r)
                pending.add(fut)  # keep a reference until done
                fut.add_done_callback(pending.discard)

    rx = TrapReceiver(acfg.traps, topology.inventory if topology else None, emit, cfg.secret_store(), str(cfg.path))
    rx.start()
    return rx
