"""The one secret-masking module: every secret in configuration text becomes ``******`` before it
is shown or emitted anywhere (archive show/diff, change events, points, compliance evidence in
every report format, SSH error messages and logs).

Patterns are data: ``common/secrets.yaml`` (every dialect) plus the platform folder's
``secrets.yaml`` (inherited through ``extends:``). Every group named ``secret`` or
``secret<N>`` of a matching pattern is replaced. An unknown platform gets every platform's
patterns: over-masking beats a leak. The mask is a constant, so a masked config is the same
from one run to the next and diffs do not churn.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache

from ..textlines import WRAPPED, wrapped_rest
from .registry import common, derived, platforms

MASK = "******"


@derived
@cache
def _patterns(platform: str | None) -> tuple[tuple[re.Pattern[str], str], ...]:
    """(pattern, a literal every match contains) for the platform; an unknown platform gets every
    platform's patterns. The literal lets a line skip a pattern with one substring test."""
    pats = [p.re for p in common().secrets.values()]
    regs = platforms()
    if platform is not None and platform in regs:
        pats += [p.re for p in regs[platform].secrets.values()]
    else:
        seen = {p.pattern for p in pats}
        for p in regs.values():
            for s in p.secrets.values():
                if s.re.pattern not in seen:
                    seen.add(s.re.pattern)
                    pats.append(s.re)
    return tuple((p, _required_literal(p)) for p in pats)


def _required_literal(p: re.Pattern[str]) -> str:
    """The longest run of literal characters at the pattern's top level (so in every match);
    "" when there is none or the pattern cannot be read (then the pattern always runs)."""
    if p.flags & re.IGNORECASE:
        return ""
    try:
        from re import _parser  # type: ignore[attr-defined]  # the stdlib's parser of the pattern it compiled

        best = cur = ""
        items = list(_parser.parse(p.pattern))
        while items:
            op, av = items.pop(0)
            if op is _parser.SUBPATTERN:  # a group (not repeated) is as mandatory as its context
                items[:0] = list(av[-1])
            elif op is _parser.LITERAL:
                cur += chr(av)
            else:
                best, cur = max(best, cur, key=len), ""
        return max(best, cur, key=len)
    except Exception:  # a private module: never let it cost a mask
        return ""


@derived
@cache
def _wrap(platform: str | None) -> int:
    """Terminal width at which the platform wraps long lines (0: never)."""
    regs = platforms()
    if platform is not None and platform in regs:
        return regs[platform].grammar.wrap
    return max((p.grammar.wrap for p in regs.values()), default=0)


def secret_spans(line: str, platform: str | None = None) -> list[tuple[int, int]]:
    """(start, end) of every secret in the line, sorted, overlapping ones merged."""
    spans: list[tuple[int, int]] = []
    for pat, literal in _patterns(platform):
        if literal and literal not in line:
            continue
        for m in pat.finditer(line):
            for name in pat.groupindex:
                if name.startswith("secret"):
                    s, e = m.span(name)
                    if 0 <= s < e:
                        spans.append((s, e))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _apply(line: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for s, e in spans:
        out.append(line[pos:s])
        out.append(MASK)
        pos = e
    out.append(line[pos:])
    return "".join(out)


def mask_line(line: str, platform: str | None = None) -> str:
    """One line with every secret replaced by ``******``."""
    spans = secret_spans(line, platform)
    return _apply(line, spans) if spans else line


_CONT = re.compile(r"^\S+")


def _mask_lines(lines: Iterable[str], platform: str | None) -> Iterator[str]:
    """Mask line by line. Where the device wraps long lines (ZXROS at 80 columns in a terminal
    capture), a secret that reaches the wrap column goes on at the start of the next line(s):
    that leading run is masked too."""
    width = _wrap(platform)
    carry, prev = False, ""
    for line in lines:
        spans = secret_spans(line, platform)
        # A line exactly the wrap width whose secret reaches its end certainly goes on below; a
        # capture at another width (132, 160 columns) shows it by a lone run of cipher characters.
        rest = 0
        if carry:
            rest = (m.end() if (m := _CONT.match(line)) else 0) if len(prev) == width else wrapped_rest(prev, line)
        if rest:
            spans = sorted([(0, rest), *spans])
            carry = rest == len(line) >= WRAPPED
        else:
            carry = False
        if spans and width and len(line) >= WRAPPED and spans[-1][1] == len(line):
            carry = True
        prev = line
        yield _apply(line, _merge(spans)) if spans else line


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


def mask_text(text: str, platform: str | None = None) -> str:
    """A configuration (or any device output) with every secret masked; lines keep their place."""
    return "\n".join(_mask_lines(text.split("\n"), platform))


def mask_diff(diff: str, platform: str | None = None) -> str:
    """A unified diff masked: body lines keep their +/-/space marker."""
    lines = diff.split("\n")
    body = [i for i, ln in enumerate(lines) if ln[:1] in ("+", "-", " ") and not ln.startswith(("+++", "---"))]
    masked = list(_mask_lines((lines[i][1:] for i in body), platform))
    out = list(lines)
    for i, m in zip(body, masked, strict=True):
        out[i] = lines[i][0] + m
    return "\n".join(out)
