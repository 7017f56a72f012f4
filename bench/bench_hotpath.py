"""CPU of netmon's SNMP hot path per device-poll, stage by stage, in one process.

The same agents as bench_scale.py (one net-snmp ``snmpd`` on N UDP ports; as root inside a
network namespace with lo + 47 dummy interfaces, so each device serves 48 interfaces), and the
same netmon.yaml, but without the daemon around it: per cycle every device is polled through
``SnmpJob.poll`` (engine, BER, tables, rates), then each poll's points go the one-process way
(line-protocol encoding, alert engine on every point) and the ``--workers`` way (the worker
encodes and frames: ``workers.encode_result``; the parent unpickles and alerts on the trimmed
points), each stage timed on its own (process CPU).
The SQLite sink is not included (bench_storage.py / bench_scale.py measure it).

    .venv/bin/python bench/bench_hotpath.py [--devices 200] [--cycles 4] [--profile STAGE]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

STAGES = ("poll", "encode", "alerts", "w.encode", "p.unframe", "p.alerts", "old.frame")


def in_namespace(args: argparse.Namespace) -> int | None:
    """As root: run again inside a new netns with lo + 47 dummy interfaces (as bench_scale.py)."""
    if args.inner or os.geteuid() != 0 or not shutil.which("ip"):
        return None
    ns = f"nmhot{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        run = ["ip", "netns", "exec", ns]
        subprocess.run([*run, "ip", "link", "set", "lo", "up"], check=True)
        kind = "dummy"
        if subprocess.run([*run, "ip", "link", "add", "d0", "type", kind], capture_output=True).returncode:
            kind = "ifb"
        first = 1 if kind == "dummy" else 0
        batch = "".join(f"link add d{i} type {kind}\n" for i in range(first, 47))
        subprocess.run([*run, "ip", "-batch", "-"], input=batch, text=True, check=True)
        return subprocess.run([*run, sys.executable, __file__, "--inner", *sys.argv[1:]]).returncode
    finally:
        subprocess.run(["ip", "netns", "delete", ns], check=False)


async def measure(args: argparse.Namespace, cfg_path: Path) -> dict[str, float]:
    import pickle

    from netmon.alerting.runtime import make_engine
    from netmon.config import load_config
    from netmon.inventory import Topology, load_inventory
    from netmon.runtime.snmpjob import SnmpJob
    from netmon.runtime.workers import encode_result
    from netmon.storage.lineproto import Encoder

    cfg = load_config(cfg_path)
    topology = Topology(load_inventory(cfg.inventory))
    devices = list(topology.inventory)
    job = SnmpJob(cfg, topology)
    # one alert engine per path, so each sees every poll
    engines = [make_engine(cfg, topology, cfg_path.parent / f"alerts{i}.db") for i in range(2)]
    inproc, parent = engines
    assert inproc is not None and parent is not None
    needs = parent.fields_needed()
    encoder = Encoder()
    cpu = dict.fromkeys(STAGES, 0.0)
    prof = cProfile.Profile() if args.profile else None
    polls = 0
    measuring = False

    def timed(stage: str, fn: Callable[[], Any]) -> Any:
        if prof is not None and stage == args.profile:
            prof.enable()
        t = time.process_time()
        out = fn()
        if measuring:
            cpu[stage] += time.process_time() - t
        if prof is not None and stage == args.profile:
            prof.disable()
        return out

    for cycle in range(args.cycles + 1):  # cycle 0 warms up: static columns, rate baselines
        measuring = cycle > 0
        if prof is not None and args.profile == "poll" and measuring:
            prof.enable()
        t = time.process_time()
        results = await asyncio.gather(*(job.poll(d) for d in devices))
        if measuring:
            cpu["poll"] += time.process_time() - t
            polls += len(devices)
        if prof is not None and args.profile == "poll":
            prof.disable()
        for r in results:
            # one process (--workers 1): encode every point, alerts on every point
            timed("encode", lambda r=r: encoder.encode(r))
            timed("alerts", lambda r=r: inproc.process(r))
            # --workers N: the worker encodes and frames, the parent reads the frame and alerts
            # on what it holds (spooling the payload is a file append, as for one process)
            frame = timed("w.encode", lambda r=r: pickle.dumps(encode_result(r, encoder, needs, 5000), protocol=5))
            got = timed("p.unframe", lambda f=frame: pickle.loads(f))
            timed("p.alerts", lambda g=got: parent.process(g))
            timed("old.frame", lambda r=r: pickle.loads(pickle.dumps(r, protocol=5)))
        await asyncio.sleep(0.5)
    st = job.engine.stats
    print(f"engine: {st.requests / max(1, (args.cycles + 1) * len(devices)):.1f} requests per poll")
    await job.close()
    for e in engines:
        await e.aclose()
    if prof is not None:
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    return {k: v * 1000 / max(polls, 1) for k, v in cpu.items()}


def main() -> int:
    if os.environ.get("HOT_GC"):  # other collector thresholds, e.g. CPython's HOT_GC=700,10,10
        import gc

        gc.set_threshold(*map(int, os.environ["HOT_GC"].split(",")))
    else:
        from netmon.runtime.gctune import tune_gc

        tune_gc()  # as `netmon run` does
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devices", type=int, default=200)
    ap.add_argument("--cycles", type=int, default=4, help="measured cycles (after one warm-up)")
    ap.add_argument("--profile", choices=STAGES, help="cProfile one stage; print its top functions")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    rc = in_namespace(args)
    if rc is not None:
        return rc
    import bench_scale

    work = Path(tempfile.mkdtemp(prefix="netmon-hot-"))
    os.chmod(work, 0o700)
    snmpd = None
    try:
        snmpd, ports = bench_scale.start_agents(work, args.devices)
        cfg = bench_scale.netmon_config(work, ports, 30.0, 0.9)
        os.environ["BENCH_COMMUNITY"] = bench_scale.COMMUNITY
        ms = asyncio.run(measure(args, cfg))
        print(f"{args.devices} devices x 48 interfaces, {args.cycles} cycles: CPU ms per device-poll")
        for k in STAGES:
            print(f"  {k:10s} {ms[k]:6.3f}")
        one = ms["poll"] + ms["encode"] + ms["alerts"]
        print(f"  one process (poll + encode + alerts):              {one:6.3f}")
        print(f"  --workers: worker (poll + w.encode) {ms['poll'] + ms['w.encode']:6.3f}, "
              f"parent (p.unframe + p.alerts) {ms['p.unframe'] + ms['p.alerts']:6.3f}")  # fmt: skip
        print(f"  --workers before (pickled Points; worker poll + dumps, parent loads + encode + alerts): "
              f"{ms['poll'] + ms['old.frame'] + ms['encode'] + ms['alerts']:6.3f}")  # fmt: skip
        return 0
    finally:
        if snmpd is not None:
            snmpd.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
