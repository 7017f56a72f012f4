"""Reachability history as runs: from stored ``snmp_reach`` samples to (start, end, up) intervals.

A sample at ``t`` stands for the device's state until the next sample, as long as that comes
within ``gap`` (1.5 × the poll step, absorbing jitter); a longer silence means netmon was not
polling (a stopped poller, a lost spool), so after ``step`` the time counts as *no data*, not
as up or down. ``up`` may be fractional: data downsampled with ``mean(up)`` (docs/STORAGE.md)
gives 0.6 for a 5-minute slot with 3 of 5 polls answered.

Two readers give the same runs: ``SqliteRuns`` lets SQLite aggregate each series (finding
``up`` in the stored field set with string functions) and reads sample by sample only the
series that were not up throughout (a month of the national network is ~285 M samples at 5
minutes: Python must not see each one); ``QueryRuns`` goes through the storage query helper
(``Query.range``, InfluxQL for InfluxDB) a day at a time and compresses in Python.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sqlite3
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import NetmonError
from ..storage import Query
from ..storage.sqlite import SqliteQuery, connect, decode_fields

DAY_NS = 86_400 * 10**9


@dataclass(slots=True)
class Run:
    start: int  # ns
    end: int  # ns, exclusive
    up: float  # 1.0 up, 0.0 down, between: partly (downsampled data)


@dataclass
class Series:
    tags: dict[str, str]
    runs: list[Run]


def runs_from_samples(
    samples: Iterable[tuple[int, float]], step_ns: int, gap_ns: int, start: int, end: int
) -> list[Run]:
    """Sorted (time_ns, up) samples -> merged runs clipped to [start, end)."""
    out: list[Run] = []
    prev: tuple[int, float] | None = None

    def add(t: int, v: float, until: int) -> None:
        s, e = max(t, start), min(until, end)
        if e <= s:
            return
        if out and out[-1].end == s and out[-1].up == v:
            out[-1].end = e
        else:
            out.append(Run(s, e, v))

    for t, v in samples:
        if prev is not None:
            pt, pv = prev
            add(pt, pv, t if t - pt <= gap_ns else pt + step_ns)
        prev = (t, float(v))
    if prev is not None:
        add(prev[0], prev[1], prev[0] + step_ns)
    return out


# SQL that is true when a stored field set (``points.fields``, line-protocol text:
# docs/STORAGE.md) certainly holds ``up`` = 1, without Python and without copying the text
# (string functions that build new text cost ~5 µs a row here; GLOB and instr do not). It is
# trusted only where nothing can fool it: no backslash (escapes), no non-empty string value
# (its text could hold ",up=1i,"; the poller's ``error=""`` is empty when up), a single
# "up=", and that one a whole key with value 1 (int, uint or float). Any other point (a down
# one, a foreign writer's) is decoded in Python, so the result is exact either way.
_CERTAIN_UP = """(instr(fields, '\\') = 0 AND NOT fields GLOB '*="[^"]*' AND NOT fields GLOB '*up=*up=*'
  AND (fields GLOB '*,up=1[iu],*' OR fields GLOB 'up=1[iu],*' OR fields GLOB '*,up=1,*' OR fields GLOB 'up=1,*'
       OR fields GLOB '*,up=1[iu]' OR fields GLOB 'up=1[iu]' OR fields GLOB '*,up=1' OR fields GLOB 'up=1'))"""


def _up(fields: str) -> float | None:
    """The ``up`` of one stored point (None: it has none, or not a number)."""
    val = decode_fields(fields).get("up")
    return float(val) if isinstance(val, int | float) else None


class SqliteRuns:
    """Runs straight from the embedded sink's file (docs/STORAGE.md), the heavy part in SQLite.

    SQLite first aggregates each series (count, first, last, and whether every ``up`` is
    certainly 1: ``_CERTAIN_UP``; a key range per series, in C). A series that was up throughout and has no
    hole is one run: its points are never brought into Python. A series is taken as hole-free
    when its span exceeds ``count - 1`` steps by less than ``gap - step``: then no spacing can
    exceed ``gap`` unless others fell short of the step, which phase-stable polling and
    downsampled data do not do. Every other series (a down sample, a hole, irregular polling, a
    field set SQL cannot read safely) is read point by point. Window functions (LAG/LEAD) would
    do it in one statement but cost ~5 µs a row: 25 minutes for a national month. Chunks of
    series run on a few threads (sqlite3 releases the GIL).
    """

    CHUNK = 2000

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise NetmonError(f"sqlite database {path} does not exist (nothing written yet?)")
        self.path = path

    async def read(self, start: int, end: int, step_ns: int, gap_ns: int) -> dict[str, Series]:
        return await asyncio.to_thread(self.read_sync, start, end, step_ns, gap_ns)

    def _chunk(self, sids: list[int], start: int, end: int, step_ns: int, gap_ns: int) -> dict[int, list[Run]]:
        conn = connect(self.path, readonly=True)
        try:
            marks = ",".join("?" * len(sids))
            lo = start - gap_ns
            stats = conn.execute(
                f"SELECT series_id, count(*), min(time_ns), max(time_ns), min({_CERTAIN_UP}) FROM points "  # noqa: S608 (placeholders only)
                f"WHERE series_id IN ({marks}) AND time_ns >= ? AND time_ns < ? GROUP BY series_id",
                (*sids, lo, end),
            ).fetchall()
            out: dict[int, list[Run]] = {}
            dirty: list[int] = []
            for sid, n, first, last, all_up in stats:
                if all_up and last - first <= (n - 1) * step_ns + (gap_ns - step_ns):
                    s, e = max(first, start), min(last + step_ns, end)
                    out[sid] = [Run(s, e, 1.0)] if e > s else []
                else:
                    dirty.append(sid)
            if dirty:
                marks = ",".join("?" * len(dirty))
                rows = conn.execute(  # NULL where SQL already knows up = 1
                    f"SELECT series_id, time_ns, CASE WHEN {_CERTAIN_UP} THEN NULL ELSE fields END FROM points "  # noqa: S608
                    f"WHERE series_id IN ({marks}) AND time_ns >= ? AND time_ns < ? ORDER BY series_id, time_ns",
                    (*dirty, lo, end),
                )
                for sid, group in itertools.groupby(rows, key=lambda r: r[0]):
                    ups = ((t, 1.0 if fs is None else _up(fs)) for _, t, fs in group)
                    out[sid] = runs_from_samples(((t, v) for t, v in ups if v is not None), step_ns, gap_ns, start, end)
            return out
        finally:
            conn.close()

    def read_sync(self, start: int, end: int, step_ns: int, gap_ns: int) -> dict[str, Series]:
        try:
            conn = connect(self.path, readonly=True)
            try:
                rows = conn.execute("SELECT id, tags FROM series WHERE measurement = 'snmp_reach'").fetchall()
            finally:
                conn.close()
            tags_by_sid = {int(sid): json.loads(t) for sid, t in rows}
            sids = sorted(tags_by_sid)
            chunks = [sids[i : i + self.CHUNK] for i in range(0, len(sids), self.CHUNK)]
            with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
                parts = list(pool.map(lambda c: self._chunk(c, start, end, step_ns, gap_ns), chunks))
        except sqlite3.Error as exc:
            raise NetmonError(f"sqlite database {self.path}: {exc}") from None
        out: dict[str, Series] = {}
        for part in parts:
            for sid, runs in part.items():
                tags = tags_by_sid.get(sid, {})
                _merge_into(out, tags.get("device", f"series{sid}"), tags, runs)
        return out


def _merge_into(out: dict[str, Series], dev: str, tags: dict[str, str], runs: list[Run]) -> None:
    """A device whose tags changed (a site renamed) has several series: join their runs."""
    s = out.get(dev)
    if s is None:
        out[dev] = Series(tags, runs)
    else:
        s.runs = sorted([*s.runs, *runs], key=lambda r: r.start)


class QueryRuns:
    """Runs through the storage query helper (InfluxDB 1.x, the v2 API's InfluxQL, or SQLite)."""

    def __init__(self, query: Query) -> None:
        self.query = query

    async def read(self, start: int, end: int, step_ns: int, gap_ns: int) -> dict[str, Series]:
        per: dict[str, tuple[dict[str, str], list[tuple[int, float]]]] = {}
        t = start - gap_ns
        while t < end:  # a day at a time: a month of a province in one answer would be too big
            chunk_end = min(end, t + DAY_NS)
            for p in await self.query.range("snmp_reach", t, chunk_end, fields=["up"]):
                v = p.fields.get("up")
                if not isinstance(v, int | float):
                    continue
                dev = p.tags.get("device", "?")
                per.setdefault(dev, (p.tags, []))[1].append((p.time_ns, float(v)))
            t = chunk_end
        out: dict[str, Series] = {}
        for dev, (tags, samples) in per.items():
            samples.sort()
            out[dev] = Series(tags, runs_from_samples(samples, step_ns, gap_ns, start, end))
        return out


def open_runs(query: Query) -> SqliteRuns | QueryRuns:
    return SqliteRuns(query.path) if isinstance(query, SqliteQuery) else QueryRuns(query)
