"""Round 29 (docs/COMPLIANCE.md): a red team on audit, the management plane and roles. A record counts
only where it arrives: a log host gets what the filter of its own path passes (its channel, its
discriminator, a module's rule there, 'no logging trap'), a destination sent in the global table
reaches nothing when only a VRF holds its subnet, an NTP server counts only if the access groups let
the device synchronise to it, a command reaches an accounting server only if the scheme names one.
And a name promises nothing: a management VRF that also routes a user LAN is no separate path, a
role with 'permit command *' grants everything, a login list beginning with 'enable' identifies no one.
Each case is a small synthetic configuration written from the kind of miss, beside a control."""

from __future__ import annotations

import pytest

from .conftest import one_config, verdict
from .test_compliance_round24_kinds import CW5, CW7, IOS, USG, VRP, ZXR
from .test_compliance_round26_kinds import CE, RGOS

TEMPLATES = {"CW7": CW7, "CW5": CW5, "IOS": IOS, "USG": USG, "VRP": VRP, "CE": CE, "RGOS": RGOS, "ZXR": ZXR}
VENDOR = {"CW7": "h3c_comware", "CW5": "h3c_comware", "IOS": "cisco_ios", "USG": "huawei_usg", "VRP": "huawei_vrp"}
VENDOR |= {"CE": "huawei_ce", "RGOS": "ruijie_rgos", "ZXR": "zte_zxros"}

CE_MGMT = (
    "ip vpn-instance MGMT\n ipv4-family\n#\n"
    "interface MEth0/0/0\n ip binding vpn-instance MGMT\n ip address 10.250.8.8 255.255.255.0\n#\n"
    "interface Vlanif200\n{bind} ip address {addr}\n#\n"
)
CW_MGMT = (
    "ip vpn-instance mgmt\n#\n"
    "interface M-GigabitEthernet0/0/0\n ip binding vpn-instance mgmt\n ip address 10.250.2.2 255.255.255.0\n#\n"
    "interface GigabitEthernet2/0/1\n port link-mode route\n{bind} ip address 10.20.0.1 255.255.255.0\n#\n"
)
IOS_MGMT = (
    "vrf definition Mgmt-intf\n address-family ipv4\n exit-address-family\n!\n"
    "interface GigabitEthernet0\n vrf forwarding Mgmt-intf\n ip address 10.250.5.5 255.255.255.0\n!\n"
    "interface GigabitEthernet0/0/1\n{bind} ip address {addr}\n!\n"
)
IOS_LOG = "logging host 192.0.2.50{disc}\n{extra}"
VRP_CH = "info-center loghost 192.0.2.50{channel}\n{rules}"
CW7_LOG = "info-center loghost 192.0.2.50\n{rules}"
IOS_LOG_VRF = (
    "vrf definition Mgmt-vrf\n address-family ipv4\n exit-address-family\n!\n"
    "interface GigabitEthernet0/0\n vrf forwarding Mgmt-vrf\n ip address 10.99.0.1 255.255.255.0\n!\n"
    "interface GigabitEthernet0/1\n ip address 10.20.0.1 255.255.255.0\n!\n"
    "logging host 10.99.0.50{vrf}\n{route}"
)
IOS_NTP_ACCESS = (
    "service timestamps log datetime msec\naccess-list 10 permit 192.0.2.10\n"
    "ntp server 192.0.2.10\nntp server 192.0.2.11\n{access}"
)
CW_ACCT = (
    "hwtacacs scheme tac\n primary authentication 192.0.2.9\n primary authorization 192.0.2.9\n{acct}#\n"
    "domain system\n authentication login hwtacacs-scheme tac local\n accounting command hwtacacs-scheme tac\n#\n"
    "line vty 0 63\n authentication-mode scheme\n command accounting\n#\n"
)
CW_MCAST = (
    "ntp-service enable\n{auth}#\ninterface Vlan-interface99\n ip address 10.99.0.2 255.255.255.0\n"
    " ntp-service multicast-client 224.0.1.1\n"
)
IOS_LOGIN = (
    "aaa new-model\naaa authentication login default {method}\n"
    "username ops privilege 15 secret 9 $9$abc\n!\nline con 0\n!\nline vty 0 4\n transport input ssh\n"
)
CW_ROLE = (
    "role name audit-readonly\n rule 1 permit read feature\n{rule}#\n"
    "local-user ops class manage\n password hash $h$6$abc\n service-type ssh\n"
    " authorization-attribute user-role network-admin\n#\n"
    "local-user audit class manage\n password hash $h$6$def\n service-type ssh\n"
    " authorization-attribute user-role audit-readonly\n#\n"
)

