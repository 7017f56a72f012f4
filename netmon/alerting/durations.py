"""Durations as operators write them: ``90s``, ``5m``, ``4h``, ``1d`` or a number of seconds."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")


def parse_duration(value: Any) -> float:
    """Seconds from ``value``; a ValueError names the accepted forms."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or e.g. 90s, 5m, 4h, 1d")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return float(value)
    m = _RE.match(str(value))
    if not m:
        raise ValueError(f"{value!r} is not a duration; write e.g. 90s, 5m, 4h, 1d or a number of seconds")
    return float(m.group(1)) * _UNITS[m.group(2) or "s"]


Duration = Annotated[float, BeforeValidator(parse_duration)]


def fmt_duration(seconds: float) -> str:
    s = int(seconds)
    if s % 86400 == 0 and s:
        return f"{s // 86400}d"
    if s % 3600 == 0 and s:
        return f"{s // 3600}h"
    if s % 60 == 0 and s:
        return f"{s // 60}m"
    return f"{s}s"
