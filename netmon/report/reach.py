"""Reachability history as runs: from stored ``snmp_reach`` samples to (start, end, up) intervals.

A sample at ``t`` stands for the device's state until the next sample, as long as that comes
within ``gap`` (1.5 × the poll step, absorbing jitter); a longer silence means netmon was not
polling (a stopped poller, a lost spool), so after ``step`` the time counts as *no data*, not
as up or down. ``up`` may be fractional: data downsampled with ``mean(up)`` (docs/STORAGE.md)
gives 0.6 for a 5-minute slot with 3 of 5 polls answered.

Two readers give the same runs: ``SqliteRuns`` lets SQLite find the run boundaries with window
functions (a month of the national network is ~285 M samples at 5 minutes: Python must not see
each one); ``QueryRuns`` goes through the storage query helper (``Query.range``, InfluxQL for
InfluxDB) a day at a time and compresses in Python.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import NetmonError
from ..storage import Query
from ..storage.sqlite import SqliteQuery, connect

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


class SqliteRuns:
    """Runs straight from the embedded sink's schema (docs/STORAGE.md), boundaries found in SQL."""

    SQL = """
    WITH s AS (
      SELECT series_id AS sid, time_ns AS t, CAST(value AS REAL) AS v,
             LAG(time_ns) OVER w AS pt, LAG(value) OVER w AS pv,
             LEAD(time_ns) OVER w AS nt, LEAD(value) OVER w AS nv
      FROM samples
      WHERE field = 'up' AND time_ns >= :start AND time_ns < :end
        AND series_id IN (SELECT id FROM series WHERE measurement = 'snmp_reach')
      WINDOW w AS (PARTITION BY series_id ORDER BY time_ns))
    SELECT sid, t, v, (pt IS NULL OR pv != v OR t - pt > :gap) AS is_start,
           (nt IS NULL OR nv != v OR nt - t > :gap) AS is_end, CASE WHEN nt - t > :gap THEN NULL ELSE nt END
    FROM s
    WHERE pt IS NULL OR pv != v OR t - pt > :gap OR nt IS NULL OR nv != v OR nt - t > :gap
    ORDER BY sid, t
    """

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise NetmonError(f"sqlite database {path} does not exist (nothing written yet?)")
        self.path = path

    async def read(self, start: int, end: int, step_ns: int, gap_ns: int) -> dict[str, Series]:
        return await asyncio.to_thread(self.read_sync, start, end, step_ns, gap_ns)

    def read_sync(self, start: int, end: int, step_ns: int, gap_ns: int) -> dict[str, Series]:
        conn: sqlite3.Connection = connect(self.path, readonly=True)
        try:
            tags_by_sid = {
                int(sid): json.loads(t)
                for sid, t in conn.execute("SELECT id, tags FROM series WHERE measurement = 'snmp_reach'")
            }
            out: dict[str, Series] = {}
            cur_sid = -1
            rows: list[tuple[int, float, int, int, int | None]] = []  # boundary rows of one series

            def flush() -> None:
                if cur_sid >= 0 and rows:
                    tags = tags_by_sid.get(cur_sid, {})
                    dev = tags.get("device", f"series{cur_sid}")
                    _merge_into(out, dev, tags, _runs_from_boundaries(rows, step_ns, start, end))

            for sid, t, v, st, en, nt in conn.execute(self.SQL, {"start": start - gap_ns, "end": end, "gap": gap_ns}):
                if sid != cur_sid:
                    flush()
                    cur_sid, rows = sid, []
                rows.append((int(t), float(v), int(st), int(en), None if nt is None else int(nt)))
            flush()
            return out
        except sqlite3.Error as exc:
            raise NetmonError(f"sqlite database {self.path}: {exc}") from None
        finally:
            conn.close()


def _runs_from_boundaries(
    rows: list[tuple[int, float, int, int, int | None]], step_ns: int, start: int, end: int
) -> list[Run]:
    """Rows (time, up, is_start, is_end, next sample time) that start and/or end a run -> runs.

    Between a run's start and end every sample has the same value and none is more than ``gap``
    after the previous, so a run covers from its start row to its end row's next sample (a
    value change) or to end row + step (a gap: no data follows).
    """
    out: list[Run] = []
    run_start = 0
    for t, v, is_start, is_end, nt in rows:
        if is_start:
            run_start = t
        if is_end:
            cov = nt if nt is not None else t + step_ns  # the SQL gives no next time across a gap
            s, e = max(run_start, start), min(cov, end)
            if e > s:
                out.append(Run(s, e, v))
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
