"""Scores: per device, per clause, per tier and network, and for the whole scan.

score = 100 x sum(weight x credit) / sum(weight) over findings that can be judged, with
weight by severity (high 3, medium 2, low 1) and credit PASS 1, WARN 0.5, FAIL 0. REVIEW,
N/A and waived findings are left out: they neither earn nor lose points. None when nothing
could be judged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .results import DeviceResult, Finding

WEIGHT = {"high": 3.0, "medium": 2.0, "low": 1.0}
# Tiers listed centre first, as the network is drawn; other tag values sort alphabetically.
_ORDER = {"central": 0, "province": 1, "city": 2, "county": 3, "township": 4, "unknown": 100}
CREDIT = {"PASS": 1.0, "WARN": 0.5, "FAIL": 0.0}


def score(findings: Iterable[Finding]) -> float | None:
    num = den = 0.0
    for f in findings:
        r = f.counted_result
        if r in CREDIT:
            w = WEIGHT[f.severity]
            num += w * CREDIT[r]
            den += w
    return round(100.0 * num / den, 1) if den else None


@dataclass(slots=True)
class Group:
    key: str
    score_pct: float | None
    devices: int
    fail: int
    high_fail: int


def _group(results: list[DeviceResult], key_of: dict[str, str]) -> list[Group]:
    by: dict[str, list[DeviceResult]] = defaultdict(list)
    for r in results:
        by[key_of.get(r.device, "unknown")].append(r)
    return [
        Group(
            k,
            score([f for r in rs for f in r.findings]),
            len(rs),
            sum(r.counts()["FAIL"] for r in rs),
            sum(r.high_fail() for r in rs),
        )
        for k, rs in sorted(by.items(), key=lambda kv: (_ORDER.get(kv[0], 99), kv[0]))
    ]


def by_tag(results: list[DeviceResult], tag: str) -> list[Group]:
    """Scores grouped by an inventory tag (tier, network, province...); 'unknown' without inventory."""
    return _group(results, {r.device: r.tags.get(tag, "unknown") for r in results})


@dataclass(slots=True)
class ClauseScore:
    clause: str
    score_pct: float | None
    fail: int  # failing findings (device x rule) citing the clause
    warn: int
    rules: list[str]


def by_clause(results: list[DeviceResult]) -> list[ClauseScore]:
    found: dict[str, list[Finding]] = defaultdict(list)
    for r in results:
        for f in r.findings:
            for c in f.clauses:
                found[c].append(f)
    out = [
        ClauseScore(
            c,
            score(fs),
            sum(1 for f in fs if f.counted_result == "FAIL"),
            sum(1 for f in fs if f.counted_result == "WARN"),
            sorted({f.rule for f in fs}),
        )
        for c, fs in found.items()
    ]
    return sorted(out, key=lambda c: _clause_key(c.clause))


def top_failing_clauses(results: list[DeviceResult], n: int = 10) -> list[ClauseScore]:
    return sorted((c for c in by_clause(results) if c.fail), key=lambda c: (-c.fail, _clause_key(c.clause)))[:n]


def _clause_key(c: str) -> tuple[object, ...]:
    num, _, letter = c.partition(" ")
    return (*(int(x) if x.isdigit() else 0 for x in num.split(".")), letter)


def network_score(results: list[DeviceResult]) -> float | None:
    return score(f for r in results for f in r.findings)
