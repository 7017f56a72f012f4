"""Masking of secrets in configuration text (patterns per platform in secrets.yaml)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

MASK = "******"
SECRETS_FILE = Path(__file__).with_name("secrets.yaml")


@cache
def _patterns(platform: str) -> tuple[re.Pattern[str], ...]:
    raw = yaml.safe_load(SECRETS_FILE.read_text(encoding="utf-8"))
    entries = list(raw.get("common", [])) + list(raw.get(platform, []))
    if platform not in raw:
        # An unknown platform gets every platform's patterns: over-masking beats a leak.
        entries = [e for v in raw.values() for e in v]
    return tuple(re.compile(e["pattern"]) for e in entries)


def mask_line(line: str, platform: str) -> str:
    spans: list[tuple[int, int]] = []
    for pat in _patterns(platform):
        for m in pat.finditer(line):
            s, e = m.span("secret")
            if s >= 0 and e > s:
                spans.append((s, e))
    if not spans:
        return line
    out, pos = [], 0
    for s, e in sorted(spans):
        if s < pos:
            s = pos
        if e <= s:
            continue
        out.append(line[pos:s])
        out.append(MASK)
        pos = e
    out.append(line[pos:])
    return "".join(out)


def mask_config(text: str, platform: str) -> str:
    """The text with every secret replaced by MASK; line structure unchanged."""
    return "\n".join(mask_line(ln, platform) for ln in text.split("\n"))


def mask_diff(diff: str, platform: str) -> str:
    """Mask a unified diff: body lines keep their +/-/space marker."""
    out = []
    for ln in diff.split("\n"):
        if ln[:1] in ("+", "-", " ") and not ln.startswith(("+++", "---")):
            out.append(ln[0] + mask_line(ln[1:], platform))
        else:
            out.append(ln)
    return "\n".join(out)
