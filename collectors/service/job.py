"""The service collector as a scheduler job for `netmon run`.

Targets are not inventory devices, so the job takes one call per cycle (``cycle_fn``) and
emits each target's points as soon as its probe ends; starts are spread over
``jitter × interval`` by the same stable hash the scheduler uses for devices.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from netmon.config import NetmonConfig
from netmon.model import Point

from .run import run_targets
from .settings import load_service_settings

log = logging.getLogger("netmon.services")


class ServiceJob:
    def __init__(self, cfg: NetmonConfig, emit: Callable[[list[Point]], Awaitable[None]]) -> None:
        self.emit = emit
        self._down: dict[str, str] = {}  # target -> error, to log a state change once
        self.reconfigure(cfg)

    @staticmethod
    def wanted(cfg: NetmonConfig) -> bool:
        return bool(cfg.services) and bool(cfg.services.get("enabled", True))

    def reconfigure(self, cfg: NetmonConfig) -> None:
        """Apply a reloaded config (SIGHUP). Bad settings raise InputError: the caller keeps the old."""
        settings = load_service_settings(cfg.services, str(cfg.path or "netmon.yaml"), cfg.secret_store())
        self.cfg, self.settings = cfg, settings
        mine = {t.name for t in settings.mine()}
        self._down = {k: v for k, v in self._down.items() if k in mine}  # targets removed by a reload
        self.interval = float(cfg.intervals.services)

    @property
    def targets(self) -> int:
        return len(self.settings.mine())

    async def _emit(self, points: list[Point]) -> None:
        for p in points:
            if p.measurement == "service":
                self._log_change(p)
        await self.emit(points)

    def _log_change(self, p: Point) -> None:
        name, up = p.tags.get("target", "?"), bool(p.fields.get("up"))
        err = str(p.fields.get("error", ""))
        if up and name in self._down:
            del self._down[name]
            log.info("service %s is up again", name, extra={"device": name})
        elif not up and self._down.get(name) != err:
            self._down[name] = err
            log.warning("service %s is down: %s", name, p.fields.get("detail") or err, extra={"device": name})

    async def cycle(self, _devices: Sequence[Any]) -> int:
        """One probe of every target this vantage owns; returns how many were down."""
        from netmon.runtime.scheduler import phase

        await run_targets(
            self.settings.mine(), self.settings, self._emit, self.interval * self.cfg.intervals.jitter, phase
        )
        return len(self._down)
