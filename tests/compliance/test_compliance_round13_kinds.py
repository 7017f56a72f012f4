"""Kinds of miss found in held-out sets 11 and 12 (tests/compliance/heldout12/CHANGES.md), each as a
small synthetic case written from the fact, never from a held-out file."""

from __future__ import annotations

import pytest

from .conftest import verdict

USG = "#\nsysname FW\n#\n{body}#\nreturn\n"

# --- IA-04: a USG locks administrators out with the aaa view's 'lock-authentication' --------------
LOCK = "aaa\n manager-user ops\n  level 15\n{lock}#\n"


@pytest.mark.parametrize(
    ("lock", "want"),
    [
        (" lock-authentication failed-count 5\n lock-authentication timeout 60\n", "PASS"),  # failing on main
        (" lock-authentication failed-count 3\n", "PASS"),  # failing on main
        (" undo lock-authentication enable\n", "FAIL"),  # failing on main
        ("", "REVIEW"),  # control: release default unknown, on both
        (" local-aaa-user wrong-password retry-interval 5 retry-time 9 block-time 10\n", "FAIL"),  # control
    ],
)
def test_usg_administrator_lockout_is_read(rules, lock: str, want: str) -> None:
    assert verdict(rules, "IA-04", USG.format(body=LOCK.format(lock=lock)), "huawei_usg") == want


# --- MG-02: 'undo service-manage enable' hands the device's services to a default-permit policy ----
def _mgmt(service: str, policy: str, vpn: str = "") -> str:
    return USG.format(
        body=(
            f"interface GigabitEthernet0/0/0\n{vpn} ip address 192.168.0.1 255.255.255.0\n#\n"
            f"interface GigabitEthernet1/0/0\n ip address 198.51.100.2 255.255.255.252\n{service}#\n"
            f"security-policy\n default action {policy}\n#\n"
        )
    )


def test_usg_management_open_through_default_permit_fails(rules) -> None:
    assert verdict(rules, "MG-02", _mgmt(" undo service-manage enable\n", "permit"), "huawei_usg") == "FAIL"


@pytest.mark.parametrize(
    ("service", "policy", "vpn", "want"),
    [
        (" undo service-manage enable\n", "deny", "", "REVIEW"),  # the policy decides, and denies by default
        (" service-manage ssh permit\n", "permit", "", "REVIEW"),  # interface access control stays on
        (" undo service-manage enable\n", "permit", " ip binding vpn-instance default\n", "PASS"),  # management VPN
    ],
)
def test_usg_management_controls(rules, service: str, policy: str, vpn: str, want: str) -> None:
    assert verdict(rules, "MG-02", _mgmt(service, policy, vpn), "huawei_usg") == want


# --- BD-07: a USG's switched trunk is no access port -------------------------------------------------
def test_usg_switched_trunk_is_no_access_port(rules) -> None:
    trunk = "interface GigabitEthernet1/0/2\n portswitch\n port link-type trunk\n port trunk permit vlan all\n#\n"
    # manager-user and service-manage tell a USG from a Comware switch (trunk lines alone look H3C).
    routed = "aaa\n manager-user ops\n#\ninterface GigabitEthernet1/0/1\n ip address 10.0.0.1 255.255.255.0\n service-manage ssh permit\n#\n"
    assert verdict(rules, "BD-07", USG.format(body=routed + trunk), "huawei_usg") == "N/A"  # failing on main
    access = "interface GigabitEthernet1/0/3\n portswitch\n port default vlan 10\n#\n"
    assert verdict(rules, "BD-07", USG.format(body=routed + trunk + access), "huawei_usg") == "FAIL"  # control


