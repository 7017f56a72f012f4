"""Creating the streams (idempotently) and watching the hub's sources for stalls.

Layout (docs/SCALEOUT.md): on each province's leaf, in its JetStream domain, a telemetry
stream (limits sized for ``outage_hours``) and a WorkQueue stream for jobs; at the hub, the
central stream that *sources* every province's telemetry stream through ``$JS.<domain>.API``
across the leaf connection, a durable pull consumer shared by the relays, and a dead-letter
stream.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    ExternalStream,
    RetentionPolicy,
    StorageType,
    StreamConfig,
    StreamSource,
)
from nats.js.errors import APIError, NotFoundError

from ..errors import NetmonError
from .settings import NatsSettings, ProvinceSettings

log = logging.getLogger("netmon.scaleout")

_DAY = 86400.0


async def _ensure(nc: Client, cfg: StreamConfig, domain: str | None, where: str, timeout: float = 10.0) -> str:
    js = nc.jetstream(domain=domain, timeout=timeout)
    try:
        await js.stream_info(str(cfg.name))
    except NotFoundError:
        try:
            await js.add_stream(cfg)
        except APIError as exc:
            raise NetmonError(f"{where}: cannot create stream {cfg.name}: {exc.description or exc}") from None
        return "created"
    except (TimeoutError, NatsError) as exc:
        raise NetmonError(
            f"{where}: JetStream does not answer ({type(exc).__name__}); is the leaf connected?"
        ) from None
    try:
        await js.update_stream(cfg)
    except APIError as exc:
        raise NetmonError(f"{where}: cannot update stream {cfg.name}: {exc.description or exc}") from None
    return "updated"


def province_stream_config(s: NatsSettings, p: ProvinceSettings) -> StreamConfig:
    return StreamConfig(
        name=p.stream,
        subjects=[p.telemetry_subject],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        # Oldest data goes first if an outage outlasts the sizing: the poller never blocks.
        discard=DiscardPolicy.OLD,
        max_bytes=s.max_bytes(p),
        max_age=max(3 * s.outage_hours * 3600, _DAY),
        duplicate_window=s.duplicate_window_s,
    )


def work_stream_config(p: ProvinceSettings) -> StreamConfig:
    return StreamConfig(
        name=p.work_stream,
        subjects=[p.work_subject + ".>"],
        storage=StorageType.FILE,
        retention=RetentionPolicy.WORK_QUEUE,
        max_age=_DAY,  # a job nobody took within a day is stale
        duplicate_window=120.0,
    )


def central_stream_config(s: NatsSettings) -> StreamConfig:
    return StreamConfig(
        name=s.stream,
        subjects=[],
        # opt_start_seq=1: a source that has copied nothing yet starts at the province's first
        # message. Without it nats-server 2.9, restarted before the first copy, starts such a
        # source by time from the newest message of the *other* provinces and skips the backlog
        # (seen in tests/scaleout: a province cut off from the start lost its first messages).
        sources=[StreamSource(name=p.stream, opt_start_seq=1, external=ExternalStream(api=p.api)) for p in s.provinces],
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        max_bytes=sum(s.max_bytes(p) for p in s.provinces) or None,
        max_age=max(3 * s.outage_hours * 3600, _DAY),
        duplicate_window=s.duplicate_window_s,
    )


def consumer_config(s: NatsSettings) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=s.consumer,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        ack_wait=s.ack_wait_s,
        max_deliver=-1,  # a message is never dropped for being retried: InfluxDB may be down for hours
        max_ack_pending=max(1000, s.fetch_batch * 8),
    )


async def setup_province(nc: Client, s: NatsSettings, p: ProvinceSettings) -> list[str]:
    """Create/update a province's telemetry and work-queue streams through its domain."""
    where = f"province {p.name} (domain {p.domain})"
    out = []
    for cfg in (province_stream_config(s, p), work_stream_config(p)):
        out.append(f"{where}: stream {cfg.name} {await _ensure(nc, cfg, p.domain, where)}")
    return out


async def setup_hub(nc: Client, s: NatsSettings) -> list[str]:
    """Create/update the central stream, the relay consumer and the dead-letter stream."""
    out = [f"hub: stream {s.stream} {await _ensure(nc, central_stream_config(s), None, 'hub')}"]
    dl = StreamConfig(
        name=s.deadletter_stream,
        subjects=[s.deadletter_subject + ".>"],
        storage=StorageType.FILE,
        max_age=30 * _DAY,
    )
    out.append(f"hub: stream {dl.name} {await _ensure(nc, dl, None, 'hub')}")
    js = nc.jetstream()
    await js.add_consumer(s.stream, consumer_config(s))
    out.append(f"hub: consumer {s.consumer} on {s.stream} ready")
    return out


