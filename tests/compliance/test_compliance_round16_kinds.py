"""Round 16 (tests/compliance/heldout18/CHANGES.md): kinds of miss found on three lab captures a PyPI
package replays, each as a small synthetic case written from the description, never from those files."""

from __future__ import annotations

import pytest

from netmon.compliance.engine import evaluate_rule

from .conftest import one_config, verdict

# --- a capture whose packager stripped the indentation (VRP, CloudEngine, Comware) ---------------
CE = (
    "!Software Version V200R005C10SPC607B607\n#\nsysname CE\n#\naaa\n{user}#\n"
    "interface MEth0/0/0\n{ind}ip address 192.0.2.10 255.255.255.0\n#\n"
    "user-interface vty 0 4\n{ind}acl 2001 inbound\n{ind}authentication-mode aaa\n{ind}protocol inbound ssh\n#\n"
    "acl number 2001\n{ind}rule 5 permit source 192.0.2.0 0.0.0.255\n#\nreturn\n"
)
USER = "{ind}local-user ops password irreversible-cipher $1c$abc$def\n{ind}local-user ops service-type ssh\n"


@pytest.mark.parametrize("rule", ["IA-06", "MG-01", "MG-02", "AC-02"])
def test_a_flattened_vrp_capture_reads_as_the_indented_one(rules, rule: str) -> None:
    indented = CE.format(ind=" ", user=USER.format(ind=" "))
    flat = CE.format(ind="", user=USER.format(ind=""))
    assert verdict(rules, rule, flat, "huawei_ce") == verdict(rules, rule, indented, "huawei_ce")


def test_a_flattened_vrp_capture_keeps_its_blocks(rules) -> None:
    cfg = one_config(CE.format(ind="", user=USER.format(ind="")), "huawei_ce")
    vty = next(t for t in cfg.tree.top if t.text == "user-interface vty 0 4")
    # 'acl 2001 inbound' is a VTY line, not the ACL's header (main: a block of its own)
    assert [c.text for c in vty.children] == ["acl 2001 inbound", "authentication-mode aaa", "protocol inbound ssh"]
    assert verdict(rules, "IA-06", CE.format(ind="", user=USER.format(ind="")), "huawei_ce") == "PASS"  # main: REVIEW


# Comware 7 with the first level stripped: a security policy's rule lines keep their own indent.
SECPATH = (
    "#\nversion 7.1.064, ESS 1171P23\n#\nsysname FW\n#\n"
    "interface GigabitEthernet1/0\nport link-mode route\nip address 198.51.100.2 255.255.255.252\n#\n"
    "interface GigabitEthernet2/0\nport link-mode route\nip address 10.1.1.1 255.255.255.0\n#\n"
    "security-zone name Trust\nimport interface GigabitEthernet2/0\n#\n"
    "security-zone name Untrust\nimport interface GigabitEthernet1/0\n#\n"
    "line con 0\nauthentication-mode none\nuser-role network-admin\n#\n"
    "line vty 0 4\nauthentication-mode scheme\nuser-role network-operator\n#\n"
    "local-user admin class manage\npassword hash $h$6$abc$def\nservice-type ssh\n"
    "authorization-attribute user-role network-admin\n#\n"
    "security-policy ip\n{rules}#\nreturn\n"
)
WEB = "rule 0 name web\n  action pass\n  source-zone Trust\n  destination-zone Untrust\n  source-ip lan\n  destination-ip web\n  service http\n"


def test_a_half_flattened_comware_capture_keeps_its_blocks(rules) -> None:
    text = SECPATH.format(rules=WEB)
    cfg = one_config(text, "h3c_comware")
    con = next(t for t in cfg.tree.top if t.text == "line con 0")
    assert [c.text for c in con.children] == ["authentication-mode none", "user-role network-admin"]
    rule = next(t for t in cfg.tree.top if t.text == "security-policy ip").children[0]
    assert rule.text == "rule 0 name web" and rule.children[0].text == "action pass"
    assert verdict(rules, "IA-10", text, "h3c_comware") == "FAIL"  # the console logs in with none (main: PASS)


# --- Comware 7 security policy: read as the USG's ------------------------------------------------
DROP = "rule 9 name last\n"
ALL_ZONES = (
    "rule 1 name all\n  action pass\n  source-zone Trust\n  source-zone Untrust\n"
    "  destination-zone Trust\n  destination-zone Untrust\n"
)  # no action line: a Comware 7 rule drops


