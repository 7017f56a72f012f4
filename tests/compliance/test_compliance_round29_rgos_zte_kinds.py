"""Round 29 (docs/COMPLIANCE.md): a red team on Ruijie RGOS and ZTE ZXROS/ZXAN. A switch the platform
writes on a line of its own decides what the lines it governs do: SNTP runs only after 'sntp enable',
'no logging on' silences the log servers, 'no snmp-server enable version v1|v2c' leaves a community
answering nothing, 'tacacs disable' turns a TACACS+ template local. And the platform's own spelling of
a control counts: an RGOS v3 group's 'access ACL', the command log sent to the log servers, ZXROS
'syslog level' / ZXAN 'syslog severity', ZXROS NTP keys a server names but nothing defines. Each case is
a small synthetic configuration written from the kind of miss, beside a control keeping the old verdict."""

from __future__ import annotations

import pytest

from .conftest import one_config, verdict
from .test_compliance_round24_kinds import RGOS, ZXR
from .test_compliance_round27_kinds import ZTE_AAA

TEMPLATES = {"RGOS": RGOS, "ZTE": ZXR}
VENDOR = {"RGOS": "ruijie_rgos", "ZTE": "zte_zxros"}

SNTP = "sntp server 192.0.2.40\nsntp server 192.0.2.41\n"
NTP2 = "ntp server 192.0.2.40\nntp server 192.0.2.41\n"
LOGHOST = "logging server 192.0.2.30\n"
CMDLOG = "logging userinfo command-log\n"
RG_ACL = "ip access-list standard NMS\n 10 permit host 192.0.2.10\n 20 deny any\n!\n"
RG_V3 = "snmp-server user nms NMSGRP v3 auth sha 5C1E9A7B priv aes128 9E2B4C6D\nsnmp-server group NMSGRP v3 priv read V{access}\n"
V1_OFF = "no snmp-server enable version v1\n"
V2_OFF = "no snmp-server enable version v2c\n"
COMMUNITY = "snmp-server community 7 0822455d0a16544541 {mode}\n"
RG_NTP = "ntp authenticate\nntp authentication-key 1 md5 0239520a5d0a1a1f26 7\n{trusted}ntp server 192.0.2.40 key {key}\nntp server 192.0.2.41 key {key}\n"
ZTE_NTP = (
    "ntp enable\nntp authenticate\nntp authentication-key 6 md5 encrypted 4a6c8e0b2d4f1a3c\nntp trusted-key 6\n"
    "ntp server 192.0.2.40 priority 1 key {key}\nntp server 192.0.2.41 priority 2 key {key}\n"
)
ZTE_LOG = "logging on\nlogging trap-enable informational\n{level}syslog-server host 192.0.2.30{host}\n"
ZTE_TAC = ZTE_AAA.format(n=2020)

