"""Times shown to people: one helper, in the configured local time zone.

Everything stored stays in UTC nanoseconds; reports, the demo's HTML and ``netmon alerts``
print local time (``timezone:`` in netmon.yaml, default the system's zone, e.g. Asia/Shanghai)
with the offset, so a Chinese message never shows an unexplained UTC time.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@cache
def zone(name: str | None = None) -> tzinfo:
    """The zone by IANA name; None: $TZ, else the system's (/etc/localtime), else UTC."""
    name = name or os.environ.get("TZ") or None
    if name:
        try:
            return ZoneInfo(name.lstrip(":"))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r} (an IANA name such as Asia/Shanghai)") from None
    local = datetime.now().astimezone().tzinfo
    try:
        link = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in link:
            return ZoneInfo(link.split("zoneinfo/", 1)[1])
    except (OSError, ZoneInfoNotFoundError, ValueError):
        pass
    return local or ZoneInfo("UTC")


def to_local(t: float | int | datetime, tz: tzinfo | None = None) -> datetime:
    """Seconds (float), nanoseconds (int > 1e15) or a datetime -> aware local datetime."""
    tz = tz or zone()
    if isinstance(t, datetime):
        return t.astimezone(tz)
    secs = t / 1e9 if isinstance(t, int) and abs(t) > 10**15 else float(t)
    return datetime.fromtimestamp(secs, tz)


def fmt_time(
    t: float | int | datetime | None, tz: tzinfo | None = None, seconds: bool = True, offset: bool = True
) -> str:
    """``2026-11-03 14:05:00 +08:00``; ``-`` for no time."""
    if t is None or t == 0:
        return "-"
    d = to_local(t, tz)
    s = d.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    if offset:
        z = d.strftime("%z")
        s += f" {z[:3]}:{z[3:]}" if z else ""
    return s


def fmt_duration(seconds: float, lang: str = "en") -> str:
    """``3d 4h 05m``, ``2h 10m``, ``45s``; in Chinese ``3天4小时5分``."""
    s = round(seconds)
    d, rem = divmod(s, 86400)
    h, rem = divmod(rem, 3600)
    m, sec = divmod(rem, 60)
    if lang == "zh":
        parts = [f"{d}天" if d else "", f"{h}小时" if h else "", f"{m}分" if m else ""]
        out = "".join(parts)
        return out or f"{sec}秒"
    if d:
        return f"{d}d {h}h {m:02d}m"
    if h:
        return f"{h}h {m:02d}m"
    if m:
        return f"{m}m {sec:02d}s" if sec else f"{m}m"
    return f"{sec}s"


def tz_label(tz: tzinfo) -> str:
    """The zone's name for a report header (Asia/Shanghai, or the UTC offset)."""
    key = getattr(tz, "key", None)
    if key:
        return str(key)
    off = datetime.now(tz).utcoffset() or timedelta(0)
    return f"UTC{off.total_seconds() / 3600:+g}"
