"""Real management traffic between namespaces, captured with tcpdump, analysed, checked with tshark."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.probe.netlab import MGMT, TierLab
from netmon.lab.procs import wait_for
from tests.conftest import ROOT, need_binary, need_root
from tests.security.conftest import tshark, tshark_count

CITY = MGMT["city"]
COMMUNITY = "Lab-Comm-42"
FTP_PASSWORD = "Pa55word-lab"

# Telnet and FTP servers that speak just enough for real clients (curl) to log in and fail.
SERVERS = textwrap.dedent("""\
    import socket, sys, threading
    addr = sys.argv[1]
    def telnet(c):
        c.sendall(b"login: "); c.settimeout(1)
        try: c.recv(100)
        except OSError: pass
        c.close()
    def ftp(c):
        f = c.makefile("rb"); c.sendall(b"220 lab ftp\\r\\n")
        for line in f:
            cmd = line.split(b" ")[0].strip().upper()
            if cmd == b"USER": c.sendall(b"331 password please\\r\\n")
            elif cmd == b"PASS": c.sendall(b"530 login incorrect\\r\\n"); break
            else: c.sendall(b"500 no\\r\\n")
        c.close()
    def serve(port, fn):
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((addr, port)); s.listen(16)
        while True:
            c, _ = s.accept(); threading.Thread(target=fn, args=(c,), daemon=True).start()
    for port, fn in ((23, telnet), (21, ftp)):
        threading.Thread(target=serve, args=(port, fn), daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()
    """)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TierLab]:
    need_root("network namespaces and tcpdump")
    for b in ("ip", "tcpdump", "tshark", "curl", "snmpget", "snmpd"):
        need_binary(b)
    d = tmp_path_factory.mktemp("secnet")
    lab = TierLab()
    lab.up()
    try:
        srv = d / "servers.py"
        srv.write_text(SERVERS)
        lab.start("city", "servers", [sys.executable, str(srv), CITY], d / "servers.log")
        lab.start("city", "http", [sys.executable, "-m", "http.server", "80", "--bind", CITY, "--directory", str(d)],
                  d / "http.log")  # fmt: skip
        conf = d / "snmpd.conf"
        conf.write_text(f"agentAddress udp:{CITY}:161\nrocommunity {COMMUNITY} default\n")
        snmpd = need_binary("snmpd")
        lab.start("city", "snmpd", [snmpd, "-f", "-Lo", "-C", "-c", str(conf), "-p", str(d / "snmpd.pid")],
                  d / "snmpd.log")  # fmt: skip
        deadline = time.monotonic() + 15
        while True:
            r = lab.run(
                "chost", ["snmpget", "-v2c", "-c", COMMUNITY, "-r", "0", "-t", "0.5", CITY, "1.3.6.1.2.1.1.5.0"]
            )
            web = lab.run("chost", ["curl", "-s", "-o", "/dev/null", "-m", "1", f"http://{CITY}/"])
            if r.returncode == 0 and web.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"lab servers not ready: {r.stderr} {(d / 'snmpd.log').read_text()[-500:]}")
            time.sleep(0.2)
        yield lab
    finally:
        lab.down()


def config(lab: TierLab, d: Path) -> Path:
    lab.write_inventory(d / "inv.yaml")
    cfg = d / "netmon.yaml"
    cfg.write_text("inventory: [inv.yaml]\nsecurity:\n  overrides: {bruteforce: {snmp: {failures: 5}}}\n")
    return cfg


def generate_traffic(lab: TierLab) -> None:
    """Real clients in the county host's namespace toward the city device."""
    lab.run("chost", ["curl", "-s", "-m", "2", f"telnet://{CITY}:23"], stdin=subprocess.DEVNULL)
    lab.run("chost", ["curl", "-s", "-m", "2", f"ftp://netadmin:{FTP_PASSWORD}@{CITY}/"])
    lab.run("chost", ["curl", "-s", "-o", "/dev/null", "-m", "2", f"http://{CITY}/"])
    lab.run("chost", ["curl", "-s", "-m", "1", f"tftp://{CITY}/startup.cfg"])
    lab.run("chost", ["snmpget", "-v2c", "-c", COMMUNITY, "-r", "0", "-t", "1", CITY, "1.3.6.1.2.1.1.5.0"])
    for i in range(6):  # community guessing: snmpd stays silent
        lab.run("chost", ["snmpget", "-v2c", "-c", f"guess{i}", "-r", "0", "-t", "0.2", CITY, "1.3.6.1.2.1.1.5.0"])


def test_captured_management_traffic(lab: TierLab, tmp_path: Path) -> None:
    cap = tmp_path / "span.pcap"
    dump = lab.start("county", "tcpdump", ["tcpdump", "-U", "--immediate-mode", "-n", "-i", lab.iface("county", "chost"),
                                           "-w", str(cap)], tmp_path / "tcpdump.log")  # fmt: skip
    wait_for(lambda: "listening on" in (tmp_path / "tcpdump.log").read_text(), 10, "tcpdump", dump.popen)
    generate_traffic(lab)
    time.sleep(0.5)
    dump.stop()
    cfg = config(lab, tmp_path)
    r = subprocess.run([sys.executable, "-m", "netmon", "pcap", str(cap), "-c", str(cfg), "--format", "json"],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)  # fmt: skip
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    rules: dict[str, list[dict]] = {}
    for f in doc["findings"]:
        rules.setdefault(f["rule"], []).append(f)
    assert {"telnet", "ftp", "http-management", "tftp", "snmp-v1v2c", "snmp-auth-failure"} <= set(rules)
    assert doc["stats"]["packets"] == tshark_count(cap)
    assert doc["stats"]["tcp"] == tshark_count(cap, "tcp && !icmp")
    for rule, flt in (("telnet", "tcp.port==23"), ("ftp", "tcp.port==21"), ("http-management", "tcp.port==80"),
                      ("tftp", "udp.port==69 && !icmp"), ("snmp-v1v2c", "snmp && !icmp")):  # fmt: skip
        assert sum(f["packets"] for f in rules[rule]) == tshark_count(cap, flt) > 0, rule
    telnet = rules["telnet"][0]
    assert (telnet["dst"], telnet["dport"], telnet["device"]) == (CITY, 23, "gd-gz-in-core1")
    # the secrets were on the wire (tshark sees them) but never in what netmon prints
    assert FTP_PASSWORD in tshark(cap, "-Y", "ftp.request.command==PASS", "-T", "fields", "-e", "ftp.request.arg")
    assert COMMUNITY in tshark(cap, "-Y", "snmp", "-T", "fields", "-e", "snmp.community")
    assert COMMUNITY not in r.stdout and FTP_PASSWORD not in r.stdout
    assert "SNMPv2c community L*********2" in " ".join(f["detail"] for f in rules["snmp-v1v2c"])
    (brute,) = rules["snmp-auth-failure"]
    assert brute["packets"] == 6 and brute["src"] == "192.168.100.18"


def test_live_capture_for_a_bounded_time(lab: TierLab, tmp_path: Path) -> None:
    cfg = config(lab, tmp_path)
    env = dict(os.environ, COLUMNS="200")
    argv = [
        "ip",
        "netns",
        "exec",
        lab.ns("county"),
        sys.executable,
        "-m",
        "netmon",
        "pcap",
        "--live",
        lab.iface("county", "chost"),
        "--duration",
        "4",
        "--filter",
        "tcp port 23",
        "-c",
        str(cfg),
        "--format",
        "json",
    ]
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    try:
        time.sleep(2.0)
        for _ in range(3):
            lab.run("chost", ["curl", "-s", "-m", "2", f"telnet://{CITY}:23"], stdin=subprocess.DEVNULL)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, err
    assert time.monotonic() - t0 < 20
    doc = json.loads(out)
    assert doc["files"] == [f"live:{lab.iface('county', 'chost')}"]
    assert doc["stats"]["packets"] == doc["stats"]["tcp"] > 0  # the BPF filter let only telnet through
    (telnet,) = [f for f in doc["findings"] if f["rule"] == "telnet"]
    assert telnet["dst"] == CITY and telnet["packets"] == doc["stats"]["packets"]


def test_live_capture_bad_interface(tmp_path: Path) -> None:
    need_root("AF_PACKET sockets")
    r = subprocess.run([sys.executable, "-m", "netmon", "pcap", "--live", "nosuchif0", "--duration", "1"],
                       capture_output=True, text=True, cwd=ROOT, timeout=60)  # fmt: skip
    assert r.returncode == 2 and "nosuchif0" in r.stderr and "Traceback" not in r.stderr
