"""The ``security:`` section of netmon.yaml and the rule file, validated with pydantic."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import InputError, Problem
from ..yamlio import line_for_loc, load_yaml

RULES_FILE = Path(__file__).with_name("rules.yaml")
Zone = Literal["intranet", "extranet", "egress", "internet"]
Severity = Literal["info", "low", "medium", "high", "critical"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _nets(v: list[str]) -> list[str]:
    out = []
    for s in v:
        try:
            out.append(str(ipaddress.ip_network(str(s).strip(), strict=False)))
        except ValueError:
            raise ValueError(f"{s!r} is not an address or prefix (e.g. 10.0.0.0/9)") from None
    return out


class AddressPlan(_Strict):
    """Which addresses belong to which network. Anything global and in neither plan is the Internet."""

    intranet: list[str] = Field(default_factory=lambda: ["10.0.0.0/9"])
    extranet: list[str] = Field(default_factory=lambda: ["10.128.0.0/9"])
    egress: list[str] = Field(default_factory=list, description="unified Internet egress addresses (NAT pool, proxies)")
    internet: list[str] = Field(
        default_factory=list, description="extra prefixes to treat as Internet even if not globally routable (labs)"
    )
    ignore: list[str] = Field(default_factory=list, description="prefixes never reported (scanners, monitoring hosts)")

    _v = field_validator("intranet", "extranet", "egress", "internet", "ignore")(_nets)


class CleartextRule(_Strict):
    id: str
    proto: Literal["tcp", "udp"]
    ports: list[int] = Field(min_length=1)
    to: Literal["any", "management"] = "any"
    decode: Literal["snmp"] | None = None
    severity: Severity = "high"
    why: str = ""


class IsolationRule(_Strict):
    id: str
    between: tuple[list[Zone], list[Zone]]
    severity: Severity = "critical"
    why: str = ""


class ScanRule(_Strict):
    id: str = "scan"
    severity: Severity = "medium"
    window_s: float = Field(60.0, gt=0)
    ports_per_host: int = Field(100, ge=2)
    hosts_per_port: int = Field(50, ge=2)
    why: str = ""


class SshBruteRule(_Strict):
    id: str = "ssh-bruteforce"
    ports: list[int] = Field(default_factory=lambda: [22])
    severity: Severity = "high"
    window_s: float = Field(300.0, gt=0)
    connections: int = Field(20, ge=2)
    why: str = ""


class SnmpBruteRule(_Strict):
    id: str = "snmp-auth-failure"
    severity: Severity = "high"
    failures: int = Field(10, ge=1)
    why: str = ""


class BruteRules(_Strict):
    ssh: SshBruteRule = Field(default_factory=SshBruteRule)
    snmp: SnmpBruteRule = Field(default_factory=SnmpBruteRule)


class RuleSet(_Strict):
    cleartext: list[CleartextRule] = Field(default_factory=list)
    isolation: list[IsolationRule] = Field(default_factory=list)
    scan: ScanRule = Field(default_factory=ScanRule)
    bruteforce: BruteRules = Field(default_factory=BruteRules)


class SecuritySettings(_Strict):
    """netmon.yaml ``security:``."""

    networks: AddressPlan = Field(default_factory=AddressPlan)
    management: list[str] = Field(
        default_factory=list, description="management prefixes in addition to every inventory device address"
    )
    rules: Path | None = Field(None, description="rule file replacing the built-in rules.yaml")
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        description="per-section overrides merged over the rule file, e.g. {scan: {ports_per_host: 30}}",
    )
    max_flows: int = Field(100_000, ge=100, description="distinct finding flows kept; beyond it flows merge per rule")
    max_sources: int = Field(50_000, ge=100, description="sources tracked for scan/brute-force counting")

    _m = field_validator("management")(_nets)


def section_with_lines(source: str, name: str, section: Any) -> Any:
    """The config section as loaded with line numbers (NetmonConfig keeps module sections as plain dicts)."""
    path = Path(source)
    if path.is_file():
        try:
            doc = load_yaml(path)
        except InputError:
            return section
        if isinstance(doc, dict) and isinstance(doc.get(name), dict):
            return doc[name]
    return section


def _errors(exc: ValidationError, source: str, doc: Any, prefix: tuple[str, ...] = ()) -> InputError:
    probs = []
    for e in exc.errors():
        loc = tuple(e["loc"])
        msg = "unknown setting" if e["type"] == "extra_forbidden" else e["msg"].removeprefix("Value error, ")
        line = line_for_loc(doc, loc) if doc is not None else None
        probs.append(Problem(source, msg, line, ".".join(str(p) for p in prefix + loc)))
    return InputError(probs)


def load_settings(section: dict[str, Any] | None, source: str = "netmon.yaml", doc: Any = None) -> SecuritySettings:
    try:
        return SecuritySettings.model_validate(section or {})
    except ValidationError as exc:
        doc = section_with_lines(source, "security", section) if doc is None else doc
        raise _errors(exc, source, doc, ("security",)) from None


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def load_rules(settings: SecuritySettings) -> RuleSet:
    path = settings.rules or RULES_FILE
    doc = load_yaml(path)
    if not isinstance(doc, dict):
        raise InputError.one(str(path), "a rule file is a mapping with cleartext/isolation/scan/bruteforce sections")
    merged = _merge(dict(doc), settings.overrides)
    try:
        return RuleSet.model_validate(merged)
    except ValidationError as exc:
        raise _errors(exc, str(path), doc) from None
