"""Syslog on the wire -> ``Message``: RFC 5424, RFC 3164 and what network devices really send.

No well-kept Python library parses both RFCs plus the device variants (Cisco's sequence numbers
and ``*``-marked unsynchronised clocks, Huawei's ``Mmm dd yyyy`` dates, H3C's year after the
time), so this module does it with a few regular expressions; the tests compare its reading of
``logger`` and ``rsyslog`` output with rsyslog's own parse of the same messages.

Nothing here raises on input: a frame that is not syslog (garbage, bad encoding, a cut-off
frame) becomes a ``Message`` with ``error`` set and ``raw`` kept, so it is counted, stored and
archived like any other.
"""

from __future__ import annotations

import calendar
import os
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

FACILITIES = (
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
    "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5",
    "local6", "local7",
)  # fmt: skip
# Names as Telegraf's syslog input writes them, so dashboards built for it read ours.
SEVERITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")

# RFC 3164 4.3.3: a message without a valid PRI is taken as user.notice.
DEFAULT_PRI = 13
_MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}

_PRI = re.compile(rb"<(\d{1,3})>")
_5424 = re.compile(
    r"1 (?P<ts>\S+) (?P<host>\S{1,255}) (?P<app>\S{1,48}) (?P<proc>\S{1,128}) (?P<msgid>\S{1,32}) (?P<rest>.*)", re.S
)
_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d\d)-(?P<d>\d\d)[T ](?P<h>\d\d):(?P<mi>\d\d):(?P<s>\d\d)(?:[.,](?P<frac>\d{1,9}))?"
    r"(?P<z>Z|[+-]\d\d:?\d\d)?"
)
# BSD and device timestamps, after the PRI (and Cisco's optional "sequence: "):
#   Nov 14 10:20:30 | Nov  4 10:20:30.123 | *Nov 14 10:20:30.123 UTC: | Nov 14 2024 10:20:30 (Huawei)
#   Nov 14 10:20:30 2024 (H3C) | 2024-11-14T10:20:30.123+08:00 (rsyslog, Huawei VRP8) | 2024-11-14 10:20:30
_BSD = re.compile(
    r"(?P<flag>[*.])?(?P<mon>[A-Z][a-z]{2}) {1,2}(?P<d>\d{1,2})(?: (?P<y1>\d{4}))? (?P<h>\d\d):(?P<mi>\d\d):(?P<s>\d\d)"
    r"(?:[.:](?P<frac>\d{1,6}))?(?: (?P<y2>\d{4}))?"
    r"(?P<z>(?: ?(?:[+-]\d\d:\d\d))|(?: (?:UTC|GMT)(?:[+-]\d\d?(?::?\d\d)?)?)|(?: (?:CST|BJT|CCT|HKT)))?:?(?= |$)"
)
_SEQ = re.compile(r"\d{1,10}: ")
_TAG = re.compile(r"(?P<tag>[^\s\[\]:]{1,48})(?:\[(?P<pid>[^\]\s]{1,128})\])?: ?")
_SD_ELEMENT = re.compile(r'\[(?P<id>[^\s=\]"]{1,32})(?P<params>(?: [^\s=\]"]{1,32}="(?:[^"\\]|\\.)*")*)\]')
_SD_PARAM = re.compile(r'([^\s=\]"]{1,32})="((?:[^"\\]|\\.)*)"')
_CONTROL = {c: " " for c in range(32) if c != 9} | {127: " "}
# Zone abbreviations devices print after the time; anything else counts as "zone unknown".
_ABBR = {"UTC": 0, "GMT": 0, "CST": 8 * 3600, "BJT": 8 * 3600, "CCT": 8 * 3600, "HKT": 8 * 3600}


