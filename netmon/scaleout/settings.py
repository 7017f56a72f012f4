"""The ``nats:`` section of netmon.yaml: the hub, the provinces and their streams.

Example (docs/SCALEOUT.md)::

    nats:
      hub: nats://relay@hub.example.gov.cn:4222
      password: env:NATS_RELAY_PASSWORD     # or token: secret:NAME, or creds: /etc/netmon/relay.creds
      stream: TELEMETRY_ALL                 # the central stream that sources every province
      consumer: relay                       # durable pull consumer shared by all relays
      outage_hours: 8                       # stream limits hold this long an outage
      provinces:
        - name: 广东
          domain: gd
          points_per_s: 2000                # sizes the province's stream
          leaf: nats://poller@leaf-gd.example.gov.cn:4222
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import InputError, Problem
from ..secrets import REF_HELP, is_reference
from .connect import NatsAuth

_NAME = r"^[A-Za-z0-9_-]+$"
# Line protocol as the poller sends it (measured on the lab: ~180 bytes a point) plus JetStream's
# per-message overhead; the margin covers longer tag sets on real devices.
BYTES_PER_POINT = 250
HEADROOM = 1.5


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProvinceSettings(_Strict):
    name: str  # as in the inventory's region (广东)
    domain: str = Field(pattern=_NAME)  # the leaf's JetStream domain (gd)
    stream: str = Field(default="TELEMETRY", pattern=_NAME)
    subject: str = ""  # default netmon.telemetry.<domain>
    work_stream: str = Field(default="WORK", pattern=_NAME)
    work_prefix: str = ""  # default netmon.work.<domain>; jobs go to <prefix>.<kind>
    points_per_s: float = Field(default=1000.0, gt=0)
    leaf: str = ""  # nats://user@host:port of the leaf, for the province's pollers/workers
    password: str = ""
    token: str = ""
    creds: str = ""

    @property
    def telemetry_subject(self) -> str:
        return self.subject or f"netmon.telemetry.{self.domain}"

    @property
    def work_subject(self) -> str:
        return self.work_prefix or f"netmon.work.{self.domain}"

    @property
    def api(self) -> str:
        return f"$JS.{self.domain}.API"

    def leaf_auth(self, user: str) -> NatsAuth:
        pw = self.password or ("env:NATS_PASSWORD" if user else "")
        return NatsAuth(user, pw, self.token, self.creds)


class NatsSettings(_Strict):
    hub: str = "nats://127.0.0.1:4222"
    password: str = ""
    token: str = ""
    creds: str = ""
    stream: str = Field(default="TELEMETRY_ALL", pattern=_NAME)
    consumer: str = Field(default="relay", pattern=_NAME)
    deadletter_stream: str = Field(default="DEADLETTER", pattern=_NAME)
    deadletter_subject: str = "netmon.deadletter"
    outage_hours: float = Field(default=8.0, gt=0)
    duplicate_window_s: float = Field(default=600.0, gt=0)
    fetch_batch: int = Field(default=64, ge=1, le=10_000)
    ack_wait_s: float = Field(default=60.0, gt=0)
    stats_interval_s: float = Field(default=10.0, gt=0)
    stall_after_s: float = Field(default=120.0, gt=0)  # a source silent this long while its leaf has data
    provinces: list[ProvinceSettings] = Field(default_factory=list)

    @field_validator("password", "token")
    @classmethod
    def _reference(cls, v: str) -> str:
        if v and not is_reference(v):
            raise ValueError(f"inline secrets are not allowed; {REF_HELP}")
        return v

    def hub_auth(self) -> NatsAuth:
        from urllib.parse import urlsplit

        user = urlsplit(self.hub).username or ""
        pw = self.password or ("env:NATS_PASSWORD" if user else "")
        return NatsAuth(user, pw, self.token, self.creds)

    @property
    def hub_server(self) -> str:
        from urllib.parse import urlsplit

        p = urlsplit(self.hub)
        return f"{p.scheme}://{p.hostname}:{p.port or 4222}"

    def province(self, key: str) -> ProvinceSettings:
        """By name (广东) or domain (gd); InputError listing the known ones otherwise."""
        for p in self.provinces:
            if key in (p.name, p.domain):
                return p
        known = ", ".join(f"{p.name} ({p.domain})" for p in self.provinces) or "none configured"
        raise InputError.one("netmon.yaml", f"unknown province {key!r}; known: {known}", field="nats.provinces")

    def max_bytes(self, p: ProvinceSettings) -> int:
        """Stream size that holds ``outage_hours`` of the province's points, with headroom."""
        return int(p.points_per_s * self.outage_hours * 3600 * BYTES_PER_POINT * HEADROOM)


def load_nats_settings(section: dict[str, Any], where: str = "netmon.yaml") -> NatsSettings:
    try:
        s = NatsSettings.model_validate(section or {})
    except ValidationError as exc:
        raise InputError(
            [Problem(where, e["msg"], field="nats." + ".".join(str(x) for x in e["loc"])) for e in exc.errors()]
        ) from None
    seen: set[str] = set()
    for p in s.provinces:
        for key in (p.name, p.domain):
            if key in seen:
                raise InputError.one(where, f"province {key!r} is listed twice", field="nats.provinces")
            seen.add(key)
        if p.domain == "hub":
            raise InputError.one(where, "domain 'hub' is the centre's own; pick another", field="nats.provinces")
    for v in (s.password, s.token):
        if v and not re.match(r"^(env|secret):.+", v):
            raise InputError.one(where, REF_HELP, field="nats")
    return s
