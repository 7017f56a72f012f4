"""Round 28 (docs/COMPLIANCE.md): a fourth red team on routing, firewalls and file forms. A control
counts only where traffic meets it: uRPF on a routed interface without an exception ACL that admits
everyone, a security profile on a rule that passes traffic, an OSPF area's own interfaces, a port's
802.1X with the global switch, dynamic BGP peers like listed ones. Each case is a small synthetic
configuration written from the kind of miss, beside a control keeping the old verdict."""

from __future__ import annotations

import pytest

from .conftest import verdict
from .test_compliance_round24_kinds import CW7, IOS, SECPATH, USG, VRP
from .test_compliance_round26_kinds import CE

TEMPLATES = {"CW7": CW7, "IOS": IOS, "USG": USG, "VRP": VRP, "CE": CE}
VENDOR = {"CW7": "h3c_comware", "IOS": "cisco_ios", "USG": "huawei_usg", "VRP": "huawei_vrp", "CE": "huawei_ce"}
VENDOR |= {"SECPATH": "h3c_comware"}

IOS_URPF = (
    "access-list 199 {acl}\n!\n"
    "interface GigabitEthernet0/0\n ip address 198.51.100.2 255.255.255.252\n ip verify unicast source reachable-via rx {list}\n!\n"
    "interface GigabitEthernet0/1\n ip address 10.1.1.1 255.255.255.0\n ip verify unicast source reachable-via rx\n!\n"
)
CW_URPF = (
    "acl advanced 3999\n rule 0 {rule}\n#\n"
    "interface GigabitEthernet1/0/1\n port link-mode route\n ip address 198.51.100.2 255.255.255.252\n ip urpf {mode}\n#\n"
    "interface GigabitEthernet1/0/2\n port link-mode route\n ip address 10.1.1.1 255.255.255.0\n ip urpf strict\n#\n"
)
VRP_URPF_UNADDRESSED = (
    "interface GigabitEthernet0/0/1\n undo portswitch\n{uplink}#\n"
    "interface GigabitEthernet0/0/2\n undo portswitch\n ip address 10.1.1.1 255.255.255.0\n#\n"
    "interface GigabitEthernet0/0/3\n undo portswitch\n ip address 10.2.2.1 255.255.255.0\n#\n"
)
USG_ZONES = (
    "interface GigabitEthernet1/0/1\n ip address 10.20.0.1 255.255.0.0\n#\n"
    "interface GigabitEthernet1/0/2\n ip address 198.51.100.2 255.255.255.252\n#\n"
    "firewall zone trust\n set priority 85\n add interface GigabitEthernet1/0/1\n#\n"
    "firewall zone untrust\n set priority 5\n add interface GigabitEthernet1/0/2\n#\n"
    "firewall zone name partner id 4\n set priority 40\n#\n"
)
USG_RULE = "  source-zone {src}\n  destination-zone trust\n  destination-address 10.20.0.10 mask 255.255.255.255\n  service https\n"


def usg_profile(src: str, first: str = "", extra: str = "") -> str:
    """An IPS profile on rule 'web' from zone ``src``, after ``first`` rules, with ``extra`` lines."""
    return (
        USG_ZONES
        + "security-policy\n"
        + first
        + " rule name web\n"
        + USG_RULE.format(src=src)
        + "  profile ips default\n  action permit\n"
        + extra
    )


