"""Kinds of miss found in held-out set 8 (tests/compliance/heldout8/CHANGES.md), each as a small
synthetic case written from the fact, never from a held-out file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from netmon.compliance.engine import evaluate_rule

from .conftest import one_config

ROOT = Path(__file__).resolve().parents[2]
SKELETONS = ROOT / "tests/compliance/configs"


def skeleton(name: str) -> str:
    return (SKELETONS / name).read_text(encoding="utf-8").rstrip("\n") + "\n"


def verdict(rules, text: str, rule: str, vendor: str | None = None) -> str:
    return evaluate_rule(rules[rule], one_config(text, vendor)).result


def swap(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


# --- BD-08: a filter that denies nothing has no denied traffic to log -------------------------------

# Comware and VRP filters forward what no rule matches: an applied ACL of permit rules only denies
# nothing, so BD-08 (denied traffic logged) has nothing to judge (BD-01 carries the failure).
PERMIT_ONLY = [
    (
        "h3c_compliant.cfg",
        "h3c_comware",
        " rule 1000 deny ip logging\n",
        " rule 10 permit ip source 10.21.0.0 0.0.255.255\n",
    ),
    (
        "huawei_compliant.cfg",
        "huawei_vrp",
        " rule 1000 deny ip logging\n",
        " rule 20 permit ip source 10.21.0.0 0.0.255.255\n",
    ),
]


@pytest.mark.parametrize("name,vendor,deny,permit", PERMIT_ONLY, ids=["comware", "vrp"])
def test_a_permit_only_filter_with_unmatched_permit_leaves_bd08_not_applicable(
    rules, name: str, vendor: str, deny: str, permit: str
) -> None:
    text = skeleton(name)
    assert verdict(rules, text, "BD-08", vendor) == "PASS"
    assert verdict(rules, swap(text, deny, permit), "BD-08", vendor) == "N/A"
    # an unlogged deny still fails: something is denied and not logged
    assert verdict(rules, swap(text, deny, " rule 1000 deny ip\n"), "BD-08", vendor) == "FAIL"


def test_a_device_wide_default_deny_keeps_bd08_judged() -> None:
    from netmon.compliance import load_rules

    rules = load_rules()
    text = swap(skeleton("h3c_compliant.cfg"), " rule 1000 deny ip logging\n", " rule 10 permit ip\n")
    text = swap(text, "#\nospf 1", "#\n packet-filter default deny\n#\nospf 1")
    # the default denies and nothing logs it
    assert verdict(rules, text, "BD-08", "h3c_comware") == "FAIL"


def test_ios_implicit_deny_still_fails_a_permit_only_filter(rules) -> None:
    # IOS ends every ACL with an implicit deny: a permit-only filter denies, unlogged.
    text = skeleton("cisco_compliant.cfg")
    lines = text.split("ip access-list extended EDGE-IN\n", 1)
    body, rest = lines[1].split("!\n", 1)
    permits = "".join(ln + "\n" for ln in body.splitlines() if " deny " not in ln)
    text = lines[0] + "ip access-list extended EDGE-IN\n" + permits + "!\n" + rest
    assert verdict(rules, text, "BD-08", "cisco_ios") == "FAIL"


USG = """\
#
sysname FW
#
firewall zone trust
 set priority 85
 add interface GigabitEthernet1/0/1
#
firewall zone untrust
 set priority 5
 add interface GigabitEthernet1/0/2
#
security-policy
 default action {default}
 rule name lan-web
  source-zone trust
  destination-zone untrust
  source-address 10.1.1.0 mask 255.255.255.0
  service http
  action permit
  policy logging
