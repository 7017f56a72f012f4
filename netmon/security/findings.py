"""Findings and events: what the analysis and the probes hand to sinks and alerting."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..inventory import Device
from ..model import Point

SEVERITY_ORDER = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


@dataclass(slots=True)
class Finding:
    """One rule hit on one flow (or one source, for scans), aggregated over the capture."""

    rule: str
    category: str  # cleartext | isolation | scan | bruteforce
    severity: str
    src: str
    dst: str
    proto: str
    sport: int
    dport: int
    packets: int = 0
    bytes: int = 0
    first_ns: int = 0
    last_ns: int = 0
    detail: str = ""
    device: Device | None = None  # the inventory device involved (server side first), for tags

    def flow(self) -> str:
        """``src:port → dst:port/proto`` with IPv6 addresses bracketed; no ports when there are none."""

        def ep(addr: str, port: int) -> str:
            if not (self.sport or self.dport):
                return addr
            return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"

        return f"{ep(self.src, self.sport)} → {ep(self.dst, self.dport)}/{self.proto}"

    def to_point(self) -> Point:
        """A ``security_finding`` point (docs/SCHEMA.md), stamped with the last time seen."""
        tags = self.device.point_tags() if self.device else {}
        tags.update(rule=self.rule, category=self.category, severity=self.severity)
        fields: dict[str, float | int | str | bool] = {
            "src": self.src, "dst": self.dst, "proto": self.proto, "sport": self.sport, "dport": self.dport,
            "packets": self.packets, "bytes": self.bytes, "detail": self.detail,
            "first_ns": self.first_ns, "last_ns": self.last_ns,
        }  # fmt: skip
        return Point("security_finding", tags, fields, self.last_ns or self.first_ns)

    def to_event(self) -> Event:
        where = self.flow()
        return Event(
            kind="security_finding",
            rule=self.rule,
            severity=self.severity,
            device=self.device.name if self.device else "",
            summary=f"{self.category}: {self.rule} {where} ({self.packets} packets, {self.bytes} bytes) "
            f"{self.detail}".rstrip(),
            time_ns=self.last_ns or self.first_ns,
            labels={"category": self.category, "src": self.src, "dst": self.dst, "proto": self.proto},
        )

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule, "category": self.category, "severity": self.severity, "src": self.src,
            "dst": self.dst, "proto": self.proto, "sport": self.sport, "dport": self.dport,
            "packets": self.packets, "bytes": self.bytes, "first_ns": self.first_ns, "last_ns": self.last_ns,
            "detail": self.detail, "device": self.device.name if self.device else None,
        }  # fmt: skip


@dataclass(slots=True)
class Event:
    """Something alerting should act on now (a finding, a changed path). Labels carry no secrets."""

    kind: str  # security_finding | path_changed | path_incomplete
    rule: str
    severity: str
    device: str
    summary: str
    time_ns: int
    labels: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind, "rule": self.rule, "severity": self.severity, "device": self.device,
            "summary": self.summary, "time": self.time_ns, "labels": self.labels,
        }  # fmt: skip
