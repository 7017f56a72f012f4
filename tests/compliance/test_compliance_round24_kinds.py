"""Round 24 (docs/COMPLIANCE.md): what a red team of two helpers found on Comware, SecPath, USG, RGOS and
ZTE configurations it wrote from vendor documentation to set traps: a keyword read as a control that
the configuration switches off, names without content, or scopes it overrides. Each case is a small
synthetic configuration written from the kind of miss, with a control that keeps the old verdict."""

from __future__ import annotations

import pytest

from .conftest import verdict

CW7 = " version 7.1.070, Release 7536P05\n#\n sysname SW\n#\n{body}#\nreturn\n"
CW5 = " version 5.20, Release 1106\n#\n sysname SW\n#\n{body}#\nreturn\n"
VRP = "!Software Version V200R019C10SPC800\n#\nsysname SW\n#\n{body}#\nreturn\n"
IOS = "version 15.2\nhostname R1\n!\n{body}!\nend\n"
RGOS = "version RGOS 11.0(5)B9P59\nhostname SW1\n!\n{body}!\nline vty 0 4\n login local\n!\nend\n"
ZXR = "hostname R1\n!\n{body}!\nend\n"
USG = "!Software Version V500R005C10SPC300\n#\nsysname FW\n#\n{body}#\nreturn\n"
SECPATH = (
    "#\n version 7.1.064, ESS 1171P23\n#\n sysname FW\n#\n"
    "interface GigabitEthernet1/0\n port link-mode route\n ip address 198.51.100.2 255.255.255.252\n#\n"
    "interface GigabitEthernet2/0\n port link-mode route\n ip address 10.1.1.1 255.255.255.0\n#\n"
    "security-zone name Trust\n import interface GigabitEthernet2/0\n#\n"
    "security-zone name Untrust\n import interface GigabitEthernet1/0\n#\n"
    "security-policy ip\n{rules} rule 9 name web\n  action pass\n  source-zone Trust\n  destination-zone Untrust\n"
    "  source-ip-subnet 10.1.1.0 24\n  service http\n#\nreturn\n"
)
ANY_ANY = " rule 1 name legacy\n  action pass\n{disable}"

VTY5 = "user-interface vty 0 4\n authentication-mode scheme\n protocol inbound telnet\n"
LINE7 = "line vty 0 63\n authentication-mode scheme\n protocol inbound telnet\n"
PWCTL = "password-control enable\npassword-control length 12\npassword-control composition type-number 3\npassword-control aging 60\npassword-control history 10\n"
TAC = "hwtacacs scheme tac\n{server} key authentication cipher $c$3$abc\n#\ndomain system\n authentication login hwtacacs-scheme tac local\n"
IOS_AAA = (
    "aaa new-model\naaa authentication login {name} group tacacs+ local\n!\nline vty 0 4\n{apply} transport input ssh\n"
)
IOS_ACL10 = "access-list 10 permit 192.0.2.0 0.0.0.255\n"
IOS_NTP = "ntp authentication-key 1 md5 K1\nntp authenticate\nntp trusted-key {trusted}\nntp server 192.0.2.1 key 1\n"
VRP_NTP = (
    "ntp-service authentication enable\nntp-service authentication-keyid 1 authentication-mode hmac-sha256 cipher K\n"
    "ntp-service reliable authentication-keyid {reliable}\nntp-service unicast-server 192.0.2.1 authentication-keyid 1\n"
)
VRP_URPF = (
    "interface GigabitEthernet0/0/1\n ip address 198.51.100.2 255.255.255.252\n urpf loose{}\n#\n"
    "interface GigabitEthernet0/0/2\n ip address 10.1.1.1 255.255.255.0\n urpf strict\n#\n"
    "ip route-static 0.0.0.0 0.0.0.0 198.51.100.1\n"
)
VRP_V3 = "snmp-agent\nsnmp-agent community read cipher %^%#abc%^%#\nsnmp-agent sys-info version v3\n"
LOOP = "interface LoopBack0\n ip address 10.255.0.1 255.255.255.255\n#\n"

