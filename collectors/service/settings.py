"""The ``services:`` section of netmon.yaml and the target files it names (pydantic).

A target is one thing to probe (a portal URL, a DNS name on a resolver, a TCP port, a
certificate). Each names the vantages (pollers) that probe it: a province's 政务服务 portal is
probed from its own province's poller and from the centre, and the points carry the vantage,
so "down from two vantage points" can be told from "this poller's link is down".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from netmon.errors import InputError, Problem
from netmon.inventory import Tier
from netmon.secrets import SecretStore, is_reference, secret_ref
from netmon.security.settings import section_with_lines
from netmon.yamlio import LineDict, line_of, load_yaml, pydantic_problems

Kind = Literal["http", "dns", "tcp", "tls"]
Redirects = Literal["follow", "same-host", "none"]
RECORD_TYPES = ("A", "AAAA", "CNAME", "MX", "NS", "TXT", "SOA", "PTR", "SRV", "CAA")
RCODES = ("NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED")
NAME_RE = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$"
# Header names that carry credentials: their values must be env:/secret: references.
_SENSITIVE_HEADER = re.compile(r"authorization|cookie|token|secret|password|api[-_]?key|session", re.I)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _host_port(v: str, default: int) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]:port`` -> (host, port)."""
    v = v.strip()
    if v.startswith("["):
        host, _, rest = v[1:].partition("]")
        return host, int(rest[1:]) if rest.startswith(":") else default
    if v.count(":") == 1:
        host, _, port = v.partition(":")
        return host, int(port)
    return v, default


class Target(_Strict):
    """One service target. Fields not used by its kind are refused, so a typo is not silently ignored."""

    name: str = Field(pattern=NAME_RE, description="ASCII id: the `target` tag and the alert label")
    kind: Kind
    vantages: list[str] = Field(default_factory=list, description="pollers that probe it; empty = every poller")
    # Tags of the point: where the service lives (as for devices), so dashboards slice by tier.
    network: Literal["intranet", "extranet"] | None = None
    tier: Tier | None = None
    region: str | None = None
    site: str | None = None
    tags: dict[str, str] = Field(default_factory=dict, description="extra point tags")
    timeout: float | None = Field(
        None, gt=0, le=120, description="seconds for the whole probe (default services.timeout)"
    )
    # http
    url: str | None = None
    method: Literal["GET", "HEAD"] = "GET"
    expect_status: list[int] = Field(default_factory=list, description="accepted final status codes (default 2xx)")
    match: str | None = Field(None, description="regular expression the body must contain")
    redirects: Redirects = "follow"
    max_redirects: int = Field(5, ge=0, le=20)
    verify: bool = Field(True, description="https/tls: fail when the chain or host name does not validate")
    headers: dict[str, str] = Field(default_factory=dict)
    max_body_bytes: int = Field(1 << 20, ge=0, description="read at most this much of the body (content match)")
    # tcp / tls
    host: str | None = None
    port: int | None = Field(None, ge=1, le=65535)
    server_name: str | None = Field(None, description="TLS SNI and name checked (default: the host)")
    ca_file: Path | None = Field(
        None, description="CA bundle the chain must lead to (default services.ca_file, else the system's)"
    )
    revocation: bool = Field(False, description="https/tls: query the certificate's OCSP responder and CRL")
    # dns
    server: str | None = Field(None, description="resolver address[:port] to ask")
    query: str | None = None
    record_type: str = "A"
    expect: list[str] = Field(default_factory=list, description="records the answer must contain")
    expect_rcode: str = "NOERROR"
    transport: Literal["udp", "tcp"] = "udp"

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, v: Any) -> Any:
        return {str(k): str(x) for k, x in v.items()} if isinstance(v, dict) else v

    _secret_headers: dict[str, SecretStr] = PrivateAttr(default_factory=dict)

    @field_validator("headers")
    @classmethod
    def _headers(cls, v: dict[str, str]) -> dict[str, str]:
        for name, value in v.items():
            if _SENSITIVE_HEADER.search(name):
                try:
                    secret_ref(value)
                except ValueError as exc:
                    raise ValueError(f"{name}: {exc}") from None
        return v

    @field_validator("record_type", "expect_rcode")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()

    @field_validator("match")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return v

    @model_validator(mode="after")
    def _by_kind(self) -> Target:
        need = {"http": ("url",), "dns": ("server", "query"), "tcp": ("host", "port"), "tls": ("host",)}[self.kind]
        for f in need:
            if getattr(self, f) in (None, ""):
                raise ValueError(f"a {self.kind} target needs `{f}`")
        if self.kind == "http":
            if not re.match(r"^https?://[^/\s]+", self.url or ""):
                raise ValueError(f"url {self.url!r} is not http:// or https://")
            if re.match(r"^https?://[^/@]*:[^/@]*@", self.url or ""):
                raise ValueError("a password in the URL is not allowed; use headers: {Authorization: secret:NAME}")
            for c in self.expect_status:
                if not 100 <= c <= 599:
                    raise ValueError(f"expect_status: {c} is not an HTTP status")
        if self.kind == "dns":
            if self.record_type not in RECORD_TYPES:
                raise ValueError(f"record_type {self.record_type!r}: one of {', '.join(RECORD_TYPES)}")
            if self.expect_rcode not in RCODES:
                raise ValueError(f"expect_rcode {self.expect_rcode!r}: one of {', '.join(RCODES)}")
            try:
                _host_port(self.server or "", 53)
            except ValueError:
                raise ValueError(f"server {self.server!r} is not address[:port]") from None
        if self.kind == "tls" and self.port is None:
            self.port = 443
        if self.region is not None and not self.region.strip("/"):
            raise ValueError("region is empty")
        return self

    def resolve_secrets(self, store: SecretStore, source: str) -> None:
        """Resolve referenced header values now, so a missing secret is an error at load, not at 3 a.m."""
        self._secret_headers = {
            k: store.resolve(v, f"{source}: target {self.name}: headers.{k}")
            for k, v in self.headers.items()
            if is_reference(v)
        }

    def header_items(self) -> list[tuple[str, str]]:
        """Headers to send, secrets resolved (only here, at the moment they are written to the socket)."""
        return [
            (k, self._secret_headers[k].get_secret_value() if k in self._secret_headers else v)
            for k, v in self.headers.items()
        ]

    @property
    def dns_server(self) -> tuple[str, int]:
        return _host_port(self.server or "", 53)

    def point_tags(self, vantage: str) -> dict[str, str]:
        """Tags of every point about this target: its own, where it lives, and who probed it."""
        region = (self.region or "").strip("/")
        tags = {
            **self.tags,
            "target": self.name,
            "kind": self.kind,
            "vantage": vantage,
            "network": self.network or "",
            "tier": self.tier.value if self.tier else "",
            "region": region or "-",
            "province": region.split("/")[0] if region else "-",
            "site": self.site or "",
        }
        return {k: v for k, v in tags.items() if v != ""}


