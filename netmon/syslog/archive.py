"""The audit archive: every received syslog frame, append-only, hash-chained, one file per day.

GB/T 22239-2019 8.1.3.5 asks that audit records be protected from deletion, modification and
overwriting and kept at least six months. Each day (in the archive's time zone) is one file
``syslog-YYYY-MM-DD.jsonl`` (mode 0600, in a 0700 directory), one JSON record per line::

    {"type":"open","day":"2026-11-14","alg":"sha256","seq":0,"prev":"<last hash of the day before>",...,"hash":".."}
    {"type":"msg","seq":1,"t":<received ns>,"src":"10.1.1.1","device":"gd-core","transport":"udp","raw":"<189>...","prev":"..","hash":".."}
    {"type":"resume","seq":7,...}      # the writer restarted (after a crash: how many bytes were cut)
    {"type":"close","seq":9,"count":8,...}   # written when the day is over

``hash`` = SHA-256 (or HMAC-SHA-256 with ``archive.hmac_key``) over the previous record's hash
and this record's canonical JSON, so a modified, deleted, inserted or reordered record breaks
the chain; the ``close`` record and ``anchor.json`` (the last record written, rewritten after
each batch) reveal a cut-off tail. Without a key, someone who can write the files could rebuild
the whole chain: set ``hmac_key`` (a secret reference) so only the holder of the key can.
``verify()`` reports what it finds, file and line.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .parse import Message, local_zone
from .settings import ArchiveSettings, private_dir

log = logging.getLogger("netmon.syslog")

ZERO = "0" * 64
_NAME = re.compile(r"^syslog-(\d{4}-\d\d-\d\d)\.jsonl$")
ANCHOR = "anchor.json"


def day_file(directory: Path, day: date) -> Path:
    return directory / f"syslog-{day.isoformat()}.jsonl"


def _canonical(rec: dict[str, Any]) -> bytes:
    return json.dumps(rec, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Chain:
    """The hash (or HMAC) of a record, chained to the previous one."""

    def __init__(self, key: bytes | None = None) -> None:
        self.key = key
        self.alg = "hmac-sha256" if key else "sha256"

    def digest(self, prev: str, body: bytes) -> str:
        if self.key is not None:
            return hmac.new(self.key, prev.encode() + body, hashlib.sha256).hexdigest()
        return hashlib.sha256(prev.encode() + body).hexdigest()


def _open_private(path: Path) -> Any:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    if os.fstat(fd).st_mode & 0o077:
        os.fchmod(fd, 0o600)
    return os.fdopen(fd, "ab", buffering=1 << 16)


def _last_line(path: Path) -> tuple[bytes, int]:
    """(last complete line, bytes after it that are not a complete line)."""
    size = path.stat().st_size
    if size == 0:
        return b"", 0
    with path.open("rb") as fh:
        back = min(size, 1 << 20)
        fh.seek(size - back)
        tail = fh.read()
    partial = 0
    if not tail.endswith(b"\n"):
        cut = tail.rfind(b"\n")
        partial = len(tail) - (cut + 1)
        tail = tail[: cut + 1]
    lines = tail.rstrip(b"\n").rsplit(b"\n", 1)
    return (lines[-1] if lines and lines[-1] else b""), partial


class Archive:
    """Appends records for received messages; rotates at local midnight; applies retention."""

    def __init__(self, settings: ArchiveSettings, key: bytes | None = None) -> None:
        self.settings = settings
        self.dir = private_dir(settings.dir)
        self.tz: tzinfo = ZoneInfo(settings.timezone) if settings.timezone else local_zone()
        self.chain = Chain(key)
        self._fh: Any = None
        self._day: date | None = None
        self._seq = 0
        self._prev = ZERO
        self._count = 0
        self.records = 0
        self.errors = 0

    # --- writing ------------------------------------------------------------------------------
    def day_of(self, t_ns: int) -> date:
        return datetime.fromtimestamp(t_ns / 1e9, self.tz).date()

    def _write(self, rec: dict[str, Any]) -> None:
        rec["seq"] = self._seq
        rec["prev"] = self._prev
        body = _canonical(rec)
        h = self.chain.digest(self._prev, body)
        self._fh.write(body[:-1] + b',"hash":"' + h.encode() + b'"}\n')
        self._prev = h
        self._seq += 1

    def _open_day(self, day: date, t_ns: int) -> None:
        path = day_file(self.dir, day)
        if path.exists() and path.stat().st_size > 0:
            last, partial = _last_line(path)
            try:
                rec = json.loads(last)
                self._seq, self._prev = int(rec["seq"]) + 1, str(rec["hash"])
                self._count = int(rec.get("count", 0)) if rec.get("type") == "close" else self._count_msgs(path)
            except (ValueError, KeyError, TypeError):
                # the tail is not ours: keep appending, verify will name it
                self._seq, self._prev, self._count = 0, ZERO, 0
            self._fh = _open_private(path)
            if partial:
                self._fh.write(b"\n")  # end the cut line so the next record stands alone
            self._write({"type": "resume", "t": t_ns, "partial_bytes": partial})
        else:
            prev = self._previous_hash(day)
            self._seq, self._prev, self._count = 0, prev, 0
            self._fh = _open_private(path)
            self._write({"type": "open", "day": day.isoformat(), "alg": self.chain.alg, "t": t_ns})
        self._day = day

    @staticmethod
    def _count_msgs(path: Path) -> int:
        n = 0
        with path.open("rb") as fh:
            for line in fh:
                n += line.startswith(b'{"') and b'"type":"msg"' in line
        return n

    def _previous_hash(self, day: date) -> str:
        """The last hash of the newest earlier file (closing it if a crash left it open)."""
        earlier = sorted(p for p in self.dir.glob("syslog-*.jsonl") if (d := _day_of_name(p)) is not None and d < day)
        if not earlier:
            return ZERO
        path = earlier[-1]
        last, _ = _last_line(path)
        try:
            rec = json.loads(last)
        except ValueError:
            return ZERO
        if rec.get("type") != "close":
            # the daemon was down over midnight: close that day now
            d = _day_of_name(path)
            assert d is not None
            self._open_day(d, _now_ns())
            self._close_day(_now_ns())
            last, _ = _last_line(path)
            rec = json.loads(last)
        return str(rec.get("hash", ZERO))

    def _close_day(self, t_ns: int) -> None:
        if self._fh is None:
            return
        self._write({"type": "close", "t": t_ns, "count": self._count})
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        self._fh = None
        self._day = None

    def append(self, messages: Iterable[tuple[Message, str]]) -> None:
        """Archive (message, device name or "") pairs; the caller calls ``sync()`` per its fsync policy."""
        for m, device in messages:
            day = self.day_of(m.received_ns)
            if day != self._day:
                if self._day is not None and day > self._day:
                    self._close_day(m.received_ns)
                    self.sweep(day)
                if self._day is None or day > self._day:
                    self._open_day(day, m.received_ns)
            rec: dict[str, Any] = {"type": "msg", "t": m.received_ns, "src": m.source, "device": device,
                                   "transport": m.transport}  # fmt: skip
            try:
                rec["raw"] = m.raw.decode("utf-8")
            except UnicodeDecodeError:
                rec["raw_b64"] = base64.b64encode(m.raw).decode()
            self._write(rec)
            self._count += 1
            self.records += 1

    def sync(self) -> None:
        """Flush and fsync the day file, then record the last hash in the anchor (both 0600)."""
        if self._fh is None or self._day is None:
            return
        self._fh.flush()
        if self.settings.fsync == "batch":
            os.fsync(self._fh.fileno())
        anchor = {"file": day_file(self.dir, self._day).name, "seq": self._seq - 1, "hash": self._prev}
        body = _canonical(anchor)
        anchor["mac"] = self.chain.digest("anchor", body)
        tmp = self.dir / (ANCHOR + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(_canonical(anchor))
            if self.settings.fsync == "batch":
                fh.flush()
                os.fsync(fh.fileno())
        tmp.replace(self.dir / ANCHOR)

    def close(self) -> None:
        if self._fh is not None:
            self.sync()
            self._fh.close()
            self._fh = None

    def sweep(self, today: date | None = None) -> list[Path]:
        """Delete day files older than ``retention_days`` (by the date in the name, never younger)."""
        today = today or self.day_of(_now_ns())
        limit = today - timedelta(days=self.settings.retention_days)
        gone = []
        for p in self.dir.glob("syslog-*.jsonl"):
            d = _day_of_name(p)
            if d is not None and d < limit:
                with contextlib.suppress(OSError):
                    p.unlink()
                    gone.append(p)
                    log.info("syslog archive: %s is older than %d days, removed", p.name, self.settings.retention_days)
        return gone


def _now_ns() -> int:
    import time

    return time.time_ns()


def _day_of_name(p: Path) -> date | None:
    m = _NAME.match(p.name)
    if m is None:
        return None
    try:
        return date.fromisoformat(m.group(1))
    except ValueError:
        return None


# --- verification -----------------------------------------------------------------------------


@dataclass
class FileReport:
    path: Path
    records: int = 0
    messages: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    last_hash: str = ""
    first_prev: str = ""
    closed: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _lines(path: Path) -> Iterator[tuple[int, bytes, bool]]:
    with path.open("rb") as fh:
        for i, line in enumerate(fh, 1):
            yield i, line.rstrip(b"\n"), line.endswith(b"\n")


def verify_file(path: Path, key: bytes | None = None) -> FileReport:
    """Check one day file's chain; every problem names the line and what it means."""
    rep = FileReport(path)
    chain = Chain(key)
    prev: str | None = None
    expect_seq = 0
    pending_bad: tuple[int, int] | None = None  # (line, length) of an unreadable line
    day = _day_of_name(path)
    for n, line, complete in _lines(path):
        where = f"{path.name}:{n}"
        if not complete:
            rep.problems.append(f"{where}: the file ends inside a record: truncated (or a crash while writing)")
            break
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise ValueError
            stored = str(rec.pop("hash"))
            seq = int(rec["seq"])
            rprev = str(rec["prev"])
        except (ValueError, KeyError, TypeError):
            if pending_bad is not None:
                rep.problems.append(f"{path.name}:{pending_bad[0]}: not a record (modified)")
            pending_bad = (n, len(line))
            continue
        if pending_bad is not None:
            if rec.get("type") == "resume" and int(rec.get("partial_bytes", -1)) == pending_bad[1]:
                rep.notes.append(
                    f"{path.name}:{pending_bad[0]}: record cut by a crash ({pending_bad[1]} bytes), noted by the writer"
                )
            else:
                rep.problems.append(f"{path.name}:{pending_bad[0]}: not a record (modified or partly deleted)")
            pending_bad = None
        rep.records += 1
        if n == 1:
            if rec.get("type") != "open":
                rep.problems.append(
                    f"{where}: the first record is not the day's opening record: records deleted or file replaced"
                )
            elif day is not None and rec.get("day") != day.isoformat():
                rep.problems.append(f"{where}: opening record is for {rec.get('day')}, not {day}: file renamed")
            if rec.get("alg") and rec.get("alg") != chain.alg:
                rep.problems.append(
                    f"{where}: chained with {rec.get('alg')}; verify with{'out' if key else ''} the archive key"
                )
                return rep
            rep.first_prev = rprev
        if chain.digest(rprev, _canonical(rec)) != stored:
            rep.problems.append(f"{where}: record {seq} was modified (its hash does not match its content)")
        if prev is not None and rprev != prev:
            rep.problems.append(
                f"{where}: chain broken before record {seq}: a record was deleted, inserted or moved here"
            )
        if seq != expect_seq:
            if seq > expect_seq:
                rep.problems.append(f"{where}: records {expect_seq}..{seq - 1} are missing (deleted)")
            else:
                rep.problems.append(f"{where}: record {seq} is out of order or repeated (inserted or reordered)")
        expect_seq = seq + 1
        prev = stored
        rep.last_hash = stored
        t = rec.get("type")
        if t == "msg":
            rep.messages += 1
        elif t == "close":
            rep.closed = True
            if int(rec.get("count", -1)) != rep.messages:
                rep.problems.append(
                    f"{where}: the closing record counts {rec.get('count')} messages, the file holds {rep.messages}"
                )
        elif rep.closed:
            rep.problems.append(f"{where}: a record after the day was closed (appended later)")
    if pending_bad is not None:
        rep.problems.append(f"{path.name}:{pending_bad[0]}: not a record (modified)")
    if rep.records == 0 and not rep.problems:
        rep.problems.append(f"{path.name}: empty: the day's records were deleted")
    return rep


