"""``sqlite://`` — the embedded default, so a first trial and ``netmon demo`` need no server.

Schema (WAL mode; one row per field value)::

    series(id, measurement, tags)                 tags: canonical JSON, UNIQUE(measurement, tags)
    samples(series_id, time_ns, field, kind, value)
        PRIMARY KEY (series_id, time_ns, field)   WITHOUT ROWID: "range for one series" is an
                                                  index range, "latest per series" an index MAX
    samples_time(time_ns)                         for retention deletes

``kind`` keeps the type (0 float, 1 int, 2 bool, 3 string) so values read back exactly.
Writes are INSERT OR REPLACE, so a batch replayed after a crash leaves each point once.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
import time
from pathlib import Path

from ..errors import NetmonError
from ..fsmode import private_file
from ..model import FieldValue, Point
from .base import Query, Sink, SinkRejected, SinkUnavailable
from .lineproto import LineProtocolError, decode_one
from .urls import PRECISIONS, SinkURL

_SCHEMA = """
CREATE TABLE IF NOT EXISTS series(
    id INTEGER PRIMARY KEY,
    measurement TEXT NOT NULL,
    tags TEXT NOT NULL,
    UNIQUE(measurement, tags));
CREATE TABLE IF NOT EXISTS samples(
    series_id INTEGER NOT NULL,
    time_ns INTEGER NOT NULL,
    field TEXT NOT NULL,
    kind INTEGER NOT NULL,
    value,
    PRIMARY KEY(series_id, time_ns, field)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS samples_time ON samples(time_ns);
"""
_RETENTION_EVERY = 3600.0
_PREFIX_CACHE_MAX = 200_000
_BOOLS = {"t": True, "T": True, "true": True, "True": True, "TRUE": True,
          "f": False, "F": False, "false": False, "False": False, "FALSE": False}  # fmt: skip
Row = tuple[int, int, str, int, object]


def _kind(v: FieldValue) -> int:
    t = type(v)
    return 2 if t is bool else 1 if t is int else 3 if t is str else 0


def _value(kind: int, v: object) -> FieldValue:
    if kind == 2:
        return bool(v)
    if kind == 0:
        return float(v)  # type: ignore[arg-type]
    return v  # type: ignore[return-value]


def _tags_key(tags: dict[str, str]) -> str:
    return json.dumps(dict(sorted(tags.items())), ensure_ascii=False, separators=(",", ":"))


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    try:
        if readonly:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False, timeout=30)
        else:
            private_file(path)  # 0600 before SQLite opens it; its -wal/-shm files take the same mode
            conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoint, never corrupt
            conn.executescript(_SCHEMA)
    except (sqlite3.Error, OSError) as exc:
        raise NetmonError(f"sqlite database {path}: {exc}") from None
    return conn


class SqliteSink(Sink):
    def __init__(self, url: SinkURL) -> None:
        super().__init__(url)
        assert url.path is not None
        self.path = url.path
        self._conn: sqlite3.Connection | None = None
        self._ids: dict[tuple[str, str], int] = {}
        # The escaped "measurement,tags" text of a line → its series id: every poll repeats
        # the same series, so a warm line costs only the split of its numeric fields.
        self._prefix_ids: dict[str, int] = {}
        self._lock = threading.Lock()
        self._last_retention = 0.0

    async def start(self) -> None:
        self._conn = await asyncio.to_thread(connect, self.path)
        await asyncio.to_thread(self.apply_retention)

    def apply_retention(self) -> int:
        """Delete samples older than retention_days (0 keeps everything); returns rows deleted."""
        self._last_retention = time.monotonic()
        if not self.url.retention_days or self._conn is None:
            return 0
        cutoff = time.time_ns() - int(self.url.retention_days * 86400e9)
        with self._lock, self._conn:
            return self._conn.execute("DELETE FROM samples WHERE time_ns < ?", (cutoff,)).rowcount

    def _series_id(self, cur: sqlite3.Cursor, measurement: str, tags: dict[str, str]) -> int:
        key = (measurement, _tags_key(tags))
        sid = self._ids.get(key)
        if sid is None:
            cur.execute("INSERT OR IGNORE INTO series(measurement, tags) VALUES (?, ?)", key)
            row = cur.execute("SELECT id FROM series WHERE measurement = ? AND tags = ?", key).fetchone()
            sid = self._ids[key] = int(row[0])
        return sid

    def _rows(self, cur: sqlite3.Cursor, payload: bytes) -> list[Row]:
        """Sample rows of a line-protocol batch. Lines without strings or escapes (interface
        counters: nearly all of them) are split directly; the rest go through the full parser,
        which gives the same values (a test compares both on the same payloads)."""
        mul = PRECISIONS[self.precision]
        text = payload.decode()
        rows: list[Row] = []
        ids = self._prefix_ids
        pos, end = 0, len(text)
        while pos < end:
            nl = text.find("\n", pos)
            if nl < 0:
                nl = end
            line = text[pos:nl]
            if not line:
                pos = nl + 1
                continue
            if line[0] == "#":
                pos = nl + 1
                continue
            if '"' not in line and "\\" not in line and line[-1] != " ":
                sp = line.find(" ")
                last = line.rfind(" ")
                sid = ids.get(line[:sp]) if sp > 0 else None
                if sid is not None and last > sp:
                    try:
                        ts = int(line[last + 1 :]) * mul
                        out: list[Row] = []
                        for kv in line[sp + 1 : last].split(","):
                            k, _, raw = kv.partition("=")
                            c = raw[-1]
                            if c == "i" or c == "u":
                                out.append((sid, ts, k, 1, int(raw[:-1])))
                            elif c in "tTeE" and raw in _BOOLS:
                                out.append((sid, ts, k, 2, _BOOLS[raw]))
                            else:
                                out.append((sid, ts, k, 0, float(raw)))
                    except (ValueError, IndexError):
                        pass  # not what our encoder writes: the full parser decides
                    else:
                        rows.extend(out)
                        pos = nl + 1
                        continue
            p, pos = decode_one(text, pos, mul)
            sid = self._series_id(cur, p.measurement, p.tags)
            sp = line.find(" ")
            if sp > 0 and '"' not in line[:sp] and "\\" not in line[:sp]:
                if len(ids) >= _PREFIX_CACHE_MAX:
                    ids.clear()
                ids[line[:sp]] = sid
            rows.extend((sid, p.time_ns, f, _kind(v), v) for f, v in p.fields.items())
        return rows

    def _write_sync(self, payload: bytes) -> None:
        if self._conn is None:
            self._conn = connect(self.path)
        with self._lock, self._conn:
            cur = self._conn.cursor()
            rows = self._rows(cur, payload)
            cur.executemany("INSERT OR REPLACE INTO samples VALUES (?, ?, ?, ?, ?)", rows)
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

    @staticmethod
    def _fields_sql(fields: list[str] | None) -> tuple[str, list[str]]:
        if not fields:
            return "", []
        return f" AND field IN ({','.join('?' * len(fields))})", list(fields)

    def _latest_sync(self, measurement: str, where: dict[str, str] | None, fields: list[str] | None) -> list[Point]:
        fsql, fargs = self._fields_sql(fields)
        out = []
        with self._lock:
            db = self._db()
            for sid, tags in self._series(measurement, where):
                row = db.execute(
                    f"SELECT MAX(time_ns) FROM samples WHERE series_id = ?{fsql}",  # noqa: S608 (placeholders only)
                    (sid, *fargs),
                ).fetchone()
                if row[0] is None:
                    continue
                vals = db.execute(
                    f"SELECT field, kind, value FROM samples WHERE series_id = ? AND time_ns = ?{fsql}",  # noqa: S608
                    (sid, row[0], *fargs),
                ).fetchall()
                out.append(Point(measurement, tags, {f: _value(k, v) for f, k, v in vals}, int(row[0])))
        return out

    def _range_sync(
        self, measurement: str, start: int, end: int, where: dict[str, str] | None, fields: list[str] | None
    ) -> list[Point]:
        fsql, fargs = self._fields_sql(fields)
        out: list[Point] = []
        with self._lock:
            db = self._db()
            for sid, tags in self._series(measurement, where):
                cur: Point | None = None
                for t, f, k, v in db.execute(
                    "SELECT time_ns, field, kind, value FROM samples "  # noqa: S608 (placeholders only)
                    f"WHERE series_id = ? AND time_ns >= ? AND time_ns < ?{fsql} ORDER BY time_ns",
                    (sid, start, end, *fargs),
                ):
                    if cur is None or cur.time_ns != t:
                        cur = Point(measurement, dict(tags), {}, int(t))
                        out.append(cur)
                    cur.fields[f] = _value(k, v)
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
