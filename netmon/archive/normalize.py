"""Normalisation of a running config before comparison and storage.

Volatile lines (clocks, byte counts, drift estimates) and the who/when stamps are data in each
platform folder's ``config.yaml`` (``volatile:``, ``changed_by:``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..platforms import platforms
from ..platforms.registry import derived


@dataclass(frozen=True)
class _Rules:
    volatile: tuple[re.Pattern[str], ...]
    changed_by: tuple[re.Pattern[str], ...]


@derived
@cache
def _rules(platform: str) -> _Rules:
    p = platforms().get(platform)
    if p is None:
        return _Rules((), ())
    return _Rules(tuple(p.config.volatile.values()), tuple(p.config.changed_by))


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
