"""A real `netmon syslog serve` receiving from util-linux `logger` (UDP, TCP with LF and octet
counting, RFC 3164 and 5424), `openssl s_client` (TLS) and raw sockets (bad input), checked in
the SQLite sink, the alert points and the archive."""

from __future__ import annotations

import socket
import ssl
import subprocess
import time
import uuid

import pytest
from syslog_helpers import logger

from netmon.syslog.archive import verify
from tests.conftest import need_binary


def _tag() -> str:
    return uuid.uuid4().hex[:10]


def _send_tcp(port: int, data: bytes, host: str = "127.0.0.1", source: str | None = None) -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if source:
        s.bind((source, 0))
    s.connect((host, port))
    s.sendall(data)
    s.close()


def _send_udp(port: int, data: bytes, source: str | None = None) -> None:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if source:
        s.bind((source, 0))
    s.sendto(data, ("127.0.0.1", port))
    s.close()


@pytest.mark.parametrize(
    "transport,fmt",
    [
        ("--udp", "--rfc3164"),
        ("--udp", "--rfc5424"),
        ("--tcp", "--rfc3164"),
        ("--tcp", "--rfc5424"),
        ("--tcp", "--octet-count"),
    ],
)
def test_logger_messages_stored_with_inventory_tags(serve, transport, fmt):
    tag = _tag()
    port = serve.udp if transport == "--udp" else serve.tcp
    extra = ["--rfc5424"] if fmt == "--octet-count" else []
    logger(port, transport, fmt, *extra, "-t", "netmontest", "-p", "local3.warning", message=f"hello {tag} 你好")
    rows = serve.wait_rows(lambda r: tag in r.get("message", ""))
    assert len(rows) == 1, rows
    r = rows[0]
    assert (
        r["device"] == "gd-core" and r["network"] == "intranet" and r["province"] == "广东"
    )  # 127.0.0.1 in the inventory
    assert r["facility"] == "local3" and r["severity"] == "warning"
    assert r["facility_code"] == 19 and r["severity_code"] == 4
    assert r["appname"] == "netmontest"
    assert r["message"] == f"hello {tag} 你好"
    assert r["transport"] == transport.strip("-")
    assert r["format"] == ("rfc3164" if fmt == "--rfc3164" else "rfc5424")
    # logger stamps its own clock: the skew against the receive time is small
    assert abs(r["skew_s"]) < 5
    if fmt != "--rfc3164":
        assert r["clock_synced"] in (0, 1)  # from logger's timeQuality structured data


