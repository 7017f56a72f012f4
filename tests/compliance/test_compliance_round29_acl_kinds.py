"""Round 29, ACL and SNMP (docs/COMPLIANCE.md): every live SNMP access path restricted, not some line;
what a rule-less ACL does, per feature; IPv4 and IPv6 ACL names apart; depth-first ('match-order
auto') ACLs; an entry inside a broader earlier one never reached. Each case is a small synthetic
configuration written from the kind of miss (red team acl-roles), beside a control keeping the old verdict."""

from __future__ import annotations

import pytest

from .conftest import verdict
from .test_compliance_round24_kinds import CW7, IOS, RGOS, VRP
from .test_compliance_round26_kinds import CE

TEMPLATES = {"CW7": CW7, "IOS": IOS, "RGOS": RGOS, "VRP": VRP, "CE": CE}
VENDOR = {"CW7": "h3c_comware", "IOS": "cisco_ios", "RGOS": "ruijie_rgos", "VRP": "huawei_vrp", "CE": "huawei_ce"}

# VRP/CE SNMP: a community and an SNMPv3 group with its user; {c}/{g}: their ACLs, {v}: the versions.
HW_SNMP = (
    "acl number 2001\n rule 5 permit source 192.0.2.10 0\n#\n"
    "snmp-agent\nsnmp-agent community read cipher %^%#abc%^%#{c}\nsnmp-agent sys-info version {v}\n"
    "snmp-agent group v3 nms privacy read-view iso{g}\n"
    "snmp-agent usm-user v3 nms01\nsnmp-agent usm-user v3 nms01 group nms\n"
)
IOS_SNMP = (
    "ip access-list standard NMS\n 10 permit 192.0.2.10\n!\n"
    "snmp-server group RO v3 priv read V access NMS\nsnmp-server group ADM v3 priv read V write V{adm}\n"
    "snmp-server community c0mm RO NMS\n"
)
CW_EMPTY = "acl basic 2001\n{rules}#\nsnmp-agent\nsnmp-agent community read cipher $c$3$abc= acl 2001\n"
RGOS_SNMP = "{acl}!\nsnmp-server community 7 09A4B3C2 ro NMS\n"
IOS_VTY6 = "{acl}!\nline vty 0 4\n access-class VTY in\n transport input ssh\n"
CW_FILTER = (
    "acl advanced 3100{order}\n rule 0 permit ip\n rule 5 deny ip source 192.0.2.0 0.0.0.255 logging\n"
    " rule 10 deny tcp destination-port eq 445 logging\n#\n"
    "interface GigabitEthernet1/0/1\n port link-mode route\n ip address 198.51.100.2 255.255.255.252\n"
    " packet-filter 3100 inbound\n#\n"
)
VRP_FILTER = (
    "acl number 3100{order}\n rule 0 permit ip\n rule 5 deny ip source 192.0.2.0 0.0.0.255 logging\n#\n"
    "interface GigabitEthernet0/0/1\n undo portswitch\n ip address 198.51.100.2 255.255.255.252\n"
    " traffic-filter inbound acl 3100\n#\n"
)
IOS_FILTER = (
    "ip access-list extended IN\n 10 permit tcp any host 203.0.113.66 eq 443\n 20 permit ip {broad} any\n"
    " 30 deny   ip 198.18.128.0 0.0.127.255 any log\n!\n"
    "interface GigabitEthernet0/0\n ip address 198.51.100.2 255.255.255.252\n ip access-group IN in\n"
)

