"""``sqlite://`` — the embedded default, so a first trial and ``netmon demo`` need no server.

Schema (WAL mode; one row per point, its fields kept as line-protocol text)::

    series(id, measurement, tags)          tags: canonical JSON, UNIQUE(measurement, tags)
    points(series_id, time_ns, fields)     PRIMARY KEY(series_id, time_ns) WITHOUT ROWID:
                                           "range for one series" and "latest per series"
                                           are key ranges, and so is retention (per series:
                                           no time index to maintain on every write)

``fields`` is the line's field set exactly as written (``in_octets=12i,in_bps=3.5,descr="x"``):
the sink only splits each line into series key, field set and timestamp (the series key is
looked up in a cache of escaped prefixes), so a write costs one row per point instead of one
per field. Line protocol keeps the types, so values read back exactly (int, float, bool,
string); readers decode the text (``decode_fields``) and filter fields after decoding.

Writes are upserts: a replayed batch (a crash between the write and the spool's cursor) finds
the same text and changes nothing; two lines of one series at one time merge their fields,
later values winning, as the old one-row-per-field layout did (``merge_fields``).

Files written by netmon before this layout hold ``samples(series_id, time_ns, field, kind,
value)``, one row per field: the first writable open converts them into ``points`` in one
transaction and drops ``samples`` (logged with counts); a read-only open asks a writable one
to do it first. Read the file through ``SqliteQuery``, ``iter_points`` or ``iter_samples``,
never with SQL on the tables, so the layout can change again.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from influxdb_client.client.write.point import _escape_key, _escape_string

from ..errors import NetmonError
from ..fsmode import private_file
from ..model import FieldValue, Point
from .base import Query, Sink, SinkRejected, SinkUnavailable
from .lineproto import _KEY, _LINE, _PAIR_FIELD, _PAIR_TAG, _UNESC_KEY, LineProtocolError, _value
from .urls import PRECISIONS, SinkURL

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS series(
    id INTEGER PRIMARY KEY,
    measurement TEXT NOT NULL,
    tags TEXT NOT NULL,
    UNIQUE(measurement, tags));
CREATE TABLE IF NOT EXISTS points(
    series_id INTEGER NOT NULL,
    time_ns INTEGER NOT NULL,
    fields TEXT NOT NULL,
    PRIMARY KEY(series_id, time_ns)) WITHOUT ROWID;
"""
# WITHOUT ROWID keeps a series' points together, so a report reading a month of it reads
# neighbouring pages. A rowid table (+ a unique index) measured ~0.2 ms per 48-interface poll
# cheaper to fill (bench/bench_sink.py) but scatters each series over the file in arrival
# order. 8 KiB pages (new files) make these inserts ~20 % cheaper than 4 KiB: an interface's
# row is ~600 bytes.
_PAGE_SIZE = 8192
_UPSERT = (
    "INSERT INTO points(series_id, time_ns, fields) VALUES (?, ?, ?) ON CONFLICT(series_id, time_ns) "
    "DO UPDATE SET fields = CASE WHEN fields = excluded.fields THEN fields "
    "ELSE netmon_merge_fields(fields, excluded.fields) END"
)
_RETENTION_EVERY = 3600.0
# Series ids remembered by line prefix. The cap must stay above the series a node writes each
# interval (5,000 devices x ~50 series = 250,000): with 200,000 the cache was cleared every batch
# and each line went through the full parser again (bench_sink --devices 5000: split 0.2 -> 2.4 ms
# per poll). At ~300 bytes an entry, a full cache is ~300 MB; it only fills with tag churn.
_PREFIX_CACHE_MAX = 1_000_000
_BOOLS = {"t": True, "T": True, "true": True, "True": True, "TRUE": True,
          "f": False, "F": False, "false": False, "False": False, "FALSE": False}  # fmt: skip
