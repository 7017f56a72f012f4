"""Round 27 (docs/COMPLIANCE.md): an entry or a firewall rule naming an address group is as narrow as
the group's members: a group holding every address (directly, through a nested group, or as a range
leaving out a handful) makes the entry an 'any' one, and a group with no address matches nothing.
Each case is a small synthetic configuration written from the kind of miss, beside a control."""

from __future__ import annotations

import pytest

from .conftest import verdict
from .test_compliance_round24_kinds import CW5, CW7, IOS, SECPATH, USG, VRP, ZXR
from .test_compliance_round26_kinds import CE, RGOS

TEMPLATES = {"CW5": CW5, "CW7": CW7, "IOS": IOS, "USG": USG, "VRP": VRP, "ZXR": ZXR, "RGOS": RGOS, "CE": CE}
VENDOR = {"CW5": "h3c_comware", "CW7": "h3c_comware", "IOS": "cisco_ios", "USG": "huawei_usg", "SECPATH": "h3c_comware"}
VENDOR |= {"VRP": "huawei_vrp", "ZXR": "zte_zxros", "RGOS": "ruijie_rgos", "CE": "huawei_ce"}

IOS_GROUPS = (
    "object-group network NOC\n host 192.0.2.10\n group-object POOL\n!\n"
    "object-group network POOL\n description VPN pool\n {pool}\n!\n"
)
IOS_VTY = IOS_GROUPS + (
    "ip access-list extended VTY-SSH\n 10 permit tcp object-group NOC any eq 22\n 20 deny ip any any log\n!\n"
    "line vty 0 15\n access-class VTY-SSH in\n transport input ssh\n"
)
IOS_EDGE = IOS_GROUPS + (
    "ip access-list extended EDGE\n 10 {first}\n 20 {second}\n!\n"
    "interface GigabitEthernet0/0\n ip address 198.51.100.2 255.255.255.252\n ip access-group EDGE in\n"
)
NOC_NOC = "permit ip object-group NOC object-group NOC"
CW_GROUPS = "object-group ip address NOC\n 0 network host address 192.0.2.10\n 10 network {member}\n#\n"
CW_SSH = (
    CW_GROUPS
    + "acl advanced 3001\n rule 5 permit tcp source object-group NOC destination-port eq 22\n#\nssh server enable\nssh server acl 3001\n"
)
CW_FILTER = CW_GROUPS + (
    "acl advanced 3002\n rule 5 permit ip source object-group NOC\n#\n"
    "interface GigabitEthernet1/0/1\n port link-mode route\n ip address 198.51.100.2 255.255.255.252\n"
    " packet-filter 3002 inbound\n#\npacket-filter default deny\n"
)
SP_GROUP = "object-group ip address PARTNERS\n 0 network subnet 198.51.100.0 255.255.255.0\n 10 network {member}\n#\n"
SP_RULE = " rule 1 name partners\n  action pass\n  source-ip PARTNERS\n  destination-ip PARTNERS\n"
USG_SET = (
    "ip address-set PARTNERS type object\n address 0 198.51.100.0 mask 24\n address 1 {member}\n#\n"
    "firewall zone trust\n set priority 85\n add interface GigabitEthernet1/0/1\n#\n"
    "firewall zone untrust\n set priority 5\n add interface GigabitEthernet1/0/0\n#\n"
    "security-policy\n rule name partners\n  source-address address-set PARTNERS\n  destination-address address-set PARTNERS\n"
    "  service https\n  action permit\n"
)
# VRP: HWTACACS servers reach logins and commands only through a template a domain binds.
VRP_TAC = (
    "hwtacacs-server template TAC\n hwtacacs-server authentication 192.0.2.11\n hwtacacs-server authorization 192.0.2.11\n#\n"
    "aaa\n authentication-scheme TAC-AUTH\n  authentication-mode hwtacacs local\n"
    " authorization-scheme TAC-AUTHZ\n  authorization-mode hwtacacs local\n  authorization-cmd 15 hwtacacs local\n"
    " domain default\n domain default_admin\n  authentication-scheme TAC-AUTH\n  authorization-scheme TAC-AUTHZ\n{bind}"
)
ZTE_SNMP = (
    "interface gei-0/1/0/1\n!\nipv4-access-list NMS\n rule 1 permit 192.0.2.0 0.0.0.255\n!\nsnmp-server group NMS v3 priv read AllView access ipv4-access-list NMS\n"
    "snmp-server user nms NMS v3 encrypted auth {auth} 5C1E9A7B3D2F4061 priv {priv} 9E2B4C6D8F0A1B3C\n"
    "snmp-server host 192.0.2.10 trap version 3 priv nms udp-port 162\n"
)
RGOS_SNMP = "snmp-server user nms NMS v3 auth sha 5C1E9A7B priv {priv} 9E2B4C6D\nenable service snmp-agent\n"
IOS_CC = (
    "aaa new-model\naaa common-criteria policy ADMIN-PW\n min-length {length}\n numeric-count 1\n{lifetime}!\n"
    "username ops privilege 15 {bind}secret 9 $9$abc\n"
)
IOS_QUIET = (
    "ip access-list standard QUIET\n 10 permit 192.0.2.10\n{extra}!\n"
    "login block-for 300 attempts 3 within 60\nlogin quiet-mode access-class QUIET\n"
)
VRP_CON = (
    "aaa\n authentication-scheme ADM\n  authentication-mode hwtacacs {tail}\n domain default\n domain default_admin\n"
    "  authentication-scheme ADM\n  hwtacacs-server TAC\n#\nuser-interface con 0\n authentication-mode aaa\n"
)
CW_VTY = (
    "local-user ops class manage\n authorization-attribute user-role network-admin\n#\n"
    "line vty 0 63\n{mode} set authentication password hash $h$6$abc\n"
)
CW_LOCK = (
    "password-control enable\npassword-control login-attempt 3 exceed lock-time 30\n#\n"
    "local-user ops class manage\n password hash $h$6$abc\n{own} authorization-attribute user-role network-admin\n"
)
CW_V3_ONLY = "snmp-agent\nsnmp-agent community write cipher $c$3$abc=\n{version}"
ZTE_AAA = (
    "interface gei-0/1/0/1\n!\ntacplus group-server ACS\n  server 192.0.2.25\n$\n"
    "aaa-authentication-template 1\n  aaa-authentication-type local\n$\n"
    "aaa-authentication-template 2020\n  aaa-authentication-type tacacs-local\n  authentication-tacacs-group ACS\n$\n"
    "aaa-authorization-template 1\n  aaa-authorization-type local\n$\n"
    "aaa-authorization-template 2020\n  aaa-authorization-type tacacs-local\n  authorization-tacacs-group ACS\n$\n"
    "system-user\n  authentication-template 1\n    bind aaa-authentication-template {n}\n  $\n"
    "  authorization-template 1\n    bind aaa-authorization-template {n}\n  $\n$\n"
)
CW_JOB = "scheduler job bk\n command 1 {proto} 192.0.2.50 put flash:/startup.cfg sw.cfg\n#\n{schedule}"
CW_SCHEDULE = "scheduler schedule bk\n job bk\n time repeating at 02:00 interval 1440\n"
VRP_REC = (
    "hwtacacs-server template TAC\n hwtacacs-server authentication 192.0.2.11\n{acct}#\n"
    "aaa\n recording-scheme REC\n  recording-mode hwtacacs TAC\n cmd recording-scheme REC\n"
)

