"""The embedded SQLite sink: CPU per device-poll, old row layout vs the packed one, same payloads.

1,000 polls of a 48-interface device (200 devices x 5 cycles, measured after a first cycle
that makes every series known, as in a running daemon), encoded once by netmon's ``Encoder`` into line
protocol, batched as the pipeline batches (``batch.size`` 5000 points). Each layout writes the
same batches into a fresh file (WAL, synchronous=NORMAL, one transaction per batch):

* ``rows`` (before): one row per field value, ``samples(series_id, time_ns, field, kind,
  value)`` WITHOUT ROWID + ``samples_time`` index, each line split into typed values
  (the sink of main up to this change, kept here verbatim as the reference);
* ``points`` (now): ``netmon.storage.sqlite.SqliteSink``: one row per point, the field set
  kept as line-protocol text.

Printed per layout: CPU µs per poll and per point (this process: the split and SQLite, which
runs in the calling thread), of which the split alone, the file size, and the CPU of reading
every interface point back through ``SqliteQuery.range`` (the old layout: its own reader).

    .venv/bin/python bench/bench_sink.py [--devices 200] [--cycles 5] [--interfaces 48]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from netmon.model import Point  # noqa: E402
from netmon.storage import Encoder  # noqa: E402
from netmon.storage.lineproto import decode_one  # noqa: E402
from netmon.storage.sqlite import SqliteQuery, SqliteSink  # noqa: E402
from netmon.storage.urls import parse_sink_url  # noqa: E402

T0 = 1_790_000_000_000_000_000
BATCH_POINTS = 5000
COUNTERS = ("in_octets", "out_octets", "in_ucast_pkts", "out_ucast_pkts", "in_mcast_pkts", "out_mcast_pkts",
            "in_bcast_pkts", "out_bcast_pkts", "in_errors", "out_errors", "in_discards", "out_discards")  # fmt: skip
RATES = ("in_bps", "out_bps", "in_pps", "out_pps", "in_errors_ps", "out_errors_ps", "in_discards_ps",
         "out_discards_ps", "in_util_pct", "out_util_pct")  # fmt: skip


def polls(devices: int, cycles: int, interfaces: int, spaced: bool = False) -> list[list[Point]]:
    """The points of each device-poll, shaped as collectors/snmp/poller.py makes them
    (``spaced``: site names and interface descriptions with spaces, escaped in line protocol)."""
    gap = " " if spaced else ""
    rnd = random.Random(15)
    out = []
    for c in range(cycles):
        for d in range(devices):
            t = T0 + c * 30 * 10**9 + d * 10**7
            base = {"device": f"gd-gz-{d:04d}", "network": "intranet", "tier": "county", "region": "广东/广州/天河",
                    "site": f"天河政务中心{gap}{d // 10}", "role": "access", "vendor": "huawei_vrp"}  # fmt: skip
            pts = [
                Point("snmp_reach", dict(base), {"up": 1, "response_ms": 0.5 + rnd.random(), "error": "", "values": 900}, t),
                Point("snmp_system", dict(base), {"uptime_s": 86400.0 + c * 30, "sys_name": f"gz{d}", "sys_descr": "Huawei VRP",
                      "sys_object_id": "1.3.6.1.4.1.2011.2.23.1", "vendor_detected": "huawei_vrp", "vendor_mismatch": 0}, t),
            ]  # fmt: skip
            for i in range(interfaces):
                fields: dict[str, float | int | str | bool] = {"oper_status": 1, "admin_status": 1}
                fields.update({k: rnd.randrange(2**40) for k in COUNTERS})
                fields.update({"speed_mbps": 1000, "hc": 1})
                if c:  # rates from the second poll on
                    fields.update({k: round(rnd.random() * 1e8, 3) for k in RATES})
                tags = {**base, "ifName": f"GigabitEthernet0/0/{i}", "ifAlias": f"to{gap}county-{i}", "ifIndex": str(i + 1),
                        "uplink": "1" if i == 0 else "0"}  # fmt: skip
                pts.append(Point("interface", tags, fields, t))
            out.append(pts)
    return out


def batches(all_polls: list[list[Point]]) -> list[bytes]:
    enc = Encoder()
    out, cur = [], []
    for pts in all_polls:
        cur.extend(pts)
        if len(cur) >= BATCH_POINTS:
            out.append(enc.encode(cur)[0])
            cur = []
    if cur:
        out.append(enc.encode(cur)[0])
    return out


# --- the old layout, as netmon/storage/sqlite.py wrote it before (reference only) -------------

OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS series(id INTEGER PRIMARY KEY, measurement TEXT NOT NULL, tags TEXT NOT NULL,
    UNIQUE(measurement, tags));
CREATE TABLE IF NOT EXISTS samples(series_id INTEGER NOT NULL, time_ns INTEGER NOT NULL, field TEXT NOT NULL,
    kind INTEGER NOT NULL, value, PRIMARY KEY(series_id, time_ns, field)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS samples_time ON samples(time_ns);
"""
_BOOLS = {"t": True, "T": True, "true": True, "True": True, "TRUE": True,
          "f": False, "F": False, "false": False, "False": False, "FALSE": False}  # fmt: skip