def test_tls_openssl_s_client(serve):
    exe = need_binary("openssl")
    tag = _tag()
    msg = f"<86>1 2026-01-01T00:00:00Z tlshost sshd 99 - - Failed password for root from 10.66.6.6 port 22 ssh2 {tag}\n"
    p = subprocess.run(
        [exe, "s_client", "-connect", f"127.0.0.1:{serve.tls}", "-CAfile", str(serve.tls_files["ca"]), "-verify_return_error",
         "-quiet", "-no_ign_eof", "-servername", "localhost"],
        input=msg.encode(), capture_output=True, timeout=20,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr.decode()
    rows = serve.wait_rows(lambda r: tag in r.get("message", ""))
    assert rows and rows[0]["transport"] == "tls"
    assert rows[0]["event"] == "login_failure" and rows[0]["src_ip"] == "10.66.6.6" and rows[0]["user"] == "root"
    assert rows[0]["hostname"] == "tlshost"


def test_tls_refuses_plaintext_and_a_client_hanging_in_the_handshake_does_not_block(serve):
    # a client that connects and never speaks TLS: closed after the handshake timeout (3 s),
    # while another TLS client gets through meanwhile
    hang = socket.create_connection(("127.0.0.1", serve.tls))
    tag = _tag()
    ctx = ssl.create_default_context(cafile=str(serve.tls_files["ca"]))
    with (
        socket.create_connection(("127.0.0.1", serve.tls)) as raw,
        ctx.wrap_socket(raw, server_hostname="localhost") as s,
    ):
        s.sendall(f"<13>Jan  1 00:00:00 h app: via tls {tag}\n".encode())
    assert serve.wait_rows(lambda r: tag in r.get("message", ""))
    hang.settimeout(10)
    assert hang.recv(100) == b""  # the server gave up on it
    hang.close()


def test_vendor_messages_parsed_into_events(serve):
    tag = _tag()
    lines = [
        f"<189>Nov 14 2024 10:20:30 HUAWEI %%01SHELL/5/CMDRECORD(s)[0]:Recorded command information. (Task=VT0, Ip=10.1.1.5, "
        f'VpnName=, User=admin, AuthenticationMethod="Local-user", Command="display version {tag}")',
        f"<190>Nov 14 10:20:30 2024 H3C %%10SHELL/6/SHELL_CMD: -Line=vty0-IPAddr=10.1.1.6-User=ops; Command is system-view {tag}",
        f"<189>123: *Nov 14 10:20:30.123 UTC: %SYS-5-CONFIG_I: Configured from console by netadmin on vty0 (10.1.1.7) {tag}",
        f"<187>Nov 14 10:20:30 2024 H3C %%10IFNET/3/PHY_UPDOWN: Physical state on the interface GigabitEthernet1/0/3 changed to down. {tag}",
    ]
    _send_tcp(serve.tcp, "".join(x + "\n" for x in lines).encode())
    rows = serve.wait_count(lambda r: tag in r.get("message", ""), 4)
    by = {r["mnemonic"]: r for r in rows}
    assert by["SHELL/5/CMDRECORD"]["event"] == "command"
    assert by["SHELL/5/CMDRECORD"]["user"] == "admin" and by["SHELL/5/CMDRECORD"]["src_ip"] == "10.1.1.5"
    assert by["SHELL/5/CMDRECORD"]["command"] == f"display version {tag}"
    assert by["SHELL/6/SHELL_CMD"]["user"] == "ops" and by["SHELL/6/SHELL_CMD"]["src_ip"] == "10.1.1.6"
    cfg = by["SYS-5-CONFIG_I"]
    assert cfg["event"] == "config_change" and cfg["user"] == "netadmin"
    assert cfg["clock_synced"] == 0  # Cisco's "*": the device clock is not synchronised
    assert (
        by["IFNET/3/PHY_UPDOWN"]["event"] == "link_down"
        and by["IFNET/3/PHY_UPDOWN"]["interface"] == "GigabitEthernet1/0/3"
    )
    # the configuration change pages at once, naming who and from where
    alerts = serve.wait_rows(
        lambda r: r.get("rule") == "syslog_config_changed" and "netadmin" in r.get("summary", ""), measurement="alert"
    )
    assert alerts and "10.1.1.7" in alerts[0]["summary"]


def test_bruteforce_alert_after_five_failures_from_one_source(serve):
    src = f"10.77.{int(time.time()) % 200}.{uuid.uuid4().int % 200 + 1}"
    for i in range(4):
        logger(serve.udp, "--udp", "-t", "sshd", message=f"Failed password for root from {src} port {4000 + i} ssh2")
    serve.wait_count(lambda r: r.get("src_ip") == src, 4)
    assert not serve.rows("alert") or not [a for a in serve.rows("alert") if a.get("src_ip") == src]  # 4 < 5: no alert
    logger(serve.udp, "--udp", "-t", "sshd", message=f"Failed password for admin from {src} port 4999 ssh2")
    alerts = serve.wait_rows(
        lambda r: r.get("rule") == "syslog_bruteforce" and r.get("src_ip") == src, measurement="alert"
    )
    assert alerts, "no brute-force alert"
    a = alerts[0]
    assert a["state"] == "firing" and a["device"] == "gd-core" and a["value"] == 5.0
    assert src in a["summary"] and "admin" in a["summary"]


def test_interface_flapping_alert(serve):
    tag = _tag()
    iface = f"GigabitEthernet0/0/{uuid.uuid4().int % 40}"
    for _ in range(3):
        _send_tcp(
            serve.tcp,
            f"<188>Nov 14 2024 10:20:30 HUAWEI %%01IFNET/4/IF_STATE(l)[5]:Interface {iface} has turned into DOWN state. {tag}\n".encode(),
        )
    alerts = serve.wait_rows(
        lambda r: r.get("rule") == "syslog_interface_flapping" and r.get("interface") == iface, measurement="alert"
    )
    assert alerts and alerts[0]["value"] == 3.0


def test_unknown_source_is_kept_and_tagged_unknown(serve):
    tag = _tag()
    _send_udp(serve.udp, f"<13>Jan  1 00:00:00 strangerhost app: from nowhere {tag}".encode(), source="127.0.0.2")
    rows = serve.wait_rows(lambda r: tag in r.get("message", ""))
    assert rows and rows[0]["device"] == "unknown" and rows[0]["source"] == "127.0.0.2"
    assert "network" not in rows[0]


def test_relay_hostname_names_the_device(serve):
    # a relay (127.0.0.2 is not in the inventory) forwarding for gd-ex-fw: HOSTNAME names it
    tag = _tag()
    _send_udp(serve.udp, f"<13>Jan  1 00:00:00 gd-ex-fw app: relayed {tag}".encode(), source="127.0.0.2")
    rows = serve.wait_rows(lambda r: tag in r.get("message", ""))
    assert rows and rows[0]["device"] == "gd-ex-fw" and rows[0]["network"] == "extranet"


BAD = [
    (b"garbage without any header", "no <PRI>"),
    (b"<13>\xff\xfe\xfd not text \x80\x81", "not valid UTF-8 or GB18030"),
    (b"<999>Jan  1 00:00:00 h a: pri too big", "no <PRI>"),
    (b"<13>1 2024-13-45T99:99:99Z h a - - - bad time", "not RFC 3339"),
]


@pytest.mark.parametrize("raw,why", BAD)
def test_malformed_lines_are_counted_and_kept_raw(serve, raw, why):
    tag = _tag().encode()
    _send_udp(serve.udp, raw + b" " + tag)
    rows = serve.wait_rows(lambda r: tag.decode() in r.get("raw", ""))
    assert rows, f"{raw!r} was lost"
    assert why in rows[0]["parse_error"]


def test_gb18030_text_decoded(serve):
    tag = _tag()
    _send_udp(serve.udp, f"<13>Jan  1 00:00:00 h app: 接口状态变化 {tag}".encode("gb18030"))
    rows = serve.wait_rows(lambda r: tag in r.get("message", ""))
    assert rows and rows[0]["message"] == f"接口状态变化 {tag}" and "parse_error" not in rows[0]


def test_oversize_and_truncated_octet_count(serve):
    tag = _tag()
    big = b"<13>Jan  1 00:00:00 h app: " + tag.encode() + b" " + b"x" * 5000
    _send_tcp(
        serve.tcp, str(len(big)).encode() + b" " + big + b"20 <13>Jan  1 00:00:00 h a: after " + tag.encode() + b"\n"
    )
    rows = serve.wait_rows(lambda r: tag in r.get("message", "") and "parse_error" in r)
    assert rows and "oversize: 5038 bytes" in rows[0]["parse_error"]
    assert len(rows[0]["message"]) < 2048
    # a sender that announces 500 bytes and hangs up after 20
    tag2 = _tag()
    _send_tcp(serve.tcp, b"500 <13>Jan  1 00:00:00 h a: " + tag2.encode())
    rows = serve.wait_rows(lambda r: tag2 in r.get("raw", ""))
    assert rows and "truncated frame: announced 500 bytes" in rows[0]["parse_error"]


def test_every_message_is_in_the_archive_and_it_verifies(serve):
    tag = _tag()
    for i in range(20):
        logger(serve.tcp, "--tcp", "-t", "arch", message=f"archive {tag} {i}")
    serve.wait_count(lambda r: tag in r.get("message", ""), 20)
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(serve.archive.glob("syslog-*.jsonl")))
    assert sum(f"archive {tag} " in line for line in text.splitlines()) == 20
    rep = verify(serve.archive)
    assert rep.ok, [f.problems for f in rep.files] + rep.problems
    assert oct(serve.archive.stat().st_mode)[-3:] == "700"
    assert all(oct(p.stat().st_mode)[-3:] == "600" for p in serve.archive.iterdir())


