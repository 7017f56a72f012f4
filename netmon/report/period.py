"""Report periods in the local time zone: a month, or --from/--to."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo

from ..errors import InputError

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def month(text: str, tz: tzinfo) -> tuple[datetime, datetime]:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InputError.one("--month", f"{text!r} is not a month like 2026-11")
    y, mo = int(m.group(1)), int(m.group(2))
    start = datetime(y, mo, 1, tzinfo=tz)
    end = datetime(y + (mo == 12), mo % 12 + 1, 1, tzinfo=tz)
    return start, end


def moment(text: str, tz: tzinfo, opt: str, end: bool = False) -> datetime:
    """YYYY-MM-DD (a whole day: --to includes it) or an ISO time; without an offset it is local time."""
    text = text.strip()
    try:
        if _DATE.match(text):
            d = datetime.fromisoformat(text).replace(tzinfo=tz)
            return d + timedelta(days=1) if end else d
        d = datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        raise InputError.one(
            opt, f"{text!r} is not a date (2026-11-03) or time (2026-11-03T08:00, +08:00 optional)"
        ) from None
    return d if d.tzinfo else d.replace(tzinfo=tz)


def period(
    month_text: str | None, frm: str | None, to: str | None, tz: tzinfo, now: datetime | None = None
) -> tuple[datetime, datetime]:
    if month_text and (frm or to):
        raise InputError.one("--month", "give either --month or --from/--to, not both")
    if month_text:
        return month(month_text, tz)
    if not frm:
        raise InputError.one("--from", "give --month 2026-11 or --from DATE [--to DATE]")
    start = moment(frm, tz, "--from")
    end = moment(to, tz, "--to", end=True) if to else (now or datetime.now(tz))
    if end <= start:
        raise InputError.one("--to", "the period ends before it starts")
    return start, end