# The full parser's check of a field set: values line protocol allows (a value float() would
# take but InfluxDB would not, like "inf", is refused). Each key=value is an atomic group
# (longest alternatives first): a field set that does not match fails in linear time.
_FVAL = (
    r'(?:"(?:[^"\\]|\\.)*"|-?\d+[iu]|true|True|TRUE|t|T|false|False|FALSE|f|F'
    r"|-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)"
)
_FIELD_SET = re.compile(rf"(?>{_KEY}={_FVAL})(?:,(?>{_KEY}={_FVAL}))*", re.S)
# The split's check, ~5x cheaper (Python's re is slow on per-character alternatives): plain
# keys, closed strings without escapes, and value tokens of the characters numbers and bools
# use. It guarantees the line's structure (a string cut by a newline does not match); the exact
# value grammar is the encoder's, and a reader skips a value it cannot decode (decode_fields).
_VTOK = r'[^,=" \n\\]+=(?:[-+.0-9eEiuTtRrUuFfAaLlSs]+|"[^"\\]*")'
_SPLIT_OK = re.compile(rf"(?:{_VTOK},)*{_VTOK}")
Row = tuple[int, int, str]


class Sample(NamedTuple):
    """One field value of one stored point (the old one-row-per-field view, for tests and tools)."""

    measurement: str
    tags: dict[str, str]
    time_ns: int
    field: str
    value: FieldValue


def _tags_key(tags: dict[str, str]) -> str:
    return json.dumps(dict(sorted(tags.items())), ensure_ascii=False, separators=(",", ":"))


def decode_fields(text: str) -> dict[str, FieldValue]:
    """A stored field set → {field: value} with line protocol's types (a repeated key: the last)."""
    try:
        if '"' not in text and "\\" not in text:
            out: dict[str, FieldValue] = {}
            for kv in text.split(","):
                k, _, raw = kv.partition("=")
                c = raw[-1]
                if c == "i" or c == "u":
                    out[k] = int(raw[:-1])
                elif raw in _BOOLS:
                    out[k] = _BOOLS[raw]
                else:
                    out[k] = float(raw)
            return out
        return {_UNESC_KEY.sub(r"\1", k): _value(v) for k, v in _PAIR_FIELD.findall(text)}
    except (ValueError, IndexError):
        return _decode_lenient(text)


def _decode_lenient(text: str) -> dict[str, FieldValue]:
    """A field set with a value the encoder would not write (only another writer's line can
    hold one): the values that decode, and a warning naming the others."""
    out: dict[str, FieldValue] = {}
    for k, v in _PAIR_FIELD.findall(text):
        try:
            out[_UNESC_KEY.sub(r"\1", k)] = _value(v)
        except (ValueError, IndexError):
            log.warning("sqlite: stored field %r has a value that is not line protocol (%r): skipped", k, v[:40])
    return out


def merge_fields(old: str, new: str) -> str:
    """Two field sets of one series at one time → one, ``new``'s values winning (raw text kept,
    so types and strings stay exactly as written)."""
    merged = {_UNESC_KEY.sub(r"\1", k): (k, v) for k, v in _PAIR_FIELD.findall(old)}
    merged.update({_UNESC_KEY.sub(r"\1", k): (k, v) for k, v in _PAIR_FIELD.findall(new)})
    return ",".join(f"{k}={v}" for k, v in merged.values())


def encode_field(field: str, kind: int, value: object) -> str:
    """One value of the old layout (kind 0 float, 1 int, 2 bool, 3 string) as line protocol,
    formatted as the encoder formats it (``repr`` of a float: exact)."""
    key = _escape_key(field)
    if kind == 1:
        return f"{key}={int(value)}i"  # type: ignore[call-overload]
    if kind == 2:
        return f"{key}={'true' if value else 'false'}"
    if kind == 3:
        return f'{key}="{_escape_string(str(value))}"'
    s = repr(float(value))  # type: ignore[arg-type]
    return f"{key}={s[:-2] if s.endswith('.0') else s}"


