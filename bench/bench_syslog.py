"""Syslog benchmark: netmon's receiver into InfluxDB vs rsyslog into a file, the same stream, one run.

The same byte stream (N messages, octet-counted, a mix of Huawei, H3C, Cisco and Linux sshd
lines, from one inventory device) goes over TCP to:

1. ``rsyslogd`` (imtcp -> omfile, its default template): done when the file has N lines;
2. ``netmon syslog serve`` (parse, classify, archive with its hash chain, spool, InfluxDB 1.x
   sink, alert rules): done when ``SELECT count(message) FROM syslog`` says N.

Nothing may be lost: both counts must equal N (else the script fails). Printed per peer:
messages/s from the first byte sent to the last message stored, and CPU seconds of the peer's
processes (netmon: the receiver; influxd is listed apart, it is the database, not the receiver).
The ratio is CPU per message, netmon / rsyslog (CPU, not wall time: the machine is shared).

Usage: .venv/bin/python bench/bench_syslog.py [--messages 100000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path

from netmon.lab.influx import influxd_binary, start_influxd
from netmon.lab.procs import free_port, start, tcp_open, wait_for

TICK = os.sysconf("SC_CLK_TCK")
ROOT = Path(__file__).resolve().parents[1]
LINES = [
    '<189>Nov 14 2026 10:20:30 HUAWEI %%01SHELL/5/CMDRECORD(s)[0]:Recorded command information. (Task=VT0, Ip=10.1.1.5, VpnName=, User=admin, AuthenticationMethod="Local-user", Command="display interface brief {i}")',
    "<190>Nov 14 10:20:30 2026 H3C %%10SHELL/6/SHELL_CMD: -Line=vty0-IPAddr=10.1.1.6-User=ops; Command is display version {i}",
    "<189>{i}: *Nov 14 10:20:30.123 UTC: %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/{m}, changed state to up",
    "<38>Nov 14 10:20:30 jump1 sshd[{i}]: Accepted publickey for ops from 10.2.{m}.9 port 51234 ssh2",
    "<134>1 2026-11-14T10:20:30.123+08:00 app1 portal {i} ACCESS - GET /api/v1/services?page={m} 200 12ms",
]


def cpu(pid: int) -> float:
    parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / TICK


def stream(n: int) -> bytes:
    out = bytearray()
    for i in range(n):
        msg = LINES[i % len(LINES)].format(i=i, m=i % 48).encode()
        out += str(len(msg)).encode() + b" " + msg
    return bytes(out)


def send(port: int, data: bytes) -> float:
    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(data)
    return t0


def bench_rsyslog(work: Path, data: bytes, n: int) -> tuple[float, float]:
    exe = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
    if not Path(exe).exists():
        sys.exit("rsyslogd is not installed (make setup installs rsyslog as root)")
    port = free_port()
    out = work / "rsyslog.out"
    conf = work / "rsyslog.conf"
    conf.write_text(
        f'global(workDirectory="{work}")\nmodule(load="imtcp")\n'
        f'input(type="imtcp" address="127.0.0.1" port="{port}" ruleset="r")\n'
        f'ruleset(name="r") {{ action(type="omfile" file="{out}") }}\n'
    )
    proc = start("rsyslogd", [exe, "-n", "-f", str(conf), "-i", str(work / "rsyslogd.pid")], work / "rsyslogd.log")
    try:
        wait_for(lambda: tcp_open("127.0.0.1", port), 20, "rsyslogd", proc.popen)
        c0 = cpu(proc.pid)
        t0 = send(port, data)

        def lines() -> int:
            if not out.exists():
                return 0
            with out.open("rb") as fh:
                return sum(buf.count(b"\n") for buf in iter(lambda: fh.read(1 << 20), b""))

        wait_for(lambda: lines() >= n, 600, "rsyslog writing every message")
        wall = time.monotonic() - t0
        used = cpu(proc.pid) - c0
        got = lines()
    finally:
        proc.stop()
    if got != n:
        sys.exit(f"rsyslog wrote {got} of {n} messages")
    return n / wall, used


def bench_netmon(work: Path, data: bytes, n: int) -> tuple[float, float, float]:
    if influxd_binary() is None:
        sys.exit("influxd is not installed (make setup installs influxdb as root)")
    influx = start_influxd(work / "influx")
    try:
        influx.query('CREATE DATABASE "bench"')
        port = free_port()
        (work / "inv.yaml").write_text(
            "devices:\n- {name: gd-core, address: 127.0.0.1, network: intranet, tier: province, region: 广东, "
            "site: 广东省政务中心, role: core, vendor: huawei_vrp}\n",
            encoding="utf-8",
        )
        cfg = work / "netmon.yaml"
        cfg.write_text(
            f"inventory: [inv.yaml]\nsink: influxdb1://{influx.url[7:]}/bench\nspool: {{dir: spool}}\n"
            f"alerting: {{state: alerts.db}}\nhttp: {{listen: ''}}\n"
            f"syslog: {{udp: '', tcp: '127.0.0.1:{port}', archive: {{dir: archive}}}}\n",
            encoding="utf-8",
        )
        proc = start("netmon", [sys.executable, "-m", "netmon", "syslog", "serve", "-c", str(cfg), "--log-level", "warning"],
                     work / "netmon.log", cwd=ROOT)  # fmt: skip
        try:
            wait_for(lambda: tcp_open("127.0.0.1", port), 30, "netmon syslog serve", proc.popen)
            c0, i0 = cpu(proc.pid), cpu(influx.pid)
            t0 = send(port, data)

            def stored() -> int:
                res = influx.query("SELECT count(message) FROM syslog", db="bench")["results"][0]  # type: ignore[index]
                series = res.get("series") or []
                return int(series[0]["values"][0][1]) if series else 0

            wait_for(lambda: stored() >= n, 900, "netmon storing every message")
            wall = time.monotonic() - t0
            used, iused = cpu(proc.pid) - c0, cpu(influx.pid) - i0
            got = stored()
        finally:
            os.kill(proc.pid, signal.SIGTERM)
            proc.popen.wait(60)
    finally:
        influx.stop()
    if got != n:
        sys.exit(f"netmon stored {got} of {n} messages")
    return n / wall, used, iused


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=100_000)
    a = ap.parse_args()
    n = a.messages
    data = stream(n)
    with tempfile.TemporaryDirectory(prefix="bench-syslog-") as tmp:
        work = Path(tmp)
        (work / "r").mkdir()
        (work / "n").mkdir()
        r_rate, r_cpu = bench_rsyslog(work / "r", data, n)
        n_rate, n_cpu, i_cpu = bench_netmon(work / "n", data, n)
    print(f"messages: {n} ({len(data) / n:.0f} bytes each on average), TCP octet counting, one connection")
    print(f"rsyslog -> file:             {r_rate:10.0f} msg/s   CPU {r_cpu:6.2f} s  ({r_cpu / n * 1e6:6.1f} us/msg)")
    print(f"netmon -> archive+spool+influx {n_rate:8.0f} msg/s   CPU {n_cpu:6.2f} s  ({n_cpu / n * 1e6:6.1f} us/msg)"
          f"   influxd CPU {i_cpu:.2f} s")  # fmt: skip
    print("nothing lost: rsyslog's file and InfluxDB both hold every message")
    print(f"ratio netmon/rsyslog: CPU per message {n_cpu / max(r_cpu, 1e-9):.1f}x, throughput {n_rate / r_rate:.2f}x")


if __name__ == "__main__":
    main()
