"""Scan results as Points (``compliance``, ``compliance_rule`` in docs/SCHEMA.md) and alert events
for high-severity failures that were not failing in the previous scan."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..fsmode import write_private
from ..model import Point
from .results import DeviceResult
from .scoring import score


def _tags(r: DeviceResult) -> dict[str, str]:
    tags = dict(r.tags) if r.tags else {"device": r.device, "vendor": r.vendor}
    tags["standard"] = r.standard
    return tags


def to_points(results: list[DeviceResult], time_ns: int | None = None) -> list[Point]:
    """One ``compliance`` point per device and one ``compliance_rule`` point per device and rule."""
    t = time_ns or time.time_ns()
    out: list[Point] = []
    for r in results:
        c = r.counts()
        tags = _tags(r)
        s = score(r.findings)
        fields: dict[str, float | int | str | bool] = {
            "pass": c["PASS"],
            "fail": c["FAIL"],
            "warn": c["WARN"],
            "review": c["REVIEW"],
            "na": c["N/A"],
            "high_fail": r.high_fail(),
        }
        if s is not None:
            fields["score_pct"] = float(s)
        out.append(Point("compliance", tags, fields, t))
        for f in r.findings:
            rt = dict(
                tags, rule=f.rule, clause=",".join(f.clauses) or "-", severity=f.severity, result=f.counted_result
            )
            out.append(Point("compliance_rule", rt, {"failed": int(f.counted_result == "FAIL")}, t))
    return out


@dataclass(slots=True)
class ComplianceEvent:
    """A high-severity rule that newly fails on a device: what the alert engine notifies about."""

    device: str
    rule: str
    severity: str
    standard: str
    clauses: list[str]
    title: str
    evidence: list[str]  # "line: text" with secrets masked
    tags: dict[str, str] = field(default_factory=dict)
    time_ns: int = 0

    def summary(self) -> str:
        return f"{self.device}: {self.rule} {self.title} now FAILS ({', '.join(self.clauses) or self.standard})"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["summary"] = self.summary()
        return d


def failing_high(results: list[DeviceResult]) -> dict[str, list[str]]:
    """device -> rules failing with high severity (not waived): the state kept between scans."""
    return {
        r.device: sorted(f.rule for f in r.findings if f.counted_result == "FAIL" and f.severity == "high")
        for r in results
    }


def new_high_failures(previous: dict[str, list[str]] | None, results: list[DeviceResult]) -> list[ComplianceEvent]:
    """Events for high FAILs absent from ``previous``. A device missing from ``previous`` (its
    first scan) raises one for every high FAIL, so nothing slips by unnoticed."""
    prev = previous or {}
    events: list[ComplianceEvent] = []
    for r in results:
        before = set(prev.get(r.device, []))
        for f in r.findings:
            if f.counted_result == "FAIL" and f.severity == "high" and f.rule not in before:
                events.append(
                    ComplianceEvent(
                        r.device,
                        f.rule,
                        f.severity,
                        r.standard,
                        f.clauses,
                        f.title_en,
                        [f"{e.line}: {e.text}" for e in f.evidence[:5]],
                        _tags(r),
                        r.time_ns or time.time_ns(),
                    )
                )
    return events


def load_state(path: Path) -> dict[str, list[str]] | None:
    if not path.exists():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError.one(str(path), f"not a compliance state file: {exc}") from None
    if not isinstance(doc, dict) or not all(isinstance(v, list) for v in doc.values()):
        raise InputError.one(str(path), "not a compliance state file (expected device -> [rule, ...])")
    return {str(k): [str(x) for x in v] for k, v in doc.items()}


def save_state(path: Path, results: list[DeviceResult], previous: dict[str, list[str]] | None = None) -> None:
    """Write the high-FAIL state, keeping devices not in this scan; atomically (tmp + rename)."""
    state = dict(previous or {})
    state.update(failing_high(results))
    tmp = path.with_suffix(path.suffix + ".tmp")
    write_private(tmp, json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True))
    tmp.replace(path)
