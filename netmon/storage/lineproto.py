"""Points to line protocol (influxdb-client's serializer) and back (for the SQLite sink).

Encoding uses influxdb-client's own escaping functions, so what we spool and send is exactly
what the official client would send. Two things line protocol cannot carry are handled here
and documented in docs/STORAGE.md:

- tag keys/values, field keys and measurement names cannot hold newlines, tabs or carriage
  returns (InfluxDB stores the client's ``\\n`` escape as two characters) nor a backslash
  before a space, comma, ``=`` or at the end, so those become a space / are dropped, the same
  for every sink (``clean_key``). String *fields* carry anything, newlines included.
- points that no database would accept (NaN/inf, no fields, strings over 64 KiB, a series
  key or field name over InfluxDB's 64 KiB key limit, a time before 1970 or more than a year
  ahead of this host's clock, text that is not valid Unicode, unknown value types, a field or
  tag named ``time``) are refused with a reason, one by one: one bad point never fails a batch.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from influxdb_client.client.write.point import (  # the official serializer's escaping rules
    _ESCAPE_MEASUREMENT,
    _append_tags,
    _escape_key,
    _escape_string,
)
from mypy_extensions import mypyc_attr

from ..model import FieldValue, Point

# InfluxDB 1.x refuses string fields over 64 KiB; 2.x allows more but queries choke on them.
MAX_STRING = 64 * 1024
# InfluxDB's models.MaxKeyLength: measurement + tags (the series key) and field keys.
MAX_KEY = 65535
# InfluxDB's models.MaxNanoTime (2262-04-11); later times do not parse.
MAX_TIME_NS = (1 << 63) - 2
# A time further ahead than this is a broken clock, not a measurement.
MAX_AHEAD_NS = 366 * 86400 * 10**9
_INT64 = (-(1 << 63), (1 << 63) - 1)
_CONTROL = str.maketrans({"\n": " ", "\r": " ", "\t": " "})
_TAG_CACHE_MAX = 200_000
_BAD_BACKSLASH = re.compile(r"\\+(?=[ ,=]|$)")


@dataclass(frozen=True, slots=True)
class PointError:
    """Why one point was refused; names the measurement and device so an operator can find it."""

    measurement: str
    device: str
    reason: str
    line: str = ""  # the point as line protocol when it could be formatted (for dead-letter.lp)

    def __str__(self) -> str:
        who = f" device {self.device}" if self.device else ""
        return f"point {self.measurement!r}{who}: {self.reason}"


@mypyc_attr(native_class=False)  # a list subclass: mypyc compiles it as a plain Python class
class Encoded(list[Point]):
    """Points of one poll already encoded where they were made (a ``--workers`` child).

    ``payloads`` is their line protocol with its point count (one per spool batch), ``errors``
    the points refused on encoding, ``total`` the points the poll made; the list itself holds the points the parent still reads (``snmp_reach``, and what alert rules
    read, trimmed to those fields): they are not stored again.
    """

    payloads: list[tuple[bytes, int]]
    errors: list[PointError]
    total: int

    @classmethod
    def of(
        cls, payloads: list[tuple[bytes, int]], errors: list[PointError], total: int, points: list[Point]
    ) -> Encoded:
        out = cls(points)
        out.payloads, out.errors, out.total = payloads, errors, total
        return out

    @property
    def stored(self) -> int:
        return sum(n for _, n in self.payloads)


def clean_key(s: str) -> str:
    """What a measurement/tag key/tag value becomes so it survives line protocol exactly:
    control characters become spaces, and a backslash right before a space, comma, '=' or the
    end is dropped (line protocol reads it as an escape; InfluxDB would store something else)."""
    s = s.translate(_CONTROL)
    return _BAD_BACKSLASH.sub("", s) if "\\" in s else s


class _Refused(Exception):
    """A point no database would accept; the message is the reason."""

    def __init__(self, reason: str, line: str = "") -> None:
        super().__init__(reason)
        self.line = line


def _check_series(measurement: object, tags: object) -> None:
    if not isinstance(measurement, str) or not clean_key(measurement).strip():
        raise _Refused("empty measurement name")
    if measurement.startswith("#"):
        raise _Refused("measurement names may not start with '#' (line protocol reads it as a comment)")
    if not isinstance(tags, dict):
        raise _Refused("tags must be a dict of strings")
    for k, v in tags.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise _Refused(f"tag {k!r} must be a string (got {type(v).__name__})")
        if clean_key(k) == "time":
            raise _Refused("tag name 'time' is not allowed")


class Encoder:
    """Serialises points with influxdb-client's escaping; validates them on the way.

    Caches, per series, the escaped ``measurement,tags`` prefix and, per field-key set, the
    sorted escaped ``key=`` strings: both repeat every poll, so a warm point costs only the
    formatting of its values.
    """

    def __init__(self, precision: str = "ns") -> None:
        from .urls import PRECISIONS

        self._div = PRECISIONS[precision]
        self._prefix: dict[tuple[str, tuple[tuple[str, str], ...]], str] = {}
        self._layouts: dict[tuple[str, ...], list[tuple[str, str]]] = {}

    def _series(self, p: Point) -> str:
        try:
            key = (p.measurement, tuple(p.tags.items()))
            s = self._prefix.get(key)
        except (TypeError, AttributeError):  # unhashable tag values, tags not a dict
            _check_series(p.measurement, p.tags)
            raise
        if s is None:
            _check_series(p.measurement, p.tags)
            if len(self._prefix) >= _TAG_CACHE_MAX:
                self._prefix.clear()
            tags = {clean_key(k): clean_key(v) for k, v in p.tags.items()}
            s = _escape_key(clean_key(p.measurement), _ESCAPE_MEASUREMENT) + _append_tags(tags)
            if len(s) > MAX_KEY // 4 and len(s.encode(errors="replace")) > MAX_KEY:
                raise _Refused(f"series key (measurement and tags) of {len(s.encode(errors='replace'))} bytes "
                               f"(InfluxDB's limit is {MAX_KEY})")  # fmt: skip
            self._prefix[key] = s
        return s

    def _layout(self, keys: tuple[str, ...]) -> list[tuple[str, str]]:
        cleaned: dict[str, str] = {}
        for k in keys:
            ck = clean_key(k) if isinstance(k, str) else ""
            if not ck or ck == "time":
                raise _Refused(f"field name {k!r} is not allowed")
            if ck in cleaned:
                raise _Refused(f"field names {cleaned[ck]!r} and {k!r} are the same in line protocol")
            if len(ck) > MAX_KEY // 4 and len(ck.encode(errors="replace")) > MAX_KEY:
                raise _Refused(
                    f"a field name of {len(ck.encode(errors='replace'))} bytes (InfluxDB's limit is {MAX_KEY})"
                )
            cleaned[ck] = k
        if len(self._layouts) >= _TAG_CACHE_MAX:
            self._layouts.clear()
        layout = [(cleaned[ck], _escape_key(ck) + "=") for ck in sorted(cleaned)]
        self._layouts[keys] = layout
        return layout

    def _line(self, p: Point) -> str:
        fields = p.fields
        if not fields:
            raise _Refused("no fields (a point needs at least one field value)")
        t = p.time_ns
        if type(t) is not int:
            raise _Refused(f"time_ns must be an int, not {type(t).__name__}")
        keys = tuple(fields)
        layout = self._layouts.get(keys) or self._layout(keys)
        prefix = self._series(p)
        line = f"{prefix}{_fields_body(fields, layout)} {t if self._div == 1 else t // self._div}"
        if not 0 <= t <= self._tmax:
            why = (
                "before 1970" if t < 0
                else "beyond InfluxDB's time range (2262)" if t > MAX_TIME_NS
                else "more than a year ahead of this host's clock"
            )  # fmt: skip
            raise _Refused(f"time {t} ns is {why}", line)
        return line

    def encode(self, points: Iterable[Point]) -> tuple[bytes, int, list[PointError]]:
        """Line protocol for the good points, their count, and an error for each refused one."""
        lines: list[str] = []
        errors: list[PointError] = []
        self._tmax = min(MAX_TIME_NS, time.time_ns() + MAX_AHEAD_NS)
        for p in points:
            try:
                lines.append(self._line(p))
            except (_Refused, TypeError, AttributeError) as exc:
                reason = str(exc) if isinstance(exc, _Refused) else f"not a valid point ({exc})"
                line = exc.line if isinstance(exc, _Refused) else ""
                errors.append(PointError(str(getattr(p, "measurement", "?")), _device(p), reason, line))
        if not lines:
            return b"", 0, errors
        lines.append("")
        try:
            return "\n".join(lines).encode(), len(lines) - 1, errors
        except UnicodeEncodeError:  # a lone surrogate somewhere: refuse those lines, keep the rest
            return self._encode_each(lines, errors)

    _tmax = MAX_TIME_NS

    @staticmethod
    def _encode_each(lines: list[str], errors: list[PointError]) -> tuple[bytes, int, list[PointError]]:
        good: list[bytes] = []
        for line in lines[:-1]:
            try:
                good.append(line.encode())
            except UnicodeEncodeError as exc:
                shown = line.encode(errors="backslashreplace").decode()
                m = _MEASUREMENT.match(shown)
                errors.append(
                    PointError(
                        m.group(0) if m else "?",
                        "",
                        f"holds text that is not valid Unicode ({exc.reason} {line[exc.start : exc.end]!a})",
                        shown,
                    )
                )
        if not good:
            return b"", 0, errors
        good.append(b"")
        return b"\n".join(good), len(good) - 1, errors


_MEASUREMENT = re.compile(r"(?:[^\\ ,]|\\.)+")


def _device(p: object) -> str:
    tags = getattr(p, "tags", None)
    return str(tags.get("device", "")) if isinstance(tags, dict) else ""


def _fields_body(fields: Mapping[str, object], layout: list[tuple[str, str]]) -> str:
    """influxdb-client's ``_append_fields`` with the escaped keys cached (byte-identical: a test
    compares the two on random input), refusing values no database takes."""
    parts: list[str] = []
    append = parts.append
    lo, hi = _INT64
    isfinite = math.isfinite
    for k, ek in layout:
        v = fields[k]  # object (Mapping[str, object]): compiled, a bad value reaches the refusal below
        t = type(v)
        if t is int:  # counters: most fields of a poll
            if not lo <= v <= hi:  # type: ignore[operator]
                raise _Refused(f"field {k!r} = {v} is outside the 64-bit integer range")
            append(f"{ek}{v}i")
        elif t is float:
            if not isfinite(v):  # type: ignore[arg-type]
                raise _Refused(f"field {k!r} is {v} (NaN/inf cannot be stored)")
            s = repr(v)
            append(ek + s[:-2] if s[-2:] == ".0" else ek + s)
        elif t is bool:
            append(ek + ("true" if v else "false"))
        elif isinstance(v, str):
            if len(v) > MAX_STRING // 4 and len(v.encode()) > MAX_STRING:
                raise _Refused(f"field {k!r} is a string of {len(v.encode())} bytes (limit {MAX_STRING})")
            parts.append(f'{ek}"{_escape_string(v)}"')
        else:
            raise _Refused(f"field {k!r} has unsupported type {t.__name__} (use float, int, bool or str)")
    return ",".join(parts)


# --- decoding (the SQLite sink reads the spool's line protocol back into points) -------------

_KEY = r"(?:[^\\ ,=\n]|\\.)+"
_VAL = r'(?:"(?:[^"\\]|\\.)*"|[^,\ \n"]+)'
_LINE = re.compile(
    rf"(?P<m>(?:[^\\ ,\n#]|\\.)(?:[^\\ ,\n]|\\.)*)"
    rf"(?P<tags>(?:,{_KEY}={_KEY})*)"
    rf" (?P<fields>{_KEY}={_VAL}(?:,{_KEY}={_VAL})*)"
    rf"(?: (?P<ts>-?\d+))?[ ]*(?:\n|$)",
    re.S,
)
_PAIR_TAG = re.compile(rf"({_KEY})=({_KEY})", re.S)
_PAIR_FIELD = re.compile(rf"({_KEY})=({_VAL})", re.S)
_UNESC_KEY = re.compile(r"\\([ ,=])")
_UNESC_STR = re.compile(r'\\(["\\])')
_TRUE = {"t", "T", "true", "True", "TRUE"}
_FALSE = {"f", "F", "false", "False", "FALSE"}


class LineProtocolError(ValueError):
    pass


def _value(raw: str) -> FieldValue:
    if raw.startswith('"'):
        return _UNESC_STR.sub(r"\1", raw[1:-1])
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    if raw[-1] in "iu":
        return int(raw[:-1])
    return float(raw)


def decode(payload: bytes, precision: str = "ns") -> Iterator[Point]:
    """Points from line protocol as influxdb-client writes it (comments and blank lines skipped)."""
    for _, p in decode_lines(payload, precision):
        yield p


def decode_lines(payload: bytes, precision: str = "ns") -> Iterator[tuple[str, Point]]:
    """Each point with its line as written (string fields may hold newlines: no split on them)."""
    from .urls import PRECISIONS

    mul = PRECISIONS[precision]
    text = payload.decode()
    pos, end = 0, len(text)
    while pos < end:
        if text[pos] == "\n":
            pos += 1
            continue
        if text[pos] == "#":
            nl = text.find("\n", pos)
            pos = end if nl < 0 else nl + 1
            continue
        point, nxt = decode_one(text, pos, mul)
        yield text[pos:nxt].rstrip("\n"), point
        pos = nxt


def decode_one(text: str, pos: int, mul: int = 1) -> tuple[Point, int]:
    """The point of the line starting at ``pos`` and where the next line starts."""
    m = _LINE.match(text, pos)
    if m is None:
        nl = text.find("\n", pos)
        line = text[pos : nl if nl >= 0 else len(text)]
        raise LineProtocolError(f"cannot parse line protocol near {line[:120]!r}")
    tags = {_UNESC_KEY.sub(r"\1", k): _UNESC_KEY.sub(r"\1", v) for k, v in _PAIR_TAG.findall(m["tags"])}
    fields = {_UNESC_KEY.sub(r"\1", k): _value(v) for k, v in _PAIR_FIELD.findall(m["fields"])}
    meas = re.sub(r"\\([ ,])", r"\1", m["m"])
    ts = int(m["ts"]) * mul if m["ts"] else 0
    return Point(meas, tags, fields, ts), m.end()
