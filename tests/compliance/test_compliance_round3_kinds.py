"""Kinds of miss found in held-out round 3 (tests/compliance/heldout/CHANGES.md), each as a small
synthetic weak/sound pair written from the fact, never from a held-out file."""

from __future__ import annotations

import pytest

from netmon.compliance.engine import evaluate_rule

from .conftest import one_config, verdict

IOS = "version 15.2\nservice timestamps log datetime\nservice password-encryption\nhostname R1\n!\n{body}!\nend\n"
VRP = "!Software Version {rel}\n#\nsysname T1\n#\n{body}#\nreturn\n"
H3C7 = "#\n version 7.1.070, Release 6728P22\n#\n sysname H1\n#\n{body}#\nreturn\n"
H3C5 = "#\n sysname R1\n#\nradius scheme system\n#\ndomain system\n#\n{body}#\nuser-interface con 0\nuser-interface vty 0 4\n authentication-mode scheme\n#\nreturn\n"
ZXAN = (
    "Building configuration...\n!\nadd-rack rackno 1 racktype C300Rack\n!\ninterface gei_1/3/1\n no shutdown\n!\n"
    "version V4.8.01\n!\nhostname OLT1\n!\n{body}!\nend\n"
)
RGOS = "version RGOS 10.3(4b10), Release(164555)\nhostname EG1\n!\nsysmac 00d0.f822.1234\n!\n{body}!\nend\n"


# --- BD-06: uRPF on some routed interfaces only ---------------------------------------------------

EDGE = "interface GigabitEthernet0/1\n ip address 192.0.2.1 255.255.255.0\n{a}interface GigabitEthernet0/2\n ip address 198.51.100.1 255.255.255.0\n{b}"
URPF = " ip verify unicast source reachable-via rx\n"


@pytest.mark.parametrize(
    ("a", "b", "want"),
    [(URPF, "", "WARN"), (URPF, URPF, "PASS"), ("", "", "FAIL")],
    ids=["some-interfaces", "every-interface", "none"],
)
def test_urpf_on_part_of_the_edge_is_weaker_than_required(rules, a: str, b: str, want: str) -> None:
    assert verdict(rules, "BD-06", IOS.format(body=EDGE.format(a=a, b=b)), "cisco_ios") == want


def test_a_port_in_the_management_vrf_needs_no_urpf(rules) -> None:
    body = EDGE.format(a=URPF, b=" vrf forwarding MGMT\n")
    assert verdict(rules, "BD-06", IOS.format(body=body), "cisco_ios") == "PASS"


def test_a_global_urpf_line_covers_every_interface(rules) -> None:
    body = " ip urpf strict\n#\ninterface GigabitEthernet1/0/1\n port link-mode route\n ip address 192.0.2.1 255.255.255.0\n"
    assert verdict(rules, "BD-06", H3C7.format(body=body), "h3c_comware") == "PASS"


def test_rgos_reverse_path_is_urpf(rules) -> None:
    ifs = "interface GigabitEthernet 0/0\n ip address 10.0.0.1 255.255.255.0\n{a}!\ninterface dialer 1\n ip address negotiate\n{b}"
    weak = RGOS.format(body=ifs.format(a=" reverse-path\n", b=""))
    sound = RGOS.format(body=ifs.format(a=" reverse-path\n", b=" reverse-path\n"))
    assert verdict(rules, "BD-06", weak, "ruijie_rgos") == "WARN"
    assert verdict(rules, "BD-06", sound, "ruijie_rgos") == "PASS"


# --- BD-04: a zone filters only once it holds interfaces or an interzone joins two -------------------


@pytest.mark.parametrize(
    ("body", "want"),
    [
        ("firewall zone Local\n priority 16\n", "FAIL"),  # the built-in zone
        ("firewall zone trust\n priority 85\n#\nfirewall interzone trust untrust\n detect ftp\n", "PASS"),
        ("firewall zone trust\n set priority 85\n add interface GigabitEthernet1/0/1\n", "PASS"),
    ],
    ids=["builtin-zone-only", "interzone", "zone-with-interface"],
)
def test_vrp_zone_alone_is_no_stateful_filter(rules, body: str, want: str) -> None:
    assert verdict(rules, "BD-04", VRP.format(rel="V200R019C10SPC500", body=body), "huawei_vrp") == want