def _kind(v: object) -> int:
    t = type(v)
    return 2 if t is bool else 1 if t is int else 3 if t is str else 0


class OldRowSink:
    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(OLD_SCHEMA)
        self.ids: dict[tuple[str, str], int] = {}
        self.prefix_ids: dict[str, int] = {}

    def _series_id(self, cur: sqlite3.Cursor, measurement: str, tags: dict[str, str]) -> int:
        key = (measurement, json.dumps(dict(sorted(tags.items())), ensure_ascii=False, separators=(",", ":")))
        sid = self.ids.get(key)
        if sid is None:
            cur.execute("INSERT OR IGNORE INTO series(measurement, tags) VALUES (?, ?)", key)
            sid = self.ids[key] = cur.execute(
                "SELECT id FROM series WHERE measurement = ? AND tags = ?", key
            ).fetchone()[0]
        return sid

    def rows(self, cur: sqlite3.Cursor, payload: bytes) -> list[tuple[int, int, str, int, object]]:
        text = payload.decode()
        rows: list[tuple[int, int, str, int, object]] = []
        ids = self.prefix_ids
        pos, end = 0, len(text)
        while pos < end:
            nl = text.find("\n", pos)
            if nl < 0:
                nl = end
            line = text[pos:nl]
            if not line or line[0] == "#":
                pos = nl + 1
                continue
            if '"' not in line and "\\" not in line and line[-1] != " ":
                sp = line.find(" ")
                last = line.rfind(" ")
                sid = ids.get(line[:sp]) if sp > 0 else None
                if sid is not None and last > sp:
                    try:
                        ts = int(line[last + 1 :])
                        out: list[tuple[int, int, str, int, object]] = []
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
                        pass
                    else:
                        rows.extend(out)
                        pos = nl + 1
                        continue
            p, pos = decode_one(text, pos, 1)
            sid = self._series_id(cur, p.measurement, p.tags)
            sp = line.find(" ")
            if sp > 0 and '"' not in line[:sp] and "\\" not in line[:sp]:
                ids[line[:sp]] = sid
            rows.extend((sid, p.time_ns, f, _kind(v), v) for f, v in p.fields.items())
        return rows

    def write(self, payload: bytes) -> None:
        with self.conn:
            cur = self.conn.cursor()
            cur.executemany("INSERT OR REPLACE INTO samples VALUES (?, ?, ?, ?, ?)", self.rows(cur, payload))

    def read_all(self, measurement: str) -> int:
        """Every point of a measurement, as the old SqliteQuery.range read it (per series, typed)."""
        n = 0
        for (sid,) in self.conn.execute("SELECT id FROM series WHERE measurement = ?", (measurement,)).fetchall():
            cur_t = None
            fields: dict[str, object] = {}
            for t, f, k, v in self.conn.execute(
                "SELECT time_ns, field, kind, value FROM samples WHERE series_id = ? ORDER BY time_ns", (sid,)
            ):
                if t != cur_t:
                    n += 1
                    cur_t, fields = t, {}
                fields[f] = bool(v) if k == 2 else float(v) if k == 0 else v
        return n