@dataclass
class VerifyReport:
    files: list[FileReport]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems and all(f.ok for f in self.files)


def verify(
    directory: Path, days: list[date] | None = None, key: bytes | None = None, today: date | None = None,
    retention_days: int | None = None,
) -> VerifyReport:  # fmt: skip
    """Verify the chosen days (default all): each file's chain, the links between days, the
    closing record of finished days and the anchor of the open one."""
    all_files = sorted((d, p) for p in directory.glob("syslog-*.jsonl") if (d := _day_of_name(p)) is not None)
    by_day = dict(all_files)
    problems: list[str] = []
    wanted = sorted(days) if days else [d for d, _ in all_files]
    reports: list[FileReport] = []
    cache: dict[date, FileReport] = {}

    def rep_for(d: date) -> FileReport:
        if d not in cache:
            cache[d] = verify_file(by_day[d], key)
        return cache[d]

    newest = all_files[-1][0] if all_files else None
    for d in wanted:
        if d not in by_day:
            if retention_days is not None and today is not None and d < today - timedelta(days=retention_days):
                problems.append(f"syslog-{d}.jsonl: not kept (older than the retention of {retention_days} days)")
            else:
                problems.append(f"syslog-{d}.jsonl: missing (deleted?)")
            continue
        r = rep_for(d)
        reports.append(r)
        earlier = [x for x, _ in all_files if x < d]
        if earlier:
            before = rep_for(earlier[-1])
            if before.last_hash and r.first_prev and before.last_hash != r.first_prev:
                r.problems.append(
                    f"{r.path.name}:1: does not continue syslog-{earlier[-1]}.jsonl (that file was cut or altered, or one between was removed)"
                )
        elif r.first_prev and r.first_prev != ZERO:
            r.notes.append(f"{r.path.name}:1: the days before were removed (retention) or are not here")
        if d != newest and not r.closed:
            r.problems.append(f"{r.path.name}: no closing record: the end of the day was cut off (truncated)")
        if d == newest and not r.closed:
            _check_anchor(directory, r, key)
    return VerifyReport(reports, problems)


def _check_anchor(directory: Path, r: FileReport, key: bytes | None) -> None:
    path = directory / ANCHOR
    try:
        anchor = json.loads(path.read_bytes())
        mac = anchor.pop("mac")
    except (OSError, ValueError, KeyError):
        r.notes.append(f"{ANCHOR}: absent or unreadable; the open day's tail cannot be checked")
        return
    if Chain(key).digest("anchor", _canonical(anchor)) != mac:
        r.problems.append(f"{ANCHOR}: modified (its MAC does not match)")
        return
    if anchor.get("file") != r.path.name:
        r.problems.append(f"{ANCHOR}: names {anchor.get('file')}, but the newest file is {r.path.name}")
        return
    if r.last_hash != anchor.get("hash"):
        r.problems.append(
            f"{r.path.name}: the last record is not the last one written (record {anchor.get('seq')}): truncated or appended to"
        )