#
return
"""


def test_a_usg_policy_that_denies_nothing_leaves_bd08_not_applicable(rules) -> None:
    assert verdict(rules, USG.format(default="permit"), "BD-08", "huawei_usg") == "N/A"
    # the default action denies, and no rule logs a denial
    assert verdict(rules, USG.format(default="deny"), "BD-08", "huawei_usg") == "FAIL"


# --- AU-03: a symmetric NTP peer is a time source ---------------------------------------------------

PEERS = [
    (
        "h3c_compliant.cfg",
        "h3c_comware",
        " ntp-service unicast-server 10.10.1.32 vpn-instance mgmt authentication-keyid 1\n",
        " ntp-service unicast-peer 10.10.1.32 vpn-instance mgmt authentication-keyid 1\n",
    ),
    (
        "huawei_compliant.cfg",
        "huawei_vrp",
        " ntp-service unicast-server 10.10.1.32 authentication-keyid 1\n",
        " ntp-service unicast-peer 10.10.1.32 authentication-keyid 1\n",
    ),
    ("cisco_compliant.cfg", "cisco_ios", "ntp server 10.10.1.32 key 1\n", "ntp peer 10.10.1.32 key 1\n"),
]


@pytest.mark.parametrize("name,vendor,server,peer", PEERS, ids=["comware", "vrp", "ios"])
def test_a_server_and_a_peer_are_two_time_sources(rules, name: str, vendor: str, server: str, peer: str) -> None:
    text = skeleton(name)
    assert verdict(rules, text, "AU-03", vendor) == "PASS"
    assert verdict(rules, swap(text, server, peer), "AU-03", vendor) == "PASS"
    # one source alone still warns
    assert verdict(rules, swap(text, server, ""), "AU-03", vendor) == "WARN"
    # and with NTP authentication on, a peer without a key is never synchronised to (round 25)
    unkeyed = re.sub(r" (?:authentication-keyid|key) 1\n$", "\n", peer)
    assert verdict(rules, swap(text, server, unkeyed), "AU-03", vendor) == "WARN"


# --- SN-03: a community with no ACL answers every source ---------------------------------------------


@pytest.mark.parametrize(
    "line",
    [" snmp-agent community read sec\n", " snmp-agent community read simple ops mib-view ViewDefault\n"],
    ids=["comware5", "comware7"],
)
def test_a_comware_community_without_acl_fails_sn03_beside_restricted_ones(rules, line: str) -> None:
    text = skeleton("h3c_compliant.cfg")
    assert verdict(rules, text, "SN-03", "h3c_comware") == "PASS"
    text = swap(text, " snmp-agent sys-info version v3\n", " snmp-agent sys-info version v3\n" + line)
    assert verdict(rules, text, "SN-03", "h3c_comware") == "FAIL"
    restricted = line.rstrip("\n") + " acl 2001\n"
    ok = swap(
        skeleton("h3c_compliant.cfg"),
        " snmp-agent sys-info version v3\n",
        " snmp-agent sys-info version v3\n" + restricted,
    )
    assert verdict(rules, ok, "SN-03", "h3c_comware") == "PASS"


# --- IA-05: the Comware web UI's own idle timeout ----------------------------------------------------


@pytest.mark.parametrize("minutes,expected", [(999, "WARN"), (11, "WARN"), (10, "PASS"), (5, "PASS")])
def test_a_comware_web_idle_timeout_over_ten_minutes_warns(rules, minutes: int, expected: str) -> None:
    text = skeleton("h3c_compliant.cfg")
    assert verdict(rules, text, "IA-05", "h3c_comware") == "PASS"
    text = swap(text, "#\nospf 1", f"#\n web idle-timeout {minutes}\n#\nospf 1")
    assert verdict(rules, text, "IA-05", "h3c_comware") == expected


# --- BD-07: a global 802.1X / MAC authentication / port-security switch guards no port by itself -----

# Each platform's global line only turns the feature on: a port authenticates once it enables the
# feature itself (DHCP snooping is no admission control since round 13).
GLOBAL_ONLY = [
    (
        "h3c_comware",
        "#\n sysname SW\n#\n{glob}#\ninterface GigabitEthernet1/0/1\n port access vlan 10\n{port}#\nreturn\n",
        " dot1x\n port-security enable\n mac-authentication\n",
        " dot1x\n",
    ),
    (
        "huawei_vrp",
        "#\nsysname SW\n#\n{glob}#\ninterface GigabitEthernet0/0/1\n port link-type access\n port default vlan 10\n{port}#\nreturn\n",
        "dot1x global enable\n",
        " dot1x enable\n",
    ),
    (
        "cisco_ios",
        "hostname SW\n!\n{glob}!\ninterface GigabitEthernet0/1\n switchport mode access\n switchport access vlan 10\n{port}!\nend\n",
        "dot1x system-auth-control\n",
        " authentication port-control auto\n",
    ),
    (
        "ruijie_rgos",
        "hostname SW\n!\naaa new-model\n{glob}!\ninterface GigabitEthernet 0/1\n switchport access vlan 10\n{port}!\nend\n",
        "aaa authentication dot1x default group radius\n",
        " dot1x port-control auto\n",
    ),
]


@pytest.mark.parametrize("vendor,text,glob,port", GLOBAL_ONLY, ids=[g[0] for g in GLOBAL_ONLY])
def test_a_global_admission_switch_without_port_enabling_admits_any_host(
    rules, vendor: str, text: str, glob: str, port: str
) -> None:
    assert verdict(rules, text.format(glob=glob, port=""), "BD-07", vendor) == "FAIL"
    assert verdict(rules, text.format(glob=glob, port=port), "BD-07", vendor) == "PASS"


# --- IA-07: an SSH server no account may use is no SSH management path ------------------------------


def test_a_comware_ssh_server_no_account_may_use_fails_ia07(rules) -> None:
    text = skeleton("h3c_compliant.cfg")
    assert verdict(rules, text, "IA-07", "h3c_comware") == "PASS"
    local_only = swap(text, " authentication login hwtacacs-scheme tac local\n", " authentication login local\n")
    assert verdict(rules, local_only, "IA-07", "h3c_comware") == "PASS"
    # every local account limited to Telnet/HTTP and logins not sent to an AAA server: nobody uses SSH
    no_ssh = swap(local_only, " service-type ssh terminal\n", " service-type telnet terminal\n")
    no_ssh = swap(no_ssh, " service-type ssh\n", " service-type http https\n")
    assert verdict(rules, no_ssh, "IA-07", "h3c_comware") == "FAIL"
    # the AAA server decides which services its users get: not judged unusable
    assert (
        verdict(
            rules,
            swap(text, " service-type ssh terminal\n", " service-type telnet terminal\n").replace(
                " service-type ssh\n", " service-type http https\n"
            ),
            "IA-07",
            "h3c_comware",
        )
        == "PASS"
    )


def test_a_comware_configuration_showing_no_account_is_not_judged_on_ssh_use(rules) -> None:
    text = "#\n version 7.1.070, Release 6728P22\n#\n sysname H1\n#\nline vty 0 63\n authentication-mode scheme\n#\nssh server enable\n#\nreturn\n"
    assert verdict(rules, text, "IA-07", "h3c_comware") == "PASS"
