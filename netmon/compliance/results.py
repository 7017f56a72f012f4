"""What a scan produces: findings with evidence, per device, and the whole run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .rules import RESULTS, Result, Severity

_RANK = {r: i for i, r in enumerate(RESULTS)}  # FAIL 0 (worst) ... N/A 4


def worst(results: list[Result]) -> Result:
    """Combine verdicts: FAIL > WARN > REVIEW > PASS > N/A."""
    return min(results, key=_RANK.__getitem__) if results else "N/A"


@dataclass(slots=True)
class Evidence:
    line: int  # 1-based line in the configuration; 0 = the whole file (an absent line)
    text: str  # the line, secrets masked
    note: str = ""


@dataclass(slots=True)
class Outcome:
    """One check's verdict on one device, before it becomes a Finding."""

    result: Result
    evidence: list[Evidence] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class WaiverRef:
    rule: str
    reason: str
    approver: str
    expires: str
    expired: bool
    source: str  # file:line


@dataclass(slots=True)
class Finding:
    rule: str
    title_en: str
    title_zh: str
    severity: Severity
    category: str
    clauses: list[str]  # fully numbered for the standard's level, e.g. "8.1.4.1 b"
    test_items: list[str]
    result: Result
    evidence: list[Evidence]
    notes: list[str]
    remediation: list[str]
    waiver: WaiverRef | None = None

    @property
    def waived(self) -> bool:
        """A live waiver hides a failing finding from scores and --fail-on; an expired one does not."""
        return self.waiver is not None and not self.waiver.expired and self.result in ("FAIL", "WARN")

    @property
    def counted_result(self) -> Result:
        return "N/A" if self.waived else self.result

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["waived"] = self.waived
        return d


@dataclass(slots=True)
class DeviceResult:
    device: str
    vendor: str
    source: str
    standard: str
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)  # inventory tags (tier, network, ...) when known
    time_ns: int = 0
    detection: dict[str, Any] = field(default_factory=dict)  # how sure content detection was (empty: vendor given)
    release: str | None = None  # software release the configuration records

    def counts(self) -> dict[str, int]:
        c = {"PASS": 0, "FAIL": 0, "WARN": 0, "REVIEW": 0, "N/A": 0}
        for f in self.findings:
            c[f.counted_result] += 1
        return c

    def high_fail(self) -> int:
        return sum(1 for f in self.findings if f.counted_result == "FAIL" and f.severity == "high")

    def to_dict(self) -> dict[str, Any]:
        from .scoring import score  # scoring imports this module

        return {
            "device": self.device,
            "vendor": self.vendor,
            "source": self.source,
            "standard": self.standard,
            "tags": self.tags,
            "notes": self.notes,
            "detection": self.detection,
            "release": self.release,
            "score_pct": score(self.findings),
            "counts": self.counts(),
            "findings": [f.to_dict() for f in self.findings],
        }
