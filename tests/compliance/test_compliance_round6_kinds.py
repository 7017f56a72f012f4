"""Kinds of miss found in held-out set 4 (tests/compliance/heldout4/CHANGES.md), each as a small
synthetic weak/sound pair written from the fact on every dialect where the same question arises,
never from a held-out file."""

from __future__ import annotations

import pytest

from .conftest import verdict

IOS = "version 15.2\nservice timestamps log datetime\nhostname R1\n!\n{body}!\nend\n"
VRP = "!Software Version V200R019C10SPC500\n#\nsysname T1\n#\n{body}#\nreturn\n"
H3C7 = "#\n version 7.1.070, Release 6728P22\n#\n sysname H1\n#\n{body}#\nreturn\n"
RGOS = "version RGOS 10.3(4b10), Release(164555)\nhostname EG1\n!\nsysmac 00d0.f822.1234\n!\n{body}!\nend\n"
ZXAN = (
    "Building configuration...\n!\nadd-rack rackno 1 racktype C300Rack\n!\ninterface gei_1/3/1\n no shutdown\n!\n"
    "version V4.8.01\n!\nhostname OLT1\n!\n{body}!\nend\n"
)


# --- CIS-01: a software licence notice is no authorised-use warning ---------------------------------

LICENCE = (
    "Supplemental End User License Restrictions. This software is provided AS-IS without warranty; "
    "unauthorized use or distribution of this software is expressly prohibited."
)
ACCESS = "Authorized access only. All activity on this device is monitored and logged."


@pytest.mark.parametrize(
    ("wrap", "vendor"),
    [
        (lambda t: IOS.format(body=f"banner login ^C\n{t}\n^C\n"), "cisco_ios"),
        (lambda t: VRP.format(body=f'header login information "{t}"\n'), "huawei_vrp"),
        (lambda t: H3C7.format(body=f" header login %{t}%\n"), "h3c_comware"),
    ],
    ids=["ios", "vrp", "comware"],
)
def test_licence_banner_is_no_access_warning(rules, wrap, vendor: str) -> None:
    assert verdict(rules, "CIS-01", wrap(LICENCE), vendor) == "WARN"
    assert verdict(rules, "CIS-01", wrap(ACCESS), vendor) == "PASS"


# --- IA-10: password authentication on a console that has no password --------------------------------


@pytest.mark.parametrize(
    ("text", "vendor"),
    [
        (VRP.format(body="user-interface con 0\n authentication-mode password\n{pw}"), "huawei_vrp"),
        (H3C7.format(body="line aux 0\n authentication-mode password\n{pw}"), "h3c_comware"),
    ],
    ids=["vrp", "comware"],
)
def test_console_password_mode_without_a_password_is_review(rules, text: str, vendor: str) -> None:
    bare = text.replace("{pw}", "")
    set_ = text.replace("{pw}", " set authentication password cipher $c$3$abcdefghijklmnop==\n")
    assert verdict(rules, "IA-10", bare, vendor) == "REVIEW"
    assert verdict(rules, "IA-10", set_, vendor) == "PASS"


# --- AC-02: another vendor's factory account name -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "vendor"),
    [
        (IOS.format(body="username {n} privilege 15 secret 9 $9$abc$def\n"), "cisco_ios"),
        (
            VRP.format(
                body="aaa\n local-user {n} password irreversible-cipher $1a$abc$\n local-user {n} privilege level 3\n"
            ),
            "huawei_vrp",
        ),
        (
            H3C7.format(body="local-user {n} class manage\n authorization-attribute user-role network-admin\n"),
            "h3c_comware",
        ),
        (RGOS.format(body="username {n} privilege 15 secret 5 $1$abc$def\n"), "ruijie_rgos"),
        (ZXAN.format(body="username {n} password 7 abcdef privilege 15\n"), "zte_zxros"),
    ],
    ids=["ios", "vrp", "comware", "rgos", "zxan"],
)
@pytest.mark.parametrize("name", ["cumulus", "vyos", "ubnt"])
def test_any_vendors_factory_account_name_warns(rules, text: str, vendor: str, name: str) -> None:
    assert verdict(rules, "AC-02", text.format(n=name), vendor) == "WARN"
    assert verdict(rules, "AC-02", text.format(n="netops7"), vendor) == "PASS"


# --- BD-06: one addressed interface routes nothing between networks ----------------------------------


