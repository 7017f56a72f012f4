"""Agreement of netmon's verdicts with hand verdicts (an ``expected.yaml`` beside a folder of
``<platform>/*.cfg``): precision and recall of FAIL/WARN, overall agreement, per platform, and
every disagreement. Used by bench/bench_accuracy.py and the tuning-set test.

A verdict of FAIL or WARN is *positive*. An agreed positive is a rule where netmon gives exactly
the expected positive verdict (a FAIL read as WARN is a disagreement, not half a hit).
precision = agreed positives / netmon positives; recall = agreed positives / expected positives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from .engine import evaluate_rule
from .rules import Rule, load_rules
from .source import read_device_configs

POSITIVE = ("FAIL", "WARN")


@dataclass(slots=True)
class Verdict:
    file: str  # <platform>/<file> as keyed in expected.yaml
    platform: str  # expected platform (the folder's key)
    rule: str
    expected: str
    got: str
    note: str = ""  # netmon's first note or evidence note, to judge a disagreement


@dataclass(slots=True)
class Tally:
    total: int = 0
    agree: int = 0
    agreed_pos: int = 0
    netmon_pos: int = 0
    expected_pos: int = 0

    def add(self, v: Verdict) -> None:
        self.total += 1
        self.agree += v.expected == v.got
        self.netmon_pos += v.got in POSITIVE
        self.expected_pos += v.expected in POSITIVE
        self.agreed_pos += v.got == v.expected and v.got in POSITIVE

    @property
    def precision(self) -> float:
        return self.agreed_pos / self.netmon_pos if self.netmon_pos else 1.0

    @property
    def recall(self) -> float:
        return self.agreed_pos / self.expected_pos if self.expected_pos else 1.0

    @property
    def agreement(self) -> float:
        return self.agree / self.total if self.total else 1.0


@dataclass(slots=True)
class Report:
    verdicts: list[Verdict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # wrong platform/release, unreadable file

    @property
    def overall(self) -> Tally:
        t = Tally()
        for v in self.verdicts:
            t.add(v)
        return t

    def per_platform(self) -> dict[str, Tally]:
        out: dict[str, Tally] = {}
        for v in self.verdicts:
            out.setdefault(v.platform, Tally()).add(v)
        return out

    @property
    def disagreements(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.expected != v.got]


def _note(o: Any) -> str:
    bits = [*o.notes, *(e.note for e in o.evidence if e.note)]
    return bits[0] if bits else ""


def load_expected(folder: Path) -> dict[str, Any]:
    path = folder / "expected.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise InputError.one(str(path), "expected a mapping of <platform>/<file> to verdicts")
    return doc


def measure(folder: Path, rules: dict[str, Rule] | None = None) -> Report:
    """Scan every ``<platform>/*.cfg`` under ``folder`` listed in its expected.yaml."""
    rules = rules if rules is not None else load_rules()
    expected = load_expected(folder)
    rep = Report()
    on_disk = {p.relative_to(folder).as_posix() for p in folder.glob("*/*.cfg")}
    for missing in sorted(on_disk - set(expected)):
        rep.problems.append(f"{missing}: no hand verdicts in expected.yaml (not measured)")
    for key, want in expected.items():
        platform = str(want.get("vendor") or key.split("/", 1)[0])
        results: dict[str, str] = {str(r): str(v) for r, v in (want.get("results") or {}).items()}
        try:
            cfgs = read_device_configs(folder / key)
        except InputError as exc:
            rep.problems.append(f"{key}: not scanned: {exc}")
            rep.verdicts.extend(Verdict(key, platform, r, v, "ERROR", str(exc)) for r, v in results.items())
            continue
        cfg = cfgs[0]
        if cfg.vendor != platform:
            rep.problems.append(f"{key}: detected as {cfg.vendor}, expected {platform}")
        if "release" in want and (want["release"] or None) != cfg.release:
            rep.problems.append(f"{key}: release read {cfg.release!r}, expected {want['release']!r}")
        for rid, exp in results.items():
            rule = rules.get(rid)
            if rule is None:
                rep.verdicts.append(Verdict(key, platform, rid, exp, "ERROR", "no such rule"))
                continue
            o = evaluate_rule(rule, cfg)
            rep.verdicts.append(Verdict(key, platform, rid, exp, o.result, _note(o)))
    return rep


def summary(rep: Report) -> list[str]:
    def line(name: str, t: Tally) -> str:
        return (
            f"{name:<14} precision {100 * t.precision:5.1f}%  recall {100 * t.recall:5.1f}%  "
            f"agreement {100 * t.agreement:5.1f}% ({t.agree}/{t.total})"
        )

    out = [line("overall", rep.overall)]
    out += [line(p, t) for p, t in sorted(rep.per_platform().items())]
    return out