LOOP_LOGHOST = LOOP + "info-center loghost {}\n"
CW_TAC = TAC.format(server=" primary authentication 192.0.2.9\n")
CW_USER = PWCTL + "#\nlocal-user ops class manage\n password-control {}\n"
ACL_3002 = "acl advanced 3002\n rule 5 deny ip\n#\n"
ACL6_3002 = "acl ipv6 advanced 3002\n rule 5 deny ipv6\n#\n"
PF_BOTH = "interface GigabitEthernet1/0/1\n packet-filter 3002 inbound\n packet-filter ipv6 3002 inbound\n"
VRP_TF = "acl number 3000\n rule 5 deny ip\n#\ninterface GigabitEthernet0/0/1\n traffic-filter inbound acl 3000\n"
CW_COMMUNITY = "snmp-agent\nsnmp-agent community {}\n"
ZTE_ACL = "ipv4-access-list {}\n rule 1 permit {}\n!\n"
ZTE_SSH = "ssh server enable\nssh server access-class ipv4 120\n"
ZTE_COMMUNITIES = (
    "snmp-server community encrypted x1 view v ro ipv4-access-list NMS\nsnmp-server community encrypted x2 view v rw\n"
)
RGOS_QOS = "ip access-list extended QOS\n 10 permit ip any any\n!\nclass-map C\n match access-group QOS\n!\n"
RGOS_LIST = "aaa new-model\naaa {} commands 15 L {}\n"

TEMPLATES = {"CW7": CW7, "CW5": CW5, "VRP": VRP, "IOS": IOS, "RGOS": RGOS, "ZXR": ZXR}
VENDOR = {"CW7": "h3c_comware", "CW5": "h3c_comware", "VRP": "huawei_vrp", "IOS": "cisco_ios", "RGOS": "ruijie_rgos"}
VENDOR |= {"ZXR": "zte_zxros", "SECPATH": "h3c_comware"}

