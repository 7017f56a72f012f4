"""Kinds of miss found in held-out set 11 (tests/compliance/heldout11/CHANGES.md), each as a small
synthetic case written from the fact, never from a held-out file."""

from __future__ import annotations

import pytest

from .conftest import one_config, verdict

# --- Release: Comware 5 numbers its version in two parts and may name the edition -----------------
COMWARE_RELEASES = {
    " version 5.20, Release 3303P18, Standard": "5.20, Release 3303P18, Standard",
    " version 5.20, Release 1211": "5.20, Release 1211",
    " version 5.20.99, Release 1106": "5.20.99, Release 1106",
    " version 7.1.045, Release 2422P01": "7.1.045, Release 2422P01",
}


@pytest.mark.parametrize("line", sorted(COMWARE_RELEASES))
def test_comware_release_is_read_from_the_version_line(line: str) -> None:
    cfg = one_config(f"#\n{line}\n#\n sysname R1\n#\nreturn\n", "h3c_comware")
    assert cfg.release == COMWARE_RELEASES[line]


def test_a_two_part_comware_version_line_is_recognised_as_comware() -> None:
    text = "#\n version 5.20, Release 3303P18, Standard\n#\n sysname R1\n#\nreturn\n"
    assert one_config(text).vendor == "h3c_comware"


# --- RP-02: a BGP process whose AS number the author masked ----------------------------------------
BGP_MASKED = {
    "h3c_comware": "#\n sysname R1\n#\nbgp {asn}\n peer 10.0.0.2 as-number {asn}\n{pw}#\nreturn\n",
    "huawei_vrp": "#\nsysname R1\n#\nbgp {asn}\n peer 10.0.0.2 as-number {asn}\n{pw}#\nreturn\n",
}


@pytest.mark.parametrize("vendor", sorted(BGP_MASKED))
@pytest.mark.parametrize("asn", ["xxxx", "XXXXX", "<AS>"])
def test_bgp_with_a_masked_as_number_is_judged(rules, vendor: str, asn: str) -> None:
    text = BGP_MASKED[vendor]
    assert verdict(rules, "RP-02", text.format(asn=asn, pw=""), vendor) == "FAIL"
    pw = " peer 10.0.0.2 password cipher $c$3$abcdefgh==\n"
    assert verdict(rules, "RP-02", text.format(asn=asn, pw=pw), vendor) == "PASS"


@pytest.mark.parametrize("vendor", sorted(BGP_MASKED))
def test_bgp_with_a_numeric_as_still_judged_and_no_bgp_is_not_applicable(rules, vendor: str) -> None:
    assert verdict(rules, "RP-02", BGP_MASKED[vendor].format(asn="65001", pw=""), vendor) == "FAIL"
    assert verdict(rules, "RP-02", "#\n sysname R1\n#\nreturn\n", vendor) == "N/A"


# --- BD-01 / BD-02: 'vpn-instance NAME' narrows no address or service --------------------------------
FILTER = {
    "h3c_comware": (
        "#\n sysname R1\n#\ninterface GigabitEthernet0/1\n port link-mode route\n ip binding vpn-instance top\n"
        " ip address 10.0.0.1 255.255.255.0\n packet-filter {v6}3000 inbound\n#\ninterface GigabitEthernet0/2\n"
        " port link-mode route\n ip address 10.0.1.1 255.255.255.0\n#\nacl {v6}advanced 3000\n"
        " rule 0 permit tcp destination-port eq 22\n {rule}\n#\nreturn\n"
    ),
    "huawei_vrp": (
        "#\nsysname R1\n#\nacl {v6}number 3000\n rule 0 permit tcp destination-port eq 22\n {rule}\n#\n"
        "interface GigabitEthernet0/0/1\n ip binding vpn-instance top\n ip address 10.0.0.1 255.255.255.0\n"
        " traffic-filter inbound {v6}acl 3000\n#\ninterface GigabitEthernet0/0/2\n"
        " ip address 10.0.1.1 255.255.255.0\n#\nreturn\n"
    ),
}


def _filter(vendor: str, rule: str, v6: bool = False) -> str:
    return FILTER[vendor].format(rule=rule, v6="ipv6 " if v6 else "")


@pytest.mark.parametrize("vendor", sorted(FILTER))
def test_a_permit_all_rule_in_a_vpn_instance_is_permit_all(rules, vendor: str) -> None:
    t = _filter(vendor, "rule 100 permit ip vpn-instance top")
    assert verdict(rules, "BD-01", t, vendor) == "FAIL"
    assert verdict(rules, "BD-02", t, vendor) == "WARN"


def test_an_applied_ipv6_filter_ending_in_permit_all_is_judged(rules) -> None:
    t = _filter("h3c_comware", "rule 100 permit ipv6 vpn-instance top", v6=True)
    assert verdict(rules, "BD-01", t, "h3c_comware") == "FAIL"
    assert verdict(rules, "BD-02", t, "h3c_comware") == "WARN"


