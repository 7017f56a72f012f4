"""The ``alerting:`` section of netmon.yaml, validated here (the core config keeps it a plain dict).

Secrets (webhook secrets and tokens, SMTP password) are references, ``env:VAR`` or
``secret:NAME``, resolved through netmon.secrets when the engine starts.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import InputError, Problem
from ..secrets import secret_ref
from .durations import Duration


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _ReceiverBase(_Strict):
    timeout: Duration = Field(5.0, gt=0, description="per HTTP request / SMTP session")
    retries: int = Field(5, ge=0, description="attempts after the first, with exponential backoff")
    backoff: Duration = Field(1.0, gt=0, description="first retry delay; doubles each time, capped at 60 s")
    language: Literal["zh", "en", "both"] = "both"


class AlertmanagerReceiver(_ReceiverBase):
    """Prometheus Alertmanager, v2 API; firing alerts are re-sent every `resend` so AM keeps them."""

    type: Literal["alertmanager"]
    url: str  # base URL, e.g. http://127.0.0.1:9093
    resend: Duration = Field(60.0, gt=0)


class DingTalkReceiver(_ReceiverBase):
    """DingTalk group robot, signed (加签): timestamp + HMAC-SHA256 of the secret."""

    type: Literal["dingtalk"]
    url: str = "https://oapi.dingtalk.com/robot/send"
    access_token: str  # reference
    secret: str | None = None  # reference; the robot's 加签 secret (SEC...)
    rate_per_minute: int = Field(20, ge=1, description="DingTalk allows 20 messages per minute per robot")
    ca_file: Path | None = None

    _refs = field_validator("access_token", "secret")(secret_ref)


class WeComReceiver(_ReceiverBase):
    """WeCom (企业微信) group robot; markdown messages."""

    type: Literal["wecom"]
    url: str = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
    key: str  # reference
    rate_per_minute: int = Field(20, ge=1, description="WeCom allows 20 messages per minute per robot")
    ca_file: Path | None = None

    _refs = field_validator("key")(secret_ref)


class EmailReceiver(_ReceiverBase):
    type: Literal["email"]
    host: str
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = True
    username: str | None = None
    password: str | None = None  # reference
    sender: str = Field(alias="from")
    to: list[str] = Field(min_length=1)
    ca_file: Path | None = None  # CA bundle for a private mail relay

    _refs = field_validator("password")(secret_ref)


class WebhookReceiver(_ReceiverBase):
    """Generic JSON webhook; body signed with HMAC-SHA256 in `signature_header` (sha256=HEX)."""

    type: Literal["webhook"]
    url: str
    secret: str | None = None  # reference
    signature_header: str = "X-Netmon-Signature"
    ca_file: Path | None = None

    _refs = field_validator("secret")(secret_ref)


Receiver = Annotated[
    AlertmanagerReceiver | DingTalkReceiver | WeComReceiver | EmailReceiver | WebhookReceiver,
    Field(discriminator="type"),
]


class Route(_Strict):
    """Alerts matching every matcher go to ``groups[0]``; if unacknowledged after ``escalate_after``, to the next.

    Routes are tried in order and the first match wins; no match uses ``default_groups``.
    """

    match: list[str] = Field(default_factory=list)  # KEY=VALUE: scope keys, severity, alertname, any label
    groups: list[str] = Field(min_length=1)
    repeat: Duration | None = None
    escalate_after: Duration | None = None


class Maintenance(_Strict):
    """A maintenance window: matching alerts are silenced between start and end."""

    match: list[str] = Field(min_length=1)
    start: datetime
    end: datetime
    comment: str = ""

    @model_validator(mode="after")
    def _order(self) -> Maintenance:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("write times with a zone, e.g. 2026-12-01T02:00:00+08:00")
        return self


class Flapping(_Strict):
    changes: int = Field(4, ge=2, description="state changes within `window` that mark an alert flapping")
    window: Duration = Field(600.0, gt=0)


class V3User(_Strict):
    user: str
    auth_protocol: Literal["md5", "sha", "sha224", "sha256", "sha384", "sha512"] = "sha"
    auth_key: str  # reference
    priv_protocol: Literal["none", "des", "aes", "aes128", "aes192", "aes256"] = "aes"
    priv_key: str | None = None  # reference
    engine_ids: list[str] = Field(default_factory=list, description="agents' snmpEngineID (hex) for traps")

    _refs = field_validator("auth_key", "priv_key")(secret_ref)


class TrapSettings(_Strict):
    listen: str = "0.0.0.0:162"
    communities: list[str] = Field(default_factory=list)  # references
    users: list[V3User] = Field(default_factory=list)
    vendor_oids: Path | None = None  # extra YAML table of vendor trap OIDs
    accept_unknown_agents: bool = False

    @field_validator("communities")
    @classmethod
    def _comms(cls, v: list[str]) -> list[str]:
        for c in v:
            secret_ref(c)
        return v


class AlertingConfig(_Strict):
    enabled: bool = True
    rules: list[Path] = Field(default_factory=list, description="rule files, directories or globs")
    state: Path = Path("/var/lib/netmon/alerts.db")
    receivers: dict[str, Receiver] = Field(default_factory=dict)
    groups: dict[str, list[str]] = Field(default_factory=dict, description="on-call group -> receivers")
    routes: list[Route] = Field(default_factory=list)
    default_groups: list[str] = Field(default_factory=list)
    repeat: Duration = Field(4 * 3600.0, gt=0)
    escalate_after: Duration | None = 1800.0
    maintenance: list[Maintenance] = Field(default_factory=list)
    flapping: Flapping = Field(default_factory=Flapping)
    cycle_grace: Duration = Field(30.0, gt=0, description="hold poll-driven alerts this long for end_cycle")
    parent_wait: Duration = Field(
        600.0, ge=0, description="longest hold of a device-down page until its parents are polled again"
    )
    history_keep: int = Field(10000, ge=100)
    traps: TrapSettings = Field(default_factory=TrapSettings)

    @model_validator(mode="after")
    def _refs_exist(self) -> AlertingConfig:
        for g, members in self.groups.items():
            for r in members:
                if r not in self.receivers:
                    raise ValueError(f"group {g!r} names receiver {r!r}, which is not under receivers:")
        for i, route in enumerate(self.routes):
            for g in route.groups:
                if g not in self.groups:
                    raise ValueError(f"routes[{i}] names group {g!r}, which is not under groups:")
        for g in self.default_groups:
            if g not in self.groups:
                raise ValueError(f"default_groups names group {g!r}, which is not under groups:")
        return self


def parse_alerting(
    section: dict[str, Any] | None, source: str = "netmon.yaml", base: Path | None = None
) -> AlertingConfig:
    """Validate the section; problems name ``alerting.<field>`` (lines are in netmon.yaml's loader)."""
    from ..yamlio import line_for_loc

    try:
        cfg = AlertingConfig.model_validate(section or {})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown setting"
            elif err["type"] == "missing":
                msg = "required setting is missing"
            problems.append(
                Problem(source, msg, line_for_loc(section, loc), ".".join(["alerting", *(str(p) for p in loc)]))
            )
        raise InputError(problems) from None
    if base is not None:
        cfg.rules = [p if p.is_absolute() else base / p for p in cfg.rules]
        if not cfg.state.is_absolute():
            cfg.state = base / cfg.state
        if cfg.traps.vendor_oids and not cfg.traps.vendor_oids.is_absolute():
            cfg.traps.vendor_oids = base / cfg.traps.vendor_oids
        for r in cfg.receivers.values():
            ca = getattr(r, "ca_file", None)
            if ca is not None and not ca.is_absolute():
                r.ca_file = base / ca  # type: ignore[union-attr]
    return cfg
