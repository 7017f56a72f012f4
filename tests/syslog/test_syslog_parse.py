"""Parser, framer and vendor tables in-process: device timestamp variants, each vendor's audit
messages, bad vendor files, and fuzzing (nothing raises, no frame is lost)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netmon.syslog.parse import Parser
from netmon.syslog.receiver import Framer
from netmon.syslog.vendors import load_catalogue
from tests.conftest import run_netmon

SH = ZoneInfo("Asia/Shanghai")
RECV = int(datetime(2026, 11, 14, 10, 20, 31, tzinfo=SH).timestamp() * 1e9)


def _utc(ns: int | None) -> str:
    assert ns is not None
    return datetime.fromtimestamp(ns / 1e9, ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S.%f")


@pytest.mark.parametrize(
    "raw,utc,zone,synced,host",
    [
        # Huawei VRP5 "Mmm dd yyyy", no zone: the device zone (Asia/Shanghai) applies
        (
            b"<189>Nov 14 2026 10:20:30 HUAWEI %%01SHELL/5/CMDRECORD(s)[0]:x",
            "2026-11-14 02:20:30.000000",
            False,
            None,
            "HUAWEI",
        ),
        # Huawei VRP8 with its offset
        (
            b"<189>Nov 14 2026 10:20:30+08:00 HUAWEI %%01SHELL/5/CMDRECORD(s):x",
            "2026-11-14 02:20:30.000000",
            True,
            None,
            "HUAWEI",
        ),
        (b"<189>2026-11-14 10:20:30 CE-1 %%01IFNET/4/IF_STATE(l):x", "2026-11-14 02:20:30.000000", False, None, "CE-1"),
        # H3C: the year after the time
        (b"<190>Nov 14 10:20:30 2026 H3C %%10SHELL/6/SHELL_CMD: x", "2026-11-14 02:20:30.000000", False, None, "H3C"),
        # Cisco: sequence number, "*" = not synchronised, milliseconds, zone, no host name
        (b"<189>123: *Nov 14 02:20:30.123 UTC: %SYS-5-CONFIG_I: x", "2026-11-14 02:20:30.123000", True, False, ""),
        (b"<189>124: Nov 14 10:20:30.5 CST: %SYS-5-CONFIG_I: x", "2026-11-14 02:20:30.500000", True, None, ""),
        # RFC 3339 in the legacy position (rsyslog's forwarding format)
        (b"<13>2026-11-14T02:20:30.25Z host app: x", "2026-11-14 02:20:30.250000", True, None, "host"),
    ],
)
def test_device_timestamps(raw, utc, zone, synced, host):
    m = Parser("Asia/Shanghai").parse(raw, "10.0.0.1", RECV)
    assert m.error == "" and m.format == "rfc3164"
    assert _utc(m.timestamp_ns) == utc
    assert m.zone_known is zone and m.clock_synced is synced and m.hostname == host


def test_year_of_a_december_message_received_in_january():
    recv = int(datetime(2027, 1, 1, 0, 0, 5, tzinfo=SH).timestamp() * 1e9)
    m = Parser("Asia/Shanghai").parse(b"<13>Dec 31 23:59:58 h app: late", "10.0.0.1", recv)
    assert _utc(m.timestamp_ns).startswith("2026-12-31 15:59:58")


def test_rfc5424_structured_data_and_time_quality():
    raw = b'<165>1 2026-11-14T10:20:30.123+08:00 h app 12 ID7 [timeQuality tzKnown="1" isSynced="1"][x@1 a="q\\"b"] \xef\xbb\xbfmsg'
    m = Parser().parse(raw, "10.0.0.1", RECV)
    assert m.format == "rfc5424" and not m.error
    assert m.sd_params == {"timeQuality": {"tzKnown": "1", "isSynced": "1"}, "x@1": {"a": 'q"b'}}
    assert m.clock_synced is True and m.text == "msg" and m.msgid == "ID7"


VENDOR_LINES = [
    ("huawei_vrp", "%%01SSH/5/SSH_USER_LOGIN_FAIL(s):The SSH user failed to login. (ServiceType=**, FailedReason=Password "
     "authentication failed, UserName=root, UserAddress=10.9.9.9, LocalAddress=10.1.1.1, VPNInstanceName=)",
     "login_failure", {"user": "root", "src_ip": "10.9.9.9"}),
    ("huawei_vrp", '%%01CONFIGURATION/6/CFG_FILE_CHANGE(l):Configuration file was changed. (LogIndex=1, SrcCmd=1, SrcData=2, '
     'DestData=4, TerUser="ops1", SrcAddr=10.2.2.2, ConfigChangeId=5, LogTime=1, CfgBaselineTime="x")',
     "config_change", {"user": "ops1", "src_ip": "10.2.2.2"}),
    ("huawei_vrp", "%%01IFNET/4/LINK_STATE(l)[7]:The line protocol IP on the interface Vlanif10 has entered the UP state.",
     "link_up", {"interface": "Vlanif10"}),
    ("h3c_comware", "%%10LOGIN/5/LOGIN_FAILED: admin failed to log in from 10.1.1.5.", "login_failure",
     {"user": "admin", "src_ip": "10.1.1.5"}),
    ("h3c_comware", "%%10IFNET/5/LINK_UPDOWN: Line protocol state on the interface Ten-GigabitEthernet1/0/49 changed to up.",
     "link_up", {"interface": "Ten-GigabitEthernet1/0/49"}),
    ("cisco_ios", "%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: root] [Source: 10.9.9.9] [localport: 22] [Reason: Login "
     "Authentication Failed] at 10:20:30 CST Thu Nov 14 2026", "login_failure", {"user": "root", "src_ip": "10.9.9.9"}),
    ("cisco_ios", "%LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to administratively down", "link_down",
     {"interface": "GigabitEthernet0/1"}),
    ("cisco_ios", "%PARSER-5-CFGLOG_LOGGEDCMD: User:netops  logged command:no shutdown", "command",
     {"user": "netops", "command": "no shutdown"}),
    ("ruijie_rgos", "%LOGIN-5-LOGIN_FAILED: Login failed from 10.1.1.5(vty1) for user admin.", "login_failure",
     {"user": "admin", "src_ip": "10.1.1.5"}),
    ("ruijie_rgos", "%LINK-3-UPDOWN: Interface GigabitEthernet 0/1, changed state to down.", "link_down",
     {"interface": "GigabitEthernet 0/1"}),
    ("zte_zxros", "PORT-4-LINK: Interface gei-0/1/0/1 is down", "link_down", {"interface": "gei-0/1/0/1"}),
    ("zte_zxros", "SECURITY-4-LOGIN_FAILED: User admin login failed from 10.9.9.9", "login_failure",
     {"user": "admin", "src_ip": "10.9.9.9"}),
]  # fmt: skip


@pytest.mark.parametrize("vendor,text,event,fields", VENDOR_LINES)
def test_vendor_events(vendor, text, event, fields):
    c = load_catalogue().classify(text, vendor)
    assert c.vendor == vendor and c.event == event
    for k, v in fields.items():
        assert c.fields[k] == v


def test_unknown_vendor_header_falls_back_to_generic_wording():
    c = load_catalogue().classify("Invalid user oracle from 203.0.113.9 port 4242", None)
    assert c.event == "login_failure" and c.fields == {"user": "oracle", "src_ip": "203.0.113.9"}
    assert load_catalogue().classify("%FOO-5-BAR: nothing we know", None).event == ""


def test_bad_syslog_table_of_a_site_platform_folder_names_file_line_and_field(tmp_path):
    d = tmp_path / "huawei_vrp"
    d.mkdir()
    (d / "platform.yaml").write_text("display: Huawei VRP (site overlay)\n")
    (d / "syslog.yaml").write_text(
        "messages:\n  X/Y:\n    event: exploded\n  A/B:\n    event: login_failure\n    re: '(?P<who>x)'\n"
    )
    r = run_netmon("platforms", "validate", str(tmp_path))
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"{d / 'syslog.yaml'}:2: syslog.messages.X/Y" in r.stderr and "event 'exploded'" in r.stderr
    assert f"{d / 'syslog.yaml'}:4: syslog.messages.A/B" in r.stderr and "unknown group 'who'" in r.stderr


def test_site_platform_overlay_adds_messages(tmp_path, monkeypatch):
    from netmon.platforms import reload

    d = tmp_path / "huawei_vrp"
    d.mkdir()
    (d / "platform.yaml").write_text("display: Huawei VRP\n")
    (d / "syslog.yaml").write_text("messages:\n  AAA/USER_LOCKED:\n    event: login_failure\n    kv: true\n")
    monkeypatch.setenv("NETMON_PLATFORMS_PATH", str(tmp_path))
    reload()
    try:
        cat = load_catalogue()
        c = cat.classify("%%01AAA/4/USER_LOCKED(l):locked. (User=bob, IpAddress=10.3.3.3)", "huawei_vrp")
        assert c.event == "login_failure" and c.fields == {"user": "bob", "src_ip": "10.3.3.3"}
        # the built-in messages are still there (an overlay merges key by key)
        assert (
            cat.classify("%%01IFNET/4/IF_STATE(l)[5]:Interface GE0/0/1 has turned into DOWN state.", "huawei_vrp").event
            == "link_down"
        )
    finally:
        monkeypatch.delenv("NETMON_PLATFORMS_PATH")
        reload()


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=600))
def test_parser_never_raises(raw):
    m = Parser("Asia/Shanghai").parse(raw, "10.0.0.1", RECV)
    assert m.format in ("rfc5424", "rfc3164", "invalid")
    assert m.raw == raw
    load_catalogue().classify(m.text, "huawei_vrp")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=60).filter(lambda b: b"\n" not in b and not b[:1].isdigit()), max_size=20),
       st.integers(1, 50))  # fmt: skip
def test_framer_keeps_every_message_however_the_stream_is_cut(msgs, chunk):
    framed = b"".join(str(len(m)).encode() + b" " + m if i % 2 else m + b"\n" for i, m in enumerate(msgs))
    f = Framer(100)
    out = []
    for i in range(0, len(framed), chunk):
        out += f.feed(framed[i : i + chunk])
    out += f.end()
    got = [raw for raw, err in out if raw or err]
    # LF framing drops a trailing CR and skips blank lines; octet counting keeps bytes as they are
    want = [m if i % 2 else m.rstrip(b"\r") for i, m in enumerate(msgs)]
    want = [w for i, w in enumerate(want) if i % 2 or w.strip(b"\x00 ")]
    assert got == want
    assert all(err == "" for _, err in out)
