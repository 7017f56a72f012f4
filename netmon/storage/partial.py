"""InfluxDB's "partial write" refusals: which points of a batch were stored and which were not.

InfluxDB 1.x (and 2.x) store every point they can and answer HTTP 400 (2.x: 422)
``partial write: <reason> dropped=N`` for the rest. Retrying such a batch would only rewrite
the stored points, and dead-lettering all of it would count stored points as lost. So the
reply is read here: ``dropped=N`` plus one point per ``unable to parse '<line>'`` (InfluxDB
counts parse failures outside ``dropped``) is how many were refused, and the refused lines are
identified when the reason allows it (the quoted lines of parse errors; the measurement, field
and type named by a field type conflict). When they cannot be told apart (points beyond the
retention policy, several conflicts), the whole batch is set aside marked "partial: N of M".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lineproto import LineProtocolError, decode_lines

_PARTIAL = re.compile(r"partial write:\s*(?P<reason>.*?)\s*dropped=(?P<n>\d+)\s*$", re.S)
_PARSE = re.compile(r"unable to parse '(?P<line>.*?)': (?P<why>[^\n]*)")
_CONFLICT = re.compile(
    r'field type conflict: input field "(?P<f>(?:[^"\\]|\\.)*)" on measurement "(?P<m>(?:[^"\\]|\\.)*)" '
    r"is type (?P<t>\w+)"
)
_TYPES = {bool: "boolean", int: "integer", float: "float", str: "string"}


@dataclass(frozen=True)
class PartialWrite:
    """The sink stored ``points - dropped`` points of the batch and refused ``dropped``."""

    dropped: int
    points: int
    reason: str
    lines: tuple[str, ...] | None  # exactly the refused lines, when the reply tells which

    def describe(self) -> str:
        which = "identified" if self.lines is not None else "not identifiable from the reply: whole batch kept"
        return f"partial write: {self.dropped} of {self.points} points refused ({which}): {self.reason}"


def parse_partial(message: str, payload: bytes, points: int, precision: str = "ns") -> PartialWrite | None:
    """The partial write described by a sink's error text, or None if it is not one."""
    m = _PARTIAL.search(message)
    if m is None:
        return None
    reason = " ".join(m["reason"].split())
    parse_errors = [p["line"] for p in _PARSE.finditer(m["reason"])]
    dropped = min(points, int(m["n"]) + len(parse_errors))
    return PartialWrite(dropped, points, reason, _identify(m["reason"], parse_errors, dropped, payload, precision))


def _identify(
    reason: str, parse_errors: list[str], dropped: int, payload: bytes, precision: str
) -> tuple[str, ...] | None:
    try:
        lines = list(decode_lines(payload, precision))
    except (LineProtocolError, UnicodeDecodeError, ValueError):
        return None
    bad = set(parse_errors)
    found = {i for i, (raw, _) in enumerate(lines) if raw in bad}
    for c in _CONFLICT.finditer(reason):
        meas, field, typ = (re.sub(r"\\(.)", r"\1", c[k]) for k in ("m", "f", "t"))
        found.update(
            i
            for i, (_, p) in enumerate(lines)
            if p.measurement == meas and field in p.fields and _TYPES.get(type(p.fields[field])) == typ
        )
    # Only trust the identification when it accounts for exactly what the sink says it dropped.
    return tuple(lines[i][0] for i in sorted(found)) if len(found) == dropped > 0 else None
