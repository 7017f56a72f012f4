"""Kinds of miss found in held-out sets 9 and 10 (tests/compliance/heldout10/CHANGES.md), each as a
small synthetic case written from the fact, never from a held-out file."""

from __future__ import annotations

import pytest

from .conftest import verdict

# --- BD-06: uRPF where nothing is routed ----------------------------------------------------------
# Interfaces are shown and none has an address: nothing is routed between networks, so uRPF (or an
# IP source guard) on them checks nothing: N/A, as with no uRPF at all (round 2 convention).
URPF_UNADDRESSED = {
    "huawei_vrp": "#\nsysname R1\n#\ninterface GigabitEthernet0/0/1\n undo portswitch\n urpf strict\n#\nreturn\n",
    "huawei_ce": "#\nsysname R1\n#\ninterface 100GE1/0/2\n undo portswitch\n ip urpf enable\n ip urpf strict\n#\nreturn\n",
    "h3c_comware": "#\n sysname R1\n#\ninterface GigabitEthernet1/0/1\n port link-mode route\n ip urpf strict\n#\nreturn\n",
    "cisco_ios": "hostname R1\n!\ninterface GigabitEthernet0/1\n no switchport\n ip verify unicast source reachable-via rx\n!\nend\n",
}


@pytest.mark.parametrize("vendor", sorted(URPF_UNADDRESSED))
def test_urpf_on_unaddressed_ports_only_is_not_applicable(rules, vendor: str) -> None:
    assert verdict(rules, "BD-06", URPF_UNADDRESSED[vendor], vendor) == "N/A"


def test_urpf_on_addressed_ports_still_passes_and_missing_urpf_still_fails(rules) -> None:
    two = (
        "#\nsysname R1\n#\ninterface GigabitEthernet0/0/1\n undo portswitch\n ip address 10.0.0.1 255.255.255.0\n{u}"
        "#\ninterface GigabitEthernet0/0/2\n undo portswitch\n ip address 10.0.1.1 255.255.255.0\n{u}#\nreturn\n"
    )
    assert verdict(rules, "BD-06", two.format(u=" urpf strict\n"), "huawei_vrp") == "PASS"
    assert verdict(rules, "BD-06", two.format(u=""), "huawei_vrp") == "FAIL"


# --- BD-07: IP source guard with static bindings admits only the bound hosts ------------------------
IPSG = {
    "huawei_ce": (
        "#\nsysname S1\n#\n{b}#\ninterface 100GE1/0/1\n ipv4 source check user-bind enable\n#\n"
        "interface 100GE1/0/2\n ipv4 source check user-bind enable\n#\nreturn\n",
        "user-bind static ip-address 10.0.0.1 mac-address 00e0-fc12-3456\n",
    ),
    "huawei_vrp": (
        "#\nsysname S1\n#\n{b}#\ninterface GigabitEthernet0/0/1\n port link-type access\n"
        " ip source check user-bind enable\n#\nreturn\n",
        "user-bind static ip-address 10.0.0.1 mac-address 00e0-fc12-3456\n",
    ),
    "cisco_ios": (
        "hostname S1\n!\nspanning-tree mode rapid-pvst\n!\n{b}!\ninterface GigabitEthernet0/1\n"
        " switchport mode access\n ip verify source\n!\nend\n",
        "ip source binding 0011.2233.4455 vlan 10 10.0.0.1 interface Gi0/1\n",
    ),
    "h3c_comware": (
        "#\n sysname S1\n#\n stp global enable\n#\ninterface GigabitEthernet1/0/1\n port access vlan 10\n"
        " ip verify source ip-address mac-address\n{b}#\nreturn\n",
        " ip source binding ip-address 10.0.0.1 mac-address 0011-2233-4455\n",
    ),
    "ruijie_rgos": (
        "hostname S1\n!\n{b}!\ninterface GigabitEthernet 0/1\n switchport access vlan 10\n ip verify source\n!\nend\n",
        "ip source binding 0011.2233.4455 vlan 10 10.0.0.1 interface GigabitEthernet 0/1\n",
    ),
}


