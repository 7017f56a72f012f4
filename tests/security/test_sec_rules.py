"""The rules on crafted captures; packet counts per finding checked against tshark filters."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from scapy.asn1.asn1 import ASN1_OID
from scapy.layers.inet import ICMP, IP, TCP, UDP, IPerror, UDPerror
from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6
from scapy.layers.l2 import Dot1Q
from scapy.layers.snmp import SNMP, SNMPget, SNMPresponse, SNMPvarbind

from tests.conftest import run_netmon
from tests.security.conftest import E, tshark, tshark_count

INTRA, INTRA2, EXTRA, EGRESS, NET = "10.1.17.20", "10.2.0.5", "10.129.3.4", "10.128.0.2", "93.184.216.34"
NET6 = "2400:cb00:2048:1::6810:1"


DEFAULT_SECURITY = f"""\
security:
  networks:
    egress: [{EGRESS}/32]
"""


def config(tmp_path: Path, extra: str = "", security: str = DEFAULT_SECURITY) -> Path:
    """netmon.yaml + a two-device inventory; ``extra`` lines go under ``security:`` (2-space indented)."""
    inv = tmp_path / "inv.yaml"
    inv.write_text(textwrap.dedent("""\
        devices:
          - {name: c-in-core1, address: 10.0.0.1, network: intranet, tier: central, site: 中心, role: core, vendor: huawei_vrp}
          - {name: gd-in-core1, address: 10.1.0.1, network: intranet, tier: province, region: 广东, site: 广东省政务中心,
             role: core, vendor: h3c_comware, uplinks: [{device: c-in-core1}]}
        """), encoding="utf-8")  # fmt: skip
    cfg = tmp_path / "netmon.yaml"
    cfg.write_text("inventory: [inv.yaml]\n" + security + textwrap.indent(extra, "  "), encoding="utf-8")
    return cfg


def pcap(cfg: Path, path: Path, *args: str) -> dict:
    r = run_netmon("pcap", str(path), "-c", str(cfg), "--format", "json", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def by_rule(doc: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in doc["findings"]:
        out.setdefault(f["rule"], []).append(f)
    return out


def test_isolation_breaches(tmp_path: Path, write_pcap) -> None:
    pk = []
    for i in range(3):  # intranet host browsing the Internet: 3 out, 2 back
        pk.append(E() / IP(src=INTRA, dst=NET) / TCP(sport=50000, dport=443, flags="S" if i == 0 else "A"))
    pk += [E() / IP(src=NET, dst=INTRA) / TCP(sport=443, dport=50000, flags="SA")] * 2
    pk += [E() / Dot1Q(vlan=30) / IP(src=INTRA2, dst=EXTRA) / UDP(sport=123, dport=123)] * 4  # intranet <-> extranet
    pk += [E() / IP(src=EXTRA, dst=NET) / TCP(sport=40001, dport=80)] * 5  # extranet straight out: bypass
    pk += [E() / IP(src=EGRESS, dst=NET) / TCP(sport=40002, dport=80)] * 6  # via the unified egress: fine
    pk += [E() / IP(src=EXTRA, dst=EGRESS) / TCP(sport=40003, dport=3128)] * 2  # to the egress proxy: fine
    pk += [E() / IPv6(src="fd00::1", dst=NET6) / TCP(sport=1, dport=443)] * 1  # ULA is not the Internet
    pk += [E() / IP(src=INTRA, dst="10.1.0.1") / TCP(sport=1, dport=22)] * 3  # inside the intranet: fine
    p = write_pcap("iso.pcap", pk)
    doc = pcap(config(tmp_path), p)
    rules = by_rule(doc)
    assert set(rules) == {"intranet-internet", "intranet-extranet", "extranet-bypass-egress"}
    (ii,) = rules["intranet-internet"]
    assert (ii["src"], ii["dst"], ii["sport"], ii["dport"], ii["proto"]) == (INTRA, NET, 50000, 443, "tcp")
    assert ii["packets"] == tshark_count(p, f"ip.addr=={INTRA} && ip.addr=={NET}") == 5
    assert ii["bytes"] == 5 * 40 and ii["first_ns"] < ii["last_ns"]
    assert ii["severity"] == "critical"
    (ie,) = rules["intranet-extranet"]
    assert ie["packets"] == tshark_count(p, f"vlan && ip.dst=={EXTRA}") == 4
    (bp,) = rules["extranet-bypass-egress"]
    assert bp["packets"] == tshark_count(p, f"ip.src=={EXTRA} && ip.dst=={NET}") == 5
    assert doc["stats"]["packets"] == tshark_count(p) == len(pk)


def test_ignore_prefix_and_custom_plan(tmp_path: Path, write_pcap) -> None:
    pk = [E() / IP(src="172.16.5.5", dst=NET) / TCP(sport=1, dport=443)] * 2
    pk += [E() / IP(src=INTRA, dst=NET) / TCP(sport=1, dport=443)] * 2
    p = write_pcap("plan.pcap", pk)
    cfg = config(tmp_path, security="security:\n  networks:\n    intranet: [172.16.0.0/12, 10.0.0.0/9]\n"
                 "    ignore: [10.1.17.20/32]\n")  # fmt: skip
    rules = by_rule(pcap(cfg, p))
    assert [(f["src"], f["packets"]) for f in rules["intranet-internet"]] == [("172.16.5.5", 2)]


def test_cleartext_management_and_masked_community(tmp_path: Path, write_pcap) -> None:
    community = "Gov#Secret2024"
    pk = [E() / IP(src=INTRA, dst="10.1.0.1") / TCP(sport=40000 + i, dport=23, flags="S") for i in range(4)]
    pk += [E() / IP(src="10.1.0.1", dst=INTRA) / TCP(sport=23, dport=40000, flags="SA")]
    pk += [
        E() / IP(src="10.1.0.1", dst=INTRA) / TCP(sport=23, dport=40000, flags="PA") / b"login: "
    ]  # the session is used
    pk += [E() / IP(src=INTRA, dst="10.1.0.1") / TCP(sport=41000, dport=21, flags="PA") / b"USER admin\r\n"]
    pk += [E() / IP(src=INTRA, dst="10.1.0.1") / TCP(sport=41001, dport=80, flags="PA") / b"GET / HTTP/1.1\r\n\r\n"]
    pk += [
        E() / IP(src=INTRA, dst="10.2.9.9") / TCP(sport=41002, dport=80, flags="PA") / b"GET /"
    ]  # HTTP to a non-device: fine
    pk += [E() / IP(src=INTRA, dst="10.1.0.1") / UDP(sport=41003, dport=69) / b"\x00\x01startup.cfg\x00octet\x00"]
    get = SNMP(
        version=1, community=community, PDU=SNMPget(id=11, varbindlist=[SNMPvarbind(oid=ASN1_OID("1.3.6.1.2.1.1.5.0"))])
    )
    pk += [E() / IP(src=INTRA, dst="10.1.0.1") / UDP(sport=41004, dport=161) / get] * 2
    pk += [E() / IP(src="10.1.0.1", dst=INTRA) / UDP(sport=161, dport=41004) / SNMP(version=1, community=community,
           PDU=SNMPresponse(id=11, varbindlist=[SNMPvarbind(oid=ASN1_OID("1.3.6.1.2.1.1.5.0"))]))]  # fmt: skip
    pk += [E() / IP(src=INTRA, dst="10.1.0.1") / UDP(sport=41005, dport=161) / SNMP(version=0, community="public",
           PDU=SNMPget(id=12))]  # fmt: skip
    p = write_pcap("clear.pcap", pk)
    cfg = config(tmp_path)
    doc = pcap(cfg, p)
    rules = by_rule(doc)
    assert set(rules) == {"telnet", "ftp", "http-management", "tftp", "snmp-v1v2c"}
    assert rules["telnet"][0]["packets"] == tshark_count(p, "tcp.port==23") == 6
    assert rules["telnet"][0]["device"] == "gd-in-core1"
    assert rules["http-management"][0]["dst"] == "10.1.0.1" and len(rules["http-management"]) == 1
    assert rules["tftp"][0]["packets"] == tshark_count(p, "tftp") == 1
    snmp = rules["snmp-v1v2c"]
    assert sum(f["packets"] for f in snmp) == tshark_count(p, "snmp") == 4
    # tshark sees the community in the clear; we report it masked only
    assert community in tshark(p, "-Y", "snmp", "-T", "fields", "-e", "snmp.community")
    details = " ".join(f["detail"] for f in snmp)
    assert "SNMPv2c community G************4" in details and "SNMPv1 community p****c" in details
    r = run_netmon("pcap", str(p), "-c", str(cfg))
    for out in (r.stdout + r.stderr, json.dumps(doc)):
        assert community not in out and "Secret" not in out


def test_scans(tmp_path: Path, write_pcap) -> None:
    scanner, victim = "10.1.17.66", "10.1.0.1"
    pk = [E() / IP(src=scanner, dst=victim) / TCP(sport=5555, dport=port, flags="S") for port in range(1, 151)]
    pk += [E() / IP(src=scanner, dst=f"10.3.0.{h}") / ICMP(type=8) for h in range(1, 61)]  # ping sweep
    # UDP scan seen through the victim's port-unreachable answers
    pk += [E() / IP(src=victim, dst="10.1.17.77") / ICMP(type=3, code=3) / IPerror(src="10.1.17.77", dst=victim)
           / UDPerror(sport=9, dport=port) for port in range(1000, 1120)]  # fmt: skip
    pk += [E() / IPv6(src="2001:db8::66", dst=f"2001:db8::{h:x}") / ICMPv6EchoRequest() for h in range(1, 10)]  # few
    p = write_pcap("scan.pcap", pk)
    doc = pcap(config(tmp_path, "overrides: {scan: {ports_per_host: 100, hosts_per_port: 50}}\n"), p)
    scans = by_rule(doc)["scan"]
    got = {(f["src"], f["dst"], f["detail"].split(":")[0]) for f in scans}
    assert got == {(scanner, victim, "port scan"), (scanner, "*", "ping sweep"), ("10.1.17.77", victim, "port scan")}
    assert tshark_count(p, f"ip.src=={scanner} && tcp.flags.syn==1 && tcp.flags.ack==0") == 150
    assert tshark_count(p, "icmp.type==3 && icmp.code==3") == 120


def test_bruteforce_ssh_and_snmp(tmp_path: Path, write_pcap) -> None:
    attacker, device = "10.1.17.99", "10.1.0.1"
    pk = []
    for i in range(25):  # 25 SSH connections within 25 s
        t = 1_700_000_000 + i
        pk.append(E() / IP(src=attacker, dst=device) / TCP(sport=30000 + i, dport=22, flags="S"))
        pk[-1].time = t
        pk.append(E() / IP(src=device, dst=attacker) / TCP(sport=22, dport=30000 + i, flags="SA"))
        pk[-1].time = t + 0.001
    for i in range(3):  # a normal admin: 3 sessions
        pk.append(E() / IP(src="10.1.17.5", dst=device) / TCP(sport=31000 + i, dport=22, flags="S"))
    for i in range(12):  # community guessing: no answers
        pk.append(E() / IP(src=attacker, dst=device) / UDP(sport=32000, dport=161)
                  / SNMP(community=f"guess{i}", PDU=SNMPget(id=100 + i)))  # fmt: skip
    for i in range(11):  # SNMPv3 with a wrong key: the agent reports usmStatsWrongDigests
        rep = SNMP(version=1, community="", PDU=SNMPresponse(id=i, varbindlist=[
            SNMPvarbind(oid=ASN1_OID("1.3.6.1.6.3.15.1.1.5.0"))]))  # fmt: skip
        pk.append(E() / IP(src=device, dst="10.1.17.98") / UDP(sport=161, dport=33000) / _as_v3(bytes(rep)))
    p = write_pcap("brute.pcap", pk)
    rules = by_rule(pcap(config(tmp_path), p))
    (ssh,) = rules["ssh-bruteforce"]
    assert (ssh["src"], ssh["dst"], ssh["packets"]) == (attacker, device, 25)
    assert tshark_count(p, f"ip.src=={attacker} && tcp.dstport==22 && tcp.flags.syn==1 && tcp.flags.ack==0") == 25
    snmp = {f["src"]: f for f in rules["snmp-auth-failure"]}
    assert snmp[attacker]["packets"] == 12 and "12 of 12 v1/v2c requests unanswered" in snmp[attacker]["detail"]
    assert snmp["10.1.17.98"]["packets"] == 11 and "v3 authentication-failure" in snmp["10.1.17.98"]["detail"]
    assert snmp[attacker]["device"] == "gd-in-core1"
    # v3 is not cleartext; the v2c guesses are, and their communities are masked
    clear = rules["snmp-v1v2c"]
    assert {f["dst"] for f in clear} == {device} and {f["src"] for f in clear} == {attacker}
    assert "guess1" not in json.dumps(clear) and "g****1" in clear[0]["detail"]


def _as_v3(v2c_report: bytes) -> bytes:
    """Turn a response into a Report PDU wrapped in an SNMPv3 message (noAuthNoPriv scoped PDU), as agents send reports."""

    def tlv(tag: int, body: bytes) -> bytes:
        n = len(body)
        ln = bytes([n]) if n < 128 else bytes([0x81, n]) if n < 256 else bytes([0x82, n >> 8, n & 0xFF])
        return bytes([tag]) + ln + body

    # the PDU is the last element of the v2c message: skip SEQUENCE, version, community
    b = v2c_report
    off = 2 if b[1] < 128 else 2 + (b[1] & 0x7F)
    off += 2 + b[off + 1]  # version
    off += 2 + b[off + 1]  # community
    pdu = b"\xa8" + b[off + 1 :]  # Report-PDU: same body as a response, tag 0xA8
    glob = tlv(0x30, tlv(0x02, b"\x01") + tlv(0x02, b"\x05\xdc") + tlv(0x04, b"\x00") + tlv(0x02, b"\x03"))
    scoped = tlv(0x30, tlv(0x04, b"\x80\x00\x1f\x88") + tlv(0x04, b"") + pdu)
    return tlv(0x30, tlv(0x02, b"\x03") + glob + tlv(0x04, b"") + scoped)


def test_bad_security_config_names_line(tmp_path: Path, write_pcap) -> None:
    p = write_pcap("x.pcap", [E() / IP(src=INTRA, dst=NET) / TCP()])
    cfg = config(tmp_path)
    cfg.write_text(cfg.read_text() + "  max_flows: lots\n  networks2: 1\n")
    assert cfg.read_text().splitlines()[3].strip().startswith("egress:")
    cfg.write_text(cfg.read_text().replace("egress: [10.128.0.2/32]", "egress: [10.128.0.300/32]"))
    r = run_netmon("pcap", str(p), "-c", str(cfg))
    assert r.returncode == 2, r.stdout
    err = r.stderr
    assert "security.networks.egress" in err and "10.128.0.300/32" in err and "netmon.yaml:4" in err
    assert "security.max_flows" in err and "security.networks2: unknown setting" in err
    assert "Traceback" not in err


def test_bad_rule_file(tmp_path: Path, write_pcap) -> None:
    p = write_pcap("x.pcap", [E() / IP(src=INTRA, dst=NET) / TCP()])
    rules = tmp_path / "rules.yaml"
    rules.write_text("cleartext:\n  - id: telnet\n    proto: sctp\n    ports: [23]\n")
    r = run_netmon("pcap", str(p), "--rules", str(rules))
    assert r.returncode == 2
    assert "rules.yaml:3: cleartext.0.proto" in r.stderr and "Traceback" not in r.stderr


def test_egress_devices_from_inventory_and_plan_warning(tmp_path: Path, write_pcap) -> None:
    """A device with role egress may reach the Internet; devices outside their plan are warned about."""
    inv = tmp_path / "inv.yaml"
    inv.write_text(
        textwrap.dedent("""\
        devices:
          - {name: c-ex-core1, address: 10.128.0.1, network: extranet, tier: central, site: 中心, role: core,
             vendor: huawei_vrp}
          - {name: c-ex-egress1, address: 10.128.0.2, network: extranet, tier: central, site: 中心, role: egress,
             vendor: huawei_vrp, uplinks: [{device: c-ex-core1}]}
          - {name: odd-in-core1, address: 10.200.0.1, network: intranet, tier: central, site: 中心, role: core,
             vendor: huawei_vrp}
        """),
        encoding="utf-8",
    )
    pk = [E() / IP(src="10.128.0.2", dst=NET) / TCP(sport=1, dport=443)] * 3  # via the egress device: allowed
    pk += [E() / IP(src="10.128.0.1", dst=NET) / TCP(sport=1, dport=443)] * 2  # the core straight out: bypass
    p = write_pcap("egress.pcap", pk)
    r = run_netmon("pcap", str(p), "-i", str(inv), "--format", "json")
    assert r.returncode == 0, r.stderr
    found = by_rule(json.loads(r.stdout))
    assert [(f["src"], f["packets"], f["device"]) for f in found["extranet-bypass-egress"]] == [
        ("10.128.0.1", 2, "c-ex-core1")
    ]
    assert "1 inventory device(s) lie outside security.networks" in r.stderr and "odd-in-core1" in r.stderr
