"""Connecting to a NATS server with credentials given by reference, with clear failures.

nats-py reports a refused login only through its error callback and then a generic
"no servers" error; we catch the callback's message so the operator reads "authorization
refused for user X" rather than a connection failure.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

import nats
from nats.aio.client import Client

from ..errors import NetmonError
from ..secrets import SecretStore
from ..urlmask import mask_urls

log = logging.getLogger("netmon.scaleout")


class NatsUnreachable(NetmonError):
    """The server cannot be reached right now (worth retrying)."""


@dataclass(frozen=True)
class NatsAuth:
    """Who we are: a user with a password reference, a token reference, or a .creds file."""

    user: str = ""
    password: str = ""  # reference: env:VAR / secret:NAME
    token: str = ""  # reference
    creds: str = ""  # path

    def describe(self) -> str:
        if self.creds:
            return f"credentials file {self.creds}"
        if self.token:
            return f"token from {self.token}"
        if self.user:
            return f"user {self.user!r} with password from {self.password or 'nowhere'}"
        return "no credentials"


def _auth_refused(msg: str) -> bool:
    m = msg.lower()
    return "authorization" in m or "authentication" in m or "user credentials" in m


async def connect(
    server: str,
    auth: NatsAuth,
    store: SecretStore | None = None,
    *,
    name: str = "netmon",
    timeout: float = 5.0,
    where: str = "nats",
) -> Client:
    """Connect; keep reconnecting forever afterwards (a WAN link may be down for hours).

    Raises NetmonError for refused credentials or a missing creds file (operator must act),
    NatsUnreachable when the server does not answer now. Never puts a secret in a message.
    """
    store = store or SecretStore()
    kwargs: dict[str, object] = {}
    if auth.creds:
        if not Path(auth.creds).is_file():
            raise NetmonError(f"{where}: NATS credentials file {auth.creds} does not exist")
        kwargs["user_credentials"] = auth.creds
    elif auth.token:
        kwargs["token"] = store.resolve(auth.token, where).get_secret_value()
    elif auth.user:
        kwargs["user"] = auth.user
        kwargs["password"] = store.resolve(auth.password, where).get_secret_value() if auth.password else ""
    seen: list[str] = []

    async def on_error(exc: Exception) -> None:
        text = str(exc)
        if not seen or seen[-1] != text:
            seen.append(text)
            log.debug("nats %s: %s", server, mask_urls(text))

    try:
        nc = await asyncio.wait_for(
            nats.connect(
                servers=[server],
                name=name,
                connect_timeout=min(timeout, 5.0),
                allow_reconnect=True,
                max_reconnect_attempts=-1,
                reconnect_time_wait=1,
                error_cb=on_error,
                **kwargs,  # type: ignore[arg-type]
            ),
            timeout,
        )
    except Exception as exc:  # nats-py raises assorted types; classify by what the server said
        said = " ".join([*seen, str(exc)])
        if _auth_refused(said):
            raise NetmonError(
                f"{where}: {server} refused the login ({auth.describe()}): check the user/password "
                "or the per-province account in the server config"
            ) from None
        said = mask_urls(str(exc)) or "timeout"  # nats-py quotes server URLs
        raise NatsUnreachable(f"{where}: cannot reach {server}: {type(exc).__name__}: {said}") from None
    return nc
