"""The library API the daemon uses: findings → points and events; CLI severity options."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.snmp import SNMP, SNMPget

from netmon.inventory import load_inventory
from netmon.security import Analyzer, CaptureReader, load_rules, load_settings
from tests.conftest import run_netmon
from tests.security.conftest import E

INV = textwrap.dedent("""\
    devices:
      - {name: gd-in-core1, address: 10.1.0.1, network: intranet, tier: province, region: 广东, site: 广东省政务中心,
         role: core, vendor: h3c_comware}
    """)


def test_points_and_events_carry_inventory_tags_and_no_secret(tmp_path: Path, write_pcap) -> None:
    (tmp_path / "inv.yaml").write_text(INV, encoding="utf-8")
    inv = load_inventory([tmp_path / "inv.yaml"])
    p = write_pcap("a.pcap", [
        E() / IP(src="10.1.1.5", dst="10.1.0.1") / UDP(sport=5000, dport=161) / SNMP(community="topsecret99", PDU=SNMPget()),
        E() / IP(src="10.1.1.5", dst="10.1.0.1") / TCP(sport=5001, dport=23, flags="PA") / b"admin\r\n",
    ])  # fmt: skip
    s = load_settings({})
    an = Analyzer(load_rules(s), s, inv)
    an.feed_all(CaptureReader(p))
    findings = an.findings()
    points = [f.to_point() for f in findings]
    assert {pt.measurement for pt in points} == {"security_finding"}
    for pt in points:
        assert pt.tags["device"] == "gd-in-core1" and pt.tags["tier"] == "province" and pt.tags["province"] == "广东"
        assert pt.tags["category"] == "cleartext" and pt.tags["severity"] == "high"
        assert pt.time_ns == pt.fields["last_ns"] > 0
        assert {"src", "dst", "proto", "sport", "dport", "packets", "bytes", "detail"} <= set(pt.fields)
    events = [f.to_event() for f in findings]
    assert {e.rule for e in events} == {"snmp-v1v2c", "telnet"}
    blob = json.dumps([pt.to_json() for pt in points] + [e.to_json() for e in events], ensure_ascii=False)
    assert "topsecret99" not in blob and "t*********9" in blob


def test_min_severity_and_fail_on(write_pcap) -> None:
    p = write_pcap(
        "b.pcap", [E() / IP(src="10.1.1.5", dst="10.1.0.1") / TCP(sport=5001, dport=23, flags="PA") / b"admin\r\n"]
    )
    r = run_netmon("pcap", str(p), "--format", "json", "--min-severity", "critical")
    assert r.returncode == 0 and json.loads(r.stdout)["findings"] == []
    r = run_netmon("pcap", str(p), "--fail-on", "high")
    assert r.returncode == 1 and "--fail-on" in r.stderr
    assert "cleartext/telnet" in r.stdout and "1 findings" in r.stdout
    r = run_netmon("pcap", str(p), "--fail-on", "critical")
    assert r.returncode == 0


def test_flow_and_source_limits_bound_memory(tmp_path: Path, write_pcap) -> None:
    """Past max_flows new finding flows merge per rule; past max_sources new sources aren't tracked."""
    pk = [E() / IP(src=f"10.1.{i // 250}.{i % 250 + 1}", dst="93.184.216.34") / TCP(sport=1000, dport=443, flags="S")
          for i in range(300)]  # fmt: skip
    p = write_pcap("many.pcap", pk)
    s = load_settings({"max_flows": 100, "max_sources": 100})
    an = Analyzer(load_rules(s), s, None)
    an.feed_all(CaptureReader(p))
    findings = an.findings()
    assert len(an.flows) == 101  # 100 flows + one merged bucket
    merged = [f for f in findings if f.src == "*"]
    assert len(merged) == 1 and merged[0].packets == 200 and "max_flows=100" in merged[0].detail
    assert sum(f.packets for f in findings) == 300  # nothing lost, only merged
    assert an.stats.flows_merged == 200
    assert len(an.scan) == 100 and an.stats.sources_untracked == 200


def test_pcapng_simple_packet_blocks_and_ns_resolution(tmp_path: Path) -> None:
    """Hand-built pcapng: nanosecond if_tsresol, an EPB, an SPB (no timestamp); counts match tshark."""
    import struct

    from tests.security.conftest import tshark_count

    frame = bytes(E() / IP(src="10.1.1.5", dst="10.1.0.1") / TCP(sport=5001, dport=23))

    def block(btype: int, body: bytes) -> bytes:
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)

    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    opts = struct.pack("<HHB3x", 9, 1, 9) + struct.pack("<HH", 0, 0)  # if_tsresol = 10^-9
    idb = block(1, struct.pack("<HHI", 1, 0, 65535) + opts)
    ts = 1_700_000_000_123_456_789
    epb = block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame), len(frame)) + frame)
    spb = block(3, struct.pack("<I", len(frame)) + frame)
    unknown = block(0x0BAD, b"\x01\x02\x03\x04")  # skipped, as pcapng requires
    p = tmp_path / "hand.pcapng"
    p.write_bytes(shb + idb + epb + unknown + spb)
    recs = [(t, lt, bytes(b[o : o + n])) for t, lt, b, o, n in CaptureReader(p)]
    assert [r[0] for r in recs] == [ts, 0]
    assert [r[2] for r in recs] == [frame, frame]
    assert tshark_count(p, "tcp.dstport==23") == 2


def test_findings_stored_in_a_sink(tmp_path: Path, write_pcap) -> None:
    import asyncio

    from netmon.storage import open_query

    (tmp_path / "inv.yaml").write_text(INV, encoding="utf-8")
    p = write_pcap(
        "c.pcap", [E() / IP(src="10.1.1.5", dst="10.1.0.1") / TCP(sport=5001, dport=23, flags="PA") / b"admin\r\n"] * 3
    )
    url = f"sqlite:///{tmp_path / 'netmon.db'}"
    r = run_netmon("pcap", str(p), "-i", str(tmp_path / "inv.yaml"), "--sink", url)
    assert r.returncode == 0, r.stderr
    assert "stored 1 security_finding points" in r.stderr

    async def read():
        q = open_query(url)
        try:
            return await q.latest("security_finding", where={"rule": "telnet"})
        finally:
            await q.close()

    (pt,) = asyncio.run(read())
    assert pt.tags["device"] == "gd-in-core1" and pt.fields["packets"] == 3 and pt.fields["dport"] == 23
