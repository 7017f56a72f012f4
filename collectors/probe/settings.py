"""The ``probe:`` section of netmon.yaml, validated with pydantic."""

from __future__ import annotations

import ipaddress
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from netmon.errors import InputError, Problem
from netmon.inventory import Tier
from netmon.security.settings import section_with_lines
from netmon.yamlio import line_for_loc

ProbeKind = Literal["icmp", "tcp"]
DEFAULT_KINDS: tuple[ProbeKind, ...] = ("icmp", "tcp")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PathCheck(_Strict):
    enabled: bool = True
    tiers: list[Tier] = Field(default_factory=lambda: [Tier.county], description="targets whose path is traced")
    vantage: str | None = Field(
        None,
        description="inventory device this poller sits behind (its first hop); default: the root of each target's path",
    )
    max_hops: int = Field(12, ge=1, le=64)
    timeout: float = Field(2.0, gt=0, description="seconds to wait for the hops' answers")
    retries: int = Field(1, ge=0, le=5, description="re-send the TTLs that got no answer (ICMP rate limits)")


class ProbeSettings(_Strict):
    """netmon.yaml ``probe:``."""

    kinds: list[ProbeKind] = Field(default_factory=lambda: list(DEFAULT_KINDS), min_length=1)
    count: int = Field(5, ge=1, le=100, description="packets per target and kind per run")
    interval: float = Field(0.2, ge=0, le=10, description="seconds between the packets of one run (spacing)")
    timeout: float = Field(1.0, gt=0, le=30, description="seconds to wait after the last packet")
    tcp_port: int = Field(22, ge=1, le=65535, description="port of the TCP-SYN probe (SSH: open on every device)")
    concurrency: int = Field(16, ge=1, le=256, description="targets probed at once")
    hop_addresses: dict[str, list[str]] = Field(
        default_factory=dict,
        description="device -> interface addresses that may answer a traceroute (besides its management address "
        "and the inventory tag hop_addresses)",
    )
    path: PathCheck = Field(default_factory=PathCheck)

    @field_validator("hop_addresses")
    @classmethod
    def _addrs(cls, v: dict[str, list[str]]) -> dict[str, list[str]]:
        for dev, addrs in v.items():
            for a in addrs:
                try:
                    ipaddress.ip_address(a)
                except ValueError:
                    raise ValueError(f"{dev}: {a!r} is not an IP address") from None
        return v


def load_probe_settings(section: dict[str, Any] | None, source: str = "netmon.yaml") -> ProbeSettings:
    try:
        return ProbeSettings.model_validate(section or {})
    except ValidationError as exc:
        doc = section_with_lines(source, "probe", section)
        probs = []
        for e in exc.errors():
            loc = tuple(e["loc"])
            msg = "unknown setting" if e["type"] == "extra_forbidden" else e["msg"].removeprefix("Value error, ")
            probs.append(Problem(source, msg, line_for_loc(doc, loc), ".".join(str(p) for p in ("probe", *loc))))
        raise InputError(probs) from None