SP_APP = "app-profile EDGE\n ips apply policy default mode protect\n#\n"
SP_RULE = (
    " rule 1 name web\n{action}  source-zone Untrust\n  destination-zone Trust\n  service https\n  profile {profile}\n"
)
VRP_OSPF = (
    "interface Vlanif10\n ip address 10.10.0.1 255.255.255.0\n ospf authentication-mode hmac-sha256 1 cipher %^%#abc%^%#\n#\n"
    "interface Vlanif30\n ip address 10.30.0.1 255.255.255.0\n{auth30}#\n"
    "ospf 1\n area 0.0.0.0\n  network 10.10.0.0 0.0.0.255\n area 0.0.0.1\n  network 10.30.0.0 0.0.0.255\n"
)
IOS_OSPF3 = (
    "ipv6 unicast-routing\n!\ninterface GigabitEthernet0/1\n ipv6 address 2001:DB8:1::1/64\n ospfv3 1 ipv6 area 0\n{auth}!\n"
    "router ospfv3 1\n router-id 1.1.1.1\n"
)
CE_OSPF3 = (
    "interface 10GE1/0/1\n undo portswitch\n ip address 10.1.1.1 255.255.255.0\n ipv6 enable\n ipv6 address 2001:DB8:1::1/64\n"
    " ospf authentication-mode hmac-sha256 1 cipher %^%#abc%^%#\n ospfv3 1 area 0.0.0.0\n#\n"
    "ospf 1\n area 0.0.0.0\n  network 10.1.1.0 0.0.0.255\n#\nospfv3 1\n router-id 1.1.1.1\n area 0.0.0.0\n{auth}"
)
IOS_LISTEN = (
    "router bgp 65000\n bgp listen range 10.60.0.0/24 peer-group SPOKES\n neighbor SPOKES peer-group\n"
    " neighbor SPOKES remote-as 65001\n{password} neighbor 10.255.9.9 remote-as 65009\n neighbor 10.255.9.9 password 7 0822455D0A16\n"
)
CW_DYNAMIC = "bgp 65000\n peer 10.70.0.0 24 as-number 65070\n{password} peer 10.255.30.2 as-number 65000\n peer 10.255.30.2 password cipher $c$3$abc\n"
VRP_DOT1X = (
    "{glob}interface GigabitEthernet0/0/1\n port link-type access\n port default vlan 10\n dot1x enable\n#\n"
    "interface GigabitEthernet0/0/2\n port link-type access\n port default vlan 10\n dot1x enable\n#\n"
)
CW_DOT1X = "{glob}interface GigabitEthernet1/0/1\n port link-mode bridge\n port access vlan 10\n dot1x\n"
IOS_ZBF = (
    "class-map type inspect match-any CM-MAIL\n match protocol smtp\n!\n"
    "policy-map type inspect PM-OUT-IN\n class type inspect CM-MAIL\n  inspect\n class class-default\n  {default}\n!\n"
    "zone security INSIDE\nzone security OUTSIDE\n"
    "zone-pair security ZP-OUT-IN source OUTSIDE destination INSIDE\n service-policy type inspect PM-OUT-IN\n!\n"
    "interface GigabitEthernet0/0\n ip address 198.51.100.2 255.255.255.252\n zone-member security OUTSIDE\n!\n"
    "interface GigabitEthernet0/1\n ip address 10.1.1.1 255.255.255.0\n zone-member security INSIDE\n"
)
USG_HANDED = (
    "acl number 2001\n rule 5 permit source 192.0.2.0 0.0.0.255\n#\nuser-interface vty 0 4\n acl 2001 inbound\n#\n"
    "interface GigabitEthernet1/0/1\n ip address 10.20.0.1 255.255.0.0\n#\n"
    "interface GigabitEthernet1/0/2\n ip address 198.51.100.2 255.255.255.252\n undo service-manage enable\n#\n"
    "firewall zone trust\n set priority 85\n add interface GigabitEthernet1/0/1\n#\n"
    "firewall zone untrust\n set priority 5\n add interface GigabitEthernet1/0/2\n#\n"
    "security-policy\n{rules}"
)
TO_LOCAL = " rule name to_fw\n  source-zone untrust\n  destination-zone local\n{source}  service https\n  service ssh\n  action permit\n"

