"""Sink URLs: one string in netmon.yaml (``sink:``) or ``--sink`` names where points go.

Forms (see docs/STORAGE.md):

- ``sqlite:///abs/path.db`` — absolute path, as in ``file:///`` URLs (``sqlite:////abs`` works too);
  ``sqlite:relative/path.db`` — relative to ``base_dir`` (the config file's directory) or the
  current directory. Query: ``retention_days`` (default 30, 0 keeps everything).
- ``influxdb1://[user@]host[:port]/database`` — InfluxDB 1.x v1 HTTP API. Query: ``rp``,
  ``precision`` (ns|us|ms|s), ``gzip`` (0|1), ``tls`` (0|1), ``timeout`` (s),
  ``password_env`` (default ``INFLUX_PASSWORD``, read only when a user is given).
- ``influxdb://host[:port]?org=ORG&bucket=BUCKET`` — the v2 write API (InfluxDB 2.x/3.x, 1.8+
  with ``org=-`` and ``bucket=db/rp``). Query: ``token_env`` (default ``INFLUX_TOKEN``),
  ``precision``, ``gzip``, ``tls``, ``timeout``.

Secrets are never part of a URL: a password or token written into one is refused, so URLs
can be logged and shown as they are.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from ..errors import InputError
from ..urlmask import mask_url

PRECISIONS = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}
KINDS = ("sqlite", "influxdb1", "influxdb", "nats")
_KNOWN = {
    "sqlite": {"retention_days"},
    "influxdb1": {"rp", "precision", "gzip", "tls", "timeout", "password_env"},
    "influxdb": {"org", "bucket", "token_env", "precision", "gzip", "tls", "timeout"},
    "nats": {"stream", "subject", "domain", "password", "token", "creds", "tls", "timeout"},  # netmon.scaleout.url
}
EXAMPLES = (
    "sqlite:///var/lib/netmon/netmon.db, sqlite:netmon.db, influxdb1://127.0.0.1:8086/netmon, "
    "influxdb://127.0.0.1:8086?org=gov&bucket=netmon"
)


@dataclass(frozen=True)
class SinkURL:
    """A parsed, validated sink URL (holds no secret: those are read from the environment)."""

    kind: str
    text: str  # as given; safe to print
    path: Path | None = None  # sqlite
    base_url: str = ""  # http(s)://host:port for the Influx kinds
    database: str = ""  # influxdb1 database
    org: str = ""
    bucket: str = ""
    user: str = ""
    rp: str = ""
    precision: str = "ns"
    gzip: bool = False
    timeout: float = 10.0
    secret_env: str = ""  # name of the env var holding the password/token
    retention_days: float = 30.0
    params: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return mask_url(self.text)  # secrets are refused at parse time; masked all the same

    def secret(self, environ: Mapping[str, str] | None = None) -> str:
        """The password/token from the environment ('' when unset)."""
        env = os.environ if environ is None else environ
        return env.get(self.secret_env, "") if self.secret_env else ""


def _bad(url: str, reason: str) -> InputError:
    # A refused URL is shown masked: the user may have pasted a token or password into it.
    return InputError.one(mask_url(url), f"{reason} (examples: {EXAMPLES})", field="sink")


def _flag(url: str, q: dict[str, str], name: str) -> bool:
    v = q.get(name, "0").lower()
    if v not in {"0", "1", "true", "false", "yes", "no"}:
        raise _bad(url, f"{name}={v!r} must be 0 or 1")
    return v in {"1", "true", "yes"}


def _number(url: str, q: dict[str, str], name: str, default: float) -> float:
    try:
        v = float(q.get(name, default))
    except ValueError:
        raise _bad(url, f"{name}={q[name]!r} is not a number") from None
    if v < 0:
        raise _bad(url, f"{name} must not be negative")
    return v


def parse_sink_url(url: str, base_dir: Path | None = None) -> SinkURL:
    """Parse and validate; raise InputError naming the URL and what is wrong."""
    text = url.strip()
    if not text:
        raise _bad(url, "empty sink URL")
    scheme, sep, _rest = text.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in KINDS:
        raise _bad(url, f"unknown sink scheme {scheme!r}; use one of {', '.join(k + '://' for k in KINDS)}")
    parts = urlsplit(text)
    q = dict(parse_qsl(parts.query, keep_blank_values=True))
    unknown = sorted(set(q) - _KNOWN[scheme])
    if unknown:
        raise _bad(url, f"unknown option(s) {', '.join(unknown)}; known: {', '.join(sorted(_KNOWN[scheme]))}")

    if scheme == "sqlite":
        raw = text[len("sqlite:") :].split("?", 1)[0]
        if raw.startswith("//"):
            rest = raw[2:]
            if not rest.startswith("/"):
                raise _bad(url, "sqlite URLs take no host: write sqlite:///abs/path.db or sqlite:relative.db")
            path = Path("/" + rest.lstrip("/"))
        else:
            if not raw or raw.startswith("/"):
                raise _bad(url, "missing database file; write sqlite:///abs/path.db or sqlite:relative.db")
            path = (base_dir or Path.cwd()) / raw
        if path.name in {"", ".", ".."}:
            raise _bad(url, "the sqlite path must name a file")
        return SinkURL("sqlite", text, path=path, retention_days=_number(url, q, "retention_days", 30.0), params=q)

    if scheme == "nats":  # a provincial poller's JetStream leaf (docs/SCALEOUT.md)
        from ..scaleout.url import parse_nats_url

        return parse_nats_url(text, parts, q)
    if parts.password:
        env = "INFLUX_TOKEN" if scheme == "influxdb" else "INFLUX_PASSWORD"
        raise InputError.one(
            mask_url(text),
            f"a password in the sink URL would leak into logs; put it in the environment variable {env}",
            field="sink",
        )
    if not parts.hostname:
        raise _bad(url, "missing host")
    try:
        port = parts.port or 8086
    except ValueError:
        raise _bad(url, "the port is not a number") from None
    tls = _flag(url, q, "tls")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    base = f"{'https' if tls else 'http'}://{host}:{port}"
    precision = q.get("precision", "ns")
    if precision not in PRECISIONS:
        raise _bad(url, f"precision={precision!r}; use one of {', '.join(PRECISIONS)}")
    common = {
        "text": text,
        "base_url": base,
        "precision": precision,
        "gzip": _flag(url, q, "gzip"),
        "timeout": _number(url, q, "timeout", 10.0) or 10.0,
        "params": q,
    }
    if scheme == "influxdb1":
        db = parts.path.strip("/")
        if not db or "/" in db:
            raise _bad(url, "name one database as the path: influxdb1://host:8086/DATABASE")
        user = parts.username or ""
        return SinkURL(
            "influxdb1",
            database=db,
            user=user,
            rp=q.get("rp", ""),
            secret_env=(q.get("password_env") or "INFLUX_PASSWORD") if user else "",
            **common,  # type: ignore[arg-type]
        )
    if parts.path.strip("/"):
        raise _bad(url, "influxdb:// takes org and bucket as query options, not a path")
    org, bucket = q.get("org", ""), q.get("bucket", "")
    missing = [n for n, v in (("org", org), ("bucket", bucket)) if not v]
    if missing:
        raise _bad(url, f"missing {' and '.join(missing)}: influxdb://host:8086?org=ORG&bucket=BUCKET")
    env = q.get("token_env") or "INFLUX_TOKEN"
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env):
        raise _bad(url, f"token_env={env!r} is not an environment variable name")
    return SinkURL("influxdb", org=org, bucket=bucket, secret_env=env, **common)  # type: ignore[arg-type]