@pytest.mark.parametrize(
    ("rules_text", "rule", "want"),
    [
        (WEB, "BD-01", "PASS"),  # main: FAIL (no ACL filter)
        (WEB + "rule 1 name all\n  action pass\n", "BD-01", "FAIL"),  # permits everything
        # every zone that holds an interface is as wide as none named
        (WEB + ALL_ZONES, "BD-01", "FAIL"),
        (WEB + WEB.replace("rule 0", "rule 1"), "BD-03", "FAIL"),  # a rule repeating another never matches (main: N/A)
        (WEB, "BD-03", "PASS"),
        # the same rule in the IPv4 and the IPv6 policy: two policies, no duplicate
        (WEB + "#\nsecurity-policy ipv6\n" + WEB, "BD-03", "PASS"),
        (WEB + DROP, "BD-08", "FAIL"),  # the drop rule logs nothing (main: N/A)
        (WEB + DROP.replace("\n", "\n  logging enable\n", 1), "BD-08", "PASS"),
        (WEB.replace("  service http\n", ""), "BD-02", "WARN"),  # every service between two addresses
        (WEB, "BD-02", "PASS"),
        (WEB, "BD-05", "REVIEW"),  # no IPS profile: may be another device of the boundary (main: FAIL)
        (WEB, "BD-09", "REVIEW"),  # main: FAIL
    ],
)
def test_comware_security_policy(rules, rules_text: str, rule: str, want: str) -> None:
    assert verdict(rules, rule, SECPATH.format(rules=rules_text), "h3c_comware") == want


# --- USG: a rule across every populated zone permits all; session traps are no SNMP agent --------
USG = (
    "#\nsysname FW\n#\n{top}#\ninterface GigabitEthernet1/0/0\n ip address 198.51.100.2 255.255.255.252\n#\n"
    "interface GigabitEthernet1/0/1\n ip address 10.1.1.1 255.255.255.0\n#\n"
    "firewall zone trust\n set priority 85\n add interface GigabitEthernet1/0/1\n#\n"
    "firewall zone untrust\n set priority 5\n add interface GigabitEthernet1/0/0\n#\n"
    "firewall zone dmz\n set priority 50\n#\n"
    "security-policy\n rule name r1\n{zones}  action permit\n#\nreturn\n"
)
BOTH = "  source-zone trust\n  source-zone untrust\n  destination-zone trust\n  destination-zone untrust\n"


@pytest.mark.parametrize(
    ("zones", "want"),
    [
        (BOTH, "FAIL"),  # every zone that holds an interface (dmz is empty): main PASS
        ("  source-zone trust\n  destination-zone untrust\n", "PASS"),  # one direction only
    ],
)
def test_usg_rule_over_every_populated_zone(rules, zones: str, want: str) -> None:
    assert verdict(rules, "BD-01", USG.format(top="", zones=zones), "huawei_usg") == want


def test_usg_session_traps_configure_no_snmp_agent(rules) -> None:
    top = " snmp-agent session history-max-number enable\n snmp-agent session trap threshold 1600000\n"
    text = USG.format(top=top, zones="  source-zone trust\n  destination-zone untrust\n")
    for rule in ("SN-01", "SN-02", "SN-03", "SN-04", "MG-07"):
        assert verdict(rules, rule, text, "huawei_usg") == "N/A", rule  # main: PASS/REVIEW/FAIL
    agent = USG.format(top=top + " snmp-agent\n", zones="  source-zone trust\n  destination-zone untrust\n")
    assert verdict(rules, "MG-07", agent, "huawei_usg") == "FAIL"  # control: the agent is on


def test_a_keyword_ending_in_acl_names_no_acl(rules) -> None:
    top = "aaa\n role audit\n  monitor none session statistic statistic-acl diagnose\n"
    text = USG.format(top=top, zones="  source-zone trust\n  destination-zone untrust\n")
    out = evaluate_rule(rules["BD-03"], one_config(text, "huawei_usg"))
    assert out.result == "PASS", out  # main: FAIL 'ACL diagnose is referenced but not defined'


@pytest.mark.parametrize(
    ("versions", "want"),
    [("tlsv1 tlsv1.1", "WARN"), ("tlsv1.1 tlsv1.2", "PASS"), ("tlsv1.2", "PASS")],
)
def test_usg_https_with_deprecated_tls_only(rules, versions: str, want: str) -> None:
    top = f" web-manager security version {versions}\n web-manager security enable\n"
    text = USG.format(top=top, zones="  source-zone trust\n  destination-zone untrust\n")
    assert verdict(rules, "IA-08", text, "huawei_usg") == want