@pytest.mark.parametrize("vendor", sorted(FILTER))
def test_a_deny_all_rule_in_a_vpn_instance_is_deny_all(rules, vendor: str) -> None:
    t = _filter(vendor, "rule 100 deny ip vpn-instance top")
    assert verdict(rules, "BD-01", t, vendor) == "PASS"
    assert verdict(rules, "BD-02", t, vendor) == "PASS"


@pytest.mark.parametrize("vendor", sorted(FILTER))
def test_a_narrow_filter_ending_in_deny_all_still_passes(rules, vendor: str) -> None:
    t = _filter(vendor, "rule 100 deny ip")
    assert verdict(rules, "BD-01", t, vendor) == "PASS"
    assert verdict(rules, "BD-02", t, vendor) == "PASS"


# --- AC-02: an account name the author masked ----------------------------------------------------
MASKED_ACCOUNT = {
    "h3c_comware": "#\n sysname S1\n#\nlocal-user {n} class manage\n password hash $h$6$abc$def\n service-type ssh\n#\nreturn\n",
    "huawei_vrp": "#\nsysname R1\n#\naaa\n local-user {n} password irreversible-cipher $1a$abcdefgh$ZZZZ$\n local-user {n} privilege level 3\n#\nreturn\n",
    "cisco_ios": "hostname R1\n!\nusername {n} privilege 15 secret 9 $9$abcdefghijklmn$ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg\n!\nend\n",
}


@pytest.mark.parametrize("vendor", sorted(MASKED_ACCOUNT))
@pytest.mark.parametrize("name", ["xxx", "XXXXXXX", "<REDACTED>", "*****"])
def test_a_masked_account_name_is_review(rules, vendor: str, name: str) -> None:
    assert verdict(rules, "AC-02", MASKED_ACCOUNT[vendor].format(n=name), vendor) == "REVIEW"


@pytest.mark.parametrize("vendor", sorted(MASKED_ACCOUNT))
@pytest.mark.parametrize(("name", "want"), [("jdoe", "PASS"), ("maxx", "PASS"), ("admin", "WARN")])
def test_real_account_names_keep_their_verdicts(rules, vendor: str, name: str, want: str) -> None:
    assert verdict(rules, "AC-02", MASKED_ACCOUNT[vendor].format(n=name), vendor) == want


# --- IA-06: a Comware 5 VTY's default protocols while the Telnet server runs by default -----------
C5 = "#\n version 5.20.99, Release 2221P20\n#\n sysname S1\n{g}#\nuser-interface vty 0 4\n{v}#\nreturn\n"


@pytest.mark.parametrize("vty", ["", " authentication-mode password\n", " authentication-mode none\n"])
def test_a_comware5_vty_without_protocol_inbound_ssh_admits_telnet(rules, vty: str) -> None:
    assert verdict(rules, "IA-06", C5.format(g="", v=vty), "h3c_comware") == "FAIL"


def test_comware5_vty_ssh_only_or_telnet_server_off_passes(rules) -> None:
    assert verdict(rules, "IA-06", C5.format(g="", v=" protocol inbound ssh\n"), "h3c_comware") == "PASS"
    assert verdict(rules, "IA-06", C5.format(g=" undo telnet server enable\n", v=""), "h3c_comware") == "PASS"


def test_comware5_scheme_vty_is_judged_by_the_accounts(rules) -> None:
    acct = "local-user ops1\n password cipher $c$3$abcdefgh==\n service-type {s}\n"
    text = "#\n version 5.20.99, Release 2221P20\n#\n sysname S1\n#\n{a}#\nuser-interface vty 0 4\n authentication-mode scheme\n#\nreturn\n"
    assert verdict(rules, "IA-06", text.format(a=acct.format(s="ssh")), "h3c_comware") == "PASS"
    assert verdict(rules, "IA-06", text.format(a=acct.format(s="ssh telnet")), "h3c_comware") == "FAIL"


def test_comware7_line_vty_with_the_telnet_server_off_by_default_passes(rules) -> None:
    text = "#\n version 7.1.064, Release 6728P12\n#\n sysname R1\n#\nline vty 0 63\n authentication-mode scheme\n#\nreturn\n"
    assert verdict(rules, "IA-06", text, "h3c_comware") == "PASS"


# --- IA-08: the Comware 5 web server runs by default ---------------------------------------------
WEB = "#\n version {rel}\n#\n sysname S1\n#\n{h}local-user ops1\n password cipher $c$3$abcdefgh==\n service-type web\n#\nreturn\n"


def test_comware5_web_account_without_undo_ip_http_fails(rules) -> None:
    assert verdict(rules, "IA-08", WEB.format(rel="5.20.99, Release 2221P20", h=""), "h3c_comware") == "FAIL"


def test_comware5_with_http_off_passes_and_comware7_stays_unknown(rules) -> None:
    off = WEB.format(rel="5.20.99, Release 2221P20", h=" undo ip http enable\n#\n")
    assert verdict(rules, "IA-08", off, "h3c_comware") == "PASS"
    assert verdict(rules, "IA-08", WEB.format(rel="7.1.064, Release 6728P12", h=""), "h3c_comware") == "REVIEW"
