"""Scale-out benchmark: poller → leaf → hub → relay → InfluxDB on this machine, in one run.

Stages run one after the other on the same points so CPU can be charged to each:

1. poller:  Point objects through netmon's Pipeline (serialise + spool + nats:// publish with
            ack) into the province's leaf stream. CPU: this process + the leaf nats-server.
2. source:  the hub's central stream copies the leaf stream across the leaf connection.
            CPU: hub + leaf.
3. relay:   `netmon relay` (the Relay class) drains the central stream into influxd: check
            line protocol, write, ack. CPU: this process + hub + influxd. This is the catch-up
            of a backlog sitting at the centre after an outage.
4. peer:    the same line protocol POSTed straight to influxd /write (no NATS): the floor any
            relay is measured against. CPU: this process + influxd.

The 8-hour backlog of 1,000 devices (30 interfaces each, polled every 60 s = 500 points/s,
14.4 M points) is too big for a 2-core shared machine in a minute, so the run uses
``--scale`` of it (default 1 %) and extrapolates the catch-up time linearly from the measured
relay rate; it says so in the output.

Usage: .venv/bin/python bench/bench_nats.py [--scale 0.01] [--devices 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from pathlib import Path

import httpx
import nats

from netmon.config import BatchSettings, SpoolSettings
from netmon.lab.influx import start_influxd
from netmon.lab.nats import LinkProxy, start_hub, start_leaf
from netmon.lab.procs import free_port
from netmon.model import Point
from netmon.scaleout.relay import Relay
from netmon.scaleout.settings import load_nats_settings
from netmon.scaleout.streams import setup_all
from netmon.storage import Encoder, Pipeline
from netmon.storage.factory import open_sink

IFACES = 30
INTERVAL = 60.0
T0 = 1_700_000_000_000_000_000
TICK = os.sysconf("SC_CLK_TCK")


def cpu(pid: int) -> float:
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / TICK


def me() -> float:
    t = os.times()
    return t.user + t.system


def polls(devices: int, rounds: int) -> list[list[Point]]:
    out = []
    tags = [
        [
            {"device": f"gd-{d:04d}-core", "province": "广东", "tier": "county", "ifname": f"GE0/0/{i}"}
            for i in range(IFACES)
        ]
        for d in range(devices)
    ]
    for r in range(rounds):
        for d in range(devices):
            t = T0 + int(r * INTERVAL * 1e9) + d * 1000
            out.append(
                [
                    Point("if", tags[d][i], {"in_octets": r * 1000 + i, "out_octets": r * 900 + i, "oper": 1}, t)
                    for i in range(IFACES)
                ]
            )
    return out


async def wait(check, timeout: float = 600.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise RuntimeError("timed out")


async def main(args: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="netmon-bench-nats-"))
    link_port = free_port()
    hub = start_hub(work / "hub", provinces=["gd"], advertise=f"127.0.0.1:{link_port}")
    link = LinkProxy("127.0.0.1", hub.leaf_port, port=link_port)
    leaf = start_leaf("gd", "127.0.0.1", link_port, hub.extra["leaf_passwords"]["gd"], work / "gd")  # type: ignore[index]
    influx = start_influxd(work / "influx")
    os.environ["BENCH_POLLER_PW"] = leaf.users["poller"]
    os.environ["BENCH_RELAY_PW"] = hub.users["relay"]
    try:
        while hub.leafnodes() < 1:
            await asyncio.sleep(0.05)
        total_points = args.devices * IFACES * 8 * 3600 / INTERVAL
        n_points = int(total_points * args.scale)
        rounds = max(1, n_points // (args.devices * IFACES))
        batches = polls(args.devices, rounds)
        n = sum(len(b) for b in batches)
        print(f"work: {args.devices} devices x {IFACES} interfaces x {rounds} polls = {n:,} points "
              f"({n / total_points:.2%} of an 8-hour backlog of {total_points:,.0f} points)")  # fmt: skip
        s = load_nats_settings({
            "hub": f"nats://relay@127.0.0.1:{hub.port}", "password": "env:BENCH_RELAY_PW", "fetch_batch": 256,
            "stats_interval_s": 3600, "outage_hours": 0.5,  # the lab servers cap file storage at 2 GB
            "provinces": [{"name": "广东", "domain": "gd", "points_per_s": args.devices * IFACES / INTERVAL * 1.2}],
        })  # fmt: skip
        hnc = await nats.connect(hub.url, user="relay", password=hub.users["relay"])
        await setup_all(hnc, s)
        for db in ("relay", "peer"):
            influx.query(f'CREATE DATABASE "{db}"')
        rows: list[tuple[str, float, float, str]] = []

        # 1. poller → leaf, with the province's link cut (so stage 2 is measured on its own)
        link.cut()
        url = (f"nats://poller@127.0.0.1:{leaf.port}/?stream=TELEMETRY&subject=netmon.telemetry.gd&domain=gd"
               "&password=env:BENCH_POLLER_PW")  # fmt: skip
        batch = BatchSettings(size=5000, interval=0.2)
        pipe = await Pipeline.open(url, work / "spool", SpoolSettings(fsync="batch"), batch)
        c0, l0, w0 = me(), cpu(leaf.pid), time.perf_counter()
        for b in batches:
            await pipe.submit(b)
        assert await pipe.flush(600)
        w1 = time.perf_counter()
        rows.append(
            (
                "1 poller → leaf (serialise, spool, publish+ack)",
                w1 - w0,
                me() - c0 + cpu(leaf.pid) - l0,
                "netmon + leaf",
            )
        )
        await pipe.close()

        # 2. leaf → hub: the link comes back and the hub copies the province's backlog
        lnc = await nats.connect(leaf.url, user="poller", password=leaf.users["poller"])
        leaf_js = lnc.jetstream()
        msgs = (await leaf_js.stream_info("TELEMETRY")).state.messages

        async def copied() -> bool:
            return (await hnc.jetstream().stream_info(s.stream)).state.messages >= msgs

        h0, l0, w0 = cpu(hub.pid), cpu(leaf.pid), time.perf_counter()
        link.restore()
        await wait(copied)
        w1 = time.perf_counter()
        rows.append(
            (
                "2 leaf → hub (link back: sourcing the backlog)",
                w1 - w0,
                cpu(hub.pid) - h0 + cpu(leaf.pid) - l0,
                "hub + leaf",
            )
        )

        # 3. relay: drain the central stream into influxd (catch-up of a backlog)
        sink = open_sink(f"influxdb1://{influx.url.split('//')[1]}/relay")
        await sink.start()
        relay = Relay(hnc, s, sink, instance="bench")
        c0, h0, i0, w0 = me(), cpu(hub.pid), cpu(influx.pid), time.perf_counter()
        task = asyncio.create_task(relay.run())
        await wait(lambda: _true(relay.c.points >= n))
        w1 = time.perf_counter()
        relay.stop()
        await task
        split = (me() - c0, cpu(hub.pid) - h0, cpu(influx.pid) - i0)
        relay_wall, relay_cpu = w1 - w0, sum(split)
        who = "netmon {:.2f}s + hub {:.2f}s + influxd {:.2f}s".format(*split)
        rows.append(("3 relay → influxd (check, write, ack)", relay_wall, relay_cpu, who))
        await sink.close()

        # 4. peer: the same bytes straight into influxd
        enc = Encoder("ns")
        payloads = []
        for i in range(0, len(batches), max(1, 5000 // IFACES)):
            chunk = [p for b in batches[i : i + 5000 // IFACES] for p in b]
            payloads.append(enc.encode(chunk)[0])
        async with httpx.AsyncClient(base_url=influx.url, timeout=60) as http:
            c0, i0, w0 = me(), cpu(influx.pid), time.perf_counter()
            for body in payloads:
                r = await http.post("/write", params={"db": "peer", "precision": "n"}, content=body)
                r.raise_for_status()
            w1 = time.perf_counter()
        rows.append(
            ("4 peer: raw POST /write (no NATS)", w1 - w0, me() - c0 + cpu(influx.pid) - i0, "client + influxd")
        )

        got = influx.query('SELECT count("in_octets") FROM "if"', db="relay")["results"][0]["series"][0]["values"][0][1]  # type: ignore[index]
        print(f"stored by the relay: {got:,} of {n:,} points ({msgs} messages)")
        print("note: stage 2's wall time includes nats-server 2.9's source retry delay after a link returns (seconds)")
        print(f"{'stage':52} {'wall s':>8} {'points/s':>10} {'CPU s':>7} {'µs CPU/pt':>10}  charged to")
        for name, wall, c, who in rows:
            rate = f"{n / wall:,.0f}" if wall else "-"
            print(f"{name:52} {wall:8.2f} {rate:>10} {c:7.2f} {c / n * 1e6:10.1f}  {who}")
        relay_rate = n / relay_wall
        peer_rate = n / rows[3][1]
        print(f"relay / raw write rate: {relay_rate / peer_rate:.2f}x")
        print(f"catch-up of an 8-hour backlog of {args.devices} devices ({total_points:,.0f} points), extrapolated "
              f"linearly from the measured relay rate: {total_points / relay_rate / 60:.1f} min "
              f"(while new points keep arriving at {args.devices * IFACES / INTERVAL:,.0f}/s: "
              f"{total_points / (relay_rate - args.devices * IFACES / INTERVAL) / 60:.1f} min)")  # fmt: skip
        await lnc.close()
        await hnc.close()
    finally:
        for p in (leaf, hub, influx):
            p.stop()
        link.close()
        shutil.rmtree(work, ignore_errors=True)


async def _true(v: bool) -> bool:
    return v


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument(
        "--scale", type=float, default=0.01, help="fraction of the 8-hour backlog to publish (default 0.01)"
    )
    asyncio.run(main(ap.parse_args()))