def test_comware_predefined_zone_alone_is_no_stateful_filter(rules) -> None:
    empty = H3C7.format(body="security-zone name Trust\n")
    used = H3C7.format(body="security-zone name Trust\n import interface GigabitEthernet1/0/1\n")
    assert verdict(rules, "BD-04", empty, "h3c_comware") == "FAIL"
    assert verdict(rules, "BD-04", used, "h3c_comware") == "PASS"


# --- BD-07: what a configuration shows of its ports ----------------------------------------------


@pytest.mark.parametrize(
    ("body", "want"),
    [
        ("interface MEth0/0/0\n ip address 10.0.0.1 255.255.255.0\n", "N/A"),  # management port only
        ("stelnet server enable\n", "N/A"),  # no interface shown at all (round 10: nothing to admit on)
        # a router: a port with an address and no switching line; the bare port may be routed or Layer 2
        ("interface GigabitEthernet0/0/1\n ip address 10.0.0.1 255.255.255.0\n#\ninterface Ethernet0/0/0\n", "REVIEW"),
        # a switch: the bare port is an access port
        ("interface GigabitEthernet0/0/1\n port link-type trunk\n#\ninterface GigabitEthernet0/0/2\n", "FAIL"),
    ],
    ids=["mgmt-only", "no-interface", "router", "switch"],
)
def test_vrp_port_admission_by_what_the_ports_show(rules, body: str, want: str) -> None:
    assert verdict(rules, "BD-07", VRP.format(rel="V200R019C10SPC500", body=body), "huawei_vrp") == want


def test_rgos_gateway_ports_are_not_known_access_ports(rules) -> None:
    router = RGOS.format(
        body="interface GigabitEthernet 0/0\n ip address 10.0.0.1 255.255.255.0\n!\ninterface GigabitEthernet 0/3\n"
    )
    switch = RGOS.format(
        body="interface GigabitEthernet 0/1\n switchport access vlan 10\n!\ninterface GigabitEthernet 0/2\n"
    )
    assert verdict(rules, "BD-07", router, "ruijie_rgos") == "REVIEW"
    assert verdict(rules, "BD-07", switch, "ruijie_rgos") == "FAIL"
    # Round 13 convention: DHCP snooping admits any host that asks for an address (no admission control).
    assert verdict(rules, "BD-07", switch.replace("!\nend", "ip dhcp snooping\n!\nend"), "ruijie_rgos") == "FAIL"


# --- BD-02 / BD-03 on IOS: numbered ACLs and ACLs used for other things ---------------------------

NUMBERED = "access-list 103 permit ip 192.168.103.0 0.0.0.255 any\n"


def test_ios_numbered_acl_is_judged_for_broad_permits_only_where_it_filters(rules) -> None:
    nat = IOS.format(body=NUMBERED + "ip nat inside source list 103 interface GigabitEthernet0/0 overload\n")
    filt = IOS.format(body=NUMBERED + "interface GigabitEthernet0/1\n ip access-group 103 in\n")
    narrow = filt.replace("any\n", "host 192.0.2.5\n", 1)
    assert verdict(rules, "BD-02", nat, "cisco_ios") == "N/A"
    assert verdict(rules, "BD-02", filt, "cisco_ios") == "WARN"
    assert verdict(rules, "BD-02", narrow, "cisco_ios") == "PASS"


def test_an_acl_naming_pim_groups_is_used(rules) -> None:
    acl = "ip access-list standard GROUPS\n permit 239.1.0.0 0.0.255.255\n"
    used = IOS.format(body=acl + "ip pim rp-address 192.0.2.1 GROUPS\n")
    assert verdict(rules, "BD-03", used, "cisco_ios") == "PASS"
    assert verdict(rules, "BD-03", IOS.format(body=acl), "cisco_ios") == "FAIL"


# --- MG-02: a management VRF is a path only with an interface in it --------------------------------


def test_an_empty_management_vrf_is_no_management_path(rules) -> None:
    vrf = "vrf definition OPS_MGMT\n rd 65000:3\n!\n"
    port = "interface GigabitEthernet0\n vrf forwarding OPS_MGMT\n ip address 10.0.0.1 255.255.255.0\n"
    assert verdict(rules, "MG-02", IOS.format(body=vrf), "cisco_ios") == "REVIEW"
    assert verdict(rules, "MG-02", IOS.format(body=vrf + port), "cisco_ios") == "PASS"


