"""Kinds of miss found in held-out set 5 (tests/compliance/heldout5/CHANGES.md), each as a small
synthetic weak/sound pair written from the fact on every dialect where the same question arises,
never from a held-out file."""

from __future__ import annotations

import pytest

from .conftest import verdict

IOS = "version 15.2\nservice timestamps log datetime\nhostname R1\n!\n{body}!\nend\n"
RGOS = "version RGOS 10.3(4b10), Release(164555)\nhostname EG1\n!\nsysmac 00d0.f822.1234\n!\n{body}!\nend\n"
VRP = "!Software Version V200R019C10SPC500\n#\nsysname T1\n#\n{body}#\nreturn\n"
# CloudEngine numbers its VRP8 releases V100R/V200R too: a V200R001 CE is not a VRP5 V200R001.
CE = "!Software Version V200R001C00SPC700\n#\nsysname CE1\n#\n{body}#\nreturn\n"
USG = "!Software Version V500R005C10SPC300\n#\nsysname FW1\n#\n{body}#\nreturn\n"
H3C7 = "#\n version 7.1.070, Release 6728P22\n#\n sysname H1\n#\n{body}#\nreturn\n"


# --- BD-03: an ACL that selects the prefixes LDP advertises labels for is used ---------------------


@pytest.mark.parametrize(
    ("tpl", "vendor"),
    [(IOS, "cisco_ios"), (RGOS, "ruijie_rgos")],
    ids=["ios", "rgos"],
)
def test_acl_used_by_ldp_label_advertisement_is_used(rules, tpl: str, vendor: str) -> None:
    acls = "access-list 1 permit 10.0.0.0 0.255.255.255\naccess-list 2 permit 192.0.2.1\n"
    ldp = "mpls ldp advertise-labels for 1 to 2\n"
    assert verdict(rules, "BD-03", tpl.format(body=acls), vendor) == "FAIL"
    assert verdict(rules, "BD-03", tpl.format(body=ldp + "!\n" + acls), vendor) == "PASS"
    # Only the prefix list given: the peer ACL left unused still fails.
    assert verdict(rules, "BD-03", tpl.format(body="mpls ldp advertise-labels for 1\n!\n" + acls), vendor) == "FAIL"


# --- MG-05: CDP on globally but off on every interface in use sends nothing -------------------------


def test_cdp_off_on_every_interface_in_use_passes(rules) -> None:
    def cfg(fa0: str) -> str:
        return IOS.format(
            body=(
                "interface Loopback0\n ip address 10.255.0.1 255.255.255.255\n!\n"
                f"interface FastEthernet0/0\n ip address 192.0.2.1 255.255.255.252\n{fa0}!\n"
                "interface FastEthernet0/1\n no ip address\n shutdown\n!\n"
            )
        )

    assert verdict(rules, "MG-05", cfg(" no cdp enable\n"), "cisco_ios") == "PASS"
    assert verdict(rules, "MG-05", cfg(""), "cisco_ios") == "REVIEW"
    assert verdict(rules, "MG-05", IOS.format(body="no cdp run\n"), "cisco_ios") == "PASS"


# --- AC-01: the IOS web server logs in with the enable password unless told otherwise ----------------


def test_ios_web_server_on_enable_password_is_no_named_account(rules) -> None:
    base = (
        "enable secret 9 $9$abcdefghijklmn$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ\n"
        "username admin privilege 15 secret 9 $9$abcdefghijklmn$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ\n"
        "ip http server\nip http secure-server\n{auth}!\n"
        "line con 0\n login local\nline vty 0 4\n login local\n transport input ssh\n!\n"
    )
    assert verdict(rules, "AC-01", IOS.format(body=base.format(auth="")), "cisco_ios") == "WARN"
    assert (
        verdict(rules, "AC-01", IOS.format(body=base.format(auth="ip http authentication enable\n")), "cisco_ios")
        == "WARN"
    )
    assert (
        verdict(rules, "AC-01", IOS.format(body=base.format(auth="ip http authentication local\n")), "cisco_ios")
        == "PASS"
    )
    off = base.replace("ip http server\nip http secure-server\n", "no ip http server\nno ip http secure-server\n")
    assert verdict(rules, "AC-01", IOS.format(body=off.format(auth="")), "cisco_ios") == "PASS"