CASES = [
    # SN-03: each live SNMP access path, not some line (main: PASS)
    ("ce-v3-user-open-beside-community-acl", "SN-03", "CE", HW_SNMP.format(c=" acl 2001", v="v2c v3", g=""), "FAIL"),
    ("ce-v3-user-and-community-acl", "SN-03", "CE", HW_SNMP.format(c=" acl 2001", v="v2c v3", g=" acl 2001"), "PASS"),
    ("vrp-community-open-v2c-live", "SN-03", "VRP", HW_SNMP.format(c="", v="v2c v3", g=" acl 2001"), "FAIL"),
    # ... 'sys-info version v3' alone silences the community (kept PASS; main PASS by coincidence)
    ("vrp-community-open-v3-only", "SN-03", "VRP", HW_SNMP.format(c="", v="v3", g=" acl 2001"), "PASS"),
    # ... a global agent ACL covers every path
    (
        "vrp-agent-acl-covers-all",
        "SN-03",
        "VRP",
        HW_SNMP.format(c="", v="v2c v3", g="") + "snmp-agent acl 2001\n",
        "PASS",
    ),
    ("ios-v3-group-open-beside-one-with-acl", "SN-03", "IOS", IOS_SNMP.format(adm=""), "FAIL"),
    ("ios-v3-groups-both-acl", "SN-03", "IOS", IOS_SNMP.format(adm=" access NMS"), "PASS"),
    # Comware: what a referenced SNMP ACL with no rules does, the vendor's documents disagree on (round
    # 29b: WARN); either way it is no written policy (main: BD-03 PASS)
    ("cw-snmp-acl-empty", "SN-03", "CW7", CW_EMPTY.format(rules=""), "WARN"),
    ("cw-snmp-acl-empty-bd03", "BD-03", "CW7", CW_EMPTY.format(rules=""), "FAIL"),
    ("cw-snmp-acl-rules", "SN-03", "CW7", CW_EMPTY.format(rules=" rule 5 permit source 192.0.2.10 0\n"), "PASS"),
    ("cw-snmp-acl-rules-bd03", "BD-03", "CW7", CW_EMPTY.format(rules=" rule 5 permit source 192.0.2.10 0\n"), "PASS"),
    # IPv4 and IPv6 ACL names apart on RGOS and IOS (main: PASS)
    (
        "rgos-snmp-acl-v6-only",
        "SN-03",
        "RGOS",
        RGOS_SNMP.format(acl="ipv6 access-list NMS\n 10 permit ipv6 2001:db8::/64 any\n"),
        "FAIL",
    ),
    (
        "rgos-snmp-acl-v6-only-bd03",
        "BD-03",
        "RGOS",
        RGOS_SNMP.format(acl="ipv6 access-list NMS\n 10 permit ipv6 2001:db8::/64 any\n"),
        "FAIL",
    ),
    (
        "rgos-snmp-acl-v4",
        "SN-03",
        "RGOS",
        RGOS_SNMP.format(acl="ip access-list standard NMS\n 10 permit host 192.0.2.10\n"),
        "PASS",
    ),
    (
        "ios-vty-acl-v6-only",
        "BD-03",
        "IOS",
        IOS_VTY6.format(acl="ipv6 access-list VTY\n permit ipv6 2001:db8::/64 any\n"),
        "FAIL",
    ),
    (
        "ios-vty-acl-v4",
        "BD-03",
        "IOS",
        IOS_VTY6.format(acl="ip access-list standard VTY\n 10 permit 192.0.2.0 0.0.0.255\n"),
        "PASS",
    ),
    # 'match-order auto': narrower rules tried before the catch-all (main: FAIL)
    ("cw-auto-order-deny-logged", "BD-08", "CW7", CW_FILTER.format(order=" match-order auto"), "PASS"),
    ("cw-config-order-deny-after-permit-all", "BD-08", "CW7", CW_FILTER.format(order=""), "FAIL"),
    ("vrp-auto-order-deny-logged", "BD-08", "VRP", VRP_FILTER.format(order=" match-order auto"), "PASS"),
    ("vrp-config-order-deny-after-permit-all", "BD-08", "VRP", VRP_FILTER.format(order=""), "FAIL"),
    # IOS: a logged deny inside a broader earlier permit is never reached (main: PASS)
    ("ios-logged-deny-contained", "BD-08", "IOS", IOS_FILTER.format(broad="198.18.0.0 0.1.255.255"), "FAIL"),
    ("ios-logged-deny-not-contained", "BD-08", "IOS", IOS_FILTER.format(broad="198.51.0.0 0.0.255.255"), "PASS"),
]


def _text(template: str, body: str) -> str:
    return TEMPLATES[template].format(body=body)


@pytest.mark.parametrize("rule,template,body,want", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_round_29_acl(rules, rule: str, template: str, body: str, want: str) -> None:
    assert verdict(rules, rule, _text(template, body), VENDOR[template]) == want