class ServiceSettings(_Strict):
    """netmon.yaml ``services:``."""

    enabled: bool = True
    vantage: str = Field("central", min_length=1, description="this poller's name as targets' `vantages` list it")
    timeout: float = Field(10.0, gt=0, le=120, description="seconds for one probe, all phases together")
    concurrency: int = Field(64, ge=1, le=4096, description="probes in flight at once")
    ca_file: Path | None = Field(None, description="default CA bundle for chain validation (else the system's)")
    user_agent: str = "netmon-service-probe/1"
    files: list[Path] = Field(
        default_factory=list, description="target files (YAML with `targets:`), relative to netmon.yaml"
    )
    targets: list[Target] = Field(default_factory=list)

    def mine(self) -> list[Target]:
        """The targets this poller probes (its vantage is listed, or the target lists none)."""
        return [t for t in self.targets if not t.vantages or self.vantage in t.vantages]


def _load_targets(path: Path, problems: list[Problem]) -> list[Target]:
    try:
        doc = load_yaml(path)
    except InputError as exc:
        problems.extend(exc.problems)
        return []
    items = doc.get("targets") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        problems.append(Problem(str(path), "a target file is a mapping with `targets:`, a list", line_of(doc)))
        return []
    out = []
    for i, item in enumerate(items):
        try:
            out.append(Target.model_validate(item))
        except ValidationError as exc:
            problems.extend(pydantic_problems(exc, str(path), item, ("targets", i)))
    return out


def load_service_settings(
    section: dict[str, Any] | None, source: str = "netmon.yaml", store: SecretStore | None = None
) -> ServiceSettings:
    """Validate ``services:`` and read its target files; every problem names file:line: field: reason."""
    doc = section_with_lines(source, "services", section)
    problems: list[Problem] = []
    try:
        settings = ServiceSettings.model_validate(section or {})
    except ValidationError as exc:
        raise InputError(pydantic_problems(exc, source, doc, ("services",))) from None
    base = Path(source).resolve().parent if Path(source).is_file() else Path.cwd()

    def rel(p: Path) -> Path:
        return p if p.is_absolute() else base / p

    settings.ca_file = rel(settings.ca_file) if settings.ca_file else None
    for path in settings.files:
        settings.targets.extend(_load_targets(rel(path), problems))
    seen: dict[str, int] = {}
    for i, t in enumerate(settings.targets):
        if t.ca_file is not None:
            t.ca_file = rel(t.ca_file)
        if t.name in seen:
            problems.append(Problem(source, f"duplicate target name {t.name!r}", None, f"services.targets[{i}].name"))
        seen[t.name] = i
        ca = t.ca_file or settings.ca_file
        if ca is not None and t.kind in ("http", "tls") and not ca.is_file():
            problems.append(Problem(source, f"ca_file {ca} does not exist", None, f"target {t.name}: ca_file"))
        try:
            t.resolve_secrets(store or SecretStore(), source)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return settings


def load_target_file(path: Path, store: SecretStore | None = None) -> list[Target]:
    """Targets of one file (``netmon services check --file``); header secrets from the environment."""
    problems: list[Problem] = []
    out = _load_targets(path, problems)
    for t in out:
        try:
            t.resolve_secrets(store or SecretStore(), str(path))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return out


__all__ = ["LineDict", "ServiceSettings", "Target", "load_service_settings", "load_target_file"]
