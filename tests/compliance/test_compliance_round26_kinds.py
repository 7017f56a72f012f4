"""Round 26 (docs/COMPLIANCE.md): what a second red team of four helpers found on configurations they wrote
from vendor documentation around traps of order, scope and reachability: ACL entries a packet never
reaches, wildcards that admit any address, one address family's control taken for both, objects on
shut-down interfaces, destinations in a VRF nothing is in, enabling commands left out. Each case is a
small synthetic configuration written from the kind of miss, beside a control keeping the old verdict."""

from __future__ import annotations

import pytest

from .conftest import verdict
from .test_compliance_round24_kinds import CW5, CW7, IOS, USG, VRP, ZXR

CE = "!Software Version V200R005C10SPC800\n#\nsysname CE1\n#\n{body}#\nreturn\n"
RGOS = "version RGOS 11.0(5)B9P59\nhostname SW1\n!\n{body}!\nend\n"
TEMPLATES = {"CW7": CW7, "CW5": CW5, "VRP": VRP, "IOS": IOS, "ZXR": ZXR, "CE": CE, "RGOS": RGOS, "USG": USG}
VENDOR = {"CW7": "h3c_comware", "CW5": "h3c_comware", "VRP": "huawei_vrp", "IOS": "cisco_ios"}
VENDOR |= {"ZXR": "zte_zxros", "CE": "huawei_ce", "RGOS": "ruijie_rgos", "USG": "huawei_usg"}

