"""On-demand jobs from the centre to a province: "poll this device now", "back it up", "scan it".

The centre publishes a job to the province's WorkQueue stream (on its leaf, reached through
the hub by subject interest across the leaf connection); the stream keeps each job until one
of the province's pollers takes and acknowledges it. The poller runs the job with the handler
registered for its kind; the job's points, and a ``netmon_job`` point saying how it went, go
back on the telemetry path (the poller's pipeline: spool → nats:// sink → hub → relay).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.errors import NoRespondersError
from nats.js.api import AckPolicy, ConsumerConfig
from nats.js.errors import APIError, NoStreamResponseError, NotFoundError

from ..errors import InputError, NetmonError
from ..inventory import Device
from ..model import Point
from .settings import ProvinceSettings

log = logging.getLogger("netmon.workqueue")

KINDS = ("poll", "backup", "scan")
CONSUMER = "pollers"  # every poller of a province shares it: a job runs once

Handler = Callable[[Device], Awaitable[list[Point]]]
Submit = Callable[[list[Point]], Awaitable[object]]


@dataclass(frozen=True)
class Job:
    kind: str
    device: str
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    requested_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    requested_by: str = ""

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Job:
        try:
            d = json.loads(data)
            job = cls(
                str(d["kind"]),
                str(d["device"]),
                str(d["id"]),
                str(d.get("requested_at", "")),
                str(d.get("requested_by", "")),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"not a netmon job ({type(exc).__name__}: {exc})") from None
        if job.kind not in KINDS:
            raise ValueError(f"unknown job kind {job.kind!r}; known: {', '.join(KINDS)}")
        return job


async def submit_job(nc: Client, province: ProvinceSettings, job: Job, timeout: float = 5.0) -> int:
    """Queue a job in the province's work stream; returns its sequence there.

    NetmonError if the province's leaf does not answer (link down): the job is *not* queued, and
    the operator is told so rather than left waiting.
    """
    if job.kind not in KINDS:
        raise InputError.one("job", f"unknown job kind {job.kind!r}; use one of {', '.join(KINDS)}")
    subject = f"{province.work_subject}.{job.kind}"
    js = nc.jetstream(timeout=timeout)
    try:
        ack = await js.publish(subject, job.to_bytes(), stream=province.work_stream, headers={"Nats-Msg-Id": job.id})
    except (NoRespondersError, NoStreamResponseError, TimeoutError) as exc:
        raise NetmonError(
            f"province {province.name} ({province.domain}): its leaf server does not answer ({type(exc).__name__}); "
            "the job was not queued. Is the WAN link up? `netmon relay status` shows the link state"
        ) from None
    except APIError as exc:
        raise NetmonError(f"province {province.name}: work stream refused the job: {exc.description or exc}") from None
    return int(ack.seq)


class WorkConsumer:
    """A province poller's side: take jobs, run them, report on the telemetry path.

    ``handlers`` maps a job kind to ``async (device) -> points``; ``devices`` finds a device by
    name (the poller's own inventory scope); ``submit`` is the poller pipeline's submit.
    """

    def __init__(
        self,
        nc: Client,
        province: ProvinceSettings,
        handlers: dict[str, Handler],
        devices: Callable[[str], Device | None],
        submit: Submit,
        *,
        ack_wait: float = 300.0,
    ) -> None:
        self.nc = nc
        self.p = province
        self.handlers = handlers
        self.devices = devices
        self.submit = submit
        self.ack_wait = ack_wait
        self.done = 0
        self.failed = 0
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def _subscribe(self) -> object:
        js = self.nc.jetstream()
        cfg = ConsumerConfig(
            durable_name=CONSUMER, ack_policy=AckPolicy.EXPLICIT, ack_wait=self.ack_wait, max_deliver=5
        )
        try:
            await js.add_consumer(self.p.work_stream, cfg)
        except NotFoundError:
            raise NetmonError(
                f"province {self.p.name}: work stream {self.p.work_stream} does not exist; run `netmon relay setup`"
            ) from None
        except APIError as exc:
            if "already" not in str(exc.description or ""):
                raise
        return await js.pull_subscribe_bind(CONSUMER, self.p.work_stream)

    async def run(self, max_jobs: int | None = None) -> None:
        sub = await self._subscribe()
        while not self._stop.is_set() and (max_jobs is None or self.done + self.failed < max_jobs):
            try:
                msgs = await sub.fetch(1, timeout=1.0)  # type: ignore[attr-defined]
            except TimeoutError:
                continue
            except NatsError:
                await asyncio.sleep(0.5)
                continue
            for m in msgs:
                await self.handle(m)

    async def handle(self, m: Msg) -> None:
        try:
            job = Job.from_bytes(m.data)
        except ValueError as exc:
            log.error("work queue %s: dropped a message: %s", self.p.work_stream, exc)
            await m.term()
            self.failed += 1
            return
        t0 = time.monotonic()
        err = ""
        points: list[Point] = []
        device = self.devices(job.device)
        handler = self.handlers.get(job.kind)
        if device is None:
            err = f"device {job.device!r} is not in this poller's inventory scope"
        elif handler is None:
            err = f"this poller does not run {job.kind!r} jobs (handlers: {', '.join(sorted(self.handlers)) or 'none'})"
        else:
            # Keep the job ours while it runs: a backup over a slow county link takes a while.
            ticker = asyncio.create_task(_keep_alive(m, self.ack_wait / 3))
            try:
                points = await handler(device)
            except Exception as exc:  # a failing job must not stop the consumer
                err = f"{type(exc).__name__}: {exc}"
                log.exception("job %s %s on %s failed", job.id, job.kind, job.device)
            finally:
                ticker.cancel()
        tags = {"province": self.p.name, "device": job.device}
        if device is not None:
            tags = device.point_tags()
        tags = {**tags, "job_kind": job.kind}
        result = Point(
            "netmon_job",
            tags,
            {"id": job.id, "ok": not err, "error": err, "duration_s": time.monotonic() - t0, "points": len(points)},
            time.time_ns(),
        )
        await self.submit([*points, result])  # spooled (durable) before the job is acknowledged
        await m.ack()
        if err:
            self.failed += 1
            log.warning("job %s %s on %s: %s", job.id, job.kind, job.device, err)
        else:
            self.done += 1
            log.info("job %s %s on %s done: %d points", job.id, job.kind, job.device, len(points))


async def _keep_alive(m: Msg, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        with contextlib.suppress(Exception):
            await m.in_progress()