# --- console login with aaa new-model and no default list ----------------------------------------


def test_an_undefined_default_login_list_is_the_releases_fallback(rules) -> None:
    body = "aaa new-model\n!\nline con 0\n!\n"
    # Round 4 (heldout2/CHANGES.md): IOS documents its console fallback (no check at all): FAIL;
    # RGOS documents none, so its release's fallback stays REVIEW.
    assert verdict(rules, "IA-10", IOS.format(body=body), "cisco_ios") == "FAIL"
    assert verdict(rules, "IA-10", RGOS.format(body=body), "ruijie_rgos") == "REVIEW"
    sound = IOS.format(body="aaa new-model\naaa authentication login default local\n!\nline con 0\n!\n")
    assert verdict(rules, "IA-10", sound, "cisco_ios") == "PASS"
    none_first = IOS.format(body="aaa new-model\naaa authentication login default none\n!\nline con 0\n!\n")
    assert verdict(rules, "IA-10", none_first, "cisco_ios") == "FAIL"


# --- Comware defaults from the documentation -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [H3C7.format(body="line aux 0\n user-role network-admin\n"), H3C5.format(body="")],
    ids=["comware7", "comware5-no-release"],
)
def test_comware_console_without_authentication_mode_is_open(rules, text: str) -> None:
    assert verdict(rules, "IA-10", text, "h3c_comware") == "FAIL"
    assert (
        verdict(rules, "IA-10", text.replace("#\nreturn", "#\n fips mode enable\n#\nreturn"), "h3c_comware") == "PASS"
    )


def test_comware7_telnet_service_type_matters_only_with_the_telnet_server(rules) -> None:
    acct = "local-user admin class manage\n service-type telnet ssh\n authorization-attribute user-role network-admin\n"
    off = H3C7.format(body=acct)
    on = H3C7.format(body=" telnet server enable\n#\n" + acct)
    assert verdict(rules, "IA-06", off, "h3c_comware") == "PASS"  # Comware 7: Telnet server off by default
    assert verdict(rules, "IA-06", on, "h3c_comware") == "FAIL"
    comware5 = H3C5.format(body="local-user admin\n service-type telnet\n level 3\n")
    assert verdict(rules, "IA-06", comware5, "h3c_comware") == "FAIL"  # Comware 5: on by default


def test_comware5_web_service_type_is_http_login(rules) -> None:
    web = H3C5.format(body="local-user admin\n service-type web\n level 3\n")
    ssh = H3C5.format(body="local-user admin\n service-type ssh\n level 3\n")
    assert verdict(rules, "IA-08", web, "h3c_comware") != "PASS"
    assert verdict(rules, "IA-08", ssh, "h3c_comware") == "PASS"


def test_comware_web_server_needs_a_source_acl(rules) -> None:
    acl = "acl basic 2001\n rule 5 permit source 10.0.0.0 0.0.0.255\n#\n"
    weak = H3C7.format(body=acl + " ip http enable\n")
    sound = H3C7.format(body=acl + " ip http enable\n ip http acl 2001\n")
    assert verdict(rules, "MG-01", weak, "h3c_comware") == "FAIL"
    assert verdict(rules, "MG-01", sound, "h3c_comware") == "PASS"


def test_comware_lldp_default_depends_on_the_product(rules) -> None:
    assert verdict(rules, "MG-05", H3C7.format(body=""), "h3c_comware") == "REVIEW"
    assert verdict(rules, "MG-05", H3C7.format(body=" undo lldp global enable\n"), "h3c_comware") == "PASS"


# --- VRP / USG ----------------------------------------------------------------------------------


def test_vrp_communities_without_any_v3_user_fail_snmpv3(rules) -> None:
    v2c = "snmp-agent\nsnmp-agent community read %^%#cipher%^%#\nsnmp-agent sys-info version all\n"
    v3only = "snmp-agent\nsnmp-agent sys-info version v3\n"
    assert verdict(rules, "SN-02", VRP.format(rel="V200R019C10SPC500", body=v2c), "huawei_vrp") == "FAIL"
    assert verdict(rules, "SN-02", VRP.format(rel="V200R019C10SPC500", body=v3only), "huawei_vrp") == "REVIEW"


