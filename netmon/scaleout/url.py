"""``nats://`` sink URLs: where a provincial poller publishes its line protocol.

``nats://[user@]host[:port]/?stream=TELEMETRY&subject=netmon.telemetry.gd&domain=gd``

Options: ``stream`` (default TELEMETRY), ``subject`` (required), ``domain`` (the leaf's
JetStream domain; empty = the server's own), ``password`` / ``token`` (a reference:
``env:VAR`` or ``secret:NAME``; default ``env:NATS_PASSWORD`` when a user is given),
``creds`` (path of a NATS .creds file), ``tls`` (0|1), ``timeout`` (s, publish-ack wait).
A literal secret in the URL is refused, so the URL can be logged as it is.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult

from ..errors import InputError
from ..secrets import REF_HELP, is_reference
from ..storage.urls import SinkURL
from ..urlmask import mask_url

KNOWN = {"stream", "subject", "domain", "password", "token", "creds", "tls", "timeout"}
EXAMPLE = "nats://poller@127.0.0.1:4222/?stream=TELEMETRY&subject=netmon.telemetry.gd&domain=gd"
_NAME = re.compile(r"[A-Za-z0-9_-]+")
_SUBJECT = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*")


def _bad(url: str, reason: str) -> InputError:
    return InputError.one(mask_url(url), f"{reason} (example: {EXAMPLE})", field="sink")


def parse_nats_url(text: str, parts: SplitResult, q: dict[str, str]) -> SinkURL:
    if parts.password:
        raise InputError.one(
            mask_url(text),
            f"a password in the sink URL would leak into logs; use password=env:VAR; {REF_HELP}",
            field="sink",
        )
    if not parts.hostname:
        raise _bad(text, "missing host")
    if parts.path.strip("/"):
        raise _bad(text, "nats:// takes stream/subject/domain as query options, not a path")
    try:
        port = parts.port or 4222
    except ValueError:
        raise _bad(text, "the port is not a number") from None
    for key in ("password", "token"):
        if key in q and not is_reference(q[key]):
            raise InputError.one(
                mask_url(text),
                f"{key}= must be a reference, not the secret; {REF_HELP}",
                field="sink",
            )
    stream = q.get("stream", "TELEMETRY")
    subject = q.get("subject", "")
    if not _NAME.fullmatch(stream):
        raise _bad(text, f"stream={stream!r}: stream names are letters, digits, '-' and '_'")
    if not subject or not _SUBJECT.fullmatch(subject):
        raise _bad(text, "subject= must name one concrete subject such as netmon.telemetry.gd")
    domain = q.get("domain", "")
    if domain and not _NAME.fullmatch(domain):
        raise _bad(text, f"domain={domain!r}: a JetStream domain is letters, digits, '-' and '_'")
    tls = q.get("tls", "0").lower() in {"1", "true", "yes"}
    try:
        timeout = float(q.get("timeout", "10")) or 10.0
    except ValueError:
        raise _bad(text, f"timeout={q['timeout']!r} is not a number") from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    user = parts.username or ""
    if user and "password" not in q and "token" not in q and "creds" not in q:
        q = {**q, "password": "env:NATS_PASSWORD"}
    return SinkURL(
        "nats",
        text,
        base_url=f"{'tls' if tls else 'nats'}://{host}:{port}",
        user=user,
        timeout=timeout,
        params=q,
    )