@pytest.mark.parametrize("vendor", sorted(IPSG))
def test_ip_source_guard_with_static_bindings_is_admission_control(rules, vendor: str) -> None:
    text, binding = IPSG[vendor]
    assert verdict(rules, "BD-07", text.format(b=binding), vendor) == "PASS"


@pytest.mark.parametrize("vendor", sorted(IPSG))
def test_ip_source_guard_with_no_binding_shown_is_no_admission_control(rules, vendor: str) -> None:
    text, _ = IPSG[vendor]
    assert verdict(rules, "BD-07", text.format(b=""), vendor) == "FAIL"


# --- AC-01: a VTY whose login mode is the release default -----------------------------------------
# Named account with an explicit level and console AAA: the VTYs decide. One that sets no mode, or
# the default vty 0-4 when no VTY is shown, logs in by an unknown release default: REVIEW.
ACCOUNT = (
    "#\naaa\n local-user ops1 password irreversible-cipher $1a$abcdefgh$ZZZZ$\n local-user ops1 privilege level 3\n"
)
CONSOLE = "#\nuser-interface con 0\n authentication-mode aaa\n"


@pytest.mark.parametrize("vendor", ["huawei_vrp", "huawei_ce"])
def test_no_vty_shown_leaves_their_login_mode_to_the_release(rules, vendor: str) -> None:
    assert verdict(rules, "AC-01", ACCOUNT + CONSOLE + "#\nreturn\n", vendor) == "REVIEW"


@pytest.mark.parametrize("vendor", ["huawei_vrp", "huawei_ce"])
def test_a_vty_range_without_a_mode_is_the_release_default(rules, vendor: str) -> None:
    vty = "user-interface vty 0\n authentication-mode aaa\nuser-interface vty 1 4\n"
    assert verdict(rules, "AC-01", ACCOUNT + CONSOLE + vty + "#\nreturn\n", vendor) == "REVIEW"


@pytest.mark.parametrize("vendor", ["huawei_vrp", "huawei_ce", "huawei_usg"])
def test_vtys_with_aaa_pass_and_the_bare_nms_vtys_16_20_do_not_count(rules, vendor: str) -> None:
    vty = "user-interface vty 0 4\n authentication-mode aaa\nuser-interface vty 16 20\n"
    assert verdict(rules, "AC-01", ACCOUNT + CONSOLE + vty + "#\nreturn\n", vendor) == "PASS"


def test_a_vty_with_a_shared_password_still_fails(rules) -> None:
    vty = "user-interface vty 0 4\n authentication-mode password\n"
    assert verdict(rules, "AC-01", ACCOUNT + CONSOLE + vty + "#\nreturn\n", "huawei_vrp") == "FAIL"


# --- AC-02: an account named after a network vendor is a generic name -------------------------------
# The rule names "cisco" and "huawei" as first guesses: a maker's name is one whether or not a product
# ships it as a factory account (round 11 convention).
VENDOR_ACCOUNT = {
    "h3c_comware": "#\n sysname S1\n#\nlocal-user {n} class manage\n password hash $h$6$abc$def\n service-type ssh\n#\nreturn\n",
    "huawei_vrp": "#\nsysname R1\n#\naaa\n local-user {n} password irreversible-cipher $1a$abcdefgh$ZZZZ$\n local-user {n} privilege level 3\n#\nreturn\n",
    "cisco_ios": "hostname R1\n!\nusername {n} privilege 15 secret 9 $9$abcdefghijklmn$ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg\n!\nend\n",
}


@pytest.mark.parametrize("vendor", sorted(VENDOR_ACCOUNT))
@pytest.mark.parametrize("name", ["hp", "hpe", "juniper", "arista2"])
def test_an_account_named_after_a_network_vendor_warns(rules, vendor: str, name: str) -> None:
    assert verdict(rules, "AC-02", VENDOR_ACCOUNT[vendor].format(n=name), vendor) == "WARN"


@pytest.mark.parametrize("vendor", sorted(VENDOR_ACCOUNT))
def test_a_personal_account_name_still_passes(rules, vendor: str) -> None:
    assert verdict(rules, "AC-02", VENDOR_ACCOUNT[vendor].format(n="jdoe"), vendor) == "PASS"