# --- CIS-01: an authorised-use notice written in another language is a notice -----------------------

NOTICES = [
    "YETKISIZ ERISIM YASAKTIR. Bu sisteme yapilan tum erisimler kaydedilmektedir.",  # Turkish, ASCII-folded
    "Acceso no autorizado prohibido. Toda actividad es registrada.",  # Spanish
    "Unbefugter Zugriff ist verboten.",  # German
    "Несанкционированный доступ запрещён.",  # Russian
]
NO_NOTICE = ["Bienvenido al enrutador de la sede", "Hos geldiniz: merkez yonlendirici"]


@pytest.mark.parametrize(
    ("wrap", "vendor"),
    [
        (lambda t: IOS.format(body=f"banner motd ^C\n{t}\n^C\n"), "cisco_ios"),
        (lambda t: VRP.format(body=f'header login information "{t}"\n'), "huawei_vrp"),
        (lambda t: H3C7.format(body=f" header login %{t}%\n"), "h3c_comware"),
    ],
    ids=["ios", "vrp", "comware"],
)
def test_notice_in_another_language_is_a_notice(rules, wrap, vendor: str) -> None:
    for text in NOTICES:
        assert verdict(rules, "CIS-01", wrap(text), vendor) == "PASS", text
    for text in NO_NOTICE:
        assert verdict(rules, "CIS-01", wrap(text), vendor) == "WARN", text


# --- BD-02: a USG permit naming one side's addresses and no service ----------------------------------


def test_usg_permit_naming_one_side_and_no_service_is_broad(rules) -> None:
    def policy(rule: str) -> str:
        return USG.format(
            body="security-policy\n rule name R1\n  source-zone untrust\n  destination-zone trust\n"
            f"{rule}  action permit\n"
        )

    dst = "  destination-address 10.1.1.10 mask 255.255.255.255\n"
    src = "  source-address 10.2.0.0 mask 255.255.0.0\n"
    assert verdict(rules, "BD-02", policy(dst), "huawei_usg") == "WARN"
    assert verdict(rules, "BD-02", policy(src), "huawei_usg") == "WARN"
    assert verdict(rules, "BD-02", policy(dst + "  service https\n"), "huawei_usg") == "PASS"
    assert verdict(rules, "BD-02", policy(src + dst + "  service https\n"), "huawei_usg") == "PASS"


# --- CIS-05: the SSH server NETCONF runs on is an SSH server -----------------------------------------


@pytest.mark.parametrize(("tpl", "vendor"), [(VRP, "huawei_vrp"), (CE, "huawei_ce")], ids=["vrp", "ce"])
def test_snetconf_runs_the_ssh_server(rules, tpl: str, vendor: str) -> None:
    assert verdict(rules, "CIS-05", tpl.format(body="ssh server timeout 120\n"), vendor) == "N/A"
    assert (
        verdict(rules, "CIS-05", tpl.format(body="snetconf server enable\nssh server timeout 120\n"), vendor) == "FAIL"
    )
    assert verdict(rules, "CIS-05", tpl.format(body="snetconf ipv4 server enable\n"), vendor) == "PASS"


# --- MG-07: a named trap target and its v3 user ------------------------------------------------------

USER = "snmp-agent usm-user v3 {u}\nsnmp-agent usm-user v3 {u} group G\n"