def _has_old_layout(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'samples'").fetchone()
    return row is not None


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Convert an old ``samples`` table (one row per field) into ``points``, in one transaction."""
    t0 = time.monotonic()
    conn.execute("BEGIN IMMEDIATE")  # one converter at a time; a second opener waits, then finds nothing to do
    try:
        if not _has_old_layout(conn):
            conn.rollback()
            return
        n_samples = 0

        def packed() -> Iterator[Row]:
            nonlocal n_samples
            rows = conn.execute(  # primary-key order: no sort
                "SELECT series_id, time_ns, field, kind, value FROM samples ORDER BY series_id, time_ns, field"
            )
            for (sid, t), group in itertools.groupby(rows, key=lambda r: (r[0], r[1])):
                parts = [encode_field(f, k, v) for _, _, f, k, v in group]
                n_samples += len(parts)
                yield int(sid), int(t), ",".join(parts)

        before = conn.execute("SELECT count(*) FROM points").fetchone()[0]
        conn.executemany(_UPSERT, packed())
        after = conn.execute("SELECT count(*) FROM points").fetchone()[0]
        conn.execute("DROP TABLE samples")  # its samples_time index goes with it
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    log.warning(
        "sqlite database %s: converted %d samples (one row per field) into %d points (one row per point) in %.1f s",
        path, n_samples, after - before, time.monotonic() - t0,
    )  # fmt: skip


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    try:
        if readonly:
            uri = f"{path.resolve().as_uri()}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
            if _has_old_layout(conn):  # written by an older netmon: convert it first (needs write access)
                conn.close()
                if not os.access(path, os.W_OK):
                    raise NetmonError(
                        f"sqlite database {path} has the old layout (one row per field) and this user cannot "
                        "convert it: open it once with write access (e.g. start netmon run)"
                    )
                connect(path).close()
                conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
        else:
            private_file(path)  # 0600 before SQLite opens it; its -wal/-shm files take the same mode
            conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
            conn.execute(f"PRAGMA page_size={_PAGE_SIZE}")  # takes effect on a new file only
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoint, never corrupt
            conn.executescript(_SCHEMA)
            conn.create_function("netmon_merge_fields", 2, merge_fields, deterministic=True)
            if _has_old_layout(conn):
                _migrate(conn, path)
    except (sqlite3.Error, OSError) as exc:
        raise NetmonError(f"sqlite database {path}: {exc}") from None
    return conn


def iter_points(conn: sqlite3.Connection, measurement: str | None = None) -> Iterator[Point]:
    """Every stored point (of one measurement), by series then time: the file's content for
    tests and tools, whatever the layout."""
    sql = "SELECT s.measurement, s.tags, p.time_ns, p.fields FROM series s JOIN points p ON p.series_id = s.id"
    args: tuple[str, ...] = ()
    if measurement is not None:
        sql, args = sql + " WHERE s.measurement = ?", (measurement,)
    for m, tags, t, fields in conn.execute(sql + " ORDER BY s.id, p.time_ns", args):
        yield Point(m, json.loads(tags), decode_fields(fields), int(t))


def iter_samples(conn: sqlite3.Connection, measurement: str | None = None) -> Iterator[Sample]:
    """Every stored field value, one per (point, field)."""
    for p in iter_points(conn, measurement):
        for f, v in p.fields.items():
            yield Sample(p.measurement, p.tags, p.time_ns, f, v)


def _parse_line(text: str, pos: int, mul: int) -> tuple[str, dict[str, str], str, int, int, int]:
    """The full parser: (measurement, tags, raw field set, time, where the series key ends,
    where the next line starts)."""
    m = _LINE.match(text, pos)
    if m is None:
        nl = text.find("\n", pos)
        line = text[pos : nl if nl >= 0 else len(text)]
        raise LineProtocolError(f"cannot parse line protocol near {line[:120]!r}")
    if not _FIELD_SET.fullmatch(m["fields"]):
        raise LineProtocolError(f"bad field value in line protocol near {text[pos : m.end()][:120]!r}")
    tags = {_UNESC_KEY.sub(r"\1", k): _UNESC_KEY.sub(r"\1", v) for k, v in _PAIR_TAG.findall(m["tags"])}
    meas = re.sub(r"\\([ ,])", r"\1", m["m"])
    ts = int(m["ts"]) * mul if m["ts"] else 0
    return meas, tags, m["fields"], ts, m.end("tags"), m.end()


class SqliteSink(Sink):
    def __init__(self, url: SinkURL) -> None:
        super().__init__(url)
        assert url.path is not None
        self.path = url.path
        self._conn: sqlite3.Connection | None = None
        self._ids: dict[tuple[str, str], int] = {}
        # The escaped "measurement,tags" text of a line → its series id: every poll repeats
        # the same series, so a warm line costs a split and a check of its field set.
        self._prefix_ids: dict[str, int] = {}
        self._lock = threading.Lock()
        self._last_retention = 0.0

    async def start(self) -> None:
        self._conn = await asyncio.to_thread(connect, self.path)
        await asyncio.to_thread(self.apply_retention)

    def apply_retention(self) -> int:
        """Delete points older than retention_days (0 keeps everything); returns points deleted."""
        self._last_retention = time.monotonic()
        if not self.url.retention_days or self._conn is None:
            return 0
        cutoff = time.time_ns() - int(self.url.retention_days * 86400e9)
        with self._lock, self._conn:
            # Per series, a range of the primary key: no time index to maintain on every write.
            sids = [(sid, cutoff) for (sid,) in self._conn.execute("SELECT id FROM series")]
            before = self._conn.total_changes
            self._conn.executemany("DELETE FROM points WHERE series_id = ? AND time_ns < ?", sids)
            return self._conn.total_changes - before

    def _series_id(self, cur: sqlite3.Cursor, measurement: str, tags: dict[str, str]) -> int:
        key = (measurement, _tags_key(tags))
        sid = self._ids.get(key)
        if sid is None:
            if len(self._ids) >= _PREFIX_CACHE_MAX:  # tag churn: forget, the table still has them
                self._ids.clear()
            cur.execute("INSERT OR IGNORE INTO series(measurement, tags) VALUES (?, ?)", key)
            row = cur.execute("SELECT id FROM series WHERE measurement = ? AND tags = ?", key).fetchone()
            sid = self._ids[key] = int(row[0])
        return sid

    def _rows(self, cur: sqlite3.Cursor, payload: bytes) -> list[Row]:
        """(series id, time, field set) of each line.

        A line is split without the parser when the text before its first unescaped space is
        a series key the parser has seen (then it *is* the line's key: the same characters
        tokenize the same way) and the rest is a field set that ``_SPLIT_OK`` accepts, then a
        space and a timestamp. A string holding a newline
        fails that check on the cut line (its quotes do not close), so every other line goes
        through the full parser, which gives the same rows (a test compares both).
        """
        mul = PRECISIONS[self.precision]
        text = payload.decode()
        rows: list[Row] = []
        ids = self._prefix_ids
        check = _SPLIT_OK.fullmatch
        pos, end = 0, len(text)
        while pos < end:
            nl = text.find("\n", pos)
            if nl < 0:
                nl = end
            if nl == pos or text[pos] == "#":
                pos = nl + 1
                continue
            sp = text.find(" ", pos, nl)
            while sp > 0 and text[sp - 1] == "\\":  # an escaped space in a tag
                sp = text.find(" ", sp + 1, nl)
            sid = ids.get(text[pos:sp]) if sp > pos else None
            if sid is not None:
                last = text.rfind(" ", sp + 1, nl)
                if last > sp and check(text, sp + 1, last):  # no backslash either: the split's check
                    stamp = text[last + 1 : nl]
                    if stamp.isascii() and (stamp.isdigit() or (stamp[:1] == "-" and stamp[1:].isdigit())):
                        rows.append((sid, int(stamp) * mul, text[sp + 1 : last]))
                        pos = nl + 1
                        continue
            start = pos
            meas, tags, fields, ts, key_end, pos = _parse_line(text, pos, mul)
            sid = self._series_id(cur, meas, tags)
            if len(ids) >= _PREFIX_CACHE_MAX:
                ids.clear()
            ids[text[start:key_end]] = sid
            rows.append((sid, ts, fields))
        return rows

    def _write_sync(self, payload: bytes) -> None:
        if self._conn is None:
            self._conn = connect(self.path)
        with self._lock, self._conn:
            cur = self._conn.cursor()
            cur.executemany(_UPSERT, self._rows(cur, payload))
        if time.monotonic() - self._last_retention > _RETENTION_EVERY:
            self.apply_retention()

    async def write(self, payload: bytes, points: int) -> None:
        try:
            await asyncio.to_thread(self._write_sync, payload)
        except LineProtocolError as exc:
            raise SinkRejected(f"{self.url}: {exc}", 400) from None
        except (sqlite3.Error, OSError) as exc:
            self._ids.clear()  # the transaction rolled back; cached ids may not exist
            self._prefix_ids.clear()
            raise SinkUnavailable(f"{self.url}: {exc}") from None

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None

            def _close() -> None:
                with self._lock:  # a write cancelled at shutdown may still be running in its thread
                    conn.close()

            await asyncio.to_thread(_close)


def _pick(fields: dict[str, FieldValue], wanted: list[str] | None) -> dict[str, FieldValue]:
    return {f: fields[f] for f in wanted if f in fields} if wanted else fields


class SqliteQuery(Query):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            if not self.path.exists():
                raise NetmonError(f"sqlite database {self.path} does not exist (nothing written yet?)")
            self._conn = connect(self.path, readonly=True)
        return self._conn

    def _series(self, measurement: str, where: dict[str, str] | None) -> list[tuple[int, dict[str, str]]]:
        rows = self._db().execute("SELECT id, tags FROM series WHERE measurement = ?", (measurement,)).fetchall()
        out = []
        for sid, tags_json in rows:
            tags = json.loads(tags_json)
            if all(tags.get(k) == v for k, v in (where or {}).items()):
                out.append((int(sid), tags))
        return out

    def _latest_sync(self, measurement: str, where: dict[str, str] | None, fields: list[str] | None) -> list[Point]:
        out = []
        with self._lock:
            db = self._db()
            for sid, tags in self._series(measurement, where):
                # Newest first; with a field list, the newest point that has one of them.
                for t, text in db.execute(
                    "SELECT time_ns, fields FROM points WHERE series_id = ? ORDER BY time_ns DESC", (sid,)
                ):
                    vals = _pick(decode_fields(text), fields)
                    if vals:
                        out.append(Point(measurement, tags, vals, int(t)))
                        break
        return out

    def _range_sync(
        self, measurement: str, start: int, end: int, where: dict[str, str] | None, fields: list[str] | None
    ) -> list[Point]:
        out: list[Point] = []
        with self._lock:
            db = self._db()
            for sid, tags in self._series(measurement, where):
                for t, text in db.execute(
                    "SELECT time_ns, fields FROM points WHERE series_id = ? AND time_ns >= ? AND time_ns < ? "
                    "ORDER BY time_ns",
                    (sid, start, end),
                ):
                    vals = _pick(decode_fields(text), fields)
                    if vals:
                        out.append(Point(measurement, dict(tags), vals, int(t)))
        out.sort(key=lambda p: p.time_ns)
        return out

    async def latest(
        self, measurement: str, where: dict[str, str] | None = None, fields: list[str] | None = None
    ) -> list[Point]:
        return await asyncio.to_thread(self._latest_sync, measurement, where, fields)

    async def range(
        self,
        measurement: str,
        start_ns: int,
        end_ns: int,
        where: dict[str, str] | None = None,
        fields: list[str] | None = None,
    ) -> list[Point]:
        return await asyncio.to_thread(self._range_sync, measurement, start_ns, end_ns, where, fields)

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
