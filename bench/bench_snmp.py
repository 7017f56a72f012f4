"""SNMP polling cost: FastEngine vs pysnmp vs snmpbulkwalk vs prometheus-snmp-exporter.

All four walk IF-MIB ifTable + ifXTable on the same net-snmp snmpd in the same run; each
prints CPU microseconds per polled value (client CPU only: this process's process_time for
the Python engines, rusage of the children for snmpbulkwalk, /proc/<pid>/stat of the
exporter) and the ratio to snmp_exporter. Then 1,000 concurrent device polls (polls/s on
this machine's cores), v2c and v3 authPriv, and a cProfile of FastEngine.

As root, snmpd runs in a fresh network namespace with ~200 dummy interfaces (the figures of
docs/PERFORMANCE-NOTES.md); otherwise on the loopback with the host's few interfaces.

    .venv/bin/python bench/bench_snmp.py [--walks 20] [--interfaces 200] [--devices 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from collectors.snmp.engine import Engine, Oid, SnmpError, Target, parse_oid  # noqa: E402
from collectors.snmp.engine_fast import FastEngine  # noqa: E402
from netmon.lab.procs import free_port, start, tcp_open, wait_for  # noqa: E402
from netmon.lab.snmpd import Snmpd, start_snmpd  # noqa: E402

IF_TABLE = "1.3.6.1.2.1.2.2.1"
IF_X_TABLE = "1.3.6.1.2.1.31.1.1.1"
ROOTS = [parse_oid(IF_TABLE), parse_oid(IF_X_TABLE)]
# What a routine interface poll reads per device in the concurrency run.
POLL_COLUMNS = [parse_oid(o) for o in ("1.3.6.1.2.1.2.2.1.8", "1.3.6.1.2.1.31.1.1.1.6", "1.3.6.1.2.1.31.1.1.1.10",
                                         "1.3.6.1.2.1.31.1.1.1.15")]  # fmt: skip

# IF-MIB columns as snmp_exporter metrics (all 40 but ifSpecific, as its generator would).
_IF_COLS = {
    1: ("ifIndex", "gauge"), 2: ("ifDescr", "DisplayString"), 3: ("ifType", "gauge"), 4: ("ifMtu", "gauge"),
    5: ("ifSpeed", "gauge"), 6: ("ifPhysAddress", "PhysAddress48"), 7: ("ifAdminStatus", "gauge"),
    8: ("ifOperStatus", "gauge"), 9: ("ifLastChange", "gauge"), 10: ("ifInOctets", "counter"),
    11: ("ifInUcastPkts", "counter"), 12: ("ifInNUcastPkts", "counter"), 13: ("ifInDiscards", "counter"),
    14: ("ifInErrors", "counter"), 15: ("ifInUnknownProtos", "counter"), 16: ("ifOutOctets", "counter"),
    17: ("ifOutUcastPkts", "counter"), 18: ("ifOutNUcastPkts", "counter"), 19: ("ifOutDiscards", "counter"),
    20: ("ifOutErrors", "counter"), 21: ("ifOutQLen", "gauge"),
}  # fmt: skip
_IFX_COLS = {
    1: ("ifName", "DisplayString"), 2: ("ifInMulticastPkts", "counter"), 3: ("ifInBroadcastPkts", "counter"),
    4: ("ifOutMulticastPkts", "counter"), 5: ("ifOutBroadcastPkts", "counter"), 6: ("ifHCInOctets", "counter"),
    7: ("ifHCInUcastPkts", "counter"), 8: ("ifHCInMulticastPkts", "counter"), 9: ("ifHCInBroadcastPkts", "counter"),
    10: ("ifHCOutOctets", "counter"), 11: ("ifHCOutUcastPkts", "counter"), 12: ("ifHCOutMulticastPkts", "counter"),
    13: ("ifHCOutBroadcastPkts", "counter"), 14: ("ifLinkUpDownTrapEnable", "gauge"), 15: ("ifHighSpeed", "gauge"),
    16: ("ifPromiscuousMode", "gauge"), 17: ("ifConnectorPresent", "gauge"), 18: ("ifAlias", "DisplayString"),
    19: ("ifCounterDiscontinuityTime", "gauge"),
}  # fmt: skip


# --- network namespace --------------------------------------------------------------------------


def in_namespace(args: argparse.Namespace) -> int | None:
    """As root: run this script again inside a new netns with dummy interfaces; None = run here."""
    if args.inner or args.no_netns or os.geteuid() != 0 or not shutil.which("ip"):
        return None
    ns = f"nmbench{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"], check=True)
        # dummy interfaces where the kernel has them; ifb (also trafficless) where it does not
        kind = "dummy"
        probe = subprocess.run(
            ["ip", "netns", "exec", ns, "ip", "link", "add", "d0", "type", kind], capture_output=True
        )
        if probe.returncode != 0:
            kind = "ifb"
        batch = "".join(f"link add d{i} type {kind}\n" for i in range(1 if kind == "dummy" else 0, args.interfaces))
        subprocess.run(["ip", "netns", "exec", ns, "ip", "-batch", "-"], input=batch, text=True, check=True)
        print(f"network namespace {ns}: lo + {args.interfaces} {kind} interfaces", flush=True)
        argv = [sys.executable, __file__, "--inner", *sys.argv[1:]]
        return subprocess.run(["ip", "netns", "exec", ns, *argv]).returncode
    finally:
        subprocess.run(["ip", "netns", "delete", ns], check=False)


# --- measuring ----------------------------------------------------------------------------------


def cpu_of(pid: int) -> float:
    """utime + stime of a process, seconds (/proc/<pid>/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


async def walk_n(engine: Engine, target: Target, n: int, roots: list[Oid] = ROOTS) -> tuple[float, int]:
    """(CPU seconds, values) of n sequential walks of roots, after one warm-up walk."""
    await engine.bulk_walk(target, roots)  # warm-up: v3 discovery, key localisation
    values = 0
    t0 = time.process_time()
    for _ in range(n):
        got = await engine.bulk_walk(target, roots)
        values += sum(len(v) for v in got.values())
    return time.process_time() - t0, values


def netsnmp_walk_n(snmpd: Snmpd, auth: list[str], n: int) -> tuple[float, int]:
    values = 0
    c0 = children_cpu()
    for _ in range(n):
        for root in (IF_TABLE, IF_X_TABLE):
            out = subprocess.run(
                ["snmpbulkwalk", "-m", "", "-On", "-Cr25", *auth, f"udp:127.0.0.1:{snmpd.port}", root],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            values += sum(1 for line in out.splitlines() if line.startswith("."))
    return children_cpu() - c0, values


def exporter_config(path: Path, snmpd: Snmpd, v3: bool) -> None:
    lines = [
        "if_mib:",
        f"  walk: [{IF_TABLE}, {IF_X_TABLE}]",
        "  version: " + ("3" if v3 else "2"),
        "  max_repetitions: 25",
        "  retries: 1",
        "  timeout: 5s",
        "  auth:",
    ]
    if v3:
        u = snmpd.user("sha", "aes")
        lines += [
            f"    username: {u.name}",
            "    security_level: authPriv",
            f"    password: {u.auth_key}",
            "    auth_protocol: SHA",
            "    priv_protocol: AES",
            f"    priv_password: {u.priv_key}",
        ]
    else:
        lines.append(f"    community: {snmpd.community}")
    lines.append("  metrics:")
    for base, cols in ((IF_TABLE, _IF_COLS), (IF_X_TABLE, _IFX_COLS)):
        for col, (name, kind) in cols.items():
            lines += [
                f"  - name: {name}",
                f"    oid: {base}.{col}",
                f"    type: {kind}",
                "    indexes:",
                "    - labelname: ifIndex",
                "      type: gauge",
            ]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)


def exporter_scrapes(snmpd: Snmpd, n: int, v3: bool, work: Path) -> tuple[float, int] | None:
    exe = shutil.which("prometheus-snmp-exporter")
    if exe is None:
        return None
    conf = work / ("snmp-v3.yml" if v3 else "snmp.yml")
    exporter_config(conf, snmpd, v3)
    port = free_port()
    proc = start("snmp_exporter", [exe, f"--config.file={conf}", f"--web.listen-address=127.0.0.1:{port}"],
                 work / "exporter.log")  # fmt: skip
    try:
        wait_for(lambda: tcp_open("127.0.0.1", port), 15, "snmp_exporter", proc.popen)
        url = f"http://127.0.0.1:{port}/snmp?target=127.0.0.1:{snmpd.port}&module=if_mib"

        def scrape() -> str:
            with urllib.request.urlopen(url, timeout=60) as r:
                return str(r.read().decode())

        body = scrape()  # warm-up (v3 discovery)
        if "snmp_scrape_pdus_returned" not in body:
            print("  snmp_exporter: unexpected answer:", body[:300])
            return None
        pdus = 0
        c0 = cpu_of(proc.pid)
        for _ in range(n):
            body = scrape()
            for line in body.splitlines():
                if line.startswith("snmp_scrape_pdus_returned"):
                    pdus += int(float(line.split()[-1]))
        return cpu_of(proc.pid) - c0, pdus
    finally:
        proc.stop()


# --- concurrency --------------------------------------------------------------------------------


async def concurrent_polls(target: Target, devices: int) -> tuple[float, float, int, int, int]:
    """(wall s, CPU s, values, failures, polls) of `devices` polls started at once."""
    engine = FastEngine()
    await engine.bulk_walk(target, POLL_COLUMNS)  # discovery once, as a running poller has it
    targets = [Target(target.host, target.credential, target.port, timeout=10, retries=2, name=f"dev{i}")
               for i in range(devices)]  # fmt: skip

    async def one(t: Target) -> int:
        got = await engine.bulk_walk(t, POLL_COLUMNS)
        return sum(len(v) for v in got.values())

    w0, c0 = time.monotonic(), time.process_time()
    results = await asyncio.gather(*(one(t) for t in targets), return_exceptions=True)
    wall, cpu = time.monotonic() - w0, time.process_time() - c0
    await engine.close()
    values = sum(r for r in results if isinstance(r, int))
    failures = [r for r in results if not isinstance(r, int)]
    if failures:
        print(f"  {len(failures)} failed polls, first: {failures[0]}")
    return wall, cpu, values, len(failures), devices


# --- the run ------------------------------------------------------------------------------------


def us(cpu: float, values: int) -> float:
    return cpu / max(values, 1) * 1e6


def row(name: str, cpu: float, values: int, ref: float | None) -> None:
    per = us(cpu, values)
    ratio = f"{per / ref:6.2f}x" if ref else "   -   "
    print(f"  {name:<42} {values:>9} values {cpu:8.3f} s CPU {per:8.2f} µs/value  {ratio} of snmp_exporter")


async def run_engines(snmpd: Snmpd, args: argparse.Namespace, v3: bool, work: Path) -> None:
    label = "v3 authPriv SHA/AES" if v3 else "v2c"
    cred = snmpd.user("sha", "aes").credential() if v3 else snmpd.v2c()
    target = Target("127.0.0.1", cred, snmpd.port, timeout=10, retries=1)
    auth = snmpd.user("sha", "aes").net_snmp_args() if v3 else ["-v2c", "-c", snmpd.community]
    print(f"\n== ifTable + ifXTable walks, {label}")
    exp = exporter_scrapes(snmpd, args.walks, v3, work)
    ref = us(*exp) if exp else None
    if exp:
        row(f"prometheus-snmp-exporter ({args.walks} scrapes)", *exp, ref)
    else:
        print("  prometheus-snmp-exporter: not installed, no reference")
    fast = FastEngine()
    try:
        row(f"netmon FastEngine ({args.walks} walks)", *(await walk_n(fast, target, args.walks)), ref)
    finally:
        await fast.close()
    try:
        from collectors.snmp.engine_pysnmp import PysnmpEngine

        slow = PysnmpEngine()
        try:
            n = max(1, args.walks // 5)
            row(f"pysnmp engine_pysnmp ({n} walks)", *(await walk_n(slow, target, n)), ref)
        finally:
            await slow.close()
    except (ImportError, SnmpError) as e:
        print(f"  pysnmp: skipped ({e})")
    if shutil.which("snmpbulkwalk"):
        n = max(1, args.walks // 2)
        row(f"snmpbulkwalk, incl. process start ({n} walks)", *netsnmp_walk_n(snmpd, auth, n), ref)


async def run_concurrency(snmpd: Snmpd, args: argparse.Namespace) -> None:
    print(f"\n== {args.devices} device polls at once (4 columns each: ifOperStatus, ifHCIn/OutOctets, "
          f"ifHighSpeed), one snmpd, {os.cpu_count()} cores shared by agent and poller")  # fmt: skip
    for label, cred in (("v2c", snmpd.v2c()), ("v3 authPriv SHA/AES", snmpd.user("sha", "aes").credential())):
        target = Target("127.0.0.1", cred, snmpd.port)
        a0 = cpu_of(snmpd.proc.pid)
        wall, cpu, values, failed, polls = await concurrent_polls(target, args.devices)
        agent = cpu_of(snmpd.proc.pid) - a0
        ok = polls - failed
        print(f"  {label:<22} {ok}/{polls} polls in {wall:6.2f} s = {ok / wall:7.1f} polls/s;"
              f" poller {us(cpu, values):5.2f} µs CPU/value, snmpd {us(agent, values):5.2f} µs/value"
              f" ({values} values)")  # fmt: skip
        print(f"  {'':<22} poller capacity {ok / max(cpu, 1e-9):7.0f} polls per CPU-second"
              f" (the agent and other load set the wall-clock rate above)")  # fmt: skip


async def breakdown_fast(snmpd: Snmpd, walks: int) -> None:
    """Process time inside the receive callback (decode, HMAC, decrypt) and the v3 request
    builder, against the whole walk; the rest is asyncio, syscalls and walk bookkeeping."""
    print("\n== FastEngine CPU breakdown (timers around its two hot paths)")
    for label, cred in (("v2c", snmpd.v2c()), ("v3 authPriv SHA/AES", snmpd.user("sha", "aes").credential())):
        engine = FastEngine()
        spent = {"receive": 0.0, "build": 0.0}
        on_datagram, v3_packet = engine._on_datagram, engine._v3_packet

        def timed_receive(data: bytes, addr: tuple[str, int], f=on_datagram, spent=spent) -> None:
            c = time.process_time()
            f(data, addr)
            spent["receive"] += time.process_time() - c

        def timed_build(*a, f=v3_packet, spent=spent):  # type: ignore[no-untyped-def]
            c = time.process_time()
            out = f(*a)
            spent["build"] += time.process_time() - c
            return out

        engine._on_datagram = timed_receive  # type: ignore[method-assign]
        engine._v3_packet = timed_build  # type: ignore[method-assign]
        target = Target("127.0.0.1", cred, snmpd.port, timeout=10)
        await engine.bulk_walk(target, ROOTS)
        spent.update(receive=0.0, build=0.0)
        cpu, values = await walk_n(engine, target, walks)
        await engine.close()
        rest = cpu - spent["receive"] - spent["build"]
        print(f"  {label:<22} {us(cpu, values):5.2f} µs/value = receive+decode {us(spent['receive'], values):5.2f}"
              f" + build request {us(spent['build'], values):5.2f} + loop/syscalls/walk {us(rest, values):5.2f}")  # fmt: skip


async def profile_fast(snmpd: Snmpd, walks: int) -> None:
    print("\n== where FastEngine's CPU goes (cProfile on process time, v3 authPriv walks, top 14 by own time)")
    engine = FastEngine()
    target = Target("127.0.0.1", snmpd.user("sha", "aes").credential(), snmpd.port, timeout=10)
    await engine.bulk_walk(target, ROOTS)
    # A CPU clock, not the wall clock: waiting in epoll is not cost (the profiler's own
    # clock reads inflate small functions; read the ranking, not the absolute figures).
    prof = cProfile.Profile(time.process_time)
    prof.enable()
    for _ in range(walks):
        await engine.bulk_walk(target, ROOTS)
    prof.disable()
    await engine.close()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(14)
    text = out.getvalue()
    start_at = text.find("ncalls")
    print(text[start_at:].rstrip() if start_at >= 0 else text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--walks", type=int, default=20, help="walks per client (pysnmp does 1/5, snmpbulkwalk 1/2)")
    ap.add_argument("--interfaces", type=int, default=200, help="dummy interfaces in the namespace (as root)")
    ap.add_argument("--devices", type=int, default=1000, help="concurrent device polls")
    ap.add_argument("--no-netns", action="store_true", help="use the host's interfaces even as root")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    rc = in_namespace(args)
    if rc is not None:
        return rc
    work = Path(tempfile.mkdtemp(prefix="netmon-bench-snmp-"))
    snmpd = start_snmpd(work)
    try:
        print(f"snmpd {snmpd.host}:{snmpd.port} (pid {snmpd.proc.pid}); CPU figures are client CPU per value")
        asyncio.run(_all(snmpd, args, work))
    finally:
        snmpd.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


async def _all(snmpd: Snmpd, args: argparse.Namespace, work: Path) -> None:
    steps: list[Callable[[], Awaitable[None]]] = [
        lambda: run_engines(snmpd, args, False, work),
        lambda: run_engines(snmpd, args, True, work),
        lambda: run_concurrency(snmpd, args),
    ]
    if not args.no_profile:
        steps.append(lambda: breakdown_fast(snmpd, max(2, args.walks // 2)))
        steps.append(lambda: profile_fast(snmpd, max(2, args.walks // 4)))
    for step in steps:
        await step()


if __name__ == "__main__":
    sys.exit(main())