@pytest.mark.parametrize(("rel", "want"), [("V200R005C32SPC200", "REVIEW"), ("V600R022C10SPC100", "PASS")])
def test_vrp_lockout_default_only_where_documented(rules, rel: str, want: str) -> None:
    body = "aaa\n local-user ops password irreversible-cipher $1c$abc$\n"
    assert verdict(rules, "IA-04", VRP.format(rel=rel, body=body), "huawei_vrp") == want


def test_usg_web_idle_timeout_longer_than_ten_minutes_warns(rules) -> None:
    usg = "#\n sysname FW1\n web-manager enable\n web-manager timeout {t}\n#\nfirewall zone trust\n add interface GigabitEthernet1/0/1\n#\nreturn\n"
    assert verdict(rules, "IA-05", usg.format(t=1440), "huawei_usg") == "WARN"
    assert verdict(rules, "IA-05", usg.format(t=10), "huawei_usg") == "PASS"


# --- ZXAN V4 (C300/C320 OLT) ---------------------------------------------------------------------


def test_zxan_accounts_are_gathered_by_name_and_feature_lines_are_no_accounts(rules) -> None:
    feature = "username user-suspend mode none\nusername pwd-expire-day 90\n"
    explicit = feature + "username ops password 7 abc== privilege 15\nusername ops password 7 abc== max-sessions 16\n"
    loose = feature + "username ops password 7 abc== max-sessions 16\n"
    assert verdict(rules, "AC-01", ZXAN.format(body=explicit), "zte_zxros") == "PASS"
    assert verdict(rules, "AC-01", ZXAN.format(body=loose), "zte_zxros") == "WARN"
    assert verdict(rules, "AC-02", ZXAN.format(body=explicit), "zte_zxros") == "PASS"  # 'user-suspend' is no name
    assert verdict(rules, "AC-02", ZXAN.format(body=explicit.replace("ops", "admin")), "zte_zxros") == "WARN"


def test_zxan_password_expiry_and_telnet(rules) -> None:
    assert verdict(rules, "IA-03", ZXAN.format(body="username pwd-expire-day 180\n"), "zte_zxros") == "FAIL"
    assert (
        verdict(rules, "IA-03", ZXAN.format(body="username pwd-expire-day 90\n"), "zte_zxros") == "REVIEW"
    )  # history unknown
    assert verdict(rules, "IA-06", ZXAN.format(body="ssh server enable\nno ssh server only\n"), "zte_zxros") == "FAIL"
    assert verdict(rules, "IA-06", ZXAN.format(body="ssh server enable\nssh server only\n"), "zte_zxros") == "PASS"


def test_zxan_console_login_type_and_command_log(rules) -> None:
    assert verdict(rules, "IA-10", ZXAN.format(body="user-authentication-type local\n"), "zte_zxros") == "PASS"
    assert verdict(rules, "IA-10", ZXAN.format(body=""), "zte_zxros") == "REVIEW"
    assert verdict(rules, "AU-05", ZXAN.format(body="logging cmdlog enable\n"), "zte_zxros") == "WARN"
    assert verdict(rules, "AU-05", ZXAN.format(body=""), "zte_zxros") == "FAIL"


def test_zxan_v3_groups_without_users_are_no_snmpv3(rules) -> None:
    groups = (
        "snmp-server group GroupPriv15 v3 priv read AllView write AllView\nsnmp-server community c1 view AllView ro\n"
    )
    user = groups + "snmp-server user nms GroupPriv15 v3 encrypted auth sha abc priv aes128 def\n"
    assert verdict(rules, "SN-02", ZXAN.format(body=groups), "zte_zxros") == "FAIL"
    assert verdict(rules, "SN-02", ZXAN.format(body=user), "zte_zxros") == "PASS"