# (id, rule, template, body, verdict); "base:" is the verdict at the session's start (7bdfc79).
# fmt: off
CASES = [
    # RGOS: an 'sntp server' without 'sntp enable' sets no clock (SNTP is off by default) (base: PASS)
    ("rgos-sntp-not-enabled", "AU-03", "RGOS", SNTP, "FAIL"),
    ("rgos-sntp-enabled", "AU-03", "RGOS", "sntp enable\n" + SNTP, "PASS"),
    ("rgos-ntp-beside-idle-sntp", "AU-03", "RGOS", NTP2 + "sntp server 192.0.2.42\n", "PASS"),
    # ... nor is it an unauthenticated time source for AU-04 (base: FAIL)
    ("rgos-sntp-not-enabled-no-auth-rule", "AU-04", "RGOS", SNTP, "N/A"),
    ("rgos-sntp-enabled-unauthenticated", "AU-04", "RGOS", "sntp enable\n" + SNTP, "FAIL"),
    # RGOS: 'no logging on' leaves the log servers nothing (base: PASS)
    ("rgos-logging-off", "AU-01", "RGOS", "no logging on\n" + LOGHOST, "FAIL"),
    ("rgos-logging-on", "AU-01", "RGOS", LOGHOST, "PASS"),
    # RGOS: configuration commands logged to the log servers (base: FAIL), kept on the device (base: FAIL),
    # or logging off
    ("rgos-command-log-to-server", "AU-05", "RGOS", CMDLOG + LOGHOST, "PASS"),
    ("rgos-command-log-local", "AU-05", "RGOS", CMDLOG, "WARN"),
    ("rgos-command-log-logging-off", "AU-05", "RGOS", CMDLOG + "no logging on\n" + LOGHOST, "FAIL"),
    ("rgos-no-command-log", "AU-05", "RGOS", LOGHOST, "FAIL"),
    # RGOS: SNMPv1 and v2c both switched off: a leftover community answers nothing (base: FAIL)
    ("rgos-v3-only-community", "SN-01", "RGOS", COMMUNITY.format(mode="ro") + V1_OFF + V2_OFF, "WARN"),
    ("rgos-v1-off-v2c-on-community", "SN-01", "RGOS", COMMUNITY.format(mode="ro") + V1_OFF, "FAIL"),
    ("rgos-v2c-off-v1-on-community", "SN-01", "RGOS", COMMUNITY.format(mode="ro") + V2_OFF, "FAIL"),
    ("rgos-v3-only-write-community", "SN-04", "RGOS", COMMUNITY.format(mode="rw") + V1_OFF + V2_OFF, "WARN"),
    ("rgos-v2c-on-write-community", "SN-04", "RGOS", COMMUNITY.format(mode="rw") + V1_OFF, "FAIL"),
    # RGOS: a v3 group's 'access ACL' restricts the agent; the inert community needs none (base: FAIL)
    ("rgos-group-acl-v3-only", "SN-03", "RGOS", RG_ACL + RG_V3.format(access=" access NMS") + COMMUNITY.format(mode="rw") + V1_OFF + V2_OFF, "PASS"),
    ("rgos-group-acl", "SN-03", "RGOS", RG_ACL + RG_V3.format(access=" access NMS"), "PASS"),
    ("rgos-group-acl-community-live", "SN-03", "RGOS", RG_ACL + RG_V3.format(access=" access NMS") + COMMUNITY.format(mode="ro"), "FAIL"),
    ("rgos-group-no-acl", "SN-03", "RGOS", RG_V3.format(access=""), "FAIL"),
    ("rgos-group-acl-undefined", "SN-03", "RGOS", RG_V3.format(access=" access NOPE"), "FAIL"),
    # ... and that ACL is used (base: FAIL "defined but never used")
    ("rgos-group-acl-used", "BD-03", "RGOS", RG_ACL + RG_V3.format(access=" access NMS"), "PASS"),
    # RGOS: a client authenticates its server by the key the server line names; 'ntp trusted-key' is
    # the key it serves time with (base: FAIL twice)
    ("rgos-ntp-key-no-trusted-key", "AU-03", "RGOS", RG_NTP.format(trusted="", key=1), "PASS"),
    ("rgos-ntp-key-no-trusted-key-auth", "AU-04", "RGOS", RG_NTP.format(trusted="", key=1), "PASS"),
    ("rgos-ntp-key-undefined", "AU-04", "RGOS", RG_NTP.format(trusted="ntp trusted-key 1\n", key=2), "FAIL"),
    ("rgos-ntp-key-undefined-sources", "AU-03", "RGOS", RG_NTP.format(trusted="ntp trusted-key 1\n", key=2), "FAIL"),
    # ZTE: 'tacacs disable' turns a bound tacacs-local template local (base: REVIEW, PASS)
    ("zte-tacacs-disabled-authn", "IA-09", "ZTE", "tacacs disable\n" + ZTE_TAC, "FAIL"),
    ("zte-tacacs-disabled-authz", "AC-04", "ZTE", "tacacs disable\n" + ZTE_TAC, "FAIL"),
    ("zte-tacacs-enabled-authn", "IA-09", "ZTE", "tacacs enable\n" + ZTE_TAC, "REVIEW"),
    ("zte-tacacs-enabled-authz", "AC-04", "ZTE", "tacacs enable\n" + ZTE_TAC, "PASS"),
    # ZTE: servers naming a key nothing defines are never synchronised to (base: PASS twice)
    ("zte-ntp-key-undefined", "AU-04", "ZTE", ZTE_NTP.format(key=9), "FAIL"),
    ("zte-ntp-key-undefined-sources", "AU-03", "ZTE", ZTE_NTP.format(key=9), "FAIL"),
    ("zte-ntp-key-defined", "AU-04", "ZTE", ZTE_NTP.format(key=6), "PASS"),
    ("zte-ntp-key-defined-sources", "AU-03", "ZTE", ZTE_NTP.format(key=6), "PASS"),
    # ZTE: the syslog level in ZXROS / ZXAN spelling (base: PASS); 'logging trap-enable' is the trap level
    ("zte-syslog-level-warnings", "AU-02", "ZTE", ZTE_LOG.format(level="syslog level warnings\n", host=""), "WARN"),
    ("zte-syslog-severity-4", "AU-02", "ZTE", ZTE_LOG.format(level="syslog severity 4\n", host=""), "WARN"),
    ("zte-syslog-host-level-warnings", "AU-02", "ZTE", ZTE_LOG.format(level="", host=" fport 514 alarmlog level warnings cmdlog"), "WARN"),
    ("zte-syslog-level-informational", "AU-02", "ZTE", ZTE_LOG.format(level="syslog level informational\n", host=""), "PASS"),
    ("zte-syslog-severity-6", "AU-02", "ZTE", ZTE_LOG.format(level="syslog severity 6\n", host=""), "PASS"),
    ("zte-trap-enable-level-only", "AU-02", "ZTE", ZTE_LOG.format(level="", host="").replace("informational", "warnings"), "PASS"),
    # ZTE: logging switched off leaves the log hosts nothing (base: PASS)
    ("zte-logging-off", "AU-01", "ZTE", "logging off\nsyslog-server host 192.0.2.30\n", "FAIL"),
    ("zte-logging-on", "AU-01", "ZTE", "logging on\nsyslog-server host 192.0.2.30\n", "PASS"),
    # ZTE: a log host receiving the command log (base: FAIL)
    ("zte-cmdlog-to-host", "AU-05", "ZTE", "syslog-server host 192.0.2.30 fport 514 alarmlog cmdlog\n", "PASS"),
    ("zte-cmdlog-local", "AU-05", "ZTE", "logging cmdlog enable\nsyslog-server host 192.0.2.30\n", "WARN"),
]
# fmt: on


def _text(template: str, body: str) -> str:
    return TEMPLATES[template].format(body=body)


@pytest.mark.parametrize(("rule", "template", "body", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_round_29_rgos_zte(rules, rule: str, template: str, body: str, want: str) -> None:
    assert verdict(rules, rule, _text(template, body), VENDOR[template]) == want


def test_a_zte_log_host_is_cited_once(rules) -> None:
    """'syslog-server host A' matched two of AU-01's patterns and was listed twice (round 29)."""
    from netmon.compliance.engine import evaluate_rule

    cfg = one_config(_text("ZTE", "syslog-server host 192.0.2.30\nsyslog-server host 192.0.2.31\n"), "zte_zxros")
    lines = [e.line for e in evaluate_rule(rules["AU-01"], cfg).evidence]
    assert len(lines) == len(set(lines)) == 2