@dataclass(slots=True)
class Message:
    """One received frame, parsed as far as it goes."""

    raw: bytes
    source: str  # sender address
    received_ns: int
    transport: str = "udp"
    format: str = "rfc3164"  # rfc5424 | rfc3164 | invalid
    facility: int = DEFAULT_PRI >> 3
    severity: int = DEFAULT_PRI & 7
    timestamp_ns: int | None = None  # the device's clock (UTC ns); None when absent/unreadable
    zone_known: bool = False  # the timestamp carried its zone (skew can be measured exactly)
    clock_synced: bool | None = None  # from timeQuality (RFC 5424) or Cisco's "*" (not synced)
    hostname: str = ""
    appname: str = ""
    procid: str = ""
    msgid: str = ""
    sd: str = ""
    sd_params: dict[str, dict[str, str]] = field(default_factory=dict)
    text: str = ""
    encoding: str = "utf-8"
    error: str = ""  # why this frame is not a valid syslog message ("" when it is)

    @property
    def facility_name(self) -> str:
        return FACILITIES[self.facility] if 0 <= self.facility < len(FACILITIES) else str(self.facility)

    @property
    def severity_name(self) -> str:
        return SEVERITIES[self.severity]

    def raw_text(self) -> str:
        """The raw frame as printable text: UTF-8 where it is, \\xNN escapes elsewhere."""
        return self.raw.decode("utf-8", "backslashreplace").translate(_ESCAPE_CONTROL)


_ESCAPE_CONTROL = {c: f"\\x{c:02x}" for c in range(32) if c != 9} | {127: "\\x7f"}


_HAS_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def one_line(text: str) -> str:
    """Control characters (newlines of multi-line messages, NULs) as spaces: the sink's fields are
    single-line; the archive keeps the frame byte for byte."""
    return text.translate(_CONTROL) if _HAS_CONTROL.search(text) else text


def decode(raw: bytes) -> tuple[str, str, str]:
    """(text, encoding, error): UTF-8, else GB18030 (older Chinese firmware), else escaped."""
    try:
        return raw.decode("utf-8"), "utf-8", ""
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030", ""
    except UnicodeDecodeError:
        pass
    return raw.decode("utf-8", "backslashreplace"), "invalid", "not valid UTF-8 or GB18030 text"


