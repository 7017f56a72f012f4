"""Kinds of miss found in held-out set 3 (tests/compliance/heldout3/CHANGES.md), each as a small
synthetic weak/sound pair written from the fact, never from a held-out file."""

from __future__ import annotations

from .conftest import verdict

IOS = "version 15.2\nservice timestamps log datetime\nhostname R1\n!\n{body}!\nend\n"
VRP = "!Software Version {rel}\n#\nsysname T1\n#\n{body}#\nreturn\n"
H3C7 = "#\n version 7.1.070, Release 6728P22\n#\n sysname H1\n#\n{body}#\nreturn\n"
RGOS = "version RGOS 10.3(4b10), Release(164555)\nhostname EG1\n!\nsysmac 00d0.f822.1234\n!\n{body}!\nend\n"


# --- BD-06: a switch whose only address is its management interface routes nothing ---------------


def test_ios_switch_with_only_a_management_svi_routes_nothing(rules) -> None:
    ports = "interface GigabitEthernet0/1\n switchport mode access\n!\n"
    svi = "interface Vlan1\n{d} ip address 192.0.2.5 255.255.255.0\n!\nip route 0.0.0.0 0.0.0.0 192.0.2.1\n"
    mgmt = IOS.format(body=ports + svi.format(d=" description MGMT\n"))
    user = IOS.format(body=ports + svi.format(d=" description users\n"))
    assert verdict(rules, "BD-06", mgmt, "cisco_ios") == "N/A"
    # Round 6 BD-06 convention (heldout4/CHANGES.md): any lone addressed interface routes nothing
    # between networks (every route points back out of it), described as management or not.
    assert verdict(rules, "BD-06", user, "cisco_ios") == "N/A"
    # A second routed interface beside it: the device routes.
    routed = IOS.format(
        body=ports
        + svi.format(d=" description MGMT\n")
        + "interface Vlan20\n ip address 198.51.100.1 255.255.255.0\n!\n"
    )
    assert verdict(rules, "BD-06", routed, "cisco_ios") == "FAIL"


def test_vrp_and_comware_switch_with_only_a_management_vlan_interface_route_nothing(rules) -> None:
    vrp = "interface Vlanif10\n description {d}\n ip address 192.0.2.5 255.255.255.0\n"
    assert (
        verdict(rules, "BD-06", VRP.format(rel="V200R019C10", body=vrp.format(d="management")), "huawei_vrp") == "N/A"
    )
    assert verdict(rules, "BD-06", VRP.format(rel="V200R019C10", body=vrp.format(d="servers")), "huawei_vrp") == "N/A"
    h3c = "interface Vlan-interface1\n description {d}\n ip address 192.0.2.5 255.255.255.0\n"
    assert verdict(rules, "BD-06", H3C7.format(body=h3c.format(d="OAM")), "h3c_comware") == "N/A"
    assert verdict(rules, "BD-06", H3C7.format(body=h3c.format(d="servers")), "h3c_comware") == "N/A"  # round 6


# --- BD-07: a switch's ports switch by default even when no port says so --------------------------


def test_ios_switch_ports_without_lines_are_access_ports(rules) -> None:
    ports = "".join(f"interface GigabitEthernet0/{i}\n negotiation auto\n!\n" for i in range(3))
    svi = "interface Vlan1\n ip address 192.0.2.5 255.255.255.0\n!\n"
    switch = IOS.format(body="spanning-tree mode pvst\nspanning-tree extend system-id\n!\n" + ports + svi)
    router = IOS.format(body=ports + svi)
    assert verdict(rules, "BD-07", switch, "cisco_ios") == "FAIL"
    assert verdict(rules, "BD-07", router, "cisco_ios") == "N/A"
    guarded = IOS.format(body="spanning-tree mode pvst\n!\nip dhcp snooping\n!\n" + ports + svi)
    # Round 13 convention: DHCP snooping admits any host that asks for an address (no admission control).
    assert verdict(rules, "BD-07", guarded, "cisco_ios") == "FAIL"


def test_comware_switch_ports_without_lines_are_access_ports(rules) -> None:
    ports = "".join(f"interface GigabitEthernet1/0/{i}\n#\n" for i in range(1, 4))
    switch = H3C7.format(body=" stp global enable\n#\n" + ports)
    router = H3C7.format(body=ports)
    assert verdict(rules, "BD-07", switch, "h3c_comware") == "FAIL"
    assert verdict(rules, "BD-07", router, "h3c_comware") == "N/A"


# --- BD-07: a port carrying Layer-3 sub-interfaces is routed ----------------------------------------


def test_vrp_port_with_dot1q_subinterfaces_is_no_access_port(rules) -> None:
    sub = (
        "interface GigabitEthernet0/0/0\n#\ninterface GigabitEthernet0/0/0.1\n dot1q termination vid 1\n"
        " ip address 10.0.1.1 255.255.255.0\n#\n"
    )
    wan = "interface GigabitEthernet0/0/1\n ip address 192.0.2.1 255.255.255.0\n#\n"
    routed = VRP.format(rel="V200R003C00", body=sub + wan)
    assert verdict(rules, "BD-07", routed, "huawei_vrp") == "N/A"
    # The same router with a port that carries nothing at all: whether it switches is not shown.
    bare = VRP.format(rel="V200R003C00", body=sub + wan + "interface GigabitEthernet0/0/2\n#\n")
    assert verdict(rules, "BD-07", bare, "huawei_vrp") == "REVIEW"


