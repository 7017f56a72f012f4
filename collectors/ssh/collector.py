"""The SSH collector: many devices at once, each in a worker thread (netmiko is blocking),
under a concurrency limit and a per-device time budget; one slow or broken device never
delays or fails another."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from netmon.config import SshCredential
from netmon.errors import InputError
from netmon.inventory import Device
from netmon.model import Point
from netmon.platforms import platforms
from netmon.textsafe import count_undecodable, escape_undecodable

from .commands import command_set
from .errors import RETRYABLE, ErrorKind, SshError
from .parse import points_from_outputs
from .session import Session, Target
from .settings import SshSettings

log = logging.getLogger(__name__)


@dataclass
class DeviceResult:
    """What one device's session produced. ``config`` holds the running configuration as text
    (undecodable bytes kept as surrogates, so the archive stores the device's bytes exactly: encode
    with ``errors="surrogateescape"``; ``undecodable_bytes`` counts them). ``outputs`` and
    ``points`` carry such bytes as ``\\xNN`` escapes."""

    device: Device
    error: SshError | None = None
    config: str | None = None
    encoding: str = "utf-8"
    undecodable_bytes: int = 0  # in the running config: neither UTF-8 nor GB18030
    outputs: dict[str, str] = field(default_factory=dict)
    command_errors: dict[str, SshError] = field(default_factory=dict)
    points: list[Point] = field(default_factory=list)
    duration_s: float = 0.0
    attempts: int = 0
    time_ns: int = field(default_factory=time.time_ns)
    timings: dict[str, float] = field(default_factory=dict)  # seconds: connect (login, enable, paging off), per command

    @property
    def ok(self) -> bool:
        return self.error is None and self.config is not None

    def reach_point(self) -> Point:
        """`ssh_reach`: one per device per collection."""
        return Point(
            "ssh_reach",
            self.device.point_tags(),
            {
                "up": int(self.ok),
                "duration_ms": round(self.duration_s * 1000, 1),
                "error": self.error.kind.value if self.error else "",
                "commands_failed": len(self.command_errors),
                "config_bytes": len(self.config.encode("utf-8", "surrogateescape")) if self.config else 0,
                "attempts": self.attempts,
            },
            self.time_ns,
        )


CredentialLookup = Callable[[str], SshCredential]


class SshCollector:
    """``await SshCollector(settings, creds).collect(devices)`` -> one DeviceResult per device."""

    def __init__(self, settings: SshSettings, credentials: CredentialLookup, tofu: bool | None = None) -> None:
        self.settings = settings
        self.credentials = credentials
        self.tofu = settings.host_keys == "tofu" if tofu is None else tofu

    def target(self, dev: Device) -> Target:
        p = platforms().get(dev.vendor)
        if p is None or p.ssh is None or not p.ssh.netmiko:
            raise SshError(ErrorKind.no_driver, f"{dev.name}: netmiko has no driver for platform {dev.vendor!r}")
        return Target(dev.name, dev.address, dev.ssh_port or self.settings.port, dev.vendor, p.ssh.netmiko)

    async def collect(
        self, devices: Iterable[Device], progress: Callable[[DeviceResult], None] | None = None
    ) -> list[DeviceResult]:
        devs = list(devices)
        sem = asyncio.Semaphore(self.settings.concurrency)
        # One thread per concurrent session; +4 so an aborted session still closing does not
        # hold up the next device's start.
        pool = ThreadPoolExecutor(self.settings.concurrency + 4, thread_name_prefix="netmon-ssh")

        async def one(dev: Device) -> DeviceResult:
            async with sem:
                res = await self._device(dev, pool)
            if progress is not None:
                progress(res)
            return res

        try:
            return list(await asyncio.gather(*(one(d) for d in devs)))
        finally:
            # Never block the event loop on a worker: an aborted session ends on its own shortly.
            pool.shutdown(wait=False, cancel_futures=True)

    async def _device(self, dev: Device, pool: ThreadPoolExecutor) -> DeviceResult:
        res = DeviceResult(dev)
        start = time.monotonic()
        deadline = start + self.settings.device_budget
        loop = asyncio.get_running_loop()
        try:
            target = self.target(dev)
            cs = command_set(dev.vendor)
            if not dev.ssh:
                raise SshError(ErrorKind.no_credential, f"{dev.name}: no `ssh:` credential in the inventory")
            try:
                cred = self.credentials(dev.ssh)
            except InputError as exc:
                raise SshError(ErrorKind.no_credential, f"{dev.name}: {exc.problems[0].reason}") from None
            while True:
                res.attempts += 1
                session = Session(target, cred, self.settings, cs, tofu=self.tofu)
                fut = loop.run_in_executor(pool, self._run_session, session, dev, res.time_ns)
                try:
                    out = await asyncio.wait_for(fut, max(0.1, deadline - time.monotonic()))
                except TimeoutError:
                    session.abort()
                    raise SshError(
                        ErrorKind.budget_exceeded,
                        f"{dev.name}: session exceeded its time budget of {self.settings.device_budget:g}s",
                    ) from None
                except SshError as exc:
                    left = deadline - time.monotonic()
                    if (
                        exc.kind in RETRYABLE
                        and res.attempts <= self.settings.retries
                        and left > self.settings.retry_delay
                    ):
                        log.info("%s: %s; retrying in %gs", dev.name, exc.kind.value, self.settings.retry_delay)
                        await asyncio.sleep(self.settings.retry_delay)
                        continue
                    raise
                # Only a finished session's results are taken: an aborted worker writes nowhere.
                res.config, res.encoding, res.outputs = out.config, out.encoding, out.outputs
                res.undecodable_bytes = count_undecodable(out.config or "")
                if res.undecodable_bytes:
                    log.warning(
                        "%s: the running config holds %d byte(s) that are neither UTF-8 nor GB18030; "
                        "archived byte-exact, shown as \\xNN escapes",
                        dev.name, res.undecodable_bytes,
                    )  # fmt: skip
                res.command_errors, res.points, res.timings = out.command_errors, out.points, out.timings
                break
        except SshError as exc:
            res.error = exc
            res.config = None  # a failed device archives nothing: its previous version stays current
            log.warning("%s", exc)
        res.duration_s = time.monotonic() - start
        return res

    def _run_session(self, session: Session, dev: Device, time_ns: int) -> _Outcome:
        """Worker thread: the whole blocking session, then parsing (off the event loop). Only the
        running config is mandatory; another command the firmware rejects is recorded and the
        session goes on."""
        out = _Outcome()
        keys = ["running_config", *[k for k in self.settings.commands if k != "running_config"]]
        keys = [k for k in keys if k in session.commands.commands]
        session.open()
        try:
            for key in keys:
                try:
                    text, _raw, enc = session.run(key)
                except SshError as exc:
                    if key == "running_config":
                        raise
                    out.command_errors[key] = exc
                    if exc.kind is ErrorKind.command_rejected:
                        continue
                    break  # a stalled or broken session: keep the config, skip the rest
                # Parsed outputs become Points: no surrogate may reach a sink (it fails the batch).
                out.outputs[key] = escape_undecodable(text)
                if key == "running_config":
                    out.config, out.encoding = text, enc
        finally:
            t0 = time.monotonic()
            session.close()
            out.timings = {**session.timings, "close": time.monotonic() - t0}
        t0 = time.monotonic()
        out.points, problems = points_from_outputs(dev, session.t.device_type, session.commands, out.outputs, time_ns)
        out.timings["parse"] = time.monotonic() - t0
        for key, msg in problems.items():
            out.command_errors[key] = SshError(ErrorKind.command_rejected, f"{dev.name}: {msg}")
        return out


@dataclass
class _Outcome:
    config: str | None = None
    encoding: str = "utf-8"
    outputs: dict[str, str] = field(default_factory=dict)
    command_errors: dict[str, SshError] = field(default_factory=dict)
    points: list[Point] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