IOS_VTY_ACL = "ip access-list standard VTY\n 10 permit 192.0.2.0 0.0.0.255\n{rest}!\nline vty 0 15\n access-class VTY in\n transport input ssh\n"
VRP_WAN = (
    "acl number 3001\n rule 5 permit tcp destination 203.0.113.10 0 destination-port eq 443\n{rules}#\n"
    "interface GigabitEthernet0/0/1\n ip address 198.51.100.2 255.255.255.252\n{shut} traffic-filter inbound acl 3001\n"
)
VRP_VTY = "acl number 2001\n{rules}#\nuser-interface vty 0 4\n acl 2001 inbound\n authentication-mode aaa\n protocol inbound ssh\n"
CW_SNMP = (
    "acl basic 2001\n rule 5 permit source {src}\n#\nsnmp-agent\nsnmp-agent community read cipher $c$3$abc= acl 2001\n"
)
IOS_SNMP6 = (
    "ip access-list standard 20\n 10 permit 192.0.2.10\n 20 deny any log\n!\n"
    "ipv6 access-list NMS6\n sequence 10 permit ipv6 2001:DB8:99::/64 any\n{v6}!\nsnmp-server community N0c RO ipv6 NMS6 20\n"
)
V6_IF = "interface GigabitEthernet1/0/1\n ipv6 address 2001:DB8:1::1/64\n"
CW_SSH = (
    "acl basic 2001\n rule 5 permit source 192.0.2.0 0.0.0.255\n#\n"
    + V6_IF
    + "#\nssh server enable\nssh server acl 2001\n"
)
ZTE_SSH = "ipv4-access-list MGMT\n rule 1 permit 192.0.2.0 0.0.0.255\n!\n{v6acl}interface gei-0/1/0/1\n ipv6 address 2001:db8:1::1/64\n!\nssh server enable\nssh server access-class ipv4 MGMT\n{v6line}"
RGOS_VTY = (
    "ip access-list standard MGMT\n 10 permit 192.0.2.0 0.0.0.255\n!\n{v6acl}"
    "interface VLAN 10\n ip address 10.1.1.1 255.255.255.0\n ipv6 address 2001:DB8:10::1/64\n!\n"
    "line vty 0 35\n access-class MGMT in\n{v6line} login local\n"
)
IOS_PORTS = (
    "spanning-tree mode rapid-pvst\n{global_}!\ninterface GigabitEthernet1/0/1\n switchport mode access\n{port}!\n"
)
IOS_URPF = (
    "interface GigabitEthernet0/0\n ip address 198.51.100.2 255.255.255.252\n!\n"
    "interface GigabitEthernet0/1\n ip address 10.1.1.1 255.255.255.0\n ip verify unicast source reachable-via rx\n{shut}!\n"
    "interface GigabitEthernet0/2\n ip address 10.2.2.1 255.255.255.0\n!\n"
)
IOS_LOG_VRF = (
    "vrf definition MGMT\n address-family ipv4\n exit-address-family\n!\n{iface}logging host 192.0.2.50 vrf MGMT\n"
)
IOS_MGMT_IF = "interface GigabitEthernet0\n vrf forwarding MGMT\n ip address 192.0.2.2 255.255.255.0\n!\n"
CW_LOG_VPN = "ip vpn-instance MGMT\n#\n{iface}info-center loghost vpn-instance MGMT 192.0.2.50\n"
CW_NTP_VPN = (
    "ip vpn-instance MGMT\n#\n{iface}ntp-service enable\n"
    "ntp-service unicast-server 192.0.2.1 vpn-instance MGMT\nntp-service unicast-server 192.0.2.2 vpn-instance MGMT\n"
)
IOS_TR = (
    "time-range VENDOR\n absolute start 00:00 1 March 2019 end {end}\n!\n"
    "ip access-list extended VTY\n 10 permit tcp 192.0.2.0 0.0.0.255 any eq 22\n 20 permit tcp any any eq 22 time-range VENDOR\n"
    " 30 deny ip any any log\n!\nline vty 0 15\n access-class VTY in\n transport input ssh\n"
)
VRP_TR = "time-range VENDOR {range}\n#\n" + VRP_VTY.format(
    rules=" rule 5 permit source 192.0.2.0 0.0.0.255\n rule 10 permit time-range VENDOR\n rule 20 deny\n"
)
CW_PWCTL = (
    "password-control enable\npassword-control length 10\npassword-control composition type-number 3 type-length 1\n#\n"
    "local-user ops class manage\n password hash $h$6$abc\n{member} authorization-attribute user-role network-admin\n#\n"
    "user-group system\n#\nuser-group contractors\n password-control length 6\n"
)
IOS_AAA = (
    "aaa new-model\naaa authentication login default local\naaa authorization commands 15 default group tacacs+ local\n"
    "aaa authorization commands 15 NO-AUTHZ none\naaa accounting commands 15 default start-stop group tacacs+\n"
    "aaa accounting commands 15 NO-ACCT none\n!\nline vty 0 4\n{authz}{acct} transport input ssh\n"
)
IOS_ROLES = "username admin privilege 15 secret 9 $9$abc\nusername auditor privilege 5 secret 9 $9$def\n{extra}"
CW_ROLE = (
    "role name auditor\n {rule}\n#\nlocal-user admin class manage\n authorization-attribute user-role network-admin\n#\n"
    "local-user liu class manage\n authorization-attribute user-role auditor\n"
)
USG_ZONES = (
    "firewall zone trust\n set priority 85\n add interface GigabitEthernet1/0/1\n#\n"
    "firewall zone untrust\n set priority 5\n add interface GigabitEthernet1/0/0\n#\n"
    "firewall zone name partner id 4\n set priority 40\n#\n"
)
USG_TRUST_OUT = " rule name trust_out\n  source-zone trust\n  destination-zone untrust\n  source-address 10.30.0.0 mask 255.255.0.0\n  action permit\n"
USG_BLOCK = (
    " rule name block_tor\n  source-zone trust\n  destination-zone untrust\n  source-address 10.30.0.0 mask 255.255.0.0\n"
    "  destination-address address-set TOR\n  action deny\n  policy logging\n"
)
USG_POLICY = USG_ZONES + "security-policy\n{first}{second}"
RGOS_MGMT = (
    "interface Mgmt 0\n ip address 192.168.200.2 255.255.255.0\n{shut}!\n"
    "interface VLAN 10\n ip address 10.1.1.1 255.255.255.0\n"
)
ZTE_NMS = "ipv4-access-list MGMT\n rule 1 permit 192.0.2.0 0.0.0.255\n!\nipv6-access-list NMS\n rule 1 permit 2001:db8::/64\n!\n{v4}"
CW_MGMT_IF = "interface GigabitEthernet1/0/48\n ip binding vpn-instance MGMT\n ip address 192.0.2.2 255.255.255.0\n#\n"

