"""Inventory model of the e-government network: devices placed by network, tier and region."""

from __future__ import annotations

import ipaddress
import re
import socket
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..platforms import platforms


class Network(str, Enum):
    intranet = "intranet"  # 内网 (classified)
    extranet = "extranet"  # 外网 (non-classified)


class Tier(str, Enum):
    central = "central"  # 中央
    province = "province"  # 省
    city = "city"  # 市
    county = "county"  # 县
    township = "township"  # 乡镇

    @property
    def depth(self) -> int:
        return _TIER_DEPTH[self]


_TIER_DEPTH = {Tier.central: 0, Tier.province: 1, Tier.city: 2, Tier.county: 3, Tier.township: 4}

_NAME_RE = re.compile(r"^[\w.\-]+$", re.UNICODE)


class Uplink(BaseModel):
    """A link toward the centre: the parent device and, when known, the interfaces at each end."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    device: str
    interface: str | None = None  # on the parent
    local_interface: str | None = None  # on this device


class Device(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1, max_length=128)]
    address: str  # management IPv4/IPv6 address
    port: int | None = Field(default=None, ge=1, le=65535)  # SNMP port when not 161
    ssh_port: int | None = Field(default=None, ge=1, le=65535)
    network: Network
    tier: Tier
    region: str = ""  # e.g. 广东/广州/天河; empty for the centre
    site: str
    role: str
    vendor: str
    model: str | None = None
    uplinks: tuple[Uplink, ...] = ()
    snmp: str | None = None  # credential reference (a name under credentials.snmp)
    ssh: str | None = None  # credential reference (a name under credentials.ssh)
    tags: dict[str, str] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME_RE.match(v):
            raise ValueError("device names may hold letters, digits, '.', '_' and '-' only")
        return v

    @field_validator("address")
    @classmethod
    def _address(cls, v: str) -> str:
        v = v.strip().strip("[]")
        # Fast path for the common dotted quad (33,000 devices load in about a second): strict
        # inet_pton, and a round trip to reject leading zeros as ipaddress does.
        try:
            if socket.inet_ntop(socket.AF_INET, socket.inet_pton(socket.AF_INET, v)) == v:
                return v
        except OSError:
            pass
        try:
            return str(ipaddress.ip_address(v))
        except ValueError:
            raise ValueError(f"{v!r} is not an IPv4 or IPv6 address") from None

    @field_validator("region")
    @classmethod
    def _region(cls, v: str) -> str:
        parts = [p.strip() for p in v.strip().strip("/").split("/") if p.strip()]
        return "/".join(parts)

    @field_validator("vendor")
    @classmethod
    def _vendor(cls, v: str) -> str:
        if v not in platforms():
            raise ValueError(
                f"unknown vendor {v!r}; known: {', '.join(sorted(platforms()))} "
                "(a platform is a folder under netmon/platforms/ or on NETMON_PLATFORMS_PATH)"
            )
        return v

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): str(val) for k, val in v.items()}
        return v

    @model_validator(mode="after")
    def _centre_has_no_region(self) -> Device:
        if self.tier is not Tier.central and not self.region:
            raise ValueError(f"a {self.tier.value}-tier device needs a region path such as 广东/广州")
        return self

    @property
    def region_parts(self) -> tuple[str, ...]:
        return tuple(self.region.split("/")) if self.region else ()

    @property
    def province(self) -> str:
        return self.region_parts[0] if self.region_parts else ""

    def point_tags(self) -> dict[str, str]:
        """The inventory tags every Point about this device carries (no secrets, no addresses)."""
        return {
            "device": self.name,
            "network": self.network.value,
            "tier": self.tier.value,
            "region": self.region or "-",
            "province": self.province or "-",
            "site": self.site,
            "role": self.role,
            "vendor": self.vendor,
        }
