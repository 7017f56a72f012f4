"""Round 25 (docs/COMPLIANCE.md): the kinds the round-24 red team found and that round left open, each
written from its description as a small synthetic configuration beside a control that keeps the old
verdict: a setting inherited from a class view or overridden by the line, an account the configuration
blocks, an IPv4-only VTY filter on a device that answers on IPv6, a BGP password carried by a session
template, OSPF areas authenticated on every interface instead of by the area, and NTP servers the
device never synchronises to because their key cannot authenticate them."""

from __future__ import annotations

import pytest

from .conftest import verdict
from .test_compliance_round24_kinds import CW7, IOS, USG, VENDOR, VRP, ZXR

TEMPLATES = {"CW7": CW7, "VRP": VRP, "IOS": IOS, "ZXR": ZXR, "USG": USG}
VENDOR = {**VENDOR, "USG": "huawei_usg"}

CW_ADMIN = "local-user ops class manage\n authorization-attribute user-role network-admin\n#\n"
VRP_AAA = (
    "aaa\n local-user admin password irreversible-cipher $1a$abc$\n local-user admin privilege level 15\n"
    "{state} local-user admin service-type ssh\n"
)
IOS_V6_IF = "interface GigabitEthernet0/0\n ip address 198.51.100.2 255.255.255.252\n ipv6 address {}\n!\n"
IOS_VTY4 = "ip access-list standard MGMT\n permit 192.0.2.0 0.0.0.255\n!\nline vty 0 4\n access-class MGMT in\n{v6} transport input ssh\n"
IOS_BGP = (
    "router bgp 65010\n template peer-session BASE\n{base} exit-peer-session\n template peer-session EBGP\n"
    "{inherit} timers 10 30\n exit-peer-session\n neighbor 198.51.100.1 remote-as 64500\n"
    " neighbor 198.51.100.1 inherit peer-session EBGP\n"
)
IOS_OSPF = (
    "key chain KC\n key 1\n  key-string K\n  cryptographic-algorithm hmac-sha-256\n!\n"
    "interface Loopback0\n ip address 10.255.0.1 255.255.255.255\n!\n"
    "interface GigabitEthernet0/1\n ip address 10.0.1.1 255.255.255.252\n ip ospf authentication key-chain KC\n!\n"
    "interface GigabitEthernet0/2\n ip address 10.0.2.1 255.255.255.252\n{second}!\n"
    "router ospf 1\n passive-interface Loopback0\n network 10.0.0.0 0.0.255.255 area 0\n network 10.255.0.1 0.0.0.0 area 0\n"
)
IOS_AREA_MD5 = (
    "interface GigabitEthernet0/1\n ip address 10.0.1.1 255.255.255.252\n{key}!\n"
    "router ospf 1\n area 0 authentication message-digest\n network 10.0.1.0 0.0.0.3 area 0\n"
)
VRP_MQC = (
    "acl number 3001\n rule 5 permit ip source 192.0.2.0 0.0.0.255\n#\n"
    "traffic classifier C-WEB operator or\n if-match acl 3001\n#\ntraffic behavior B-WEB\n remark dscp af21\n#\n"
    "traffic policy P-EDGE\n classifier C-WEB behavior B-WEB\n#\n{apply}"
)
IOS_MQC = (
    "ip access-list extended WEB\n permit tcp 192.0.2.0 0.0.0.255 any eq www\n!\n"
    "class-map match-any C-WEB\n match access-group name WEB\n!\npolicy-map P-EDGE\n class C-WEB\n  set dscp af21\n!\n"
    "{apply}"
)
CW_MQC = (
    "acl advanced 3001\n rule 5 permit ip source 192.0.2.0 0.0.0.255\n#\n"
    "traffic classifier C-WEB operator and\n if-match acl 3001\n#\ntraffic behavior B-WEB\n remark dscp af21\n#\n"
    "qos policy P-EDGE\n classifier C-WEB behavior B-WEB\n#\n{apply}"
)
IOS_NTP = (
    "ntp authentication-key 1 md5 K1\nntp authentication-key 2 md5 K2\nntp authenticate\nntp trusted-key {trusted}\n"
    "ntp server 192.0.2.1 key 1\nntp server 192.0.2.2 key 2\nservice timestamps log datetime msec\n"
)
CW_NTP = (
    "ntp-service enable\nntp-service authentication enable\n"
    "ntp-service authentication-keyid 1 authentication-mode hmac-sha-256 simple K1\n"
    "ntp-service authentication-keyid 2 authentication-mode hmac-sha-256 simple K2\n"
    "ntp-service reliable authentication-keyid 1\n{reliable2}"
    "ntp-service unicast-server 192.0.2.1 authentication-keyid 1\nntp-service unicast-server 192.0.2.2 authentication-keyid 2\n"
)
CW_V3 = (
    "acl basic 2001\n rule 5 permit source 192.0.2.20 0\n#\nsnmp-agent\nsnmp-agent sys-info version v3\n"
    "snmp-agent group v3 NMS privacy acl 2001\nsnmp-agent group v3 MON privacy{mon_acl}\n"
    "snmp-agent usm-user v3 nms NMS cipher authentication-mode sha $c$3$a= privacy-mode aes128 $c$3$b= acl 2001\n"
    "snmp-agent usm-user v3 mon MON cipher authentication-mode sha $c$3$c= privacy-mode aes128 $c$3$d={user_acl}\n"
)
USG_VTY = (
    "acl number 2001\n rule 5 permit source 192.0.2.0 0.0.0.255\n rule 100 deny\n#\n"
    "user-interface vty 0 4\n acl 2001 inbound\n authentication-mode aaa\n protocol inbound ssh\n#\n"
)
USG_IF = "interface GigabitEthernet1/0/0\n ip address 198.51.100.2 255.255.255.252\n{} service-manage https permit\n"
ZTE_NMS = "ipv4-access-list NMS\n rule 1 permit 192.0.2.0 0.0.0.255\n!\n"  # a ZXROS form: detected as ZTE

