"""Storage benchmark: netmon's pipeline vs raw line protocol into the same influxd, in one run.

1. raw:      pre-built line protocol POSTed to influxd /write on one keep-alive connection;
2. pipeline: the same points as Point objects through netmon (serialise + spool + send);
3. replay:   a simulated 10-minute outage of D devices x 30 interfaces x 10 polls spooled while
             the sink is down, then replayed into influxd: points/s.

Prints lines/s, the ratio pipeline/raw (bar 0.5x, goal 0.9x) and CPU seconds of this process
and of influxd for each phase. Usage: .venv/bin/python bench/bench_storage.py [--devices 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx

from netmon.config import BatchSettings, SpoolSettings
from netmon.lab.influx import Influxd, start_influxd
from netmon.lab.procs import free_port
from netmon.model import Point
from netmon.storage import Encoder, Pipeline

IFACES = 30
T0 = 1_700_000_000_000_000_000
TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int) -> float:
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / TICK


def make_polls(devices: int, polls: int) -> Iterator[list[Point]]:
    """One list per device poll (what a collector submits), 30 interface points each.

    Tag dicts are built once per interface and shared across polls, as a collector does.
    """
    tag_sets = []
    for d in range(devices):
        base = {
            "device": f"gd-gz-{d:04d}-core",
            "network": "intranet",
            "tier": "county",
            "region": "广东/广州/天河",
            "province": "广东",
            "site": f"天河政务中心 {d % 50}",
            "role": "access",
            "vendor": "huawei_vrp",
        }
        tag_sets.append(
            [{**base, "ifName": f"GigabitEthernet0/0/{i}", "ifIndex": str(i + 1), "uplink": "0"} for i in range(IFACES)]
        )
    for k in range(polls):
        for d in range(devices):
            pts = []
            for i, tags in enumerate(tag_sets[d]):
                c = k * 1_000_000 + d * 31 + i
                fields: dict[str, float | int | str | bool] = {
                    "in_octets": c * 1000,
                    "out_octets": c * 900,
                    "in_ucast_pkts": c,
                    "out_ucast_pkts": c,
                    "in_errors": 0,
                    "out_errors": 0,
                    "oper_status": 1,
                    "speed_mbps": 1000,
                    "in_bps": c * 0.5,
                    "out_bps": c * 0.25,
                }
                pts.append(Point("interface", tags, fields, T0 + k * 60_000_000_000 + d * 1000 + i))
            yield pts


def create_db(h: Influxd, name: str) -> None:
    h.query(f'CREATE DATABASE "{name}"')


def count(h: Influxd, db: str) -> int:
    res = h.query('SELECT count("in_octets") FROM interface', db=db)["results"][0]
    return int(res["series"][0]["values"][0][1]) if res.get("series") else 0


def bench_raw(h: Influxd, polls: list[list[Point]], batch: int, db: str) -> tuple[int, float, float, float]:
    create_db(h, db)
    payload, n, _ = Encoder().encode([p for poll in polls for p in poll])
    lines = payload.split(b"\n")[:-1]
    chunks = [b"\n".join(lines[i : i + batch]) + b"\n" for i in range(0, len(lines), batch)]
    c0, i0, t0 = time.process_time(), proc_cpu(h.pid), time.perf_counter()
    with httpx.Client(base_url=h.url, timeout=60) as client:
        for ch in chunks:
            r = client.post("/write", params={"db": db}, content=ch)
            r.raise_for_status()
    wall = time.perf_counter() - t0
    return n, wall, time.process_time() - c0, proc_cpu(h.pid) - i0


async def bench_pipeline(
    h: Influxd, polls: list[list[Point]], batch: int, spool: Path, db: str
) -> tuple[int, float, float, float]:
    create_db(h, db)
    n = sum(len(p) for p in polls)
    c0, i0, t0 = time.process_time(), proc_cpu(h.pid), time.perf_counter()
    pipe = await Pipeline.open(
        f"influxdb1://{h.url[7:]}/{db}", spool, SpoolSettings(fsync="batch"), BatchSettings(size=batch, interval=0.2)
    )
    for poll in polls:
        await pipe.submit(poll)
        await asyncio.sleep(0)  # collectors yield between polls; the drain task gets its turns
    ok = await pipe.flush(600)
    await pipe.close()
    wall = time.perf_counter() - t0
    assert ok, "pipeline did not drain"
    return n, wall, time.process_time() - c0, proc_cpu(h.pid) - i0


async def bench_replay(h: Influxd, polls: Iterable[list[Point]], batch: int, spool: Path) -> dict[str, float]:
    create_db(h, "replay")
    n = 0
    settings = SpoolSettings(fsync="batch", max_bytes=4 << 30)
    # The outage: the sink's port answers nothing, every poll goes to the spool.
    c0, t0 = time.process_time(), time.perf_counter()
    down = await Pipeline.open(f"influxdb1://127.0.0.1:{free_port()}/replay", spool, settings, BatchSettings())
    for poll in polls:
        await down.submit(poll)
        n += len(poll)
    spool_bytes = down.stats()["spool_bytes"]
    await down.close(timeout=0)
    spool_wall, spool_cpu = time.perf_counter() - t0, time.process_time() - c0
    # Recovery: the next start replays the spool in order.
    c0, i0, t0 = time.process_time(), proc_cpu(h.pid), time.perf_counter()
    up = await Pipeline.open(f"influxdb1://{h.url[7:]}/replay", spool, settings, BatchSettings(size=batch))
    ok = await up.flush(900)
    await up.close()
    wall = time.perf_counter() - t0
    assert ok, "replay did not finish"
    return {
        "points": n,
        "spool_wall": spool_wall,
        "spool_cpu": spool_cpu,
        "spool_bytes": spool_bytes,
        "replay_wall": wall,
        "replay_cpu": time.process_time() - c0,
        "influxd_cpu": proc_cpu(h.pid) - i0,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ingest-devices", type=int, default=200, help="devices for raw vs pipeline (x30 ifaces x polls)")
    ap.add_argument("--ingest-polls", type=int, default=10)
    ap.add_argument("--devices", type=int, default=2000, help="devices in the simulated outage (x30 ifaces x10 polls)")
    ap.add_argument("--batch", type=int, default=5000, help="points per write")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="netmon-bench-storage-"))
    h = start_influxd(work / "influxd")
    try:
        ingest = list(make_polls(args.ingest_devices, args.ingest_polls))
        # Alternate the order so neither side always gets the warmer server.
        # Order raw, pipeline, pipeline, raw (ABBA): neither side always gets the warmer server.
        raw_runs, pipe_runs = [], []
        raw_runs.append(bench_raw(h, ingest, args.batch, "raw1"))
        pipe_runs.append(asyncio.run(bench_pipeline(h, ingest, args.batch, work / "spool1", "pipe1")))
        pipe_runs.append(asyncio.run(bench_pipeline(h, ingest, args.batch, work / "spool1b", "pipe2")))
        raw_runs.append(bench_raw(h, ingest, args.batch, "raw2"))
        n = raw_runs[0][0]
        for db in ("raw1", "raw2", "pipe1", "pipe2"):
            assert count(h, db) == n, f"not every point arrived in {db}"
        raw_wall, raw_cpu, raw_icpu = (sum(r[i] for r in raw_runs) / 2 for i in (1, 2, 3))
        pipe_wall, pipe_cpu, pipe_icpu = (sum(r[i] for r in pipe_runs) / 2 for i in (1, 2, 3))
        raw_rate, pipe_rate = n / raw_wall, n / pipe_wall
        print(
            f"ingest, mean of 2 runs each in ABBA order: {n} interface points ({args.ingest_devices} devices x {IFACES} ifaces x {args.ingest_polls} polls)"
        )
        print(
            f"  raw line protocol -> influxd : {raw_rate:9.0f} lines/s  wall {raw_wall:6.2f}s  "
            f"client CPU {raw_cpu:6.2f}s  influxd CPU {raw_icpu:6.2f}s"
        )
        print(
            f"  netmon pipeline   -> influxd : {pipe_rate:9.0f} lines/s  wall {pipe_wall:6.2f}s  "
            f"netmon CPU {pipe_cpu:6.2f}s  influxd CPU {pipe_icpu:6.2f}s"
        )
        print(
            f"  ratio pipeline/raw: {pipe_rate / raw_rate:.2f}x  (bar 0.50x, goal 0.90x); "
            f"netmon CPU per point {pipe_cpu / n * 1e6:.1f} us"
        )
        # On a shared machine wall time follows total CPU; this ratio is steadier.
        cpu_ratio = (raw_cpu + raw_icpu) / (pipe_cpu + pipe_icpu)
        print(f"  CPU-seconds ratio raw/pipeline (client+influxd): {cpu_ratio:.2f}x")

        del ingest
        outage = make_polls(args.devices, 10)
        r = asyncio.run(bench_replay(h, outage, args.batch, work / "spool2"))
        assert count(h, "replay") == r["points"], "replay lost points"
        print(f"outage: {args.devices} devices x {IFACES} ifaces x 10 polls = {int(r['points'])} points")
        print(
            f"  spooling while the sink is down: {r['points'] / r['spool_wall']:9.0f} points/s  "
            f"CPU {r['spool_cpu']:6.2f}s  spool {r['spool_bytes'] / 1e6:.0f} MB"
        )
        print(
            f"  replay after recovery          : {r['points'] / r['replay_wall']:9.0f} points/s  "
            f"wall {r['replay_wall']:6.2f}s  netmon CPU {r['replay_cpu']:6.2f}s  influxd CPU {r['influxd_cpu']:6.2f}s"
        )
    finally:
        h.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