class Parser:
    """Parses frames; ``device_tz`` is the zone assumed for timestamps that carry none."""

    def __init__(self, device_tz: str | None = None) -> None:
        self.tz: tzinfo = ZoneInfo(device_tz) if device_tz else local_zone()
        self._hours: dict[tuple[int, int, int, int], int] = {}
        self._now_cache: tuple[int, datetime] = (-1, datetime(1970, 1, 1))

    def _now(self, received_ns: int) -> datetime:
        """The receive time in the device zone (naive), computed once per second."""
        sec = received_ns // 1_000_000_000
        if self._now_cache[0] != sec:
            self._now_cache = (sec, datetime.fromtimestamp(sec, self.tz).replace(tzinfo=None))
        return self._now_cache[1]

    def _local_hour(self, y: int, mo: int, d: int, h: int) -> int:
        """Epoch ns of the start of a local hour in the device zone (offsets change on the hour)."""
        key = (y, mo, d, h)
        v = self._hours.get(key)
        if v is None:
            if len(self._hours) > 4096:
                self._hours.clear()
            v = self._hours[key] = int(datetime(y, mo, d, h, tzinfo=self.tz).timestamp()) * 1_000_000_000
        return v

    def parse(self, raw: bytes, source: str, received_ns: int | None = None, transport: str = "udp") -> Message:
        now = time.time_ns() if received_ns is None else received_ns
        m = Message(raw, source, now, transport)
        data = raw.rstrip(b"\r\n\x00")
        pm = _PRI.match(data)
        if pm is None or int(pm.group(1)) > 191 or (len(pm.group(1)) > 1 and pm.group(1).startswith(b"0")):
            m.format = "invalid"
            m.text, m.encoding, err = decode(data)
            m.error = err or "no <PRI> at the start (not a syslog message)"
            return m
        pri = int(pm.group(1))
        m.facility, m.severity = pri >> 3, pri & 7
        body = data[pm.end() :]
        if body.startswith(b"1 "):
            self._rfc5424(m, body)
        else:
            text, m.encoding, m.error = decode(body)
            self._rfc3164(m, text)
        return m

    # --- RFC 5424 -----------------------------------------------------------------------------
    def _rfc5424(self, m: Message, body: bytes) -> None:
        m.format = "rfc5424"
        text, m.encoding, m.error = decode(body)
        hm = _5424.match(text)
        if hm is None:
            m.format = "invalid"
            m.text = text
            m.error = m.error or "RFC 5424 header incomplete (VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID)"
            return
        nil = _nil
        ts = hm["ts"]
        if ts != "-":
            t = _iso(ts, self.tz)
            if t is None:
                m.error = f"RFC 5424 timestamp {ts[:40]!r} is not RFC 3339"
            else:
                m.timestamp_ns, m.zone_known = t
        m.hostname, m.appname, m.procid, m.msgid = nil(hm["host"]), nil(hm["app"]), nil(hm["proc"]), nil(hm["msgid"])
        rest = hm["rest"]
        if rest.startswith("-"):
            msg = rest[1:]
        elif rest.startswith("["):
            pos = 0
            while pos < len(rest) and rest[pos] == "[":
                em = _SD_ELEMENT.match(rest, pos)
                if em is None:
                    m.error = m.error or "RFC 5424 structured data is malformed"
                    break
                m.sd_params[em["id"]] = {k: _unescape_sd(v) for k, v in _SD_PARAM.findall(em["params"])}
                pos = em.end()
            m.sd = rest[:pos]
            msg = rest[pos:]
        else:
            m.error = m.error or "RFC 5424 structured data must be '-' or [ELEMENT]"
            msg = rest
        msg = msg[1:] if msg.startswith(" ") else msg
        m.text = msg.removeprefix("\ufeff")
        tq = m.sd_params.get("timeQuality")
        if tq is not None and "isSynced" in tq:
            m.clock_synced = tq["isSynced"] == "1"

    # --- RFC 3164 and device variants -----------------------------------------------------------
    def _rfc3164(self, m: Message, text: str) -> None:
        m.format = "rfc3164"
        pos = 0
        sm = _SEQ.match(text)  # Cisco/Ruijie `service sequence-numbers`
        if sm is not None:
            pos = sm.end()
        t = self._timestamp(text, pos, m)
        if t is None:
            # RFC 3164 4.3.2: no valid TIMESTAMP -> the whole rest is the message (relays add one).
            m.text = text[pos:]
            return
        pos = t
        if text.startswith(" ", pos):
            pos += 1
        rest = text[pos:]
        # HOSTNAME, unless the next token is already the message (Cisco without `logging origin-id`)
        first, sep, after = rest.partition(" ")
        if first and not first.startswith("%") and not first.endswith(":") and "[" not in first and sep:
            m.hostname = first
            rest = after
        tm = _TAG.match(rest)
        if tm is not None and not rest.startswith("%"):
            m.appname, m.procid = tm["tag"], tm["pid"] or ""
            rest = rest[tm.end() :]
        m.text = rest

    def _timestamp(self, text: str, pos: int, m: Message) -> int | None:
        """Read the timestamp at ``pos``; sets m.timestamp_ns etc.; returns the end offset or None."""
        if text[pos : pos + 1].isdigit():
            im = _ISO.match(text, pos)
            if im is None:
                return None
            got = _iso(im.group(0), self.tz)
            if got is not None:
                m.timestamp_ns, m.zone_known = got
            end = im.end()
            return end + 1 if text.startswith(":", end) else end
        bm = _BSD.match(text, pos)
        if bm is None:
            return None
        month = _MONTHS.get(bm["mon"])
        if month is None:
            return None
        if bm["flag"] == "*":
            m.clock_synced = False  # Cisco/Ruijie: "*" = the clock is not synchronised (NTP)
        year_text = bm["y1"] or bm["y2"]
        frac = int((bm["frac"] or "0").ljust(9, "0")[:9])
        zone = (bm["z"] or "").strip()
        try:
            now = self._now(m.received_ns)
            base_year = int(year_text) if year_text else now.year
            naive = datetime(base_year, month, int(bm["d"]), int(bm["h"]), int(bm["mi"]), int(bm["s"]))
        except ValueError:
            return None
        if not year_text and (naive.month, now.month) in ((12, 1), (1, 12)):
            naive = _nearest_year(naive, now)
        offset = _zone_offset(zone)
        if offset is not None:
            ns = (calendar.timegm(naive.timetuple()) - offset) * 1_000_000_000
            m.zone_known = True
        else:
            ns = (
                self._local_hour(naive.year, naive.month, naive.day, naive.hour)
                + (naive.minute * 60 + naive.second) * 1_000_000_000
            )
        m.timestamp_ns = ns + frac
        return bm.end() + (1 if text.startswith(":", bm.end()) else 0)