RG_FILTER = (
    "ip access-list extended IN\n 10 permit ip {broad} any\n 20 deny ip 198.18.128.0 0.0.127.255 any log\n!\n"
    "interface GigabitEthernet0/1\n no switchport\n ip address 198.51.100.2 255.255.255.252\n ip access-group IN in\n"
)
CW_LLDP = (
    "lldp global enable\n#\ninterface GigabitEthernet1/0/1\n port link-mode route\n ip address 10.1.1.1 255.255.255.0\n{off}#\n"
    "interface GigabitEthernet1/0/2\n undo lldp enable\n#\n"
)
IOS_LLDP = (
    "lldp run\nno cdp run\n!\ninterface GigabitEthernet0/0\n ip address 10.1.1.1 255.255.255.0\n{off}!\n"
    "interface GigabitEthernet0/1\n no lldp transmit\n!\n"
)

USG_AUDIT = (
    "aaa\n manager-user fw.ops\n  password cipher @%@%abc%@%@\n  service-type ssh web\n  level 15\n"
    " manager-user auditor\n  password cipher @%@%def%@%@\n  service-type {services}\n  level 15\n"
    " bind manager-user fw.ops role system-admin\n bind manager-user auditor role audit-admin\n"
)

CW_NTP_ACCESS = (
    "acl basic 2020\n rule 5 permit source 192.0.2.10 0\n#\nntp-service enable\n{access}"
    "ntp-service unicast-server 192.0.2.10\nntp-service unicast-server 192.0.2.11\n"
    "info-center timestamp loghost date\n"
)
VRP_NTP_ACCESS = (
    "acl number 2002\n rule 5 permit source 192.0.2.10 0\n#\n{access}"
    "ntp-service unicast-server 192.0.2.10\nntp-service unicast-server 192.0.2.11\n"
)
IOS_ACCT_GROUP = (
    "aaa new-model\naaa group server tacacs+ TAC-ACCT\n{server}!\n"
    "aaa accounting commands 15 default start-stop group TAC-ACCT\n"
)
CW5_OFF = "info-center loghost 192.0.2.50\ninfo-center source default channel 2 log state off trap state off\n{module}"
RG_V3_OPEN = (
    "ip access-list standard NMS\n 10 permit host 192.0.2.10\n!\n"
    "snmp-server community 7 0822455d0a16544541 ro NMS\n"
    "snmp-server user nms NMSGRP v3 auth sha 5C1E9A7B priv aes128 9E2B4C6D\nsnmp-server group NMSGRP v3 priv read V{access}\n"
)
ZTE_V3_OPEN = (
    "ipv4-access-list NMS\n rule 1 permit 192.0.2.0 0.0.0.255\n!\n"
    "snmp-server community WH showclear view AllView ro ipv4-access-list NMS\n"
    "snmp-server group NMS-PRIV v3 priv read AllView{access}\n"
    "snmp-server user nms NMS-PRIV v3 encrypted auth sha 5C1E9A7B priv aes128 9E2B4C6D\n"
)

