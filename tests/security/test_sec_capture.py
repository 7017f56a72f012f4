"""Bad and unusual capture files: truncated, corrupt, several interfaces, endianness, big files."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.l2 import CookedLinux
from scapy.utils import wrpcap

from netmon.security.capture import CaptureError, CaptureReader
from tests.conftest import need_binary, run_netmon
from tests.security.conftest import E, tshark_count


def telnet_pkts(n: int) -> list:
    # data on established sessions: cleartext use (bare SYNs would be a scan)
    return [
        E() / IP(src="10.1.1.5", dst="10.1.0.1") / TCP(sport=40000 + i, dport=23, flags="PA") / b"ls\r\n"
        for i in range(n)
    ]


def count(path: Path) -> int:
    return sum(1 for _ in CaptureReader(path))


def test_truncated_pcap_keeps_good_part_and_says_where(tmp_path: Path) -> None:
    good = tmp_path / "good.pcap"
    wrpcap(str(good), telnet_pkts(10))
    data = good.read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[:-10])  # last packet loses its tail, as when tcpdump is killed
    with pytest.raises(CaptureError) as ei:
        count(cut)
    assert ei.value.packets == 9
    assert "truncated packet" in ei.value.reason
    r = run_netmon("pcap", str(cut), "--format", "json")
    assert r.returncode == 2, r.stderr
    doc = json.loads(r.stdout)
    assert doc["stats"]["packets"] == 9
    assert [f["rule"] for f in doc["findings"]] == ["telnet"]
    assert doc["findings"][0]["packets"] == 9
    assert "cut.pcap" in r.stderr and "truncated" in r.stderr and "9 packets before it were analysed" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (b"hello world, not a capture", "not a pcap or pcapng"),
        (b"\xd4\xc3\xb2\xa1\x02\x00", "truncated pcap file header"),
    ],
)
def test_not_a_capture(tmp_path: Path, content: bytes, needle: str) -> None:
    p = tmp_path / "bad.pcap"
    p.write_bytes(content)
    r = run_netmon("pcap", str(p))
    assert r.returncode == 2
    assert needle in r.stderr and "bad.pcap" in r.stderr and "Traceback" not in r.stderr


def test_corrupt_record_length(tmp_path: Path) -> None:
    good = tmp_path / "good.pcap"
    wrpcap(str(good), telnet_pkts(5))
    data = bytearray(good.read_bytes())
    # third record's caplen (records are 16 + frame bytes after the 24-byte header)
    off = 24 + 2 * (16 + len(telnet_pkts(1)[0]))
    struct.pack_into("<I", data, off + 8, 0x7FFFFFFF)
    bad = tmp_path / "corrupt.pcap"
    bad.write_bytes(bytes(data))
    with pytest.raises(CaptureError) as ei:
        count(bad)
    assert ei.value.packets == 2 and ei.value.offset == off and "corrupt record" in ei.value.reason


def test_corrupt_pcapng_block(tmp_path: Path) -> None:
    from scapy.utils import PcapNgWriter

    p = tmp_path / "a.pcapng"
    w = PcapNgWriter(str(p))
    for pk in telnet_pkts(4):
        w.write(pk)
    w.close()
    data = bytearray(p.read_bytes())
    data[-8:] = b"\xff" * 8  # damage the last block's trailer/length area
    bad = tmp_path / "b.pcapng"
    bad.write_bytes(bytes(data[:-3]))
    with pytest.raises(CaptureError):
        count(bad)
    r = run_netmon("pcap", str(bad), "--format", "json")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert json.loads(r.stdout)["stats"]["packets"] == 3


def test_pcapng_with_several_interfaces_matches_tshark(tmp_path: Path) -> None:
    mergecap = need_binary("mergecap")
    eth = tmp_path / "eth.pcap"
    sll = tmp_path / "sll.pcap"
    raw = tmp_path / "raw.pcap"
    wrpcap(str(eth), telnet_pkts(7))
    wrpcap(
        str(sll),
        [CookedLinux(proto=0x0800) / IP(src="10.1.9.9", dst="10.1.0.1") / UDP(sport=5, dport=69)] * 4,
        linktype=113,
    )
    wrpcap(str(raw), [IP(src="10.1.9.8", dst="8.8.4.4") / TCP(sport=5, dport=443)] * 3, linktype=101)
    merged = tmp_path / "merged.pcapng"
    subprocess.run([mergecap, "-F", "pcapng", "-w", str(merged), str(eth), str(sll), str(raw)], check=True)
    reader = CaptureReader(merged)
    n = sum(1 for _ in reader)
    assert reader.info.format == "pcapng"
    assert sorted(reader.info.interfaces) == [1, 101, 113]
    assert n == tshark_count(merged) == 14
    r = run_netmon("pcap", str(merged), "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    by_rule = {f["rule"]: f["packets"] for f in doc["findings"]}
    assert by_rule == {
        "telnet": tshark_count(merged, "tcp.dstport==23"),
        "tftp": tshark_count(merged, "udp.dstport==69"),
        "intranet-internet": tshark_count(merged, "ip.dst==8.8.4.4"),
    }


def test_big_endian_and_nanosecond_pcap(tmp_path: Path) -> None:
    le = tmp_path / "le.pcap"
    wrpcap(str(le), telnet_pkts(3))
    data = le.read_bytes()
    # rewrite as big-endian, nanosecond resolution
    hdr = struct.unpack("<IHHiIII", data[:24])
    out = bytearray(struct.pack(">IHHiIII", 0xA1B23C4D, *hdr[1:]))
    off = 24
    times = []
    while off < len(data):
        sec, usec, incl, orig = struct.unpack_from("<IIII", data, off)
        times.append(sec * 10**9 + usec * 1000 + 7)
        out += struct.pack(">IIII", sec, usec * 1000 + 7, incl, orig) + data[off + 16 : off + 16 + incl]
        off += 16 + incl
    be = tmp_path / "be.pcap"
    be.write_bytes(bytes(out))
    got = [(ts, lt, bytes(buf[o : o + n])) for ts, lt, buf, o, n in CaptureReader(be)]
    assert [g[0] for g in got] == times
    assert [g[2] for g in got] == [bytes(p) for p in telnet_pkts(3)]
    assert tshark_count(be, "tcp.dstport==23") == 3


def test_missing_file_and_no_arguments(tmp_path: Path) -> None:
    r = run_netmon("pcap", str(tmp_path / "nope.pcap"))
    assert r.returncode == 2 and "no such file" in r.stderr
    r = run_netmon("pcap", "--format", "json")
    assert r.returncode == 2 and "give capture FILE" in r.stderr


def test_large_capture_streams_in_bounded_memory(tmp_path: Path) -> None:
    """~300 MB of 1500-byte frames: peak RSS of the analysing process must not grow with the file."""
    big = tmp_path / "big.pcap"
    frame = bytes(E() / IP(src="10.1.1.5", dst="10.1.0.1") / TCP(sport=1, dport=23, flags="PA") / (b"x" * 1446))
    rec = struct.pack("<IIII", 1, 0, len(frame), len(frame)) + frame
    with big.open("wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        block = rec * 1000
        for _ in range(200):
            f.write(block)
    size = big.stat().st_size
    assert size > 290_000_000
    code = (
        "import resource, sys; from pathlib import Path\n"
        "from netmon.security import analyse, load_settings, load_rules\n"
        "s = load_settings({}); base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "rep = analyse([Path(sys.argv[1])], s, load_rules(s))\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(rep.stats.packets, rep.findings[0].packets, peak - base)\n"
    )
    r = subprocess.run([sys.executable, "-c", code, str(big)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    packets, telnet, growth_kib = map(int, r.stdout.split())
    assert packets == telnet == 200_000
    assert growth_kib < 32 * 1024, f"RSS grew {growth_kib} KiB while streaming {size} bytes"
