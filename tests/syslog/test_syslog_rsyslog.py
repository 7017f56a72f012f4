"""rsyslog as the peer: it forwards to netmon over TCP (octet counting) and TLS (gtls, the CA
checked), and its own parse of the same messages is the truth netmon's parser is compared to."""

from __future__ import annotations

import shutil
import socket
import time
import uuid
from pathlib import Path

import pytest

from netmon.lab.procs import free_port, start, wait_for

RSYSLOGD = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"


@pytest.fixture(scope="module")
def rsyslog(serve, tmp_path_factory):
    if not Path(RSYSLOGD).exists():
        pytest.skip("rsyslog is not installed (make setup installs rsyslog and rsyslog-gnutls as root)")
    if not Path("/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so").exists() and not list(
        Path("/usr/lib").rglob("lmnsd_gtls.so")
    ):
        pytest.skip("rsyslog-gnutls is not installed")
    d = tmp_path_factory.mktemp("rsyslog")
    udp_in, tcp_in = free_port(socket.SOCK_DGRAM), free_port()
    conf = d / "rsyslog.conf"
    conf.write_text(
        f"""
global(workDirectory="{d}" defaultNetstreamDriverCAFile="{serve.tls_files["ca"]}" maxMessageSize="64k")
module(load="imudp")
module(load="imtcp")
input(type="imudp" address="127.0.0.1" port="{udp_in}" ruleset="fwd")
input(type="imtcp" address="127.0.0.1" port="{tcp_in}" ruleset="fwd")
template(name="fields" type="string" string="%pri%|%hostname%|%app-name%|%procid%|%msgid%|%msg:::drop-last-lf%\\n")
ruleset(name="fwd") {{
  action(type="omfile" file="{d}/parsed.log" template="fields")
  if $msg contains "via-tls" then {{
    action(type="omfwd" target="127.0.0.1" port="{serve.tls}" protocol="tcp" TCP_Framing="octet-counted"
           StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name"
           StreamDriverPermittedPeers="localhost" template="RSYSLOG_SyslogProtocol23Format")
  }} else if $msg contains "via-tcp" then {{
    action(type="omfwd" target="127.0.0.1" port="{serve.tcp}" protocol="tcp" TCP_Framing="octet-counted"
           template="RSYSLOG_SyslogProtocol23Format")
  }}
}}
""",
        encoding="utf-8",
    )
    proc = start("rsyslogd", [RSYSLOGD, "-n", "-f", str(conf), "-i", str(d / "rsyslogd.pid")], d / "rsyslogd.log")

    def ready() -> bool:
        with socket.create_connection(("127.0.0.1", tcp_in), timeout=0.5):
            return True

    wait_for(ready, 20, "rsyslogd", proc.popen)
    yield {"udp": udp_in, "tcp": tcp_in, "parsed": d / "parsed.log", "dir": d}
    proc.stop()


def _udp(port: int, data: bytes) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(data, ("127.0.0.1", port))


def _parsed(path: Path, tag: str, timeout: float = 15) -> list[list[str]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            rows = [line.split("|", 5) for line in path.read_text(encoding="utf-8").splitlines() if tag in line]
            if rows:
                return rows
        time.sleep(0.1)
    return []


@pytest.mark.parametrize("via", ["via-tcp", "via-tls"])
def test_rsyslog_forwards_over_tcp_and_tls(serve, rsyslog, via):
    tag = uuid.uuid4().hex[:10]
    n = 50
    with socket.create_connection(("127.0.0.1", rsyslog["tcp"])) as s:
        for i in range(n):
            s.sendall(f"<134>Jan  1 00:00:00 gd-ex-fw fwd[{i}]: {via} {tag} message {i}\n".encode())
    rows = serve.wait_count(lambda r: tag in r.get("message", ""), n, timeout=30)
    assert len(rows) == n, f"{len(rows)} of {n} arrived"
    assert {r["transport"] for r in rows} == {"tls" if via == "via-tls" else "tcp"}
    assert {r["format"] for r in rows} == {"rfc5424"}
    # rsyslog relays from 127.0.0.1 (gd-core) on behalf of gd-ex-fw: the sender address wins
    assert {r["device"] for r in rows} == {"gd-core"} and {r["hostname"] for r in rows} == {"gd-ex-fw"}
    assert sorted(int(r["procid"]) for r in rows) == list(range(n))


CASES = [
    "<13>Nov 14 10:20:30 host1 sshd[321]: Failed password for root from 10.9.9.9 port 22 ssh2 {tag}",
    "<165>1 2026-11-14T10:20:30.123456+08:00 host2 app 77 ID47 - BOM-less message {tag}",
    '<165>1 2026-11-14T10:20:30Z host3 evntslog - ID48 [exampleSDID@32473 iut="3" eventSource="App"] with sd {tag}',
    "<30>Nov  4 09:05:01 host4 cron: single digit day {tag}",
    "<14>1 2026-11-14T02:20:30Z host5 - - - - all nil fields {tag}",
]


def test_parser_agrees_with_rsyslog(serve, rsyslog):
    """Each message goes to rsyslog and to netmon; hostname, app-name, procid, msgid and message must agree."""
    for case in CASES:
        tag = uuid.uuid4().hex[:10]
        raw = case.format(tag=tag).encode()
        _udp(rsyslog["udp"], raw)
        _udp(serve.udp, raw)
        truth = _parsed(rsyslog["parsed"], tag)
        ours = serve.wait_rows(lambda r, t=tag: t in r.get("message", ""))
        assert truth and ours, case
        pri, host, app, procid, msgid, msg = truth[0]
        r = ours[0]
        nil = {"-": ""}
        assert int(pri) == r["facility_code"] * 8 + r["severity_code"], case
        assert r.get("hostname", "") == host, case
        assert r.get("appname", "") == nil.get(app, app), case
        assert r.get("procid", "") == nil.get(procid, procid), case
        assert r.get("msgid", "") == nil.get(msgid, msgid), case
        assert r["message"] == msg.strip(), case