# --- BD-07: DHCP snooping admits any host that asks for an address (round 13 convention) ----------
SNOOPING = [
    (
        "cisco_ios",
        "hostname SW\n!\nspanning-tree mode pvst\n!\nip dhcp snooping\n!\n{glob}"
        "interface GigabitEthernet0/1\n switchport mode access\n switchport access vlan 10\n{port}!\nend\n",
        " switchport port-security\n",
    ),
    (
        "h3c_comware",
        # 802.1X on globally too: a port's 'dot1x' works only then (round 28)
        "#\n sysname SW\n#\n dhcp snooping enable\n dot1x\n#\n{glob}interface GigabitEthernet1/0/1\n port access vlan 10\n{port}#\nreturn\n",
        " dot1x\n",
    ),
    (
        "huawei_vrp",
        "#\nsysname SW\n#\ndhcp enable\ndhcp snooping enable\n#\n{glob}interface GigabitEthernet0/0/1\n port link-type access\n"
        " port default vlan 10\n{port}#\nreturn\n",
        " port-security enable\n",
    ),
    (
        "ruijie_rgos",
        "hostname SW\n!\nip dhcp snooping\n!\n{glob}interface GigabitEthernet 0/1\n switchport access vlan 10\n{port}!\nend\n",
        " dot1x port-control auto\n",
    ),
]


@pytest.mark.parametrize(("vendor", "text", "port"), SNOOPING, ids=[s[0] for s in SNOOPING])
def test_dhcp_snooping_is_no_admission_control(rules, vendor: str, text: str, port: str) -> None:
    # Failing on main (snooping alone passed); the port-level control passes on both.
    assert verdict(rules, "BD-07", text.format(glob="", port=""), vendor) == "FAIL"
    assert verdict(rules, "BD-07", text.format(glob="", port=port), vendor) == "PASS"


ZXAN = "hostname OLT\n!\ninterface gpon-onu_1/1/1:1\n sn-bind enable sn\n!\n{body}end\n"


def test_zte_olt_snooping_leaves_the_hosts_behind_onus_unchecked(rules) -> None:
    assert verdict(rules, "BD-07", ZXAN.format(body="ip dhcp snooping enable\n"), "zte_zxros") == "WARN"  # main: PASS
    assert verdict(rules, "BD-07", ZXAN.format(body="port-security enable\n"), "zte_zxros") == "PASS"  # control


# --- BD-07: a fat AP's open SSID is an access port for anyone in radio range -----------------------
AP5 = (
    "#\n version 5.20, Release 1110P01\n#\n sysname AP\n#\n"
    "wlan service-template 1 {mode}\n ssid OPEN\n{extra} service-template enable\n#\n"
    "interface Vlan-interface1\n ip address 172.16.1.1 255.255.255.0\n#\n"
    "interface WLAN-BSS1\n{bss}#\n"
    "interface WLAN-Radio1/0/2\n{shut} service-template 1 interface wlan-bss 1\n#\nreturn\n"
)


def test_comware_open_ssid_fails_admission(rules) -> None:
    text = AP5.format(mode="clear", extra="", bss="", shut="")
    assert verdict(rules, "BD-07", text, "h3c_comware") == "FAIL"  # failing on main (N/A)


@pytest.mark.parametrize(
    ("mode", "bss", "shut", "want"),
    [
        # Round 15: an encrypted template whose BSS authenticates nobody admits whoever holds the key.
        ("crypto", " port-security port-mode psk\n", "", "FAIL"),
        ("crypto", " port-security port-mode userlogin-secure-ext\n", "", "PASS"),  # 802.1X per station
        ("clear", " port-security port-mode mac-authentication\n", "", "PASS"),  # the BSS authenticates stations
        ("clear", "", " shutdown\n", "N/A"),  # the radio is off
    ],
)
def test_comware_ssid_controls(rules, mode: str, bss: str, shut: str, want: str) -> None:
    assert verdict(rules, "BD-07", AP5.format(mode=mode, extra="", bss=bss, shut=shut), "h3c_comware") == want


def test_comware7_template_without_security_is_open(rules) -> None:
    tpl = "#\n sysname AP\n#\nwlan service-template OPEN\n ssid OPEN\n{sec} service-template enable\n#\n"
    radio = "interface WLAN-Radio1/0/1\n service-template OPEN\n#\nreturn\n"
    assert verdict(rules, "BD-07", tpl.format(sec="") + radio, "h3c_comware") == "FAIL"  # failing on main
    secured = tpl.format(sec=" akm mode dot1x\n cipher-suite ccmp\n") + radio
    assert verdict(rules, "BD-07", secured, "h3c_comware") == "PASS"  # control: 802.1X per station
