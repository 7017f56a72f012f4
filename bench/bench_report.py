"""Availability report for a month of the national inventory: generation time and memory.

Data: `netmon inventory generate --size national` (~33,000 devices) and a month (November 2026,
Asia/Shanghai) of `snmp_reach` at a **5-minute resolution** (what the 5-minute downsampled
retention of docs/STORAGE.md keeps; ~285 M points) in the embedded SQLite sink's layout (one row
per point, the field set as the poller writes it: `error="",response_ms=…,up=1i,values=…i`),
with outages: two intranet provinces down for an hour (their cities, counties and townships
cut off behind them), 0.5 % of devices a day down on their own for 15-120 minutes, and 1 % of
devices with a 6-hour hole in the data. Rows are filled by SQLite itself (a recursive CTE; the
series rows come through the real SqliteSink), then outages and holes are applied as updates.

Measured: `netmon report availability --month 2026-11` as a user runs it (a subprocess), for
HTML and XLSX: wall time, CPU seconds and peak RSS (getrusage of the child).

    .venv/bin/python bench/bench_report.py [--days 30] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from netmon.inventory import Topology, load_inventory  # noqa: E402
from netmon.model import Point  # noqa: E402
from netmon.storage import Encoder, open_sink  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
STEP = 300
# The field sets of an answered and of a timed-out poll, as the poller's points encode them.
UP = 'error="",response_ms=0.875,up=1i,values=740i'
DOWN = 'error="timeout",response_ms=2000,up=0i,values=0i'
NETMON = [sys.executable, "-m", "netmon"]


def generate(d: Path, days: int) -> tuple[Path, dict[str, int]]:
    inv_csv = d / "national.csv"
    subprocess.run(
        [*NETMON, "inventory", "generate", "--size", "national", "-o", str(inv_csv)], check=True, capture_output=True
    )
    inv = load_inventory([inv_csv])
    topo = Topology(inv)
    db = d / "netmon.db"
    start = datetime(2026, 11, 1, tzinfo=TZ) - timedelta(hours=1)
    t0 = int(start.timestamp()) * 10**9
    n_steps = days * 288 + 24  # an hour on each side of the period

    async def seed() -> None:  # the series rows, through the real sink (its canonical tags JSON)
        sink = open_sink(f"sqlite:///{db}")
        await sink.start()
        pts = [Point("snmp_reach", dev.point_tags(), {"up": 1}, t0) for dev in inv]
        for i in range(0, len(pts), 5000):
            payload, n, _ = Encoder().encode(pts[i : i + 5000])
            await sink.write(payload, n)
        await sink.close()

    asyncio.run(seed())
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=OFF")  # one bulk fill: a WAL would hold every page twice
    conn.execute("PRAGMA synchronous=OFF")
    ids = {
        name: sid
        for sid, name in conn.execute(
            "SELECT id, json_extract(tags, '$.device') FROM series WHERE measurement='snmp_reach'"
        )
    }
    conn.execute("DELETE FROM points")
    conn.commit()
    w0 = time.perf_counter()
    conn.execute(
        """WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < ?)
           INSERT INTO points(series_id, time_ns, fields) SELECT s.id, ? + k.i * ?, ? FROM series s CROSS JOIN k
           WHERE s.measurement = 'snmp_reach'""",  # series outer, time inner: rows arrive in index order
        (n_steps, t0, STEP * 10**9, UP),
    )
    conn.commit()
    rnd = random.Random(17)
    stats = {"devices": len(ids), "points": 0, "own_outages": 0, "province_outages": 0, "cut_off": 0, "holes": 0}
    down: list[tuple[int, int, int]] = []
    provinces = sorted(
        {d.name for d in inv if d.tier.value == "province" and d.network.value == "intranet" and d.role == "core"}
    )
    for prov, day in zip(rnd.sample(provinces, 2), (3, 17), strict=True):
        a = int((datetime(2026, 11, day, 10, tzinfo=TZ)).timestamp()) * 10**9
        for dev in [prov, *topo.descendants(prov)]:
            down.append((ids[dev], a, a + 3600 * 10**9))
            stats["cut_off"] += dev != prov
        stats["province_outages"] += 1
    names = sorted(ids)
    for day in range(days):
        for dev in rnd.sample(names, max(1, len(names) // 200)):
            a = (
                int(
                    (
                        datetime(2026, 11, 1, tzinfo=TZ) + timedelta(days=day, minutes=rnd.randrange(0, 1440 - 120, 5))
                    ).timestamp()
                )
                * 10**9
            )
            down.append((ids[dev], a, a + rnd.randrange(15, 121, 5) * 60 * 10**9))
            stats["own_outages"] += 1
    conn.executemany(
        "UPDATE points SET fields = ? WHERE series_id = ? AND time_ns >= ? AND time_ns < ?", [(DOWN, *d) for d in down]
    )
    holes = []
    for dev in rnd.sample(names, len(names) // 100):
        a = (
            int(
                (
                    datetime(2026, 11, 1, tzinfo=TZ) + timedelta(days=rnd.randrange(days), hours=rnd.randrange(0, 18))
                ).timestamp()
            )
            * 10**9
        )
        holes.append((ids[dev], a, a + 6 * 3600 * 10**9))
    conn.executemany("DELETE FROM points WHERE series_id = ? AND time_ns >= ? AND time_ns < ?", holes)
    stats["holes"] = len(holes)
    conn.commit()
    stats["points"] = conn.execute("SELECT count(*) FROM points").fetchone()[0]
    conn.execute("PRAGMA journal_mode=WAL")  # as the sink leaves it
    conn.close()
    stats["gen_s"] = round(time.perf_counter() - w0)
    cfg = d / "netmon.yaml"
    cfg.write_text(
        f"inventory: [{inv_csv}]\nsink: sqlite:///{db}\ntimezone: Asia/Shanghai\nintervals: {{snmp: {STEP}}}\n",
        encoding="utf-8",
    )
    return cfg, stats


def run_report(cfg: Path, fmt: str, out: Path, period: list[str]) -> tuple[float, float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    w0 = time.perf_counter()
    r = subprocess.run([*NETMON, "report", "availability", "-c", str(cfg), *period, "--format", fmt, "-o", str(out)],
                       capture_output=True, text=True, env={**os.environ, "COLUMNS": "250"})  # fmt: skip
    wall = time.perf_counter() - w0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"report failed: {r.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024, r.stderr.strip().splitlines()[-1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--days", type=int, default=30, help="days of November 2026 to generate (30: the month)")
    ap.add_argument("--keep", type=Path, help="keep (or reuse) the generated database in this directory")
    args = ap.parse_args()
    d = args.keep or Path(tempfile.mkdtemp(prefix="netmon-bench-report-"))
    d.mkdir(parents=True, exist_ok=True)
    try:
        if (d / "netmon.yaml").exists() and args.keep:
            cfg, stats = d / "netmon.yaml", {"reused": 1}
        else:
            cfg, stats = generate(d, args.days)
        print(f"data: {stats}; database {(d / 'netmon.db').stat().st_size / 2**30:.1f} GiB")
        period = (
            ["--month", "2026-11"] if args.days == 30 else ["--from", "2026-11-01", "--to", f"2026-11-{args.days:02d}"]
        )
        for fmt in ("html", "xlsx"):
            wall, cpu, rss, summary = run_report(cfg, fmt, d / f"report.{fmt}", period)
            size = (d / f"report.{fmt}").stat().st_size / 2**20
            print(
                f"{fmt:5} wall {wall:6.1f} s  CPU {cpu:6.1f} s  peak RSS {rss:6.0f} MiB  file {size:5.1f} MiB  | {summary}"
            )
    finally:
        if not args.keep:
            shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