# (id, rule, template, body, verdict); "main:" is the verdict at the session's start (bcb5f34).
# fmt: off
CASES = [
    # IOS: a network group holding 0.0.0.0 with a zero subnet mask (through a nested group) admits any source (main: PASS)
    ("ios-group-nested-zero-mask", "MG-01", "IOS", IOS_VTY.format(pool="0.0.0.0 0.0.0.0"), "FAIL"),
    ("ios-group-any-member", "MG-01", "IOS", IOS_VTY.format(pool="any"), "FAIL"),
    ("ios-group-range-all-but-ends", "MG-01", "IOS", IOS_VTY.format(pool="range 0.0.0.1 255.255.255.254"), "FAIL"),
    ("ios-group-narrow", "MG-01", "IOS", IOS_VTY.format(pool="10.99.0.0 255.255.255.0"), "PASS"),
    # ... and between two such groups, every protocol passes (main: PASS)
    ("ios-filter-groups-open", "BD-01", "IOS", IOS_EDGE.format(pool="any", first="deny ip host 203.0.113.9 any", second=NOC_NOC), "FAIL"),
    ("ios-filter-groups-narrow", "BD-01", "IOS", IOS_EDGE.format(pool="10.99.0.0 255.255.255.0", first="deny ip host 203.0.113.9 any", second=NOC_NOC), "PASS"),
    # ... while a deny-all naming an open group ends the list there (main: FAIL)
    ("ios-deny-all-through-group", "BD-01", "IOS", IOS_EDGE.format(pool="any", first="deny ip object-group POOL any", second="permit ip any any"), "PASS"),
    ("ios-deny-some-then-all", "BD-01", "IOS", IOS_EDGE.format(pool="10.99.0.0 255.255.255.0", first="deny ip object-group POOL any", second="permit ip any any"), "FAIL"),
    # Comware: 'network subnet 0.0.0.0 0' is every address (main: PASS)
    ("cw-group-zero-subnet", "MG-01", "CW7", CW_SSH.format(member="subnet 0.0.0.0 0"), "FAIL"),
    ("cw-group-narrow", "MG-01", "CW7", CW_SSH.format(member="subnet 192.0.2.0 24"), "PASS"),
    ("cw-filter-group-open", "BD-01", "CW7", CW_FILTER.format(member="subnet 0.0.0.0 0.0.0.0"), "FAIL"),
    ("cw-filter-group-narrow", "BD-01", "CW7", CW_FILTER.format(member="subnet 192.0.2.0 24"), "PASS"),
    # SecPath: a rule's source-ip/destination-ip group holding every address names none (main: PASS)
    ("secpath-rule-groups-open", "BD-01", "SECPATH", SP_GROUP.format(member="subnet 0.0.0.0 0.0.0.0"), "FAIL"),
    ("secpath-rule-groups-narrow", "BD-01", "SECPATH", SP_GROUP.format(member="subnet 203.0.113.0 24"), "PASS"),
    # USG: an address set holding 0.0.0.0/0 (main: PASS)
    ("usg-set-zero-mask", "BD-02", "USG", USG_SET.format(member="0.0.0.0 mask 0"), "WARN"),
    ("usg-set-narrow", "BD-02", "USG", USG_SET.format(member="203.0.113.0 mask 24"), "PASS"),
    # VRP: "by default, no HWTACACS server template is bound to a domain" (main: REVIEW, PASS)
    ("vrp-tacacs-unbound-ia09", "IA-09", "VRP", VRP_TAC.format(bind=""), "FAIL"),
    ("vrp-tacacs-bound-ia09", "IA-09", "VRP", VRP_TAC.format(bind="  hwtacacs-server TAC\n"), "REVIEW"),
    ("vrp-tacacs-unbound-ac04", "AC-04", "VRP", VRP_TAC.format(bind=""), "FAIL"),
    ("vrp-tacacs-bound-ac04", "AC-04", "VRP", VRP_TAC.format(bind="  hwtacacs-server TAC\n"), "PASS"),
    # ... and a capture showing no domain cannot tell (kept as before)
    # 'tftp-server acl N' limits the device as a TFTP client; it starts no server (main: FAIL)
    ("vrp-tftp-client-acl", "MG-03", "VRP", "tftp-server acl 2001\n", "PASS"),
    ("cw-tftp-client-acl", "MG-03", "CW7", "tftp-server acl 2001\n", "PASS"),
    ("cw-ftp-server-on", "MG-03", "CW7", "ftp server enable\ntftp-server acl 2001\n", "FAIL"),
    # ZXROS: 'trap version 3 priv USER' is an SNMPv3 target (main: FAIL)
    ("zte-trap-version-3", "MG-07", "ZXR", ZTE_SNMP.format(auth="sha", priv="aes128"), "PASS"),
    ("zte-trap-v2c", "MG-07", "ZXR", ZTE_SNMP.format(auth="sha", priv="aes128") + "snmp-server host 192.0.2.11 trap version 2c T0k udp-port 162\n", "FAIL"),
    # ... and MD5/DES users are the weak choice (main: PASS), as on RGOS, where DES is privacy (main: FAIL)
    ("zte-user-md5-des", "SN-02", "ZXR", ZTE_SNMP.format(auth="md5", priv="des56"), "WARN"),
    ("zte-user-sha-aes", "SN-02", "ZXR", ZTE_SNMP.format(auth="sha", priv="aes128"), "PASS"),
    ("rgos-user-des", "SN-02", "RGOS", RGOS_SNMP.format(priv="des"), "WARN"),
    ("rgos-user-aes", "SN-02", "RGOS", RGOS_SNMP.format(priv="aes128"), "PASS"),
    # Huawei's %^%#...%^%# is a reversible (AES) wrapper, not a hash (main: PASS)
    ("vrp-user-cipher-aes", "IA-01", "VRP", "aaa\n local-user ops password cipher %^%#pPgn;|W90$J72.Ak%^%#\n", "WARN"),
    ("vrp-user-irreversible", "IA-01", "VRP", "aaa\n local-user ops password irreversible-cipher $1c$abc$def\n", "PASS"),
    ("vrp-super-cipher", "IA-01", "VRP", "super password level 15 cipher %^%#x8Yq!%^%#\n", "WARN"),
    ("vrp-super-hashed", "IA-01", "VRP", "super password level 15 cipher $1c$abc$def\n", "PASS"),
    # Comware: a line's own password and the Comware 5 super password are login secrets (main: PASS)
    ("cw-vty-password-simple", "IA-01", "CW7", "line vty 0 63\n authentication-mode password\n set authentication password simple S3cret\n", "FAIL"),
    ("cw-vty-password-cipher", "IA-01", "CW7", "line vty 0 63\n authentication-mode password\n set authentication password cipher $c$3$abc=\n", "WARN"),
    ("cw-vty-password-hash", "IA-01", "CW7", "line vty 0 63\n authentication-mode password\n set authentication password hash $h$6$abc\n", "PASS"),
    ("cw5-super-level-simple", "IA-01", "CW5", "super password level 3 simple S3cret\n", "FAIL"),
    ("cw5-super-level-cipher", "IA-01", "CW5", "super password level 3 cipher 7-CZB#/YX]KQ=^Q`MAF4<1!!\n", "WARN"),
    # IOS: a common-criteria policy checks only the accounts created with it (main: PASS)
    ("ios-cc-policy-unbound", "IA-02", "IOS", IOS_CC.format(length=12, lifetime=" lifetime days 90\n", bind=""), "FAIL"),
    ("ios-cc-policy-bound", "IA-02", "IOS", IOS_CC.format(length=12, lifetime=" lifetime days 90\n", bind="common-criteria-policy ADMIN-PW "), "PASS"),
    ("ios-cc-policy-bound-short", "IA-02", "IOS", IOS_CC.format(length=4, lifetime="", bind="common-criteria-policy ADMIN-PW "), "FAIL"),
    ("ios-cc-policy-unbound-expiry", "IA-03", "IOS", IOS_CC.format(length=12, lifetime=" lifetime days 90\n", bind=""), "REVIEW"),
    ("ios-cc-policy-bound-no-lifetime", "IA-03", "IOS", IOS_CC.format(length=12, lifetime="", bind="common-criteria-policy ADMIN-PW "), "FAIL"),
    ("ios-cc-policy-bound-lifetime", "IA-03", "IOS", IOS_CC.format(length=12, lifetime=" lifetime days 90\n", bind="common-criteria-policy ADMIN-PW "), "PASS"),
    # IOS: command accounting of level 1 records no configuration command (main: PASS)
    ("ios-acct-level-1", "AU-05", "IOS", "aaa new-model\naaa accounting commands 1 default start-stop group tacacs+\n", "FAIL"),
    ("ios-acct-level-15", "AU-05", "IOS", "aaa new-model\naaa accounting commands 15 default start-stop group tacacs+\n", "PASS"),
    # IOS: configuration commands left unauthorised (main: PASS)
    ("ios-no-config-authz", "AC-04", "IOS", "aaa new-model\naaa authorization commands 15 default group tacacs+ local\nno aaa authorization config-commands\n", "FAIL"),
    ("ios-config-authz", "AC-04", "IOS", "aaa new-model\naaa authorization commands 15 default group tacacs+ local\n", "PASS"),
    # IOS: a quiet-mode exemption ACL permitting any source exempts everyone from the block (main: PASS)
    ("ios-quiet-exempt-any", "IA-04", "IOS", IOS_QUIET.format(extra=" 20 permit any\n"), "FAIL"),
    ("ios-quiet-exempt-host", "IA-04", "IOS", IOS_QUIET.format(extra=""), "PASS"),
    # VRP: a console logging in by AAA through a scheme ending in 'none' opens when the servers do not answer (main: PASS)
    ("vrp-console-aaa-none", "IA-10", "VRP", VRP_CON.format(tail="none"), "WARN"),
    ("vrp-console-aaa-local", "IA-10", "VRP", VRP_CON.format(tail="local"), "PASS"),
    # Comware: a VTY setting no authentication-mode logs in by its shared password, the default (main: PASS)
    ("cw-vty-default-password", "AC-01", "CW7", CW_VTY.format(mode=""), "FAIL"),
    ("cw-vty-scheme", "AC-01", "CW7", CW_VTY.format(mode=" authentication-mode scheme\n"), "PASS"),
    ("cw-vty-scheme-from-class", "AC-01", "CW7", "line class vty\n authentication-mode scheme\n#\n" + CW_VTY.format(mode=""), "PASS"),
    # Comware: an account's own login-attempt setting overrides the global one (main: PASS)
    ("cw-account-never-locks", "IA-04", "CW7", CW_LOCK.format(own=" password-control login-attempt 10 exceed unlock\n"), "FAIL"),
    ("cw-account-global-lock", "IA-04", "CW7", CW_LOCK.format(own=""), "PASS"),
    # Comware: with only SNMPv3 enabled a community answers nothing but stays one line from it (main: FAIL)
    ("cw-community-v3-only", "SN-04", "CW7", CW_V3_ONLY.format(version="snmp-agent sys-info version v3\n"), "WARN"),
    ("cw-community-v2c", "SN-04", "CW7", CW_V3_ONLY.format(version="snmp-agent sys-info version v2c v3\n"), "FAIL"),
    ("cw-community-v3-only-sn01", "SN-01", "CW7", CW_V3_ONLY.format(version="snmp-agent sys-info version v3\n"), "WARN"),
    # ZXROS: an AAA template acts only where a system-user template binds it (main: REVIEW, PASS)
    ("zte-tacacs-template-unbound", "IA-09", "ZXR", ZTE_AAA.format(n=1), "FAIL"),
    ("zte-tacacs-template-bound", "IA-09", "ZXR", ZTE_AAA.format(n=2020), "REVIEW"),
    ("zte-tacacs-authz-unbound", "AC-04", "ZXR", ZTE_AAA.format(n=1), "FAIL"),
    ("zte-tacacs-authz-bound", "AC-04", "ZXR", ZTE_AAA.format(n=2020), "PASS"),
    # CloudEngine: deleting the default local-user security policy removes its complexity check (main: REVIEW)
    ("ce-user-security-policy-off", "IA-02", "CE", "aaa\n undo user-security-policy enable\n local-user ops password irreversible-cipher $1c$a$b\n", "FAIL"),
    # Comware: an archive stays on the device's storage; a scheduled upload leaves it (main: PASS, REVIEW, REVIEW)
    ("cw-archive-local-only", "MG-08", "CW7", "archive configuration location flash:/archive filename-prefix cfg\narchive configuration interval 1440\n", "REVIEW"),
    ("cw-scheduled-tftp-upload", "MG-08", "CW7", CW_JOB.format(proto="tftp", schedule=CW_SCHEDULE), "WARN"),
    ("cw-scheduled-scp-upload", "MG-08", "CW7", CW_JOB.format(proto="scp", schedule=CW_SCHEDULE), "PASS"),
    ("cw-unscheduled-scp-job", "MG-08", "CW7", CW_JOB.format(proto="scp", schedule=""), "REVIEW"),
    # RGOS: LLDP switched off globally is off on every port (main: REVIEW)
    ("rgos-lldp-off-globally", "MG-05", "RGOS", "no lldp enable\ninterface GigabitEthernet 0/1\n lldp mode txrx\n", "PASS"),
    ("rgos-lldp-default", "MG-05", "RGOS", "interface GigabitEthernet 0/1\n lldp mode txrx\n", "REVIEW"),
    # VRP: recorded commands reach a server only if the template they name has an accounting one (main: PASS)
    ("vrp-recording-no-accounting-server", "AU-05", "VRP", VRP_REC.format(acct=""), "FAIL"),
    ("vrp-recording-accounting-server", "AU-05", "VRP", VRP_REC.format(acct=" hwtacacs-server accounting 192.0.2.11\n"), "PASS"),
    ("vrp-recording-undefined-scheme", "AU-05", "VRP", VRP_REC.format(acct="").replace(" recording-scheme REC\n  recording-mode hwtacacs TAC\n", ""), "FAIL"),
    ("vrp-tacacs-no-domain-shown", "IA-09", "VRP", VRP_TAC.format(bind="").split(" domain default")[0], "REVIEW"),
]
# fmt: on


def _text(template: str, body: str) -> str:
    if template == "SECPATH":  # the group before the policy, the rule first in it
        return SECPATH.format(rules=SP_RULE).replace("security-policy ip\n", body + "security-policy ip\n")
    return TEMPLATES[template].format(body=body)


@pytest.mark.parametrize(("rule", "template", "body", "want"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_round_27(rules, rule: str, template: str, body: str, want: str) -> None:
    assert verdict(rules, rule, _text(template, body), VENDOR[template]) == want


def test_a_verdict_carries_the_notes_that_decided_it(rules) -> None:
    """A passing part's note beside a FAIL contradicted it (round 27: Comware IA-08 FAIL for 'ip http
    enable' printed 'no local account may log in over HTTP'); the deciding part's note comes first."""
    from netmon.compliance.engine import evaluate_rule

    from .conftest import one_config

    out = evaluate_rule(rules["IA-08"], one_config(CW7.format(body="ip http enable\n"), "h3c_comware"))
    assert out.result == "FAIL"
    assert not any("no local account" in n for n in out.notes), out.notes
    assert any("HTTP" in e.note and e.text == "ip http enable" for e in out.evidence), out.evidence