# --- the run -------------------------------------------------------------------------------------


def cpu(fn: Callable[[], object]) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def run_old(d: Path, warm: list[bytes], payloads: list[bytes]) -> tuple[float, float, float, int]:
    sink = OldRowSink(d / "rows.db")
    for p in warm:
        sink.write(p)
    write = cpu(lambda: [sink.write(p) for p in payloads])
    split = OldRowSink(d / "rows-split.db")  # the split alone (series ids known from the first cycle)
    cur = split.conn.cursor()
    for p in warm:
        split.rows(cur, p)
    split_cpu = cpu(lambda: [split.rows(cur, p) for p in payloads])
    read = cpu(lambda: sink.read_all("interface"))
    sink.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sink.conn.close()
    split.conn.close()
    return write, split_cpu, read, (d / "rows.db").stat().st_size


def run_new(d: Path, warm: list[bytes], payloads: list[bytes]) -> tuple[float, float, float, int]:
    sink = SqliteSink(parse_sink_url(f"sqlite:///{d / 'points.db'}?retention_days=0"))
    for p in warm:
        sink._write_sync(p)
    write = cpu(lambda: [sink._write_sync(p) for p in payloads])
    split = SqliteSink(parse_sink_url(f"sqlite:///{d / 'points-split.db'}?retention_days=0"))
    for p in warm:
        split._write_sync(p)
    assert split._conn is not None
    cur = split._conn.cursor()
    split_cpu = cpu(lambda: [split._rows(cur, p) for p in payloads])
    q = SqliteQuery(d / "points.db")
    read = cpu(lambda: q._range_sync("interface", 0, 2**62, None, None))
    assert sink._conn is not None and split._conn is not None
    sink._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sink._conn.close()
    split._conn.close()
    if q._conn is not None:
        q._conn.close()
    return write, split_cpu, read, (d / "points.db").stat().st_size


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devices", type=int, default=200)
    ap.add_argument("--cycles", type=int, default=5, help="measured cycles (after a first one that is not)")
    ap.add_argument("--interfaces", type=int, default=48)
    ap.add_argument("--spaced-tags", action="store_true", help="tag values with spaces (escaped in line protocol)")
    args = ap.parse_args()
    all_polls = polls(args.devices, args.cycles + 1, args.interfaces, args.spaced_tags)
    warm = batches(all_polls[: args.devices])  # the first cycle: every series seen once, not measured
    measured = all_polls[args.devices :]
    n_polls = len(measured)
    n_points = sum(len(p) for p in measured)
    n_values = sum(len(p.fields) for pts in measured for p in pts)
    payloads = batches(measured)
    print(f"measured: {n_polls} polls after a first cycle of {args.devices}, {n_points} points "
          f"({n_points / n_polls:.0f} per poll), {n_values} field values ({n_values / n_polls:.0f} per poll), "
          f"{len(payloads)} batches, {sum(map(len, payloads)) / 2**20:.1f} MiB of line protocol")  # fmt: skip
    d = Path(tempfile.mkdtemp(prefix="netmon-bench-sink-"))
    try:
        res = {"rows (before)": run_old(d, warm, payloads), "points (now)": run_new(d, warm, payloads)}
    finally:
        shutil.rmtree(d, ignore_errors=True)
    print(
        f"{'layout':14} {'µs CPU/poll':>12} {'µs/point':>9} {'of which split':>15} {'file MiB':>9} {'read all ifaces':>16}"
    )
    for name, (write, split, read, size) in res.items():
        print(f"{name:14} {write / n_polls * 1e6:12.0f} {write / n_points * 1e6:9.2f} {split / n_polls * 1e6:13.0f} µs "
              f"{size / 2**20:9.1f} {read:14.2f} s")  # fmt: skip
    old, new = res["rows (before)"][0], res["points (now)"][0]
    print(
        f"write CPU ratio points/rows: {new / old:.3f} ({old / n_polls * 1e3:.2f} -> {new / n_polls * 1e3:.2f} ms per poll)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
