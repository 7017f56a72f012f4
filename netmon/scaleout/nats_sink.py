"""``nats://`` sink: publish the spool's line protocol to the province's JetStream leaf.

The Pipeline keeps the spool in front: a batch is acknowledged to the spool only after the
leaf's JetStream acknowledged the publish, so a dead leaf (or WAN) loses nothing. Each
message carries ``Nats-Msg-Id`` = a hash of subject and payload: a retry of the same batch
(after a timeout whose ack was lost) is dropped by the stream's duplicate window instead of
stored twice. Payloads are passed through untouched, so original timestamps survive.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js.errors import APIError, NoStreamResponseError, NotFoundError, ServiceUnavailableError

from ..errors import NetmonError
from ..secrets import SecretStore
from ..storage.base import Sink, SinkRejected, SinkUnavailable
from ..storage.urls import SinkURL
from .connect import NatsAuth, NatsUnreachable, connect

log = logging.getLogger("netmon.scaleout")

# NATS refuses messages over max_payload (1 MiB by default); stay well under it.
DEFAULT_CHUNK = 768 * 1024
PRECISION_HEADER = "Netmon-Precision"


def msg_id(subject: str, payload: bytes) -> str:
    """Deterministic per batch: the same bytes on the same subject are the same message."""
    return hashlib.blake2b(subject.encode() + b"\0" + payload, digest_size=20).hexdigest()


def chunks(payload: bytes, limit: int) -> list[bytes]:
    """Split line protocol at line ends into pieces of at most ``limit`` bytes (one line may
    exceed it only if it alone does; the server then rejects it and it is dead-lettered)."""
    if len(payload) <= limit:
        return [payload]
    out: list[bytes] = []
    start = 0
    while start < len(payload):
        end = start + limit
        if end >= len(payload):
            out.append(payload[start:])
            break
        nl = payload.rfind(b"\n", start, end)
        if nl < start:
            nl = payload.find(b"\n", end)
            if nl < 0:
                nl = len(payload) - 1
        out.append(payload[start : nl + 1])
        start = nl + 1
    return out


def url_auth(url: SinkURL) -> NatsAuth:
    p = url.params
    return NatsAuth(url.user, p.get("password", ""), p.get("token", ""), p.get("creds", ""))


class NatsSink(Sink):
    """A JetStream stream on a leaf server. ``store`` resolves ``secret:`` references."""

    def __init__(self, url: SinkURL, store: SecretStore | None = None, chunk: int = DEFAULT_CHUNK) -> None:
        super().__init__(url)
        self.store = store or SecretStore()
        self.stream = url.params.get("stream", "TELEMETRY")
        self.subject = url.params["subject"]
        self.domain = url.params.get("domain") or None
        self.chunk = chunk
        self._nc: Client | None = None
        self._lock = asyncio.Lock()
        self.published = 0
        self.duplicates = 0

    @property
    def precision(self) -> str:
        return "ns"  # the relay writes the bytes as they are: one precision end to end

    async def _client(self) -> Client:
        async with self._lock:
            if self._nc is None or self._nc.is_closed:
                try:
                    self._nc = await connect(
                        self.url.base_url, url_auth(self.url), self.store, name="netmon-poller",
                        timeout=self.url.timeout, where=str(self.url),
                    )  # fmt: skip
                except NatsUnreachable as exc:
                    raise SinkUnavailable(str(exc)) from None
            return self._nc

    async def start(self) -> None:
        """Check the login and that the stream exists and captures our subject."""
        nc = await self._client()
        js = nc.jetstream(domain=self.domain)
        try:
            info = await js.stream_info(self.stream)
        except NotFoundError:
            raise NetmonError(
                f"{self.url}: stream {self.stream} does not exist on the leaf"
                f"{f' (domain {self.domain})' if self.domain else ''}; create it with `netmon relay setup`"
            ) from None
        except (TimeoutError, NatsError, APIError) as exc:
            raise SinkUnavailable(f"{self.url}: JetStream not answering: {type(exc).__name__}: {exc}") from None
        subjects = info.config.subjects or []
        if not any(_matches(s, self.subject) for s in subjects):
            raise NetmonError(
                f"{self.url}: stream {self.stream} captures {', '.join(subjects) or 'no subjects'}, "
                f"not {self.subject}; fix subject= or the stream"
            )

    async def write(self, payload: bytes, points: int) -> None:
        nc = await self._client()
        js = nc.jetstream(domain=self.domain, timeout=self.url.timeout)
        for piece in chunks(payload, self.chunk):
            headers = {"Nats-Msg-Id": msg_id(self.subject, piece), PRECISION_HEADER: "ns"}
            try:
                # No `stream=` (Nats-Expected-Stream header): the header travels with the message
                # and the hub's sourcing stream then refuses it ("expected stream does not match").
                ack = await js.publish(self.subject, piece, headers=headers)
            except (NoStreamResponseError, ServiceUnavailableError) as exc:
                raise SinkUnavailable(f"{self.url}: no JetStream answer ({type(exc).__name__})") from None
            except APIError as exc:
                if (exc.code or 0) >= 500 or exc.code in (408, 429):
                    raise SinkUnavailable(f"{self.url}: {exc.description or exc}") from None
                raise SinkRejected(f"{self.url}: {exc.description or exc}", exc.code or 400) from None
            except (TimeoutError, NatsError, OSError) as exc:
                raise SinkUnavailable(f"{self.url}: {type(exc).__name__}: {exc or 'no ack'}") from None
            if ack.stream != self.stream:
                raise SinkRejected(f"{self.url}: stream {ack.stream} took the message, not {self.stream}", 409)
            self.published += 1
            if ack.duplicate:
                self.duplicates += 1

    async def close(self) -> None:
        if self._nc is not None and not self._nc.is_closed:
            try:
                await asyncio.wait_for(self._nc.drain(), 5)
            except Exception:  # closing a half-dead connection: nothing left to deliver
                await self._nc.close()
        self._nc = None


def _matches(pattern: str, subject: str) -> bool:
    p, s = pattern.split("."), subject.split(".")
    for i, tok in enumerate(p):
        if tok == ">":
            return len(s) > i
        if i >= len(s) or (tok != "*" and tok != s[i]):
            return False
    return len(p) == len(s)