def test_zxan_disable_forms_and_onu_admission(rules) -> None:
    off = "urpf log off\nip-source-guard disable\n"
    # Two addressed interfaces: something is routed (one alone routes nothing: N/A, round 6).
    routed = "interface vlan10\n ip address 10.0.10.1 255.255.255.0\n!\ninterface vlan20\n ip address 10.0.20.1 255.255.255.0\n!\n"
    assert verdict(rules, "BD-06", ZXAN.format(body=off + routed), "zte_zxros") == "FAIL"
    onu = "interface gpon-onu_1/1/1:1\n sn-bind enable sn\n!\n"
    assert verdict(rules, "BD-07", ZXAN.format(body=off + onu), "zte_zxros") == "WARN"
    # Round 13 convention: DHCP snooping leaves the hosts behind the ONUs unchecked.
    assert verdict(rules, "BD-07", ZXAN.format(body=onu + "ip dhcp snooping enable\n"), "zte_zxros") == "WARN"
    assert verdict(rules, "BD-07", ZXAN.format(body=onu + "port-security enable\n"), "zte_zxros") == "PASS"
    assert verdict(rules, "BD-07", ZXAN.format(body=off), "zte_zxros") == "FAIL"


def test_zxan_inband_management_and_password_encryption(rules) -> None:
    mng = "interface mng1\n ip address 10.0.0.2 255.255.255.0\n!\n"
    assert verdict(rules, "MG-02", ZXAN.format(body=mng), "zte_zxros") == "PASS"
    assert verdict(rules, "MG-02", ZXAN.format(body=mng + "inband-management enable\n"), "zte_zxros") == "WARN"
    acct = "username ops password 0 abc privilege 15\n"
    assert verdict(rules, "CIS-02", ZXAN.format(body=acct), "zte_zxros") == "FAIL"
    assert verdict(rules, "CIS-02", ZXAN.format(body=acct + "service password-encryption\n"), "zte_zxros") == "PASS"


# --- RGOS EG gateways: web administrators ---------------------------------------------------------


def test_rgos_web_accounts(rules) -> None:
    web = "webmaster level 0 username admin password 7 14134e00281c\n"
    guest = web + "webmaster level 2 username audit password 7 01275646240c\n"
    assert verdict(rules, "IA-01", RGOS.format(body=web), "ruijie_rgos") == "FAIL"  # type 7 is reversible
    assert verdict(rules, "AC-02", RGOS.format(body=web), "ruijie_rgos") == "WARN"
    assert verdict(rules, "AC-03", RGOS.format(body=guest), "ruijie_rgos") == "PASS"
    assert verdict(rules, "AC-01", RGOS.format(body=web), "ruijie_rgos") == "WARN"  # no CLI account
    cli = RGOS.format(body="username ops privilege 15 secret 5 $1$abc$def\n")
    assert verdict(rules, "AC-01", cli, "ruijie_rgos") == "PASS"


# --- syntax forms of the thinner platforms (command references), read as the usual form is -------


def test_rgos_privilege_on_a_line_of_its_own(rules) -> None:
    split = "username ops password 7 0822455d0a16\nusername ops privilege 15\n"
    assert verdict(rules, "AC-01", RGOS.format(body=split), "ruijie_rgos") == "PASS"
    loose = "username ops password 7 0822455d0a16\n"
    assert verdict(rules, "AC-01", RGOS.format(body=loose), "ruijie_rgos") == "WARN"


def test_comware5_authorization_attribute_level(rules) -> None:
    from netmon.compliance.facts import ADMIN, UNSPECIFIED, accounts

    acct = "local-user ops\n password cipher abc\n service-type ssh\n{lv}"
    c = one_config(H3C5.format(body=acct.format(lv=" authorization-attribute level 3\n")), "h3c_comware")
    assert accounts(c)["ops"][1] == ADMIN  # level 3 = manage
    notes = [e.note for e in evaluate_rule(rules["AC-01"], c).evidence]
    assert "account without an explicit user role" not in notes
    bare = one_config(H3C5.format(body=acct.format(lv="")), "h3c_comware")
    assert accounts(bare)["ops"][1] == UNSPECIFIED
    assert "account without an explicit user role" in [e.note for e in evaluate_rule(rules["AC-01"], bare).evidence]


@pytest.mark.parametrize(
    ("line", "want"),
    [("logging host 2001:db8::10", "PASS"), ("logging host ::1", "FAIL"), ("syslog-server host 192.0.2.9", "PASS")],
)
def test_zte_log_host_forms(rules, line: str, want: str) -> None:
    assert verdict(rules, "AU-01", ZXAN.format(body=line + "\n"), "zte_zxros") == want