# (id, rule, template, body, verdict); "main:" is the verdict at the session's start (b5f8289).
# fmt: off
CASES = [
    # Comware 7: a line's own setting wins over its class view's (main: FAIL, the class judged alone)
    ("cw-line-overrides-class", "IA-05", "CW7", "line class vty\n idle-timeout 0 0\n#\nline vty 0 63\n authentication-mode scheme\n idle-timeout 5 0\n", "PASS"),
    ("cw-line-inherits-class", "IA-05", "CW7", "line class vty\n idle-timeout 0 0\n#\nline vty 0 63\n authentication-mode scheme\n", "FAIL"),
    ("cw-class-alone", "IA-05", "CW7", "line class vty\n idle-timeout 0 0\n", "FAIL"),
    # ... and a line that sets nothing takes its class's login mode (main: PASS, the class was not read)
    ("cw-line-inherits-no-auth", "AC-01", "CW7", CW_ADMIN + "line class vty\n authentication-mode none\n#\nline vty 0 63\n user-role network-operator\n", "FAIL"),
    ("cw-line-own-auth", "AC-01", "CW7", CW_ADMIN + "line class vty\n authentication-mode none\n#\nline vty 0 63\n authentication-mode scheme\n" + "#\nline class aux\n authentication-mode scheme\n#\nline aux 0\n user-role network-admin\n", "PASS"),
    # A blocked account logs in to nothing (main: WARN, a default name)
    ("vrp-admin-blocked", "AC-02", "VRP", VRP_AAA.format(state=" local-user admin state block\n"), "PASS"),
    ("vrp-admin-active", "AC-02", "VRP", VRP_AAA.format(state=""), "WARN"),
    ("cw-admin-blocked", "AC-02", "CW7", "local-user admin class manage\n state block\n", "PASS"),
    ("cw-admin-active", "AC-02", "CW7", "local-user admin class manage\n", "WARN"),
    # IOS: an IPv4 access-class leaves the IPv6 addresses the interfaces hold open (main: PASS)
    ("ios-vty-v4-dual-stack", "MG-01", "IOS", IOS_V6_IF.format("2001:DB8::2/64") + IOS_VTY4.format(v6=""), "FAIL"),
    ("ios-vty-both-families", "MG-01", "IOS", IOS_V6_IF.format("2001:DB8::2/64") + "ipv6 access-list MGMT6\n permit ipv6 2001:DB8:FF::/64 any\n!\n" + IOS_VTY4.format(v6=" ipv6 access-class MGMT6 in\n"), "PASS"),
    ("ios-vty-v4-link-local", "MG-01", "IOS", IOS_V6_IF.format("FE80::1 link-local") + IOS_VTY4.format(v6=""), "PASS"),
    # IOS: a peer's password may come from a session template, directly or through another (main: FAIL)
    ("ios-bgp-template", "RP-02", "IOS", IOS_BGP.format(base="", inherit="  password 7 0822455D0A16\n"), "PASS"),
    ("ios-bgp-nested-template", "RP-02", "IOS", IOS_BGP.format(base="  password 7 0822455D0A16\n", inherit="  inherit peer-session BASE\n"), "PASS"),
    ("ios-bgp-template-no-password", "RP-02", "IOS", IOS_BGP.format(base="", inherit=""), "FAIL"),
    # IOS: an area authenticated on each interface that forms adjacencies (main: WARN, "confirm")
    ("ios-ospf-if-keychain", "RP-01", "IOS", IOS_OSPF.format(second=" ip ospf authentication key-chain KC\n"), "PASS"),
    ("ios-ospf-if-one-open", "RP-01", "IOS", IOS_OSPF.format(second=""), "FAIL"),
    # ... and an area's digest authentication with no key on any interface shows nothing sent (main: PASS)
    ("ios-ospf-area-md5-no-key", "RP-01", "IOS", IOS_AREA_MD5.format(key=""), "REVIEW"),
    ("ios-ospf-area-md5-key", "RP-01", "IOS", IOS_AREA_MD5.format(key=" ip ospf message-digest-key 1 md5 K\n"), "WARN"),
    # NTP with authentication on: a server whose key is not trusted is never synchronised to
    # (main: AU-03 PASS with one usable server, AU-04 FAIL though the other server authenticates)
    ("ios-ntp-one-untrusted-au03", "AU-03", "IOS", IOS_NTP.format(trusted="1"), "WARN"),
    ("ios-ntp-one-untrusted-au04", "AU-04", "IOS", IOS_NTP.format(trusted="1"), "PASS"),
    ("ios-ntp-both-trusted-au03", "AU-03", "IOS", IOS_NTP.format(trusted="1\nntp trusted-key 2"), "PASS"),
    ("ios-ntp-none-trusted-au03", "AU-03", "IOS", IOS_NTP.format(trusted="3"), "FAIL"),
    ("ios-ntp-none-trusted-au04", "AU-04", "IOS", IOS_NTP.format(trusted="3"), "FAIL"),
    ("cw-ntp-one-untrusted-au03", "AU-03", "CW7", CW_NTP.format(reliable2=""), "WARN"),
    ("cw-ntp-one-untrusted-au04", "AU-04", "CW7", CW_NTP.format(reliable2=""), "PASS"),
    ("cw-ntp-both-reliable-au03", "AU-03", "CW7", CW_NTP.format(reliable2="ntp-service reliable authentication-keyid 2\n"), "PASS"),
    # Comware: a v3 user whose group and own line name no ACL answers any NMS (main: PASS, another group had one)
    ("cw-v3-group-open", "SN-03", "CW7", CW_V3.format(mon_acl="", user_acl=""), "FAIL"),
    ("cw-v3-group-acl", "SN-03", "CW7", CW_V3.format(mon_acl=" acl 2001", user_acl=""), "PASS"),
    ("cw-v3-user-acl", "SN-03", "CW7", CW_V3.format(mon_acl="", user_acl=" acl 2001"), "PASS"),
    # USG: an interface admitting HTTPS management takes the web login from anywhere; the VTY ACL does not
    # cover it (main: PASS)
    ("usg-web-on-interface", "MG-01", "USG", USG_VTY + USG_IF.format(""), "FAIL"),
    ("usg-web-policy", "MG-01", "USG", USG_VTY + USG_IF.format(" undo service-manage enable\n"), "PASS"),
    ("usg-web-off", "MG-01", "USG", USG_VTY + "undo web-manager security enable\n#\n" + USG_IF.format(""), "PASS"),
    # VRP: an ACL a traffic classifier matches is used only where a traffic policy naming the classifier
    # is applied (main: PASS, "defined and used")
    ("vrp-classifier-policy-unapplied", "BD-03", "VRP", VRP_MQC.format(apply=""), "FAIL"),
    ("vrp-classifier-policy-applied", "BD-03", "VRP", VRP_MQC.format(apply="interface GigabitEthernet0/0/1\n traffic-policy P-EDGE inbound\n#\n"), "PASS"),
    # ... and an IOS class-map's only where a policy-map naming the class is applied (main: PASS)
    ("ios-class-map-unapplied", "BD-03", "IOS", IOS_MQC.format(apply=""), "FAIL"),
    ("ios-class-map-applied", "BD-03", "IOS", IOS_MQC.format(apply="interface GigabitEthernet0/1\n service-policy input P-EDGE\n!\n"), "PASS"),
    # ... and a Comware classifier's only where a QoS policy naming it is applied (main: PASS)
    ("cw-classifier-unapplied", "BD-03", "CW7", CW_MQC.format(apply=""), "FAIL"),
    ("cw-classifier-applied", "BD-03", "CW7", CW_MQC.format(apply="interface GigabitEthernet1/0/1\n qos apply policy P-EDGE inbound\n#\n"), "PASS"),
    # ZXROS: the Telnet server switched off under 'line' (main: REVIEW, left to the release default)
    ("zte-line-telnet-off", "IA-06", "ZXR", ZTE_NMS + "ssh server enable\nline telnet server disable\n", "PASS"),
    ("zte-telnet-default", "IA-06", "ZXR", ZTE_NMS + "ssh server enable\n", "REVIEW"),
]
# fmt: on


@pytest.mark.parametrize(("rule", "template", "body", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_round_25(rules, rule: str, template: str, body: str, want: str) -> None:
    assert verdict(rules, rule, TEMPLATES[template].format(body=body), VENDOR[template]) == want
