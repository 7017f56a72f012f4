"""What one probe found, before it becomes Points."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from netmon.model import FieldValue


class ProbeFailed(Exception):
    """A probe phase failed: ``error`` is the short class (a tag-like word), ``detail`` the message."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(f"{error}: {detail}")
        self.error = error
        self.detail = detail


@dataclass
class Phases:
    """Monotonic timestamps of the phases of one probe; missing phases stay None."""

    start: float = field(default_factory=time.perf_counter)
    marks: dict[str, float] = field(default_factory=dict)
    current: str = "start"

    def begin(self, phase: str) -> float:
        self.current = phase
        return time.perf_counter()

    def end(self, phase: str, t0: float) -> None:
        self.marks[phase] = self.marks.get(phase, 0.0) + (time.perf_counter() - t0) * 1000.0

    def total_ms(self) -> float:
        return (time.perf_counter() - self.start) * 1000.0


@dataclass
class CertInfo:
    """The presented chain, leaf first, and what validation said."""

    subject: str
    issuer: str
    not_after_s: int
    not_before_s: int
    days_left: float
    key_type: str  # rsa, ec, sm2, ed25519, ...
    sig_alg: str  # sha256WithRSAEncryption, SM2-with-SM3, ...
    serial: int
    chain_len: int
    chain_valid: bool | None  # None: not checked (verify off and no CA file)
    chain_error: str
    hostname_ok: bool | None
    self_signed: bool
    ocsp_urls: list[str]
    crl_urls: list[str]
    chain_subjects: list[str]

    def fields(self) -> dict[str, FieldValue]:
        out: dict[str, FieldValue] = {
            "days_left": round(self.days_left, 3),
            "not_after": self.not_after_s,
            "not_before": self.not_before_s,
            "subject": self.subject,
            "issuer": self.issuer,
            "key_type": self.key_type,
            "sig_alg": self.sig_alg,
            "serial": format(self.serial, "x"),
            "chain_len": self.chain_len,
            "chain": " < ".join(self.chain_subjects),
            "chain_error": self.chain_error,
            "self_signed": int(self.self_signed),
        }
        if self.chain_valid is not None:
            out["chain_valid"] = int(self.chain_valid)
        if self.hostname_ok is not None:
            out["hostname_ok"] = int(self.hostname_ok)
        return out


@dataclass
class Revocation:
    method: str  # ocsp | crl
    url: str
    reachable: bool
    status: str  # good, revoked, unknown, error
    response_ms: float
    error: str = ""
    detail: str = ""

    def fields(self) -> dict[str, FieldValue]:
        return {
            "reachable": int(self.reachable),
            "status": self.status,
            "revoked": int(self.status == "revoked"),
            "url": self.url,
            "response_ms": round(self.response_ms, 3),
            "error": self.error,
            "detail": self.detail,
        }


@dataclass
class ProbeResult:
    up: bool
    error: str = ""
    detail: str = ""
    fields: dict[str, FieldValue] = field(default_factory=dict)
    cert: CertInfo | None = None
    revocation: list[Revocation] = field(default_factory=list)