def test_zxan_password_strength_switch(rules) -> None:
    out = evaluate_rule(
        rules["IA-02"], one_config(ZXAN.format(body="username high-level-security disable\n"), "zte_zxros")
    )
    assert out.result == "FAIL" and any("strength check is off" in e.note for e in out.evidence)


@pytest.mark.parametrize(
    ("cls", "line", "want"),
    [
        (" authentication-mode scheme\n", "", "PASS"),  # the line inherits its class view's mode
        (" user-role network-admin\n", "", "FAIL"),  # neither sets one: the default (none)
        (" authentication-mode scheme\n", " authentication-mode none\n", "FAIL"),  # the line's own mode wins
    ],
    ids=["class-scheme", "no-mode", "line-overrides-class"],
)
def test_comware7_line_class_sets_the_console_mode(rules, cls: str, line: str, want: str) -> None:
    text = H3C7.format(body=f"line class aux\n{cls}#\nline aux 0\n user-role network-admin\n{line}")
    assert verdict(rules, "IA-10", text, "h3c_comware") == want


def test_comware7_line_class_idle_timeout_is_judged(rules) -> None:
    text = H3C7.format(body="line class vty\n idle-timeout {m} 0\n#\nline vty 0 63\n authentication-mode scheme\n")
    assert verdict(rules, "IA-05", text.format(m=30), "h3c_comware") == "FAIL"
    assert verdict(rules, "IA-05", text.format(m=5), "h3c_comware") == "PASS"


def test_comware5_ssh_server_accepts_ssh1_by_default(rules) -> None:
    c5 = H3C5.format(body=" ssh server enable\n")
    assert verdict(rules, "IA-07", c5, "h3c_comware") == "FAIL"
    off = H3C5.format(body=" ssh server enable\n undo ssh server compatible-ssh1x enable\n")
    assert verdict(rules, "IA-07", off, "h3c_comware") == "PASS"
    c7 = H3C7.format(body=" ssh server enable\n#\nline vty 0 63\n authentication-mode scheme\n")
    assert verdict(rules, "IA-07", c7, "h3c_comware") == "PASS"


@pytest.mark.parametrize(
    ("text", "vendor"),
    [
        (
            IOS.format(
                body=EDGE.format(a="", b="")
                + "interface GigabitEthernet0/3\n switchport mode access\n ip verify source\n"
            ),
            "cisco_ios",
        ),
        (
            RGOS.format(
                body="interface VLAN 10\n ip address 10.0.0.1 255.255.255.0\n!\ninterface VLAN 20\n ip address 10.0.1.1 255.255.255.0\n!\n"
                "interface GigabitEthernet 0/1\n ip verify source port-security\n"
            ),
            "ruijie_rgos",
        ),
        (
            VRP.format(
                rel="V200R019C10SPC500",
                body="interface Vlanif10\n ip address 10.0.0.1 255.255.255.0\n#\ninterface Vlanif20\n ip address 10.0.1.1 255.255.255.0\n#\n"
                "interface GigabitEthernet0/0/1\n ip source check user-bind enable\n",
            ),
            "huawei_vrp",
        ),
    ],
    ids=["ios", "rgos", "vrp"],
)
def test_ip_source_guard_on_access_ports_is_edge_anti_spoofing(rules, text: str, vendor: str) -> None:
    assert verdict(rules, "BD-06", text, vendor) == "PASS"
    bare = "\n".join(ln for ln in text.split("\n") if "verify source" not in ln and "source check" not in ln)
    assert verdict(rules, "BD-06", bare, vendor) == "FAIL"


def test_comware_ntp_forms(rules) -> None:
    two = " ntp-service unicast-server 192.0.2.1\n ntp-service unicast-server 192.0.2.2\n"
    assert verdict(rules, "AU-03", H3C7.format(body=two), "h3c_comware") == "FAIL"  # Comware 7: NTP off until enabled
    assert verdict(rules, "AU-03", H3C7.format(body=" ntp-service enable\n" + two), "h3c_comware") == "PASS"
    assert verdict(rules, "AU-03", H3C5.format(body=two), "h3c_comware") == "PASS"  # Comware 5: no enable command
    sntp = " sntp enable\n sntp unicast-server 192.0.2.1\n sntp unicast-server 192.0.2.2\n"
    assert verdict(rules, "AU-03", H3C7.format(body=sntp), "h3c_comware") == "PASS"