def test_a_flattened_zte_capture_closes_blocks_at_each_dollar() -> None:
    """ZTE closes every block with '$': stripped of its indentation, the first '$' after an inner
    block closes that block, the next one the outer block; the lines after it are global again."""
    text = (
        "hostname OLT\n!<system-user>\nsystem-user\nauthorization-template 1\nbind aaa-authorization-template 2001\n"
        "local-privilege-level 15\n$\nuser-name ops\nbind authorization-template 1\npassword encrypted abc\n$\n$\n"
        "!</system-user>\ninterface gei-1/1/1\ndescription uplink\nno shutdown\n$\nssh server enable\n"
        "interface vlan 10\nip address 10.0.0.1 255.255.255.0\n$\nend\n"
    )
    cfg = one_config(text, "zte_zxros")
    su = next(t for t in cfg.tree.top if t.text == "system-user")
    assert [c.text for c in su.children] == ["authorization-template 1", "user-name ops"]
    assert [c.text for c in su.children[1].children] == ["bind authorization-template 1", "password encrypted abc"]
    top = [t.text for t in cfg.tree.top]
    assert "ssh server enable" in top and "interface vlan 10" in top  # global again after the '$'
    gei = next(t for t in cfg.tree.top if t.text == "interface gei-1/1/1")
    assert [c.text for c in gei.children] == ["description uplink", "no shutdown"]


def test_a_flattened_capture_is_noted_and_a_normal_one_is_not() -> None:
    flat = one_config(CE.format(ind="", user=USER.format(ind="")), "huawei_ce")
    assert any("lost its indentation" in n for n in flat.notes), flat.notes
    normal = one_config(CE.format(ind=" ", user=USER.format(ind=" ")), "huawei_ce")
    assert not any("indentation" in n for n in normal.notes), normal.notes


# --- round 17 (heldout19/CHANGES.md): every IOS legacy service left at its default warns ----------
IOS = "version 15.2\nhostname R1\n{svc}!\ninterface GigabitEthernet0/0\n ip address 192.0.2.1 255.255.255.0\n!\nend\n"
ALL_OFF = "no service pad\nno ip source-route\nno ip bootp server\n"


# --- round 18 (heldout20/CHANGES.md): VTY 16-20 are reserved for NMS logins, in IA-06 as in AC-01 -
VRP_VTY = (
    "!Software Version V200R003C00SPC300\n#\nsysname SW\n#\naaa\n local-user ops password irreversible-cipher $1a$x$y\n"
    " local-user ops service-type ssh\n#\nstelnet server enable\n#\nuser-interface vty 0 4\n authentication-mode {mode}\n"
    "{p04}user-interface vty 16 20\n#\nreturn\n"
)


# --- round 19 (heldout21/CHANGES.md): VRP level 0 (visit) is no audit or read-only role ----------
VRP_LEVELS = (
    "!Software Version V200R008C00SPC500\n#\nsysname SW\n#\naaa\n"
    " local-user boss password irreversible-cipher $1a$x$y\n local-user boss privilege level 15\n"
    " local-user aud password irreversible-cipher $1a$x$z\n local-user aud privilege level {level}\n#\nreturn\n"
)


# --- round 20 (heldout22/CHANGES.md): VTY 16-20 in MG-01; the S-series factory MEth address ------
VRP_MG = (
    "!Software Version V200R005C00SPC500\n#\nsysname SW\n#\nacl number 2001\n rule 10 permit source 192.0.2.0 0.0.0.255\n"
    " rule 100 deny\n#\ninterface Vlanif10\n ip address 10.1.1.1 255.255.255.0\n#\ninterface MEth0/0/1\n"
    " ip address {meth}\n#\nuser-interface vty 0 4\n acl 2001 inbound\n authentication-mode aaa\n"
    " protocol inbound ssh\nuser-interface vty 16 20\n#\nreturn\n"
)


# --- round 22 (heldout22/CHANGES.md): who may log in over Telnet, read as round 21 reads HTTP ------
# A V200R VRP5 switch: the Telnet server's default is undocumented (REVIEW) unless nobody can use it.
VRP_LOGIN = (
    "!Software Version V200R008C00SPC500\n#\nsysname SW\n#\naaa\n{aaa}"
    " local-user ops password irreversible-cipher $1a$x$y\n local-user ops service-type {svc}\n#\n"
    "stelnet server enable\n#\nuser-interface vty 0 4\n authentication-mode {mode}\n protocol inbound all\n#\nreturn\n"
)
# The domain binds its HWTACACS template: without one the scheme reaches no server (round 27).
HWTACACS_DOMAIN = (
    " authentication-scheme tac\n  authentication-mode hwtacacs local\n domain example.com\n  authentication-scheme tac\n"
    "  hwtacacs-server tac\n"
)
UNUSED_SCHEME = (
    " authentication-scheme rad\n  authentication-mode radius\n domain default_admin\n  authentication-scheme default\n"
)
ACCESS_DOMAIN = (
    " authentication-scheme rad\n  authentication-mode radius\n domain default\n  authentication-scheme rad\n"
)
USG_LOGIN = (
    "!Software Version V500R005C10SPC300\n#\nsysname FW\n#\naaa\n manager-user ops\n  password cipher %$%$x%$%$\n"
    "  service-type {svc}\n  level 15\n#\nstelnet server enable\n#\nuser-interface vty 0 4\n authentication-mode aaa\n"
    " protocol inbound all\n#\nreturn\n"
)