@pytest.mark.parametrize(
    ("one", "shut", "second", "vendor"),
    [
        (
            IOS.format(body="interface GigabitEthernet1\n ip address 10.0.0.2 255.255.255.0\n{x}"),
            "interface GigabitEthernet2\n ip address 10.0.1.2 255.255.255.0\n shutdown\n",
            "interface Tunnel0\n ip address 10.9.9.1 255.255.255.252\n",
            "cisco_ios",
        ),
        (
            VRP.format(body="interface Vlanif10\n ip address 10.0.0.2 255.255.255.0\n#\n{x}"),
            "interface Vlanif20\n ip address 10.0.1.2 255.255.255.0\n shutdown\n",
            "interface Vlanif20\n ip address 10.0.1.2 255.255.255.0\n",
            "huawei_vrp",
        ),
        (
            H3C7.format(body="interface Vlan-interface10\n ip address 10.0.0.2 255.255.255.0\n#\n{x}"),
            "interface Vlan-interface20\n ip address 10.0.1.2 255.255.255.0\n shutdown\n",
            "interface Vlan-interface20\n ip address 10.0.1.2 255.255.255.0\n",
            "h3c_comware",
        ),
    ],
    ids=["ios", "vrp", "comware"],
)
def test_one_addressed_interface_routes_nothing(rules, one: str, shut: str, second: str, vendor: str) -> None:
    assert verdict(rules, "BD-06", one.replace("{x}", ""), vendor) == "N/A"
    assert verdict(rules, "BD-06", one.replace("{x}", shut), vendor) == "N/A"  # a shut interface routes nothing
    assert verdict(rules, "BD-06", one.replace("{x}", second), vendor) == "FAIL"  # a second network (a tunnel too)


# --- BD-07: admission control on some access ports only ---------------------------------------------


@pytest.mark.parametrize(
    ("guarded", "open_", "shut", "vendor"),
    [
        (
            "interface GigabitEthernet0/1\n switchport mode access\n switchport port-security\n",
            "interface GigabitEthernet0/2\n switchport mode access\n",
            "interface GigabitEthernet0/2\n switchport mode access\n shutdown\n",
            "cisco_ios",
        ),
        (
            "interface GigabitEthernet0/0/1\n port link-type access\n port-security enable\n#\n",
            "interface GigabitEthernet0/0/2\n port link-type access\n#\n",
            "interface GigabitEthernet0/0/2\n port link-type access\n shutdown\n#\n",
            "huawei_vrp",
        ),
    ],
    ids=["ios", "vrp"],
)
def test_admission_on_some_access_ports_only_warns(rules, guarded: str, open_: str, shut: str, vendor: str) -> None:
    tpl = IOS if vendor == "cisco_ios" else VRP
    assert verdict(rules, "BD-07", tpl.format(body=guarded + open_), vendor) == "WARN"
    assert verdict(rules, "BD-07", tpl.format(body=guarded + shut), vendor) == "PASS"  # a shut port admits nobody
    assert verdict(rules, "BD-07", tpl.format(body=guarded), vendor) == "PASS"


# --- RP-01: clear-text OSPF authentication -----------------------------------------------------------


@pytest.mark.parametrize(
    ("tpl", "vendor"),
    [
        (lambda a: VRP.format(body=f"ospf 1\n area 0.0.0.0\n  {a}\n  network 10.0.0.0 0.0.0.255\n"), "huawei_vrp"),
        (lambda a: H3C7.format(body=f"ospf 1\n area 0.0.0.0\n  {a}\n  network 10.0.0.0 0.0.0.255\n"), "h3c_comware"),
    ],
    ids=["vrp", "comware"],
)
def test_clear_text_ospf_area_authentication_fails(rules, tpl, vendor: str) -> None:
    assert verdict(rules, "RP-01", tpl("authentication-mode simple plain K3y"), vendor) == "FAIL"
    assert verdict(rules, "RP-01", tpl("authentication-mode md5 1 cipher K3y"), vendor) == "WARN"
    assert verdict(rules, "RP-01", tpl("authentication-mode hmac-sha256 1 cipher K3y"), vendor) == "PASS"


def test_clear_text_ospf_interface_authentication_fails(rules) -> None:
    base = "interface GigabitEthernet0/0\n ip address 10.0.0.1 255.255.255.0\n{a}!\nrouter ospf 1\n network 10.0.0.0 0.0.0.255 area 0\n"
    vrp = "interface Vlanif10\n ip address 10.0.0.1 255.255.255.0\n ospf authentication-mode {a}\n#\nospf 1\n area 0.0.0.0\n  network 10.0.0.0 0.0.0.255\n"
    assert verdict(rules, "RP-01", IOS.format(body=base.format(a=" ip ospf authentication\n")), "cisco_ios") == "FAIL"
    assert verdict(rules, "RP-01", VRP.format(body=vrp.format(a="simple plain K3y")), "huawei_vrp") == "FAIL"
    assert verdict(rules, "RP-01", VRP.format(body=vrp.format(a="hmac-sha256 1 cipher K3y")), "huawei_vrp") == "PASS"


# --- BD-01: deny lists are no default deny -----------------------------------------------------------