CASES = [
    # A management VRF that also routes a user LAN is no separate management path (main: PASS) ...
    (
        "ce-mgmt-vpn-holds-server-farm",
        "MG-02",
        "CE",
        CE_MGMT.format(bind=" ip binding vpn-instance MGMT\n", addr="10.200.0.1 255.255.255.0"),
        "WARN",
    ),
    ("ce-mgmt-vpn-alone", "MG-02", "CE", CE_MGMT.format(bind="", addr="10.200.0.1 255.255.255.0"), "PASS"),
    # ... a point-to-point link carrying the management network between routers is no user LAN
    (
        "ce-mgmt-vpn-p2p-link",
        "MG-02",
        "CE",
        CE_MGMT.format(bind=" ip binding vpn-instance MGMT\n", addr="10.200.0.1 255.255.255.254"),
        "PASS",
    ),
    ("cw-mgmt-vpn-holds-lan-port", "MG-02", "CW7", CW_MGMT.format(bind=" ip binding vpn-instance mgmt\n"), "WARN"),
    ("cw-mgmt-vpn-alone", "MG-02", "CW7", CW_MGMT.format(bind=""), "PASS"),
    (
        "ios-mgmt-vrf-holds-lan-port",
        "MG-02",
        "IOS",
        IOS_MGMT.format(bind=" vrf forwarding Mgmt-intf\n", addr="10.50.0.1 255.255.255.0"),
        "WARN",
    ),
    ("ios-mgmt-vrf-alone", "MG-02", "IOS", IOS_MGMT.format(bind="", addr="10.50.0.1 255.255.255.0"), "PASS"),
    # 'no logging trap' sends the log hosts nothing (main: PASS)
    ("ios-no-logging-trap-au01", "AU-01", "IOS", IOS_LOG.format(disc="", extra="no logging trap\n"), "FAIL"),
    ("ios-no-logging-trap-au02", "AU-02", "IOS", IOS_LOG.format(disc="", extra="no logging trap\n"), "FAIL"),
    (
        "ios-logging-trap-informational",
        "AU-02",
        "IOS",
        IOS_LOG.format(disc="", extra="logging trap informational\n"),
        "PASS",
    ),
    # a host's discriminator dropping informational overrides the global level (main: PASS)
    (
        "ios-discriminator-drops-6",
        "AU-02",
        "IOS",
        IOS_LOG.format(disc=" discriminator NOINFO", extra="logging discriminator NOINFO severity drops 5,6,7\n"),
        "WARN",
    ),
    (
        "ios-discriminator-drops-7",
        "AU-02",
        "IOS",
        IOS_LOG.format(disc=" discriminator NODEBUG", extra="logging discriminator NODEBUG severity drops 7\n"),
        "PASS",
    ),
    # a VRP log host gets what ITS channel passes (main: PASS, reading channel 2) ...
    (
        "vrp-host-on-critical-channel",
        "AU-02",
        "VRP",
        VRP_CH.format(
            channel=" channel secaudit",
            rules="info-center channel 6 name secaudit\ninfo-center source default channel 6 log level critical\n",
        ),
        "WARN",
    ),
    ("vrp-host-on-default-channel6", "AU-02", "VRP", VRP_CH.format(channel=" channel 6", rules=""), "PASS"),
    # ... and a channel no host uses decides nothing (main: WARN)
    (
        "usg-warning-channel-unused",
        "AU-02",
        "USG",
        VRP_CH.format(channel=" channel 6", rules="info-center source default channel 2 log level warning\n"),
        "PASS",
    ),
    (
        "usg-warning-channel-used",
        "AU-02",
        "USG",
        VRP_CH.format(channel="", rules="info-center source default channel 2 log level warning\n"),
        "WARN",
    ),
    # a module switched off on the host's path loses its records there (main: PASS)
    (
        "vrp-module-state-off",
        "AU-02",
        "VRP",
        VRP_CH.format(channel="", rules="info-center source SHELL channel 2 log state off\n"),
        "WARN",
    ),
    (
        "cw7-module-loghost-deny",
        "AU-02",
        "CW7",
        CW7_LOG.format(rules="info-center source SHELL loghost deny\n"),
        "WARN",
    ),
    (
        "cw7-module-loghost-informational",
        "AU-02",
        "CW7",
        CW7_LOG.format(rules="info-center source SHELL loghost level informational\n"),
        "PASS",
    ),
    # records stamped with uptime or nothing do not say when (main: PASS)
    (
        "vrp-timestamp-boot",
        "AU-03",
        "VRP",
        "info-center timestamp log boot\nntp-service unicast-server 192.0.2.1\nntp-service unicast-server 192.0.2.2\n",
        "WARN",
    ),
    (
        "vrp-timestamp-date",
        "AU-03",
        "VRP",
        "info-center timestamp log date\nntp-service unicast-server 192.0.2.1\nntp-service unicast-server 192.0.2.2\n",
        "PASS",
    ),
    (
        "cw7-timestamp-loghost-none",
        "AU-03",
        "CW7",
        "info-center timestamp loghost none\nntp-service enable\nntp-service unicast-server 192.0.2.1\nntp-service unicast-server 192.0.2.2\n",
        "WARN",
    ),
    # a log host sent in the global table to a subnet only a VRF holds (main: PASS)
    ("ios-loghost-global-in-vrf-subnet", "AU-01", "IOS", IOS_LOG_VRF.format(vrf="", route=""), "FAIL"),
    ("ios-loghost-vrf-named", "AU-01", "IOS", IOS_LOG_VRF.format(vrf=" vrf Mgmt-vrf", route=""), "PASS"),
    (
        "ios-loghost-global-default-route",
        "AU-01",
        "IOS",
        IOS_LOG_VRF.format(vrf="", route="ip route 0.0.0.0 0.0.0.0 10.20.0.254\n"),
        "PASS",
    ),
    # NTP access groups without 'peer' let the device synchronise to no one (main: PASS) ...
    ("ios-ntp-serve-only", "AU-03", "IOS", IOS_NTP_ACCESS.format(access="ntp access-group serve-only 10\n"), "FAIL"),
    # ... and a peer ACL leaves only the servers it permits
    ("ios-ntp-peer-acl-one", "AU-03", "IOS", IOS_NTP_ACCESS.format(access="ntp access-group peer 10\n"), "WARN"),
    ("ios-ntp-no-access-group", "AU-03", "IOS", IOS_NTP_ACCESS.format(access=""), "PASS"),
    (
        "rgos-ntp-peer-acl-one",
        "AU-03",
        "RGOS",
        "ip access-list standard 10\n 10 permit host 192.0.2.10\n!\nntp access-group peer 10\nntp server 192.0.2.10\nntp server 192.0.2.11\n",
        "WARN",
    ),
    # a multicast client without authentication takes time from anyone on its segment (main: N/A)
    ("cw-ntp-multicast-client-open", "AU-04", "CW7", CW_MCAST.format(auth=""), "FAIL"),
    # command accounting to a scheme without an accounting server reaches no one (main: PASS)
    ("cw-acct-scheme-without-server", "AU-05", "CW7", CW_ACCT.format(acct=""), "FAIL"),
    ("cw-acct-scheme-with-server", "AU-05", "CW7", CW_ACCT.format(acct=" primary accounting 192.0.2.9\n"), "PASS"),
    # a login list beginning with the enable password identifies no one (main: PASS)
    ("ios-login-default-enable", "AC-01", "IOS", IOS_LOGIN.format(method="enable"), "FAIL"),
    ("ios-login-default-local", "AC-01", "IOS", IOS_LOGIN.format(method="local"), "PASS"),
    (
        "rgos-login-default-enable",
        "AC-01",
        "RGOS",
        IOS_LOGIN.format(method="enable").replace("line con 0", "line console 0"),
        "FAIL",
    ),
    # an RGOS logged deny inside a broader earlier permit is never reached, as on IOS (main: PASS)
    ("rgos-logged-deny-contained", "BD-08", "RGOS", RG_FILTER.format(broad="198.18.0.0 0.1.255.255"), "FAIL"),
    ("rgos-logged-deny-reached", "BD-08", "RGOS", RG_FILTER.format(broad="192.0.2.0 0.0.0.255"), "PASS"),
    # LLDP off on every port in use exposes nothing, whatever the global switch (main: REVIEW)
    ("cw-lldp-off-every-port", "MG-05", "CW7", CW_LLDP.format(off=" undo lldp enable\n"), "PASS"),
    ("cw-lldp-on-a-port", "MG-05", "CW7", CW_LLDP.format(off=""), "REVIEW"),
    ("cw-lldp-admin-status-disable", "MG-05", "CW7", CW_LLDP.format(off=" lldp admin-status disable\n"), "PASS"),
    ("ios-lldp-transmit-off-every-port", "MG-05", "IOS", IOS_LLDP.format(off=" no lldp transmit\n"), "PASS"),
    ("ios-lldp-transmit-on-a-port", "MG-05", "IOS", IOS_LLDP.format(off=""), "REVIEW"),
    # a Comware FTP server whose ACL has no rule admits no client (main: FAIL)
    ("cw-ftp-acl-without-rules", "MG-03", "CW7", "acl basic 2999\n#\nftp server enable\nftp server acl 2999\n", "WARN"),
    (
        "cw-ftp-acl-with-a-rule",
        "MG-03",
        "CW7",
        "acl basic 2999\n rule 0 permit source 192.0.2.0 0.0.0.255\n#\nftp server enable\nftp server acl 2999\n",
        "FAIL",
    ),
    # a custom role permitting every command is an administrator's, whatever its name (main: PASS)
    ("cw-role-permit-command-all", "AC-03", "CW7", CW_ROLE.format(rule=" rule 2 permit command *\n"), "FAIL"),
    ("cw-role-read-only", "AC-03", "CW7", CW_ROLE.format(rule=" rule 2 permit command display *\n"), "PASS"),
    # an audit account with web access only is held to its role; its CLI level opens nothing (main: WARN)
    ("usg-audit-role-web-only", "AC-03", "USG", USG_AUDIT.format(services="web"), "PASS"),
    ("usg-audit-role-with-ssh", "AC-03", "USG", USG_AUDIT.format(services="ssh web"), "WARN"),
    # --- round 29b: the same kinds on the platforms and forms round 29 did not cover ---
    # NTP access rights on Comware and VRP: only 'peer' synchronises, to the sources its ACL permits (main: PASS)
    ("cw-ntp-peer-acl-one", "AU-03", "CW7", CW_NTP_ACCESS.format(access="ntp-service peer acl 2020\n"), "WARN"),
    ("cw-ntp-server-acl-only", "AU-03", "CW7", CW_NTP_ACCESS.format(access="ntp-service server acl 2020\n"), "FAIL"),
    ("cw-ntp-no-access", "AU-03", "CW7", CW_NTP_ACCESS.format(access=""), "PASS"),
    ("vrp-ntp-access-peer-one", "AU-03", "VRP", VRP_NTP_ACCESS.format(access="ntp-service access peer 2002\n"), "WARN"),
    ("vrp-ntp-no-access", "AU-03", "VRP", VRP_NTP_ACCESS.format(access=""), "PASS"),
    # an IOS broadcast client without authentication (main: N/A)
    (
        "ios-ntp-broadcast-client-open",
        "AU-04",
        "IOS",
        "interface GigabitEthernet0/0\n ip address 10.1.1.1 255.255.255.0\n ntp broadcast client\n",
        "FAIL",
    ),
    # IOS command accounting to a server group holding no server (main: PASS)
    ("ios-acct-group-without-server", "AU-05", "IOS", IOS_ACCT_GROUP.format(server=""), "FAIL"),
    ("ios-acct-group-with-server", "AU-05", "IOS", IOS_ACCT_GROUP.format(server=" server name TAC1\n"), "PASS"),
    # a Comware 5 log-host channel switched off, whatever follows on the line (main: PASS) ...
    ("cw5-loghost-channel-off", "AU-01", "CW5", CW5_OFF.format(module=""), "FAIL"),
    # ... unless a module still sends on it
    (
        "cw5-loghost-channel-off-module-on",
        "AU-01",
        "CW5",
        CW5_OFF.format(module="info-center source SHELL channel 2 log level informational\n"),
        "PASS",
    ),
    # the agent's per-family ACL form (main: FAIL)
    (
        "vrp-snmp-agent-acl-ipv4",
        "SN-03",
        "VRP",
        "acl number 2001\n rule 5 permit source 192.0.2.0 0.0.0.255\n#\nsnmp-agent\nsnmp-agent community read cipher %^%#abc%^%#\nsnmp-agent sys-info version v2c\nsnmp-agent acl-ipv4 2001\n",
        "PASS",
    ),
    # Comware 'permit command system ; *' grants every command (main: PASS)
    ("cw-role-system-star", "AC-03", "CW7", CW_ROLE.format(rule=" rule 2 permit command system ; *\n"), "FAIL"),
    # every SNMPv3 user a path of its own on RGOS and ZTE (main: PASS)
    ("rgos-v3-group-open", "SN-03", "RGOS", RG_V3_OPEN.format(access=""), "FAIL"),
    ("rgos-v3-group-restricted", "SN-03", "RGOS", RG_V3_OPEN.format(access=" access NMS"), "PASS"),
    ("zte-v3-group-open", "SN-03", "ZXR", ZTE_V3_OPEN.format(access=""), "FAIL"),
    ("zte-v3-group-restricted", "SN-03", "ZXR", ZTE_V3_OPEN.format(access=" ipv4-access-list NMS"), "PASS"),
    # a Comware community filtered for IPv6 managers only (main: PASS)
    (
        "cw-community-ipv6-acl-only",
        "SN-03",
        "CW7",
        "acl ipv6 basic 2001\n rule 5 permit source 2001:db8::/64\n#\nsnmp-agent\nsnmp-agent community read cipher $c$3$abc acl ipv6 2001\nsnmp-agent sys-info version v2c\n",
        "FAIL",
    ),
    # the USG6000's second factory account (main: PASS)
    (
        "usg-factory-audit-admin",
        "AC-02",
        "USG",
        "aaa\n manager-user fw.ops\n  password cipher @%@%abc%@%@\n  service-type ssh\n  level 15\n"
        " manager-user audit-admin\n  password cipher @%@%def%@%@\n  service-type web\n  level 15\n",
        "WARN",
    ),
]