def test_receiver_self_points(serve):
    rows = serve.wait_rows(lambda r: r.get("collector") == "syslog", measurement="netmon_self")
    assert rows
    last = rows[-1]
    assert last["messages_received"] > 0 and last["parse_errors"] >= 0 and "messages_dropped" in last


def test_secrets_typed_in_commands_are_masked_in_the_sink_but_kept_in_the_archive(serve):
    tag = _tag()
    secret, community = f"Gd-Secret-{tag}", f"Sg-Ro-{tag}"
    lines = [
        f"<189>Nov 14 2026 10:20:30 HUAWEI %%01SHELL/5/CMDRECORD(s)[0]:Recorded command information. (Task=VT0, Ip=10.1.1.5, "
        f'VpnName=, User=admin, AuthenticationMethod="Local-user", Command="local-user ops password irreversible-cipher {secret}")',
        f"<189>1: *Nov 14 10:20:30.123 UTC: %PARSER-5-CFGLOG_LOGGEDCMD: User:netops  logged command:snmp-server community {community} RO",
    ]
    _send_tcp(serve.tcp, "".join(x + "\n" for x in lines).encode())
    rows = serve.wait_count(
        lambda r: (
            r.get("event") == "command"
            and ("ops password" in r.get("command", "") or "community" in r.get("command", ""))
        ),
        2,
    )
    text = repr(serve.rows()) + repr(serve.rows("alert"))
    assert secret not in text and community not in text
    assert any(r.get("command") == "snmp-server community ****** RO" for r in rows)
    # the archive is the evidence: it keeps the frame byte for byte (0600, like the config archive)
    archived = "".join(p.read_text(encoding="utf-8") for p in serve.archive.glob("syslog-*.jsonl"))
    assert secret in archived and community in archived
    assert secret not in (serve.dir / "serve.log").read_text(errors="replace")
