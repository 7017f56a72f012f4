"""Normalisation of a running config before comparison and storage (volatile.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

VOLATILE_FILE = Path(__file__).with_name("volatile.yaml")


@dataclass(frozen=True)
class _Rules:
    volatile: tuple[re.Pattern[str], ...]
    changed_by: tuple[re.Pattern[str], ...]


@cache
def _rules(platform: str) -> _Rules:
    raw = yaml.safe_load(VOLATILE_FILE.read_text(encoding="utf-8")).get(platform) or {}
    return _Rules(
        tuple(re.compile(e["pattern"]) for e in raw.get("volatile") or []),
        tuple(re.compile(p) for p in raw.get("changed_by") or []),
    )


def normalize(text: str, platform: str) -> str:
    """Drop volatile lines, unify line ends, strip trailing blanks; ends with one newline."""
    rules = _rules(platform)
    lines = []
    for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        ln = ln.rstrip()
        if any(p.match(ln) for p in rules.volatile):
            continue
        lines.append(ln)
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n"


def changed_by(text: str, platform: str) -> tuple[str, str]:
    """(who, when) as the config itself records them; empty strings when it does not."""
    for pat in _rules(platform).changed_by:
        for ln in text.splitlines()[:40]:  # these stamps sit in the header
            m = pat.match(ln.rstrip())
            if m:
                d = m.groupdict()
                return (d.get("who") or "", d.get("when") or "")
    return "", ""