def _flat(text: str) -> str:
    return "\n".join(ln.lstrip() for ln in text.splitlines()) + "\n"


@pytest.mark.parametrize(
    ("rule", "vendor", "text", "want"),
    [
        # round 17: every IOS legacy service left at its default warns (main: PASS for bootp-ignore and pad)
        ("MG-04", "cisco_ios", IOS.format(svc=ALL_OFF), "PASS"),
        (
            "MG-04",
            "cisco_ios",
            IOS.format(svc=ALL_OFF.replace("no ip bootp server\n", "ip dhcp bootp ignore\n")),
            "WARN",
        ),
        ("MG-04", "cisco_ios", IOS.format(svc=ALL_OFF.replace("no service pad\n", "")), "WARN"),
        ("MG-04", "cisco_ios", IOS.format(svc=ALL_OFF.replace("no ip source-route\n", "")), "WARN"),
        ("MG-04", "cisco_ios", IOS.format(svc=ALL_OFF + "ip bootp server\n"), "FAIL"),
        # round 18: VTY 16-20 are no Telnet gap (main: REVIEW for both)
        ("IA-06", "huawei_vrp", VRP_VTY.format(mode="aaa", p04=" protocol inbound ssh\n"), "PASS"),
        # (a VTY 0-4 logging in by password keeps the default protocols: round 22 leaves it REVIEW)
        ("IA-06", "huawei_vrp", VRP_VTY.format(mode="password", p04=""), "REVIEW"),
        # round 19: level 0 is no audit role (main: PASS for 0)
        ("AC-03", "huawei_vrp", VRP_LEVELS.format(level="0"), "FAIL"),
        ("AC-03", "huawei_vrp", VRP_LEVELS.format(level="1"), "PASS"),
        ("AC-03", "huawei_vrp", VRP_LEVELS.format(level="2"), "PASS"),
        # round 20: nor an open management range (main: FAIL); the S-series factory MEth address (main: PASS)
        ("MG-01", "huawei_vrp", VRP_MG.format(meth="172.16.0.1 255.255.255.0"), "PASS"),
        ("MG-02", "huawei_vrp", VRP_MG.format(meth="192.168.1.253 255.255.255.0"), "WARN"),
        ("MG-02", "huawei_vrp", VRP_MG.format(meth="172.16.0.1 255.255.255.0"), "PASS"),
        # round 21: an HTTP server nobody may log in to (main: REVIEW); an account allowed HTTP (control)
        ("IA-08", "huawei_vrp", VRP_LEVELS.format(level="1"), "PASS"),
        ("IA-08", "huawei_vrp", VRP_LEVELS.format(level="1\n local-user aud service-type http"), "REVIEW"),
        # round 22: who may log in over Telnet (see VRP_LOGIN above)
        # A VTY logging in by AAA admits Telnet to no one when no account may use it (main: REVIEW).
        ("IA-06", "huawei_vrp", VRP_LOGIN.format(aaa="", svc="ssh", mode="aaa"), "PASS"),
        ("IA-06", "huawei_vrp", VRP_LOGIN.format(aaa="", svc="ssh telnet", mode="aaa"), "REVIEW"),  # control
        ("IA-06", "huawei_vrp", VRP_LOGIN.format(aaa="", svc="ssh", mode="password"), "REVIEW"),  # control
        # ... unless a domain sends logins to a AAA server ('user@example.com' logs in there)
        ("IA-06", "huawei_vrp", VRP_LOGIN.format(aaa=HWTACACS_DOMAIN, svc="ssh", mode="aaa"), "REVIEW"),
        ("IA-06", "huawei_vrp", _flat(VRP_LOGIN.format(aaa=HWTACACS_DOMAIN, svc="ssh", mode="aaa")), "REVIEW"),
        ("IA-06", "huawei_vrp", VRP_LOGIN.format(aaa=ACCESS_DOMAIN, svc="ssh", mode="aaa"), "REVIEW"),
        # A RADIUS scheme no domain uses authenticates nobody (main: REVIEW), flattened or not.
        ("IA-06", "huawei_vrp", VRP_LOGIN.format(aaa=UNUSED_SCHEME, svc="ssh", mode="aaa"), "PASS"),
        ("IA-08", "huawei_vrp", VRP_LOGIN.format(aaa=UNUSED_SCHEME, svc="ssh", mode="aaa"), "PASS"),
        ("IA-08", "huawei_vrp", _flat(VRP_LOGIN.format(aaa=UNUSED_SCHEME, svc="ssh", mode="aaa")), "PASS"),
        ("IA-08", "huawei_vrp", VRP_LOGIN.format(aaa=HWTACACS_DOMAIN, svc="ssh", mode="aaa"), "REVIEW"),
        # A USG administrator's service type is a child of its manager-user block (main: REVIEW for both
        # by the VTY, which admitted all protocols).
        ("IA-06", "huawei_usg", USG_LOGIN.format(svc="ssh telnet"), "REVIEW"),
        ("IA-06", "huawei_usg", USG_LOGIN.format(svc="ssh"), "PASS"),
    ],
    ids=[
        "ios-all-off",
        "ios-bootp-ignore",
        "ios-pad",
        "ios-source-route",
        "ios-bootp-on",
        "vty16-20-ia06-ssh",
        "vty16-20-ia06-default",
        "level0",
        "level1",
        "level2",
        "vty16-20-mg01",
        "meth-factory",
        "meth-own",
        "http-no-account",
        "http-account",
        "aaa-vty-no-telnet-account",
        "aaa-vty-telnet-account",
        "password-vty",
        "hwtacacs-domain",
        "hwtacacs-domain-flattened",
        "radius-access-domain",
        "unused-radius-scheme-ia06",
        "unused-radius-scheme-ia08",
        "unused-radius-scheme-ia08-flattened",
        "hwtacacs-domain-ia08",
        "usg-telnet-manager",
        "usg-ssh-manager",
    ],
)
def test_rounds_17_to_22(rules, rule: str, vendor: str, text: str, want: str) -> None:
    assert verdict(rules, rule, text, vendor) == want