def test_permit_from_the_own_subnet_to_anywhere_is_a_deny_list(rules) -> None:
    acl = "ip access-list extended USERS\n deny ip 10.1.10.0 0.0.0.255 10.1.20.0 0.0.0.255\n permit ip {src} {dst}\n"
    ifc = "interface GigabitEthernet0/0.10\n encapsulation dot1Q 10\n ip address 10.1.10.1 255.255.255.0\n ip access-group USERS in\n"
    weak = IOS.format(body=acl.format(src="10.1.10.0 0.0.0.255", dst="any") + ifc)
    wider = IOS.format(body=acl.format(src="10.0.0.0 0.255.255.255", dst="any") + ifc)
    sound = IOS.format(body=acl.format(src="10.1.10.0 0.0.0.255", dst="10.9.0.0 0.0.255.255") + ifc)
    other = IOS.format(body=acl.format(src="10.1.30.0 0.0.0.255", dst="any") + ifc)  # not the subnet behind it
    assert verdict(rules, "BD-01", weak, "cisco_ios") == "FAIL"
    assert verdict(rules, "BD-01", wider, "cisco_ios") == "FAIL"
    assert verdict(rules, "BD-01", sound, "cisco_ios") == "PASS"
    assert verdict(rules, "BD-01", other, "cisco_ios") == "PASS"
    rgos = "ip access-list extended USERS\n permit ip 10.1.10.0 0.0.0.255 any\n!\ninterface VLAN 10\n ip address 10.1.10.1 255.255.255.0\n ip access-group USERS in\n"
    assert verdict(rules, "BD-01", RGOS.format(body=rgos), "ruijie_rgos") == "FAIL"


@pytest.mark.parametrize(
    ("tpl", "use", "vendor"),
    [
        (VRP, "interface GigabitEthernet0/0/1\n traffic-filter inbound acl 3001\n", "huawei_vrp"),
        (H3C7, "interface GigabitEthernet1/0/1\n packet-filter 3001 inbound\n", "h3c_comware"),
    ],
    ids=["vrp", "comware"],
)
def test_traffic_filter_without_deny_all_forwards_the_rest(rules, tpl: str, use: str, vendor: str) -> None:
    acl = "acl number 3001\n rule 5 deny ip source 10.1.1.0 0.0.0.255 destination 10.2.2.0 0.0.0.255\n{x}#\n"
    blacklist = tpl.format(body=acl.format(x="") + use)
    closed = tpl.format(body=acl.format(x=" rule 100 deny ip\n") + use)
    assert verdict(rules, "BD-01", blacklist, vendor) == "FAIL"
    assert verdict(rules, "BD-01", closed, vendor) == "PASS"
    if vendor == "h3c_comware":  # the device-wide default turned to deny
        assert (
            verdict(rules, "BD-01", tpl.format(body="packet-filter default deny\n" + acl.format(x="") + use), vendor)
            == "PASS"
        )


# --- BD-02: a basic / standard ACL's permit opens every destination -----------------------------------


def test_basic_acl_permit_applied_as_filter_is_broad(rules) -> None:
    acl = "acl number 2001\n rule 5 permit source 10.1.1.10 0\n rule 10 deny\n#\n"
    vrp_filter = VRP.format(body=acl + "interface GigabitEthernet0/0/1\n traffic-filter inbound acl 2001\n")
    vrp_vty = VRP.format(body=acl + "user-interface vty 0 4\n acl 2001 inbound\n")
    assert verdict(rules, "BD-02", vrp_filter, "huawei_vrp") == "WARN"
    assert verdict(rules, "BD-02", vrp_vty, "huawei_vrp") != "WARN"  # guarding the VTYs, not filtering traffic
    ios = "access-list 10 permit 10.1.1.0 0.0.0.255\ninterface GigabitEthernet0/1\n ip address 10.1.1.1 255.255.255.0\n ip access-group {a} in\n"
    assert verdict(rules, "BD-02", IOS.format(body=ios.format(a="10")), "cisco_ios") == "WARN"
    ext = "access-list 110 permit tcp 10.1.1.0 0.0.0.255 host 10.9.9.9 eq 443\n" + ios.format(a="110")
    assert verdict(rules, "BD-02", IOS.format(body=ext), "cisco_ios") == "PASS"


# --- AC-01 (VRP): every local account states its level -------------------------------------------------


def test_vrp_account_without_level_beside_levelled_ones_warns(rules) -> None:
    aaa = "aaa\n local-user ops password irreversible-cipher $1a$x$\n local-user ops privilege level 15\n{x}"
    sound = VRP.format(
        body=aaa.format(x="")
        + "#\nuser-interface con 0\n authentication-mode aaa\nuser-interface vty 0 4\n authentication-mode aaa\n"
    )
    weak = VRP.format(
        body=aaa.format(x=" local-user web password irreversible-cipher $1a$y$\n local-user web service-type http\n")
        + "#\nuser-interface con 0\n authentication-mode aaa\nuser-interface vty 0 4\n authentication-mode aaa\n"
    )
    grouped = VRP.format(
        body=aaa.format(x=" local-user net password irreversible-cipher $1a$y$\n local-user net user-group manage-ug\n")
        + "#\nuser-interface con 0\n authentication-mode aaa\nuser-interface vty 0 4\n authentication-mode aaa\n"
    )
    assert verdict(rules, "AC-01", sound, "huawei_vrp") == "PASS"
    assert verdict(rules, "AC-01", weak, "huawei_vrp") == "WARN"
    assert verdict(rules, "AC-01", grouped, "huawei_vrp") == "PASS"