def _nil(v: str) -> str:
    return "" if v == "-" else v


def _unescape_sd(v: str) -> str:
    return v.replace('\\"', '"').replace("\\]", "]").replace("\\\\", "\\")


def _iso(text: str, tz: tzinfo) -> tuple[int, bool] | None:
    m = _ISO.fullmatch(text) or _ISO.match(text)
    if m is None:
        return None
    try:
        dt = datetime(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]))
    except ValueError:
        return None
    frac = int((m["frac"] or "0").ljust(9, "0")[:9])
    z = m["z"]
    if z:
        off = 0 if z == "Z" else (1 if z[0] == "+" else -1) * (int(z[1:3]) * 3600 + int(z[-2:]) * 60)
        secs = calendar.timegm(dt.timetuple()) - off
        return secs * 1_000_000_000 + frac, True
    return int(dt.replace(tzinfo=tz).timestamp()) * 1_000_000_000 + frac, False


def _zone_offset(zone: str) -> int | None:
    """Seconds east of UTC for '+08:00', 'UTC', 'GMT+8', 'CST'...; None when absent or unknown."""
    if not zone:
        return None
    z = zone.strip()
    if z[0] in "+-":
        return (1 if z[0] == "+" else -1) * (int(z[1:3]) * 3600 + int(z[4:6]) * 60)
    for abbr in ("UTC", "GMT"):
        if z.startswith(abbr):
            rest = z[len(abbr) :]
            if not rest:
                return 0
            sign = 1 if rest[0] == "+" else -1
            hh, _, mm = rest[1:].partition(":")
            if not mm and len(hh) > 2:
                hh, mm = hh[:-2], hh[-2:]
            return sign * (int(hh) * 3600 + int(mm or 0) * 60)
    return _ABBR.get(z)


def _nearest_year(naive: datetime, now: datetime) -> datetime:
    """RFC 3164 dates have no year: take the one that puts the date nearest the receive time
    (a December message received on 1 January belongs to last year)."""
    best = naive
    for y in (now.year - 1, now.year, now.year + 1):
        try:
            cand = naive.replace(year=y)
        except ValueError:  # 29 February
            continue
        if abs((cand - now).total_seconds()) < abs((best - now).total_seconds()):
            best = cand
    return best


def local_zone() -> tzinfo:
    """The host's zone with its rules (TZ, else /etc/localtime), else its current fixed offset."""
    name = os.environ.get("TZ", "").lstrip(":")
    try:
        if name:
            return ZoneInfo(name)
        with open("/etc/localtime", "rb") as fh:
            return ZoneInfo.from_file(fh, key="localtime")
    except (OSError, ValueError, KeyError):
        tz = datetime.now().astimezone().tzinfo
        return tz if tz is not None else UTC
