"""`netmon run` with a `syslog:` section: the receiver runs inside the daemon, a UDP flood past a
small socket buffer is counted exactly (received + dropped == sent) on /metrics and in
netmon_self, and every received message reaches the sink by the time the daemon stops."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
import uuid

from syslog_helpers import ROOT, Serve, write_config

from netmon.lab.procs import free_port, start, tcp_open, wait_for


def _metrics(port: int) -> dict[str, float]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    out: dict[str, float] = {}
    for line in text.splitlines():
        m = re.match(r"^(netmon_syslog_\w+)(\{[^}]*\})? ([0-9.e+-]+)$", line)
        if m:
            out[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return out


def test_daemon_counts_udp_drops_exactly_and_stores_the_rest(tmp_path, tls_files):
    http = free_port()
    udp, tcp, tls = free_port(socket.SOCK_DGRAM), free_port(), free_port()
    cfg = write_config(tmp_path, udp, tcp, tls, tls_files)
    text = cfg.read_text().replace('http: {listen: ""}', f'http: {{listen: "127.0.0.1:{http}"}}')
    text = text.replace("  max_message: 2048", "  max_message: 2048\n  udp_rcvbuf: 65536")
    cfg.write_text(text + "intervals: {snmp: 3600}\n")
    proc = start("netmon-run", [sys.executable, "-m", "netmon", "run", "-c", str(cfg)], tmp_path / "run.log", cwd=ROOT)
    s = Serve(tmp_path, cfg, tmp_path / "netmon.db", tmp_path / "archive", udp, tcp, tls, tls_files, proc)
    try:
        # the TCP listener binds after the UDP one: once it answers, UDP is receiving
        wait_for(lambda: tcp_open("127.0.0.1", tcp) and bool(_metrics(http)), 30, "netmon run with syslog", proc.popen)
        tag = uuid.uuid4().hex[:8]
        sent = 20000
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for i in range(sent):
                sock.sendto(f"<134>Jan  1 00:00:00 h flood: {tag} {i:06d} {'x' * 120}".encode(), ("127.0.0.1", udp))

        def settled() -> bool:
            m = _metrics(http)
            got = sum(v for k, v in m.items() if k.startswith("netmon_syslog_messages_total"))
            dropped = sum(v for k, v in m.items() if k.startswith("netmon_syslog_dropped_total"))
            return got + dropped >= sent and m.get("netmon_syslog_backlog", 1) == 0

        wait_for(settled, 60, "the receiver to account for every datagram")
        m = _metrics(http)
        received = m['netmon_syslog_messages_total{transport="udp"}']
        dropped = m['netmon_syslog_dropped_total{where="kernel"}'] + m['netmon_syslog_dropped_total{where="backlog"}']
        assert received + dropped == sent
        assert dropped > 0, "the flood did not overflow a 64 KiB buffer: nothing was measured"
        selfs = s.wait_rows(
            lambda r: r.get("collector") == "syslog" and r.get("messages_dropped", 0) >= dropped, 20, "netmon_self"
        )
        assert selfs and selfs[-1]["messages_dropped"] == dropped
        # the drop alert fired from netmon_self
        assert s.wait_rows(lambda r: r.get("rule") == "syslog_messages_dropped", 20, "alert")
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.popen.wait(60)
        except subprocess.TimeoutExpired:
            proc.stop()
    assert proc.popen.returncode == 0, proc.log_tail(30)
    stored = [r for r in s.rows() if tag in r.get("message", "")]
    assert len(stored) == received  # everything received reached the sink
    assert len({r["time"] for r in stored}) == len(stored)  # one instant each: none overwrote another