# (id, rule, template, what the template wraps, verdict); "main:" is the verdict at the session's start.
CASES = [
    # A switch that gates what a line says: Telnet on a VTY needs the Telnet server (main: FAIL)
    ("cw5-telnet-off", "IA-06", "CW5", "undo telnet server enable\n#\n" + VTY5, "PASS"),
    ("cw5-telnet-default-on", "IA-06", "CW5", VTY5, "FAIL"),
    ("cw7-telnet-default-off", "IA-06", "CW7", LINE7, "PASS"),
    ("cw7-telnet-on", "IA-06", "CW7", "telnet server enable\n#\n" + LINE7, "FAIL"),
    # The information center switched off sends nothing to a log host (main: PASS)
    ("cw-ic-off", "AU-01", "CW7", "undo info-center enable\ninfo-center loghost 192.0.2.50\n", "FAIL"),
    ("cw-ic-on", "AU-01", "CW7", "info-center loghost 192.0.2.50\n", "PASS"),
    ("vrp-ic-off", "AU-01", "VRP", "undo info-center enable\ninfo-center loghost 192.0.2.50\n", "FAIL"),
    # A log host at the device's own interface address never leaves the device (main: PASS)
    ("vrp-loghost-self", "AU-01", "VRP", LOOP_LOGHOST.format("10.255.0.1"), "FAIL"),
    ("vrp-loghost-other", "AU-01", "VRP", LOOP_LOGHOST.format("10.255.0.9"), "PASS"),
    ("ios-loghost-self", "AU-01", "IOS", LOOP.replace("#", "!") + "logging host 10.255.0.1\n", "FAIL"),
    # A password-control feature switched off does not take effect (main: PASS)
    ("cw-length-off", "IA-02", "CW7", PWCTL + "undo password-control length enable\n", "FAIL"),
    ("cw-aging-off", "IA-03", "CW7", PWCTL + "undo password-control aging enable\n", "FAIL"),
    ("cw-length-on", "IA-02", "CW7", PWCTL, "PASS"),
    ("cw-aging-on", "IA-03", "CW7", PWCTL, "PASS"),
    # An account's own password-control settings override the global ones for it (main: PASS)
    ("cw-user-length", "IA-02", "CW7", CW_USER.format("length 4"), "FAIL"),
    ("cw-user-aging", "IA-03", "CW7", CW_USER.format("aging 365"), "FAIL"),
    ("cw-user-stricter", "IA-02", "CW7", CW_USER.format("length 14"), "PASS"),
    # A HWTACACS scheme with no server authenticates nobody (main: REVIEW)
    ("cw-tac-no-server", "IA-09", "CW7", TAC.format(server=""), "FAIL"),
    ("cw-tac-server", "IA-09", "CW7", CW_TAC, "REVIEW"),
    # An RBAC community's role grants write (main: PASS)
    ("cw-role-admin", "SN-04", "CW7", CW_COMMUNITY.format("cipher $c$3$x user-role network-admin"), "FAIL"),
    ("cw-role-operator", "SN-04", "CW7", CW_COMMUNITY.format("cipher $c$3$x user-role network-operator"), "PASS"),
    # An ACL named is no restriction until read (main: PASS)
    ("cw-snmp-acl-undefined", "SN-03", "CW7", CW_COMMUNITY.format("read cipher $c$3$x acl 2099"), "FAIL"),
    (
        "cw-snmp-acl-defined",
        "SN-03",
        "CW7",
        "acl basic 2099\n rule 5 permit source 192.0.2.0 0.0.0.255\n#\n"
        + CW_COMMUNITY.format("read cipher $c$3$x acl 2099"),
        "PASS",
    ),
    (
        "rgos-snmp-acl-any",
        "SN-03",
        "RGOS",
        "ip access-list standard 10\n 10 permit any\n!\nsnmp-server community 7 09A4B3C2 ro 10\n",
        "FAIL",
    ),
    ("zte-mgmt-acl-any", "MG-01", "ZXR", ZTE_ACL.format("120", "any") + ZTE_SSH, "FAIL"),
    # 'ssh server access-class ipv4 120' names ACL 120, not 'ipv4' (main: FAIL, two ACLs misread)
    ("zte-access-class-family", "BD-03", "ZXR", ZTE_ACL.format("120", "192.0.2.0 0.0.0.255") + ZTE_SSH, "PASS"),
    # A '7' (ciphertext) before an RGOS community hid it (main: PASS)
    ("rgos-type7-rw", "SN-04", "RGOS", "snmp-server community 7 09A4B3C2 rw\n", "FAIL"),
    # One ZTE community without an ACL answers any source (main: PASS)
    ("zte-one-community-open", "SN-03", "ZXR", ZTE_ACL.format("NMS", "192.0.2.0 0.0.0.255") + ZTE_COMMUNITIES, "FAIL"),
    # A broad permit in an ACL applied nowhere, or only selecting QoS traffic, lets nothing through (main: WARN)
    ("zte-broad-unapplied", "BD-02", "ZXR", "ipv4-access-list 199\n rule 1 permit any any any\n!\n", "N/A"),
    ("rgos-broad-qos-only", "BD-02", "RGOS", RGOS_QOS, "N/A"),
    # SNTP has no authentication (main: N/A)
    ("rgos-sntp", "AU-04", "RGOS", "sntp enable\nsntp server 192.0.2.123\n", "FAIL"),
    # An IPv6 reference names the IPv6 ACL of that number, not the IPv4 one (main: PASS)
    ("cw-v6-acl-undefined", "BD-03", "CW7", ACL_3002 + PF_BOTH, "FAIL"),
    ("cw-v6-acl-defined", "BD-03", "CW7", ACL_3002 + ACL6_3002 + PF_BOTH, "PASS"),
    ("vrp-v6-acl-undefined", "BD-03", "VRP", VRP_TF + " traffic-filter inbound ipv6 acl 3000\n", "FAIL"),
    # A named AAA method list counts only where a line applies it; 'default' applies everywhere (main: PASS)
    ("ios-list-unapplied", "IA-09", "IOS", IOS_AAA.format(name="VTY", apply=""), "FAIL"),
    ("ios-list-applied", "IA-09", "IOS", IOS_AAA.format(name="VTY", apply=" login authentication VTY\n"), "REVIEW"),
    ("ios-list-default", "IA-09", "IOS", IOS_AAA.format(name="default", apply=""), "REVIEW"),
    ("rgos-authz-unapplied", "AC-04", "RGOS", RGOS_LIST.format("authorization", "group tacacs+ local"), "FAIL"),
    ("rgos-acct-unapplied", "AU-05", "RGOS", RGOS_LIST.format("accounting", "start-stop group tacacs+"), "FAIL"),
    # IOS: a 'view' before RO/RW and an IPv6-only ACL (main: FAIL, PASS); 'no logging on' (main: PASS)
    ("ios-community-view-acl", "SN-03", "IOS", IOS_ACL10 + "snmp-server community c0mm view V RO 10\n", "PASS"),
    ("ios-community-v6-only", "SN-03", "IOS", IOS_ACL10 + "snmp-server community c0mm RO ipv6 V6\n", "FAIL"),
    ("ios-logging-off", "AU-01", "IOS", "no logging on\nlogging host 192.0.2.50\n", "FAIL"),
    # NTP keys must be defined and trusted (main: PASS); an unkeyed peer sets the clock too (main: N/A)
    ("ios-ntp-untrusted", "AU-04", "IOS", IOS_NTP.format(trusted=2), "FAIL"),
    ("ios-ntp-trusted", "AU-04", "IOS", IOS_NTP.format(trusted=1), "PASS"),
    ("vrp-ntp-unreliable", "AU-04", "VRP", VRP_NTP.format(reliable=2), "FAIL"),
    ("vrp-ntp-reliable", "AU-04", "VRP", VRP_NTP.format(reliable=1), "PASS"),
    # IOS: an aux line with 'no exec' has no session to time out (main: FAIL); 'in vrf-also' (main: FAIL)
    ("ios-aux-no-exec", "IA-05", "IOS", "line aux 0\n no exec\n exec-timeout 0 0\n", "PASS"),
    ("ios-vty-vrf-also", "MG-01", "IOS", IOS_ACL10 + "line vty 0 15\n access-class 10 in vrf-also\n", "PASS"),
    # uRPF that allows the default route checks nothing where that route points (main: PASS)
    ("vrp-urpf-allow-default", "BD-06", "VRP", VRP_URPF.format(" allow-default-route"), "WARN"),
    ("vrp-urpf-strict", "BD-06", "VRP", VRP_URPF.format(""), "PASS"),
    # VRP: v3 only leaves communities unanswered (main: FAIL), unless traps still carry one
    (
        "vrp-v3-only-community",
        "SN-01",
        "VRP",
        VRP_V3 + "snmp-agent target-host trap address udp-domain 192.0.2.9 params securityname nms v3 privacy\n",
        "WARN",
    ),
    (
        "vrp-v3-only-v1-trap",
        "SN-01",
        "VRP",
        VRP_V3 + "snmp-agent target-host trap address udp-domain 192.0.2.9 params securityname c0mm\n",
        "FAIL",
    ),
    # VRP: channel 2 switched off feeds no log host (main: PASS); 'telnet ipv6 server enable' (main: PASS)
    (
        "vrp-channel-off",
        "AU-01",
        "VRP",
        "info-center loghost 192.0.2.50\ninfo-center source default channel 2 log state off trap state off\n",
        "FAIL",
    ),
    ("vrp-telnet-v6", "IA-06", "VRP", "undo telnet server enable\ntelnet ipv6 server enable\n", "FAIL"),
    # VRP: only an IPv6 ACL on a VTY leaves IPv4 open (main: PASS); an account's idle timeout wins (main: PASS)
    (
        "vrp-vty-acl6-only",
        "MG-01",
        "VRP",
        "acl ipv6 number 2001\n rule 5 permit source 2001:db8::/64\n#\n"
        "user-interface vty 0 4\n acl ipv6 2001 inbound\n",
        "FAIL",
    ),
    (
        "vrp-user-idle",
        "IA-05",
        "VRP",
        "aaa\n local-user ops idle-timeout 0 0\n#\nuser-interface vty 0 4\n idle-timeout 5 0\n",
        "FAIL",
    ),
    # A security-policy rule switched off ('disable') matches nothing (main: FAIL, a permit-all)
    ("secpath-disabled-any", "BD-01", "SECPATH", ANY_ANY.format(disable="  disable\n"), "PASS"),
    ("secpath-enabled-any", "BD-01", "SECPATH", ANY_ANY.format(disable=""), "FAIL"),
]


def _text(template: str, body: str) -> str:
    return SECPATH.format(rules=body) if template == "SECPATH" else TEMPLATES[template].format(body=body)


@pytest.mark.parametrize(("rule", "template", "body", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_round_24(rules, rule: str, template: str, body: str, want: str) -> None:
    assert verdict(rules, rule, _text(template, body), VENDOR[template]) == want