# (id, rule, template, body, verdict); "main:" is the verdict at the session's start (bcb5f34).
# fmt: off
CASES = [
    # uRPF whose exception ACL permits every source forwards every spoofed packet (main: PASS)
    ("ios-urpf-list-permits-any", "BD-06", "IOS", IOS_URPF.format(acl="permit ip any any", list="199"), "WARN"),
    ("ios-urpf-list-narrow", "BD-06", "IOS", IOS_URPF.format(acl="permit ip host 192.0.2.1 any", list="199"), "PASS"),
    ("cw-urpf-acl-permits-all", "BD-06", "CW7", CW_URPF.format(rule="permit ip", mode="strict acl 3999"), "WARN"),
    ("cw-urpf-acl-narrow", "BD-06", "CW7", CW_URPF.format(rule="permit ip source 192.0.2.1 0", mode="strict acl 3999"), "PASS"),
    # ... loose mode that accepts the default route checks nothing (main: PASS); strict still does
    ("cw-urpf-loose-allow-default", "BD-06", "CW7", CW_URPF.format(rule="permit ip source 192.0.2.1 0", mode="loose allow-default-route"), "WARN"),
    ("cw-urpf-strict-allow-default", "BD-06", "CW7", CW_URPF.format(rule="permit ip source 192.0.2.1 0", mode="strict allow-default-route"), "PASS"),
    # ... and uRPF on an interface without an address checks nothing (main: WARN)
    ("vrp-urpf-on-unaddressed-port", "BD-06", "VRP", VRP_URPF_UNADDRESSED.format(uplink=" urpf strict\n"), "FAIL"),
    # A security profile inspects only what a rule applying it passes (main: PASS)
    ("usg-ips-on-disabled-rule", "BD-05", "USG", usg_profile("untrust", extra="  disable\n"), "REVIEW"),
    ("usg-ips-from-empty-zone", "BD-05", "USG", usg_profile("partner"), "REVIEW"),
    ("usg-ips-shadowed", "BD-05", "USG", usg_profile("untrust", first=" rule name open_web\n" + USG_RULE.format(src="untrust") + "  action permit\n"), "REVIEW"),
    ("usg-ips-live", "BD-05", "USG", usg_profile("untrust"), "PASS"),
    ("secpath-ips-on-drop-rule", "BD-05", "SECPATH", SP_RULE.format(action="", profile="EDGE"), "REVIEW"),
    ("secpath-ips-profile-empty", "BD-05", "SECPATH", SP_RULE.format(action="  action pass\n", profile="NONE"), "REVIEW"),
    ("secpath-ips-live", "BD-05", "SECPATH", SP_RULE.format(action="  action pass\n", profile="EDGE"), "PASS"),
    # Session state checking switched off weakens stateful filtering (main: PASS)
    ("usg-link-state-off", "BD-04", "USG", USG_ZONES + "undo firewall session link-state tcp check\n", "FAIL"),
    ("usg-link-state-on", "BD-04", "USG", USG_ZONES, "PASS"),
    ("secpath-state-loose", "BD-04", "SECPATH", "session state-machine mode loose\n" + SP_RULE.format(action="  action pass\n", profile="EDGE"), "WARN"),
    # An OSPF area written as a view is covered only by its own interfaces (main: PASS)
    ("vrp-area-interface-open", "RP-01", "VRP", VRP_OSPF.format(auth30=""), "FAIL"),
    ("vrp-area-interface-authenticated", "RP-01", "VRP", VRP_OSPF.format(auth30=" ospf authentication-mode hmac-sha256 1 cipher %^%#abc%^%#\n"), "PASS"),
    # OSPFv3 is judged, and not by OSPFv2's lines (main: N/A, PASS)
    ("ios-ospfv3-open", "RP-01", "IOS", IOS_OSPF3.format(auth=""), "FAIL"),
    ("ios-ospfv3-ipsec-sha", "RP-01", "IOS", IOS_OSPF3.format(auth=" ospfv3 authentication ipsec spi 256 sha1 0123456789ABCDEF0123456789ABCDEF01234567\n"), "PASS"),
    ("ce-ospfv3-open-beside-v2", "RP-01", "CE", CE_OSPF3.format(auth=""), "FAIL"),
    # ... area by area: an authenticated area covers none of the others (main: N/A)
    ("ios-ospfv3-open-area-beside-authenticated", "RP-01", "IOS", IOS_OSPF3.format(auth=" ospfv3 authentication ipsec spi 256 sha1 0123456789ABCDEF0123456789ABCDEF01234567\n") + "!\ninterface GigabitEthernet0/2\n ipv6 address 2001:DB8:2::1/64\n ospfv3 1 ipv6 area 1\n", "FAIL"),
    ("ios-ospfv3-area-authenticated", "RP-01", "IOS", IOS_OSPF3.format(auth="") + " area 0 authentication ipsec spi 256 sha1 0123456789ABCDEF0123456789ABCDEF01234567\n", "PASS"),
    ("ce-ospfv3-area-auth", "RP-01", "CE", CE_OSPF3.format(auth="  authentication-mode hmac-sha256 key-id 1 cipher %^%#abc%^%#\n"), "PASS"),
    # Dynamic BGP peers need a password as listed ones do (main: PASS)
    ("ios-listen-range-open", "RP-02", "IOS", IOS_LISTEN.format(password=""), "FAIL"),
    ("ios-listen-range-group-password", "RP-02", "IOS", IOS_LISTEN.format(password=" neighbor SPOKES password 7 0822455D0A16\n"), "PASS"),
    ("cw-subnet-peer-open", "RP-02", "CW7", CW_DYNAMIC.format(password=""), "FAIL"),
    ("cw-subnet-peer-password", "RP-02", "CW7", CW_DYNAMIC.format(password=" peer 10.70.0.0 24 password cipher $c$3$def\n"), "PASS"),
    # IOS zone firewall: 'class class-default' passing from the outside zone lets everything in (main: PASS)
    ("ios-zbf-class-default-pass", "BD-01", "IOS", IOS_ZBF.format(default="pass"), "FAIL"),
    ("ios-zbf-class-default-drop", "BD-01", "IOS", IOS_ZBF.format(default="drop"), "PASS"),
    # USG: an interface handed to the security policy admits what the rules to the Local zone pass (main: PASS)
    ("usg-handed-open-to-local", "MG-01", "USG", USG_HANDED.format(rules=TO_LOCAL.format(source="")), "FAIL"),
    ("usg-handed-default-permit", "MG-01", "USG", USG_HANDED.format(rules=" default action permit\n"), "FAIL"),
    ("usg-handed-restricted", "MG-01", "USG", USG_HANDED.format(rules=TO_LOCAL.format(source="  source-address 192.0.2.0 mask 255.255.255.0\n")), "PASS"),
    # A VTY range admitting Telnet only takes no SSH login, whatever the SSH server offers (main: PASS)
    ("vrp-vty-telnet-only", "IA-07", "VRP", "stelnet server enable\nssh server cipher aes256_ctr\n#\nuser-interface vty 0 4\n authentication-mode aaa\n protocol inbound telnet\n", "FAIL"),
    ("vrp-vty-ssh", "IA-07", "VRP", "stelnet server enable\nssh server cipher aes256_ctr\n#\nuser-interface vty 0 4\n authentication-mode aaa\n protocol inbound ssh\n", "PASS"),
    ("ios-vty-telnet-only", "IA-07", "IOS", "ip ssh version 2\n!\nline vty 0 4\n transport input telnet\n", "FAIL"),
    ("ios-vty-ssh", "IA-07", "IOS", "ip ssh version 2\n!\nline vty 0 4\n transport input ssh\n", "PASS"),
    # A port's 802.1X works only with the feature on globally (main: PASS)
    ("vrp-dot1x-port-only", "BD-07", "VRP", VRP_DOT1X.format(glob=""), "FAIL"),
    ("vrp-dot1x-global-too", "BD-07", "VRP", VRP_DOT1X.format(glob="dot1x enable\n#\n"), "PASS"),
    ("cw-dot1x-port-only", "BD-07", "CW7", CW_DOT1X.format(glob=""), "FAIL"),
    ("cw-dot1x-global-too", "BD-07", "CW7", CW_DOT1X.format(glob="dot1x\n#\n"), "PASS"),
]
# fmt: on