async def setup_all(nc: Client, s: NatsSettings) -> list[str]:
    """Everything, from the hub (province streams through their domains across the leaf links)."""
    out: list[str] = []
    for p in s.provinces:
        out += await setup_province(nc, s, p)
    out += await setup_hub(nc, s)
    return out


# --- source health -------------------------------------------------------------------------


@dataclass
class SourceStatus:
    province: str
    domain: str
    reachable: bool = False  # the leaf's JetStream answered through the link
    lag: int = 0  # messages the hub knows it has not yet copied
    active_s: float = -1.0  # seconds since the hub last heard from this source (-1: never)
    error: str = ""
    leaf_last_seq: int = 0
    leaf_first_seq: int = 0
    leaf_created: str = ""
    stalled: bool = False
    reason: str = ""


@dataclass
class SourceWatch:
    """Remembers each province stream's identity so a recreation under the source is noticed."""

    created: dict[str, str] = field(default_factory=dict)
    last_seq: dict[str, int] = field(default_factory=dict)
    behind_since: dict[str, tuple[float, int]] = field(default_factory=dict)


async def source_status(
    nc: Client, s: NatsSettings, watch: SourceWatch | None = None, now: float | None = None
) -> list[SourceStatus]:
    """Per province: the hub's view of its source and the leaf's stream, and whether it is stalled.

    A stream deleted and recreated on the leaf restarts at sequence 1 while the hub's source
    waits for the old sequence + 1: nothing arrives and the hub reports no error. We detect it
    by the leaf stream's creation time changing or its last sequence going backwards, and by a
    source that has been silent for ``stall_after_s`` while the leaf holds newer messages.
    """
    watch = watch or SourceWatch()
    now = now if now is not None else asyncio.get_running_loop().time()
    js = nc.jetstream(timeout=5)
    try:
        info = await js.stream_info(s.stream)
    except NotFoundError:
        raise NetmonError(f"hub: stream {s.stream} does not exist; run `netmon relay setup`") from None
    by_api = {}
    for cfg_src, src in zip(info.config.sources or [], info.sources or [], strict=False):
        api = cfg_src.external.api if cfg_src.external else ""
        by_api[api] = src
    out = []
    for p in s.provinces:
        st = SourceStatus(p.name, p.domain)
        found = by_api.get(p.api)
        if found is None:
            st.stalled, st.reason = True, f"the hub's stream {s.stream} does not source {p.stream} from {p.api}"
            out.append(st)
            continue
        src = found
        st.lag = int(src.lag or 0)
        st.active_s = (src.active or 0) / 1e9 if src.active is not None and src.active >= 0 else -1.0
        err = src.error or {}
        st.error = str(err.get("description", err)) if err else ""
        try:
            li = await nc.jetstream(domain=p.domain, timeout=3).stream_info(p.stream)
        except NotFoundError:
            st.reachable, st.stalled = True, True
            st.reason = f"stream {p.stream} is missing on the leaf; run `netmon relay setup`"
            out.append(st)
            continue
        except (TimeoutError, NatsError, APIError):
            st.reason = "leaf unreachable (link down?): the province buffers locally"
            out.append(st)
            continue
        st.reachable = True
        st.leaf_last_seq, st.leaf_first_seq = int(li.state.last_seq), int(li.state.first_seq)
        created = str(getattr(li, "created", "") or "")
        st.leaf_created = created
        old_created, old_seq = watch.created.get(p.domain), watch.last_seq.get(p.domain, 0)
        if (old_created and created and created != old_created) or st.leaf_last_seq < old_seq:
            st.stalled = True
            st.reason = (
                f"stream {p.stream} on {p.domain} was recreated (sequence {old_seq} -> {st.leaf_last_seq}); "
                f"the hub's source waits for sequence {old_seq + 1} and copies nothing until then. nats-server "
                f"2.9 resumes a source by name, so give the new stream a new name (nats.provinces[{p.domain}].stream), "
                "run `netmon relay setup` and point the province's pollers at it (docs/SCALEOUT.md)"
            )
        else:
            watch.created[p.domain] = created
            watch.last_seq[p.domain] = st.leaf_last_seq
        if not st.stalled and st.error:
            st.stalled, st.reason = True, f"the hub reports: {st.error}"
        if not st.stalled:
            # Silent for stall_after_s while the leaf kept taking new messages: stuck, not idle.
            quiet = st.active_s < 0 or st.active_s > s.stall_after_s
            if quiet:
                since, seq0 = watch.behind_since.setdefault(p.domain, (now, st.leaf_last_seq))
                if now - since >= s.stall_after_s and st.leaf_last_seq > seq0:
                    st.stalled = True
                    st.reason = (
                        f"the hub has copied nothing from {p.domain} for {now - since:.0f}s while the leaf's stream "
                        f"grew from sequence {seq0} to {st.leaf_last_seq}"
                    )
            else:
                watch.behind_since.pop(p.domain, None)
        out.append(st)
    return out