def _text(template: str, body: str) -> str:
    return TEMPLATES[template].format(body=body)


@pytest.mark.parametrize(("rule", "template", "body", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_round_29(rules, rule: str, template: str, body: str, want: str) -> None:
    assert verdict(rules, rule, _text(template, body), VENDOR[template]) == want


def test_a_line_two_checks_find_is_cited_once(rules) -> None:
    """A line found by two checks of a rule was printed twice, bare and with a note (round 29: a
    ZXAN community both the agent check and the ACL check cite)."""
    from netmon.compliance.engine import evaluate_rule

    from .test_compliance_round24_kinds import ZXR

    text = ZXR.format(
        body="ipv4-access-list NMS\n rule 1 permit 192.0.2.0 0.0.0.255\n!\n"
        "snmp-server community Jx0lt-R3ad view AllView ro ipv4-access-list NMS\nsnmp-server view AllView 1.3 included\n"
    )
    out = evaluate_rule(rules["SN-03"], one_config(text, "zte_zxros"))
    assert out.result == "PASS"
    lines = [e.line for e in out.evidence]
    assert len(lines) == len(set(lines)) and all(e.note for e in out.evidence)


def test_a_destination_written_but_not_reached_is_cited_with_why(rules) -> None:
    """A required destination that no route reaches read as "no log host" without a word of the line
    that is there (round 29b: an MG-07 trap target in the global table, its subnet in a VRF)."""
    from netmon.compliance.engine import evaluate_rule

    out = evaluate_rule(rules["AU-01"], one_config(_text("IOS", IOS_LOG_VRF.format(vrf="", route="")), "cisco_ios"))
    assert out.result == "FAIL"
    cited = [e for e in out.evidence if e.text.startswith("logging host 10.99.0.50")]
    assert cited and "not reached" in cited[0].note and "Mgmt-vrf" in cited[0].note
