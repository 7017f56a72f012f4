"""Issue 16: unanswered scan SYNs to 21/23/80 are a scan, not "cleartext management"; a session
that carries data is cleartext use. Captures made with scapy, and a real one with tcpdump."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import textwrap
import threading
import time
from pathlib import Path

import pytest
from scapy.layers.inet import IP, TCP
from scapy.utils import wrpcap

from tests.conftest import need_binary, need_root, run_netmon
from tests.security.conftest import E, tshark_count

SCANNER, OPERATOR, DEVICE = "10.1.17.66", "10.1.17.20", "10.1.0.1"


def _config(tmp_path: Path, address: str = DEVICE) -> Path:
    inv = tmp_path / "inv.yaml"
    inv.write_text(textwrap.dedent(f"""\
        devices:
          - {{name: gd-in-core1, address: {address}, network: intranet, tier: province, region: 广东,
             site: 广东省政务中心, role: core, vendor: h3c_comware}}
        """), encoding="utf-8")  # fmt: skip
    cfg = tmp_path / "netmon.yaml"
    cfg.write_text("inventory: [inv.yaml]\n", encoding="utf-8")
    return cfg


def _rules(cfg: Path, pcap: Path) -> dict[str, list[dict]]:
    r = run_netmon("pcap", str(pcap), "-c", str(cfg), "--format", "json")
    assert r.returncode == 0, r.stderr
    out: dict[str, list[dict]] = {}
    for f in json.loads(r.stdout)["findings"]:
        out.setdefault(f["rule"], []).append(f)
    return out


def _handshake_and_data(client: str, server: str, cport: int, sport: int, banner: bytes, cmd: bytes) -> list:
    c2s = E() / IP(src=client, dst=server)
    s2c = E() / IP(src=server, dst=client)
    return [
        c2s / TCP(sport=cport, dport=sport, flags="S", seq=100),
        s2c / TCP(sport=sport, dport=cport, flags="SA", seq=500, ack=101),
        c2s / TCP(sport=cport, dport=sport, flags="A", seq=101, ack=501),
        s2c / TCP(sport=sport, dport=cport, flags="PA", seq=501, ack=101) / banner,
        c2s / TCP(sport=cport, dport=sport, flags="PA", seq=101, ack=501 + len(banner)) / cmd,
        c2s / TCP(sport=cport, dport=sport, flags="FA", seq=101 + len(cmd), ack=501 + len(banner)),
    ]


def test_syn_scan_is_not_cleartext_use(tmp_path: Path) -> None:
    cfg = _config(tmp_path)
    pk = []
    # a port scan of the device: 120 ports incl. 21, 23, 80, 8080; nothing answers but a few RSTs
    for i, port in enumerate([21, 23, 80, 8080, *range(1000, 1116)]):
        pk.append(E() / IP(src=SCANNER, dst=DEVICE) / TCP(sport=50000 + i, dport=port, flags="S"))
    pk.append(E() / IP(src=DEVICE, dst=SCANNER) / TCP(sport=21, dport=50000, flags="RA"))
    pk.append(E() / IP(src=DEVICE, dst=SCANNER) / TCP(sport=23, dport=50001, flags="RA"))
    # a half-open probe that the device answered (SYN-ACK) but that never carried data
    pk.append(E() / IP(src=DEVICE, dst=SCANNER) / TCP(sport=80, dport=50002, flags="SA"))
    scan_only = tmp_path / "scan.pcap"
    wrpcap(str(scan_only), pk)
    rules = _rules(cfg, scan_only)
    assert "scan" in rules and rules["scan"][0]["src"] == SCANNER
    assert not {"telnet", "ftp", "http-management"} & set(rules), rules.keys()

    # the same scan plus one real Telnet session of an operator: only that is cleartext use
    session = _handshake_and_data(OPERATOR, DEVICE, 40000, 23, b"login: ", b"admin\r\n")
    both = tmp_path / "both.pcap"
    wrpcap(str(both), pk + session)
    rules = _rules(cfg, both)
    assert [(f["src"], f["dst"], f["dport"]) for f in rules["telnet"]] == [(OPERATOR, DEVICE, 23)]
    # the finding counts the whole session, as tshark sees it
    assert rules["telnet"][0]["packets"] == tshark_count(both, f"tcp.port==23 && ip.addr=={OPERATOR}") == 6
    assert not {"ftp", "http-management"} & set(rules)


def _serve_banner(port: int, stop: threading.Event) -> None:
    with socket.socket() as srv:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", port))
        srv.listen()
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except TimeoutError:
                continue
            with conn:
                conn.sendall(b"\r\nUser Access Verification\r\n\r\nUsername: ")
                conn.settimeout(2)
                try:
                    conn.recv(100)
                except TimeoutError:
                    pass


def test_real_loopback_capture(tmp_path: Path) -> None:
    need_root("binds port 23 and captures on lo")
    tcpdump = need_binary("tcpdump")
    need_binary("tshark")
    cfg = _config(tmp_path, "127.0.0.1")
    pcap = tmp_path / "lo.pcap"
    cap = subprocess.Popen(
        [tcpdump, "-i", "lo", "-U", "-n", "-w", str(pcap), "tcp port 21 or tcp port 23 or tcp port 80"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    stop = threading.Event()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (pcap.exists() and pcap.stat().st_size >= 24):
            time.sleep(0.05)  # tcpdump writes the file header once it is capturing
        time.sleep(0.3)
        server = threading.Thread(target=_serve_banner, args=(23, stop), daemon=True)
        server.start()
        time.sleep(0.3)
        # an operator's Telnet session that really logs in
        with socket.create_connection(("127.0.0.1", 23), timeout=5) as s:
            assert b"Username" in s.recv(200)
            s.sendall(b"admin\r\n")
            time.sleep(0.1)
        # probes of FTP and HTTP, where nothing listens: the kernel answers RST
        for port in (21, 80):
            with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
                pass
        time.sleep(0.5)
    finally:
        stop.set()
        cap.terminate()
        cap.wait(10)
    assert tshark_count(pcap, "tcp.port==21") >= 2 and tshark_count(pcap, "tcp.port==80") >= 2
    rules = _rules(cfg, pcap)
    assert [(f["dst"], f["dport"]) for f in rules.get("telnet", [])] == [("127.0.0.1", 23)]
    assert rules["telnet"][0]["packets"] == tshark_count(pcap, "tcp.port==23")
    assert not {"ftp", "http-management"} & set(rules), os.linesep.join(rules)