# --- round 23 (heldout22/CHANGES.md): a Huawei ACL with no rules restricts nobody (sourced) -------
VRP_EMPTY_ACL = (
    "!Software Version V200R019C10SPC800\n#\nsysname SW\n#\nacl number 2001\n{rules}#\n"
    "user-interface vty 0 4\n acl 2001 inbound\n authentication-mode aaa\n protocol inbound ssh\n#\nreturn\n"
)
IOS_EMPTY_ACL = (
    "version 15.2\nhostname R1\n!\nip access-list standard MGMT\n{rules}!\n"
    "line vty 0 4\n access-class MGMT in\n transport input ssh\n!\nend\n"
)
ONE_RULE = {"huawei_vrp": " rule 5 permit source 192.0.2.0 0.0.0.255\n", "cisco_ios": " permit 192.0.2.0 0.0.0.255\n"}


@pytest.mark.parametrize(
    ("rule", "vendor", "template", "rules_text", "want"),
    [
        # VRP: a VTY ACL without rules admits every address (main: WARN), and is in effect no ACL (main: PASS)
        ("MG-01", "huawei_vrp", VRP_EMPTY_ACL, "", "FAIL"),
        ("BD-03", "huawei_vrp", VRP_EMPTY_ACL, "", "FAIL"),
        ("MG-01", "huawei_vrp", VRP_EMPTY_ACL, ONE_RULE["huawei_vrp"], "PASS"),  # control
        ("BD-03", "huawei_vrp", VRP_EMPTY_ACL, ONE_RULE["huawei_vrp"], "PASS"),  # control
        # IOS: no source read for an empty access-class: left to the platform (WARN), as before
        ("MG-01", "cisco_ios", IOS_EMPTY_ACL, "", "WARN"),
        ("MG-01", "cisco_ios", IOS_EMPTY_ACL, ONE_RULE["cisco_ios"], "PASS"),
    ],
    ids=["vrp-empty-mg01", "vrp-empty-bd03", "vrp-rule-mg01", "vrp-rule-bd03", "ios-empty-mg01", "ios-rule-mg01"],
)
def test_round_23(rules, rule: str, vendor: str, template: str, rules_text: str, want: str) -> None:
    assert verdict(rules, rule, template.format(rules=rules_text), vendor) == want