# (id, rule, template, body, verdict); "main:" is the verdict at the session's start (b5f8289).
# fmt: off
CASES = [
    # Entries after a deny-all are never reached (main: FAIL, the dead 'permit any' counted)
    ("ios-permit-any-after-deny", "MG-01", "IOS", IOS_VTY_ACL.format(rest=" 20 deny any log\n 30 permit any\n"), "PASS"),
    ("ios-permit-any-before-deny", "MG-01", "IOS", IOS_VTY_ACL.format(rest=" 20 permit any\n 30 deny any log\n"), "FAIL"),
    # ... in rule-number order, whatever order the lines come in
    ("vrp-rule-numbers-decide", "MG-01", "VRP", VRP_VTY.format(rules=" rule 5 permit source 192.0.2.0 0.0.0.255\n rule 30 permit\n rule 10 deny\n"), "PASS"),
    ("vrp-permit-before-deny", "MG-01", "VRP", VRP_VTY.format(rules=" rule 5 permit\n rule 10 deny\n"), "FAIL"),
    ("vrp-filter-dead-permit-bd01", "BD-01", "VRP", VRP_WAN.format(rules=" rule 20 deny ip logging\n rule 25 permit ip\n", shut=""), "PASS"),
    ("vrp-filter-dead-permit-bd02", "BD-02", "VRP", VRP_WAN.format(rules=" rule 20 deny ip logging\n rule 25 permit ip\n", shut=""), "PASS"),
    ("vrp-filter-live-permit-bd02", "BD-02", "VRP", VRP_WAN.format(rules=" rule 20 permit ip\n rule 25 deny ip logging\n", shut=""), "WARN"),
    # A filter on a shut-down interface filters nothing (main: PASS)
    ("vrp-filter-on-shut-port", "BD-01", "VRP", VRP_WAN.format(rules=" rule 20 deny ip logging\n", shut=" shutdown\n"), "FAIL"),
    # An all-ones wildcard admits any address (main: PASS)
    ("cw-wildcard-all-ones", "SN-03", "CW7", CW_SNMP.format(src="10.30.200.0 255.255.255.255"), "FAIL"),
    ("cw-wildcard-subnet", "SN-03", "CW7", CW_SNMP.format(src="10.30.200.0 0.0.0.255"), "PASS"),
    # IOS: the IPv6 ACL of a community is read too, 'sequence N' entries included (main: PASS)
    ("ios-community-v6-acl-any", "SN-03", "IOS", IOS_SNMP6.format(v6=" sequence 20 permit ipv6 any any\n"), "FAIL"),
    ("ios-community-v6-acl-narrow", "SN-03", "IOS", IOS_SNMP6.format(v6=""), "PASS"),
    # One family's login ACL leaves the other open on a dual-stack device (main: PASS)
    ("cw-ssh-acl-v4-only", "MG-01", "CW7", CW_SSH, "FAIL"),
    ("cw-ssh-acl-both", "MG-01", "CW7", "acl ipv6 basic 2002\n rule 5 permit source 2001:DB8:99::/64\n#\n" + CW_SSH + "ssh server ipv6 acl ipv6 2002\n", "PASS"),
    ("zte-ssh-acl-v4-only", "MG-01", "ZXR", ZTE_SSH.format(v6acl="", v6line=""), "FAIL"),
    ("zte-ssh-acl-both", "MG-01", "ZXR", ZTE_SSH.format(v6acl="ipv6-access-list MGMT6\n rule 1 permit 2001:db8:99::/64\n!\n", v6line="ssh server access-class ipv6 MGMT6\n"), "PASS"),
    ("rgos-vty-v4-only", "MG-01", "RGOS", RGOS_VTY.format(v6acl="", v6line=""), "FAIL"),
    ("rgos-vty-both", "MG-01", "RGOS", RGOS_VTY.format(v6acl="ipv6 access-list MGMT6\n 10 permit ipv6 2001:DB8:99::/64 any\n!\n", v6line=" ipv6 access-class MGMT6 in\n"), "PASS"),
    # ZTE: an IPv4 reference does not name the IPv6 ACL of that name (main: PASS)
    ("zte-acl-family", "SN-03", "ZXR", ZTE_NMS.format(v4="") + "snmp-server community encrypted x1 view v ro ipv4-access-list NMS\n", "FAIL"),
    ("zte-acl-family-v4-defined", "SN-03", "ZXR", ZTE_NMS.format(v4="ipv4-access-list NMS\n rule 1 permit 192.0.2.0 0.0.0.255\n!\n") + "snmp-server community encrypted x1 view v ro ipv4-access-list NMS\n", "PASS"),
    # CloudEngine writes the filter's direction last (main: FAIL, "no ACL filters traffic")
    ("ce-traffic-filter-acl-first", "BD-01", "CE", "acl number 3100\n rule 5 permit tcp destination 203.0.113.10 0 destination-port eq 443\n rule 100 deny ip\n#\n" "interface 10GE1/0/1\n undo portswitch\n ip address 198.51.100.2 255.255.255.252\n traffic-filter acl 3100 inbound\n", "PASS"),
    # A BGP peer that forms no session has nothing to authenticate (main: FAIL)
    ("vrp-bgp-peer-ignore", "RP-02", "VRP", "bgp 65010\n peer 198.51.100.1 as-number 64496\n peer 198.51.100.1 ignore\n", "PASS"),
    ("vrp-bgp-peer-live", "RP-02", "VRP", "bgp 65010\n peer 198.51.100.1 as-number 64496\n", "FAIL"),
    ("ios-bgp-neighbor-shutdown", "RP-02", "IOS", "router bgp 65010\n neighbor 198.51.100.1 remote-as 64496\n neighbor 198.51.100.1 shutdown\n", "PASS"),
    # IOS: port security needs its enabling line, 802.1X its global switch (main: PASS)
    ("ios-port-security-params-only", "BD-07", "IOS", IOS_PORTS.format(global_="", port=" switchport port-security maximum 2\n switchport port-security violation restrict\n" ), "FAIL"),
    ("ios-port-security-on", "BD-07", "IOS", IOS_PORTS.format(global_="", port=" switchport port-security\n switchport port-security maximum 2\n"), "PASS"),
    ("ios-dot1x-no-global", "BD-07", "IOS", IOS_PORTS.format(global_="", port=" authentication port-control auto\n dot1x pae authenticator\n"), "FAIL"),
    ("ios-dot1x-global", "BD-07", "IOS", IOS_PORTS.format(global_="dot1x system-auth-control\n", port=" authentication port-control auto\n dot1x pae authenticator\n" ), "PASS"),
    # uRPF on a shut-down interface checks nothing (main: WARN)
    ("ios-urpf-only-on-shut", "BD-06", "IOS", IOS_URPF.format(shut=" shutdown\n"), "FAIL"),
    ("ios-urpf-on-live", "BD-06", "IOS", IOS_URPF.format(shut=""), "WARN"),
    # Comware: the default source denied to the log host leaves it nothing (main: PASS)
    ("cw-loghost-default-deny", "AU-01", "CW7", "info-center loghost 192.0.2.50\ninfo-center source default loghost deny\n", "FAIL"),
    ("cw-loghost-module-allowed", "AU-01", "CW7", "info-center loghost 192.0.2.50\ninfo-center source default loghost deny\ninfo-center source SHELL loghost level informational\n", "PASS"),
    # Comware 5 names the log host's channel (main: PASS)
    ("cw5-channel-2-warning", "AU-02", "CW5", "user-interface vty 0 4\n#\ninfo-center loghost 192.0.2.50 channel loghost\ninfo-center source default channel 2 log level warning\n", "WARN"),
    # A destination in a VRF nothing is in reaches nothing (main: PASS)
    ("ios-loghost-dead-vrf", "AU-01", "IOS", IOS_LOG_VRF.format(iface=""), "FAIL"),
    ("ios-loghost-live-vrf", "AU-01", "IOS", IOS_LOG_VRF.format(iface=IOS_MGMT_IF), "PASS"),
    ("ios-loghost-vrf-port-shut", "AU-01", "IOS", IOS_LOG_VRF.format(iface=IOS_MGMT_IF.replace(" ip address", " shutdown\n ip address")), "FAIL"),
    ("cw-loghost-dead-vpn", "AU-01", "CW7", CW_LOG_VPN.format(iface=""), "FAIL"),
    ("cw-loghost-live-vpn", "AU-01", "CW7", CW_LOG_VPN.format(iface=CW_MGMT_IF), "PASS"),
    ("cw-ntp-dead-vpn", "AU-03", "CW7", CW_NTP_VPN.format(iface=""), "FAIL"),
    ("cw-ntp-live-vpn", "AU-03", "CW7", CW_NTP_VPN.format(iface=CW_MGMT_IF), "PASS"),
    # A rule bound to a time range that has ended matches nothing (main: FAIL); a periodic one stays live
    ("ios-permit-any-expired-range", "MG-01", "IOS", IOS_TR.format(end="23:59 31 March 2019"), "PASS"),
    ("ios-permit-any-live-range", "MG-01", "IOS", IOS_TR.format(end="23:59 31 March 2099"), "FAIL"),
    ("vrp-permit-any-expired-range", "MG-01", "VRP", VRP_TR.format(range="from 00:00 2021/03/01 to 23:59 2021/03/31"), "PASS"),
    ("vrp-permit-any-periodic-range", "MG-01", "VRP", VRP_TR.format(range="00:00 to 06:00 daily"), "FAIL"),
    # A wildcard that leaves the first octet free admits addresses in every network (main: PASS)
    ("ios-mask-as-wildcard", "MG-01", "IOS", "access-list 10 permit 0.0.0.0 255.255.255.0\n!\nline vty 0 15\n access-class 10 in\n", "WARN"),
    ("ios-wildcard", "MG-01", "IOS", "access-list 10 permit 10.7.250.0 0.0.0.255\n!\nline vty 0 15\n access-class 10 in\n", "PASS"),
    # Comware: a user group no account joins binds nobody (main: FAIL)
    ("cw-user-group-empty", "IA-02", "CW7", CW_PWCTL.format(member=""), "PASS"),
    ("cw-user-group-joined", "IA-02", "CW7", CW_PWCTL.format(member=" group contractors\n"), "FAIL"),
    # IOS: a line applying its own AAA list uses it instead of the default one (main: PASS)
    ("ios-vty-authz-none", "AC-04", "IOS", IOS_AAA.format(authz=" authorization commands 15 NO-AUTHZ\n", acct=""), "FAIL"),
    ("ios-vty-authz-default", "AC-04", "IOS", IOS_AAA.format(authz="", acct=""), "PASS"),
    ("ios-vty-acct-none", "AU-05", "IOS", IOS_AAA.format(authz="", acct=" accounting commands 15 NO-ACCT\n"), "FAIL"),
    # IOS: configuration mode moved down to level 5 makes level 5 an administrator's (main: PASS)
    ("ios-level5-configures", "AC-03", "IOS", IOS_ROLES.format(extra="privilege exec level 5 configure terminal\n"), "FAIL"),
    ("ios-level5-reads", "AC-03", "IOS", IOS_ROLES.format(extra=""), "PASS"),
    # ... and under AAA without exec authorization a VTY's level is every session's (main: PASS)
    ("ios-line-level-15", "AC-03", "IOS", IOS_ROLES.format(extra="aaa new-model\naaa authentication login default local\n!\nline vty 0 15\n privilege level 15\n" ), "WARN"),
    ("ios-line-level-15-exec-authz", "AC-03", "IOS", IOS_ROLES.format(extra="aaa new-model\naaa authentication login default local\naaa authorization exec default local\n!\n" "line vty 0 15\n privilege level 15\n" ), "PASS"),
    # Comware: a custom role with every right is an administrator's, whatever its name (main: PASS)
    ("cw-role-full-rights", "AC-03", "CW7", CW_ROLE.format(rule="rule 1 permit read write execute feature"), "FAIL"),
    ("cw-role-read-only", "AC-03", "CW7", CW_ROLE.format(rule="rule 1 permit read feature"), "PASS"),
    # USG: a logging deny behind an earlier rule matching the same traffic logs nothing (main: PASS)
    ("usg-logged-deny-shadowed", "BD-08", "USG", USG_POLICY.format(first=USG_TRUST_OUT, second=USG_BLOCK), "FAIL"),
    ("usg-logged-deny-first", "BD-08", "USG", USG_POLICY.format(first=USG_BLOCK, second=USG_TRUST_OUT), "PASS"),
    # USG: a permit from a zone with no interface matches nothing (main: WARN)
    ("usg-permit-from-empty-zone", "BD-02", "USG", USG_ZONES + "security-policy\n rule name legacy\n  source-zone partner\n  destination-zone trust\n  action permit\n", "PASS"),
    ("usg-permit-from-live-zone", "BD-02", "USG", USG_ZONES + "security-policy\n rule name legacy\n  source-zone untrust\n  destination-zone trust\n  action permit\n", "WARN"),
    # An addressed management port that is shut down carries nothing (main: PASS)
    ("rgos-mgmt-port-shut", "MG-02", "RGOS", RGOS_MGMT.format(shut=" shutdown\n"), "WARN"),
    ("rgos-mgmt-port-up", "MG-02", "RGOS", RGOS_MGMT.format(shut=""), "PASS"),
    # RGOS: IPv6 filter ACLs are read for broad permits (main: PASS)
    ("rgos-v6-filter-permit-all", "BD-02", "RGOS", "ipv6 access-list EDGE6\n 10 permit ipv6 any any\n!\ninterface GigabitEthernet 0/1\n no switchport\n" " ipv6 address 2001:DB8::1/64\n ipv6 traffic-filter EDGE6 in\n", "WARN"),
]
# fmt: on


@pytest.mark.parametrize(("rule", "template", "body", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_round_26(rules, rule: str, template: str, body: str, want: str) -> None:
    assert verdict(rules, rule, TEMPLATES[template].format(body=body), VENDOR[template]) == want
