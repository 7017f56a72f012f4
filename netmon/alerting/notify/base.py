"""Notifier plumbing: one background task and queue per receiver, retry with backoff, rate limit.

The engine only ever calls ``enqueue`` (never blocks, never raises): a receiver that times out
or answers 500 delays its own queue, not polling. A full queue drops its oldest notice, counted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import traceback
from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ...urlmask import mask_urls
from .message import Notice

log = logging.getLogger("netmon.alerting.notify")


class DeliveryError(Exception):
    """A failed delivery; ``retryable`` says whether trying again may help (timeouts, 5xx, rate limit)."""

    def __init__(self, reason: str, retryable: bool = True) -> None:
        super().__init__(reason)
        self.retryable = retryable


@dataclass
class Stats:
    sent: int = 0  # batches delivered
    notices: int = 0
    failed: int = 0  # batches given up on
    retries: int = 0
    dropped: int = 0  # notices dropped because the queue was full
    last_error: str = ""


class Notifier(ABC):
    """One receiver. Subclasses implement ``deliver``; secrets stay inside them."""

    kind = "?"
    max_batch = 20  # notices per message: a storm becomes a few messages, not hundreds
    rate_per_minute: int | None = None

    def __init__(self, name: str, timeout: float, retries: int, backoff: float, language: str) -> None:
        self.name = name
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.language = language
        self._sent_at: deque[float] = deque()

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Open clients (called inside the running loop)."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Close clients."""

    @abstractmethod
    async def deliver(self, notices: list[Notice]) -> None:
        """Send one message for these notices or raise DeliveryError."""

    async def wait_rate(self) -> None:
        """Sliding window: at most rate_per_minute sends in any 60 s (DingTalk/WeCom limit robots)."""
        if not self.rate_per_minute:
            return
        now = time.monotonic()
        while self._sent_at and now - self._sent_at[0] >= 60:
            self._sent_at.popleft()
        if len(self._sent_at) >= self.rate_per_minute:
            await asyncio.sleep(60 - (now - self._sent_at[0]))
            self._sent_at.popleft()
        self._sent_at.append(time.monotonic())

    def describe(self) -> str:
        return f"{self.name} ({self.kind})"


@dataclass
class _Slot:
    notifier: Notifier
    queue: deque[Notice] = field(default_factory=deque)
    wake: asyncio.Event | None = None
    task: asyncio.Task[None] | None = None
    busy: bool = False
    stats: Stats = field(default_factory=Stats)


class Dispatcher:
    """Holds the receivers and their background tasks."""

    def __init__(self, notifiers: dict[str, Notifier], max_queue: int = 10000) -> None:
        self.slots = {name: _Slot(n) for name, n in notifiers.items()}
        self.max_queue = max_queue
        self._started = False

    def enqueue(self, receiver: str, notice: Notice) -> None:
        slot = self.slots.get(receiver)
        if slot is None:
            return
        if len(slot.queue) >= self.max_queue:
            slot.queue.popleft()
            slot.stats.dropped += 1
        slot.queue.append(notice)
        if slot.wake is not None:
            slot.wake.set()

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        for slot in self.slots.values():
            await slot.notifier.start()
            slot.wake = asyncio.Event()
            if slot.queue:
                slot.wake.set()
            slot.task = asyncio.create_task(self._run(slot), name=f"notify-{slot.notifier.name}")

    async def _run(self, slot: _Slot) -> None:
        assert slot.wake is not None
        while True:
            if not slot.queue:
                slot.wake.clear()
                await slot.wake.wait()
                continue
            slot.busy = True
            try:
                await slot.notifier.wait_rate()
                batch = [slot.queue.popleft() for _ in range(min(len(slot.queue), slot.notifier.max_batch))]
                await self._deliver(slot, batch)
            finally:
                slot.busy = False

    async def _deliver(self, slot: _Slot, batch: list[Notice]) -> None:
        n = slot.notifier
        delay = n.backoff
        for attempt in range(n.retries + 1):
            try:
                await n.deliver(batch)
            except DeliveryError as exc:
                slot.stats.last_error = str(exc)
                if not exc.retryable or attempt == n.retries:
                    slot.stats.failed += 1
                    log.warning("notifier %s gave up on %d notice(s): %s", n.describe(), len(batch), exc)
                    return
                slot.stats.retries += 1
                log.info("notifier %s: %s; retrying in %.1fs", n.describe(), exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
            except Exception as exc:  # a bug in a notifier must not kill its task
                slot.stats.failed += 1
                # A library's message may quote the request URL, token and all.
                slot.stats.last_error = f"{type(exc).__name__}: {mask_urls(str(exc))}"
                log.error("notifier %s failed: %s", n.describe(), slot.stats.last_error)
                log.debug("notifier %s failed at:\n%s", n.describe(), "".join(traceback.format_tb(exc.__traceback__)))
                return
            else:
                slot.stats.sent += 1
                slot.stats.notices += len(batch)
                return

    async def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every queue is empty and idle (True) or the timeout passes (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(not s.queue and not s.busy for s in self.slots.values()):
                return True
            await asyncio.sleep(0.02)
        return False

    async def aclose(self, timeout: float = 5.0) -> None:
        if self._started:
            await self.drain(timeout)
        for slot in self.slots.values():
            if slot.task is not None:
                slot.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await slot.task
            await slot.notifier.aclose()
        self._started = False

    async def send_now(self, receiver: str, notices: list[Notice]) -> None:
        """Deliver synchronously (for `netmon alerts test`); DeliveryError propagates."""
        n = self.slots[receiver].notifier
        await n.start()
        try:
            await n.deliver(notices)
        finally:
            await n.aclose()

    def stats(self) -> dict[str, dict[str, Any]]:
        return {name: {**s.stats.__dict__, "queued": len(s.queue)} for name, s in self.slots.items()}