@pytest.mark.parametrize(
    ("tpl", "vendor", "target"),
    [
        (
            CE,
            "huawei_ce",
            "snmp-agent target-host host-name NMS trap address udp-domain 192.0.2.9 params securityname {u} v3 privacy\n",
        ),
        (
            VRP,
            "huawei_vrp",
            "snmp-agent target-host trap address udp-domain 192.0.2.9 params securityname {u} v3 privacy\n",
        ),
        (
            H3C7,
            "h3c_comware",
            " snmp-agent target-host trap address udp-domain 192.0.2.9 params securityname {u} v3 privacy\n",
        ),
    ],
    ids=["ce-host-name", "vrp", "comware"],
)
def test_v3_trap_target_needs_its_user(rules, tpl: str, vendor: str, target: str) -> None:
    lead = " " if vendor == "h3c_comware" else ""
    agent = f"{lead}snmp-agent\n{lead}snmp-agent sys-info version v3\n"
    users = "".join(lead + ln + "\n" for ln in USER.format(u="nms").splitlines())
    assert verdict(rules, "MG-07", tpl.format(body=agent + target.format(u="nms") + users), vendor) == "PASS"
    assert verdict(rules, "MG-07", tpl.format(body=agent + target.format(u="other") + users), vendor) == "WARN"
    v2 = target.replace("v3 privacy", "v2c").format(u="public")
    assert verdict(rules, "MG-07", tpl.format(body=agent + v2), vendor) == "FAIL"


# --- IA-02: a CloudEngine release is no VRP5 release; CE's security-enhance switch -------------------


def test_ce_release_numbers_are_not_vrp5_releases(rules) -> None:
    acct = "aaa\n local-user admin password irreversible-cipher $1c$abc$def$\n local-user admin level 3\n"
    assert verdict(rules, "IA-02", CE.format(body=acct), "huawei_ce") == "REVIEW"
    # VRP5 V200R001-V200R009 had no built-in check: still FAIL there.
    vrp5 = VRP.replace("V200R019C10SPC500", "V200R003C00")
    assert verdict(rules, "IA-02", vrp5.format(body=acct), "huawei_vrp") == "FAIL"
    off = acct + " undo local-user policy security-enhance\n"
    assert verdict(rules, "IA-02", CE.format(body=off), "huawei_ce") == "FAIL"


# --- BD-07: a port written out of the default mode shows what the default is ------------------------


@pytest.mark.parametrize(
    ("tpl", "vendor", "routed", "bare"),
    [
        (
            CE,
            "huawei_ce",
            "interface 10GE1/0/1\n undo portswitch\n ip address 10.0.0.1 255.255.255.252\n",
            "interface 10GE1/0/2\n",
        ),
        (
            VRP,
            "huawei_vrp",
            "interface GigabitEthernet0/0/1\n undo portswitch\n ip address 10.0.0.1 255.255.255.252\n",
            "interface GigabitEthernet0/0/2\n",
        ),
        (
            IOS,
            "cisco_ios",
            "interface GigabitEthernet0/1\n no switchport\n ip address 10.0.0.1 255.255.255.252\n",
            "interface GigabitEthernet0/2\n",
        ),
        (
            RGOS,
            "ruijie_rgos",
            "interface GigabitEthernet 0/1\n no switchport\n ip address 10.0.0.1 255.255.255.252\n",
            "interface GigabitEthernet 0/2\n",
        ),
        (
            H3C7,
            "h3c_comware",
            "interface GigabitEthernet1/0/1\n port link-mode route\n ip address 10.0.0.1 255.255.255.252\n",
            "interface GigabitEthernet1/0/2\n",
        ),
    ],
    ids=["ce", "vrp", "ios", "rgos", "comware"],
)
def test_port_taken_out_of_switching_shows_siblings_switch(
    rules, tpl: str, vendor: str, routed: str, bare: str
) -> None:
    sep = "#\n" if tpl in (CE, VRP, H3C7) else "!\n"
    # The routed port says it left the default: its bare sibling is an access port with no admission.
    assert verdict(rules, "BD-07", tpl.format(body=routed + sep + bare + sep), vendor) == "FAIL"
    # A port with an address and no mode line (a router's port): the bare sibling's mode is not shown.
    plain = (
        routed.replace(" undo portswitch\n", "").replace(" no switchport\n", "").replace(" port link-mode route\n", "")
    )
    assert verdict(rules, "BD-07", tpl.format(body=plain + sep + bare + sep), vendor) != "FAIL"