def test_rgos_vtys_not_shown_keep_the_telnet_default(rules) -> None:
    text = "version RGOS 11.4(1)B12P19\nhostname S1\n!\ninstall 0 S5750\nsysmac 00d0.f822.1234\n!\n{b}\n!\nend\n"
    assert verdict(rules, "IA-06", text.format(b=""), "ruijie_rgos") == "FAIL"  # Telnet server on by default
    assert verdict(rules, "IA-06", text.format(b="no enable service telnet-server"), "ruijie_rgos") == "PASS"


def test_ce_radius_server_group_is_a_aaa_server(rules) -> None:
    body = "radius server group R1\n radius server authentication 192.0.2.1 1812\n#\naaa\n authentication-scheme A\n  authentication-mode radius local\n"
    c = one_config(VRP.format(rel="V300R023C00SPC500", body=body), "huawei_ce")
    assert evaluate_rule(rules["IA-09"], c).result == "REVIEW"  # server present; the second factor is the server's


def test_server_acl_forms(rules) -> None:
    named = " ssh server enable\n ssh server acl name MGMT\n#\nacl basic name MGMT\n rule 5 permit source 10.0.0.0 0.0.0.255\n"
    assert verdict(rules, "MG-01", H3C7.format(body=named), "h3c_comware") == "PASS"
    assert verdict(rules, "MG-01", H3C7.format(body=" ssh server enable\n"), "h3c_comware") == "FAIL"
    acl = "acl number 2000\n rule 5 permit source 10.0.0.0 0.0.0.255\n#\n"
    ce = VRP.format(rel="V300R023C00SPC500", body=acl + "ssh ipv4 server acl 2000\n")
    assert verdict(rules, "MG-01", ce, "huawei_ce") == "PASS"
    assert verdict(rules, "MG-01", VRP.format(rel="V300R023C00SPC500", body=acl), "huawei_ce") == "FAIL"


def test_vrp8_trusted_ntp_key(rules) -> None:
    ntp = (
        "ntp authentication enable\nntp authentication-keyid 1 authentication-mode hmac-sha256 cipher abc\n"
        "ntp unicast-server 192.0.2.1 authentication-keyid 1\nntp unicast-server 192.0.2.2 authentication-keyid 1\n"
    )
    ce = VRP.format(rel="V300R023C00SPC500", body=ntp + "{t}")
    assert verdict(rules, "AU-04", ce.format(t="ntp trusted authentication-keyid 1\n"), "huawei_ce") == "PASS"
    assert verdict(rules, "AU-04", ce.format(t=""), "huawei_ce") == "FAIL"


def test_comware7_rbac_snmpv3_user(rules) -> None:
    user = " snmp-agent\n snmp-agent sys-info version v3\n snmp-agent usm-user v3 nms user-role network-operator simple authentication-mode sha abc{p}\n"
    assert verdict(rules, "SN-02", H3C7.format(body=user.format(p=" privacy-mode aes128 def")), "h3c_comware") == "PASS"
    assert verdict(rules, "SN-02", H3C7.format(body=user.format(p="")), "h3c_comware") == "FAIL"


@pytest.mark.parametrize(
    ("wan", "lan", "want"),
    [(URPF, "", "PASS"), ("", URPF, "WARN"), ("", "", "FAIL")],
    ids=["uplink-only", "lan-only", "none"],
)
def test_urpf_on_the_uplink_is_what_counts(rules, wan: str, lan: str, want: str) -> None:
    body = (
        f"interface GigabitEthernet0/0\n ip address 203.0.113.2 255.255.255.252\n ip nat outside\n{wan}"
        f"interface GigabitEthernet0/1\n ip address 10.0.0.1 255.255.255.0\n ip nat inside\n{lan}"
        "interface Vlan10\n ip address 10.1.0.1 255.255.255.0\n"
    )
    assert verdict(rules, "BD-06", IOS.format(body=body), "cisco_ios") == want
    routed = (
        body.replace(" ip nat outside\n", "").replace(" ip nat inside\n", "")
        + "ip route 0.0.0.0 0.0.0.0 GigabitEthernet0/0 203.0.113.1\n"
    )
    assert verdict(rules, "BD-06", IOS.format(body=routed), "cisco_ios") == want  # the default route's egress
