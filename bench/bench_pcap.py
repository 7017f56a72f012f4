"""Traffic analysis throughput: netmon's streaming analyser vs tshark on the same capture.

Generates a capture (default 1 GiB, a SPAN-port-like mix: TCP/UDP/ICMP, VLAN tags, IPv6,
some telnet/SNMPv2c/isolation traffic), then in the same run:
  - `netmon pcap FILE --format json` (all rules), in a subprocess;
  - `tshark -r FILE -q -z io,stat,0,<one display filter per rule>`: tshark dissects every
    packet and evaluates comparable filters — a comparable pass over the file;
  - scapy's PcapReader on the first N packets, for the per-packet cost that ruled it out.
Prints packets/s, CPU seconds (user+sys from wait4) and peak RSS of each, and the ratios.

Usage: .venv/bin/python bench/bench_pcap.py [--size-mb 1024] [--keep FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TSHARK_FILTERS = [  # what netmon's rules look at, as tshark display filters
    "tcp.port==23", "tcp.port==21", "udp.port==69", "tcp.port==80 || tcp.port==8080", "snmp",
    "tcp.port>=512 && tcp.port<=514", "ip.addr==10.0.0.0/9 && ip.addr==10.128.0.0/9",
    "tcp.flags.syn==1 && tcp.flags.ack==0", "icmp.type==8", "icmp.type==3 && icmp.code==3",
]  # fmt: skip


# netmon does no TCP sequence analysis or reassembly; with them on, tshark's cost grows faster than
# the file (>90 CPU-s at 1 GiB and still running), which would not be a comparable pass.
TSHARK_PREFS = [
    "-o", "tcp.analyze_sequence_numbers:FALSE", "-o", "tcp.desegment_tcp_streams:FALSE",
    "-o", "tcp.calculate_timestamps:FALSE", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
]  # fmt: skip


def frames(n: int, seed: int = 1) -> list[bytes]:
    """A pool of distinct frames with a realistic size mix (~40% full-size, ~40% small, ~20% mid)."""
    import logging

    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    from scapy.layers.inet import ICMP, IP, TCP, UDP
    from scapy.layers.inet6 import IPv6
    from scapy.layers.l2 import Dot1Q, Ether
    from scapy.layers.snmp import SNMP, SNMPget

    rnd = random.Random(seed)
    out = []
    for i in range(n):
        eth = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
        if rnd.random() < 0.2:
            eth = eth / Dot1Q(vlan=rnd.randrange(1, 4000))
        size = rnd.choice([1400, 1400, 20, 40, 480])
        src = f"10.{rnd.randrange(0, 40)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
        dst = f"10.{rnd.randrange(0, 40)}.{rnd.randrange(256)}.{rnd.randrange(1, 255)}"
        k = i % 50
        if k == 0:
            p = eth / IP(src=src, dst="10.1.0.1") / TCP(sport=40000 + i % 1000, dport=23, flags="PA") / (b"x" * 30)
        elif k == 1:
            p = (
                eth
                / IP(src=src, dst="10.1.0.1")
                / UDP(sport=50000, dport=161)
                / SNMP(community="public", PDU=SNMPget(id=i))
            )
        elif k == 2:
            p = eth / IP(src=src, dst=f"10.{130 + rnd.randrange(10)}.0.9") / TCP(sport=1, dport=443) / (b"y" * size)
        elif k == 3:
            p = eth / IP(src=src, dst="93.184.216.34") / TCP(sport=2, dport=443, flags="S")
        elif k < 10:
            p = (
                eth
                / IPv6(src="2001:db8::1", dst="2001:db8::2")
                / TCP(sport=443, dport=50000 + k, flags="A")
                / (b"z" * size)
            )
        elif k < 14:
            p = eth / IP(src=src, dst=dst) / ICMP(type=8) / (b"p" * 56)
        elif k < 30:
            p = eth / IP(src=src, dst=dst) / UDP(sport=rnd.randrange(1024, 65535), dport=rnd.choice([53, 123, 514, 4739])) / (
                b"u" * size)  # fmt: skip
        else:
            p = eth / IP(src=src, dst=dst) / TCP(sport=rnd.randrange(1024, 65535), dport=rnd.choice([443, 22, 8443]),
                                                 flags=rnd.choice(["A", "PA", "A", "S"])) / (b"t" * size)  # fmt: skip
        out.append(bytes(p))
    return out


def generate(path: Path, size_mb: int) -> int:
    pool = frames(4000)
    target = size_mb * 1024 * 1024
    n = 0
    t = 1_700_000_000
    with path.open("wb", buffering=8 << 20) as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        written = 24
        while written < target:
            chunk = []
            for fr in pool:
                usec = n * 37  # ~27k packets/s of capture time
                chunk.append(struct.pack("<IIII", t + usec // 1_000_000, usec % 1_000_000, len(fr), len(fr)))
                chunk.append(fr)
                n += 1
                written += 16 + len(fr)
            f.write(b"".join(chunk))
    return n


def measure(argv: list[str]) -> tuple[float, float, int, str]:
    """(wall s, CPU s user+sys, peak RSS KiB, stdout) of one child process."""
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, cwd=ROOT)
        try:
            _pid, status, ru = os.wait4(p.pid, 0)
        except BaseException:  # Ctrl-C: don't leave a tshark running
            p.kill()
            p.wait()
            raise
        wall = time.monotonic() - t0
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) not in (0,):
        raise SystemExit(f"{argv[0]} failed ({status}): {text[-500:]}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=int, default=1024, help="capture size to generate (default 1024)")
    ap.add_argument("--scapy-packets", type=int, default=20000, help="packets for the scapy baseline")
    ap.add_argument("--keep", type=Path, help="write the capture here and keep it")
    args = ap.parse_args()
    tshark = shutil.which("tshark")
    tmp = None if args.keep else Path(tempfile.mkdtemp(prefix="bench_pcap_"))
    path = args.keep or Path(str(tmp)) / "bench.pcap"
    try:
        t0 = time.monotonic()
        n = generate(path, args.size_mb)
        size = path.stat().st_size
        print(f"capture: {path} {size / 2**20:.0f} MiB, {n:,} packets, avg {size / n:.0f} B/packet "
              f"(generated in {time.monotonic() - t0:.1f}s)")  # fmt: skip

        wall, cpu, rss, out = measure([sys.executable, "-m", "netmon", "pcap", str(path), "--format", "json"])
        doc = json.loads(out)
        assert doc["stats"]["packets"] == n, doc["stats"]
        nm = (wall, cpu, rss)
        print(f"netmon pcap : {wall:6.2f}s wall {cpu:6.2f}s CPU {n / cpu:12,.0f} packets/CPU-s "
              f"{rss / 1024:7.1f} MiB peak RSS  ({len(doc['findings'])} findings)")  # fmt: skip

        if tshark:
            argv = [tshark, "-n", "-r", str(path), "-q", *TSHARK_PREFS, "-z", "io,stat,0," + ",".join(TSHARK_FILTERS)]
            wall, cpu, rss, out = measure(argv)
            print(f"tshark      : {wall:6.2f}s wall {cpu:6.2f}s CPU {n / cpu:12,.0f} packets/CPU-s "
                  f"{rss / 1024:7.1f} MiB peak RSS  (io,stat, {len(TSHARK_FILTERS)} rule filters, no TCP analysis)")  # fmt: skip
            print(f"ratio       : netmon is {cpu / nm[1]:.1f}x tshark's packets per CPU-second, "
                  f"{rss / nm[2]:.1f}x less peak memory")  # fmt: skip
        else:
            print("tshark      : not installed (apt-get install tshark) — no ratio")

        import logging

        logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
        from scapy.utils import PcapReader

        k = 0
        c0 = time.process_time()
        with PcapReader(str(path)) as r:
            for _p in r:
                k += 1
                if k >= args.scapy_packets:
                    break
        sc = (time.process_time() - c0) / k
        print(f"scapy       : {1e6 * sc:6.1f} µs/packet dissection alone ({k:,} packets) = "
              f"{1 / sc:,.0f} packets/s; netmon {1e6 * nm[1] / n:.2f} µs/packet all-in "
              f"({sc * n / nm[1]:.0f}x faster)")  # fmt: skip
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