def test_rgos_port_with_subinterfaces_is_no_access_port(rules) -> None:
    sub = (
        "interface GigabitEthernet 0/0\n!\ninterface GigabitEthernet 0/0.10\n encapsulation dot1Q 10\n"
        " ip address 10.0.10.1 255.255.255.0\n!\n"
    )
    wan = "interface GigabitEthernet 0/1\n ip address 192.0.2.1 255.255.255.0\n!\n"
    assert verdict(rules, "BD-07", RGOS.format(body=sub + wan), "ruijie_rgos") == "N/A"


# --- CIS-01: a software licence notice is no access warning ----------------------------------------

LICENCE = (
    "* This software is strictly limited to use for evaluation and education. Any use or *\n"
    "* disclosure of the Software to any third party is prohibited except as authorized. *\n"
)


def test_ios_licence_banner_is_no_access_warning(rules) -> None:
    licence = IOS.format(body="banner login ^C\n" + LICENCE + "^C\n")
    warning = IOS.format(body="banner login ^C\nAuthorized access only. This system is monitored.\n^C\n")
    both = IOS.format(body="banner login ^C\n" + LICENCE + "Access to this device is monitored.\n^C\n")
    assert verdict(rules, "CIS-01", licence, "cisco_ios") == "WARN"
    assert verdict(rules, "CIS-01", warning, "cisco_ios") == "PASS"
    assert verdict(rules, "CIS-01", both, "cisco_ios") == "PASS"


def test_vrp_licence_header_is_no_access_warning(rules) -> None:
    lic = 'header login information "Licensed software: use is prohibited except as authorized by the vendor"\n'
    ok = 'header login information "Unauthorized access to this device is prohibited"\n'
    assert verdict(rules, "CIS-01", VRP.format(rel="V200R019C10", body=lic), "huawei_vrp") == "WARN"
    assert verdict(rules, "CIS-01", VRP.format(rel="V200R019C10", body=ok), "huawei_vrp") == "PASS"


# --- IA-10: password authentication with no password set -------------------------------------------


def test_vrp_console_password_mode_without_password_is_not_shown(rules) -> None:
    bare = "user-interface con 0\n authentication-mode password\n"
    set_ = bare + " set authentication password cipher %^%#abc%^%#\n"
    for rel, vendor in (("V200R003C00", "huawei_vrp"), ("V200R019C10", "huawei_vrp"), ("V300R019C10", "huawei_ce")):
        assert verdict(rules, "IA-10", VRP.format(rel=rel, body=bare), vendor) == "REVIEW"
        assert verdict(rules, "IA-10", VRP.format(rel=rel, body=set_), vendor) == "PASS"


def test_comware_console_password_mode_without_password_is_not_shown(rules) -> None:
    bare = "line aux 0\n authentication-mode password\n"
    set_ = bare + " set authentication password hash $h$6$abc\n"
    assert verdict(rules, "IA-10", H3C7.format(body=bare), "h3c_comware") == "REVIEW"
    assert verdict(rules, "IA-10", H3C7.format(body=set_), "h3c_comware") == "PASS"


# --- IA-01 convention: a salted but weak hash is WARN, a strong one PASS ----------------------------


def test_ios_weak_hashes_warn_strong_ones_pass(rules) -> None:
    def ios(line: str) -> str:
        return IOS.format(body=line + "\n")

    assert verdict(rules, "IA-01", ios("enable secret 5 $1$abcd$0123456789abcdefghijk."), "cisco_ios") == "WARN"
    assert verdict(rules, "IA-01", ios("username admin secret 5 $1$abcd$0123456789abc"), "cisco_ios") == "WARN"
    assert (
        verdict(rules, "IA-01", ios("enable secret 4 tnhtc92DXBhelxjYk8LWJrPV36S2i4ntXrpb4RFmfqY"), "cisco_ios")
        == "WARN"
    )
    assert verdict(rules, "IA-01", ios("username admin secret 4 tnhtc92DXBhelxjYk8LWJrPV"), "cisco_ios") == "WARN"
    assert verdict(rules, "IA-01", ios("enable secret 9 $9$abcdefgh$ijklmnopqrstuvwxyz"), "cisco_ios") == "PASS"
    assert verdict(rules, "IA-01", ios("username admin secret 8 $8$abcdefgh$ijklmnopq"), "cisco_ios") == "PASS"


def test_rgos_md5_secret_warns(rules) -> None:
    text = RGOS.format(body="enable secret 5 $1$abcd$0123456789abcdefghijk.\n")
    assert verdict(rules, "IA-01", text, "ruijie_rgos") == "WARN"


def test_rgos_md5_secret_of_an_account_without_privilege_warns(rules) -> None:
    # 'username NAME secret 5 ...' with nothing between the name and 'secret' is the same hash.
    text = RGOS.format(body="username admin secret 5 $1$abcd$0123456789abcdefghijk.\n")
    assert verdict(rules, "IA-01", text, "ruijie_rgos") == "WARN"