def _text(template: str, body: str) -> str:
    if template == "SECPATH":  # the app-profile before the policy, the rules first in it
        return SECPATH.format(rules=body.split("session state-machine mode loose\n")[-1]).replace(
            "security-policy ip\n",
            SP_APP + ("session state-machine mode loose\n" if "loose" in body else "") + "security-policy ip\n",
        )
    return TEMPLATES[template].format(body=body)


@pytest.mark.parametrize(("rule", "template", "body", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_round_28(rules, rule: str, template: str, body: str, want: str) -> None:
    assert verdict(rules, rule, _text(template, body), VENDOR[template]) == want


def test_a_forced_vendor_decides_where_the_content_cannot(tmp_path) -> None:
    """An IOS-like ZXROS file scores IOS and RGOS alike: --vendor zte_zxros was refused as "looks like
    Cisco IOS" while --vendor cisco_ios scored it under IOS rules with no note (round 28). The
    operator's vendor now decides, with a note saying the content does not tell."""
    from netmon.compliance.source import load_device_configs

    text = (
        "hostname ZX1\n!\nusername ops password 0 Zx1Ops\nline telnet idle-timeout 30\n"
        "snmp-server community public view AllView ro\nsnmp-server enable trap\n!\nend\n"
    )
    for vendor in ("zte_zxros", "cisco_ios"):
        (cfg,) = load_device_configs(text.encode(), "zx.cfg", vendor)
        assert cfg.vendor == vendor
        assert any("does not tell" in n for n in cfg.notes), cfg.notes


def test_a_pager_prompt_erased_by_carriage_returns_keeps_its_line_in_the_block(rules) -> None:
    """'  ---- More ----' erased with CR + spaces + CR left the next line out of its block, so the
    VTY's 30-minute time-out was not read (round 28)."""
    page = "  ---- More ----\r" + " " * 16 + "\r"
    text = VRP.format(body="user-interface vty 0 4\n authentication-mode aaa\n" + page + " idle-timeout 30 0\n")
    assert verdict(rules, "IA-05", text, "huawei_vrp") == "FAIL"
