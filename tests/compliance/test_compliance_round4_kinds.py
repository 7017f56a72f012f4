"""Kinds of miss found in held-out set 2 (tests/compliance/heldout2/CHANGES.md), each as a small
synthetic weak/sound pair written from the fact, never from a held-out file."""

from __future__ import annotations

from netmon.compliance.engine import evaluate_rule

from .conftest import one_config, verdict

IOS = "version 15.2\nservice timestamps log datetime\nhostname R1\n!\n{body}!\nend\n"
VRP = "!Software Version {rel}\n#\nsysname T1\n#\n{body}#\nreturn\n"
H3C7 = "#\n version 7.1.070, Release 6728P22\n#\n sysname H1\n#\n{body}#\nreturn\n"
USG = (
    "#\nsysname FW1\n#\nip vpn-instance default\n ipv4-family\n#\n{body}#\nfirewall zone trust\n set priority 85\n"
    " add interface GigabitEthernet0/0/0\n#\nsecurity-policy\n rule name r1\n  source-zone trust\n  action permit\n#\nreturn\n"
)


# --- VRP: the built-in password check turned off ---------------------------------------------------


def test_vrp_undo_complexity_check_fails_despite_a_policy(rules) -> None:
    body = "aaa\n local-aaa-user password policy administrator\n{x}"
    sound = VRP.format(rel="V300R019C00SPC300", body=body.format(x=""))
    weak = VRP.format(rel="V300R019C00SPC300", body=body.format(x=" undo user-password complexity-check\n"))
    assert verdict(rules, "IA-02", sound, "huawei_vrp") == "PASS"
    assert verdict(rules, "IA-02", weak, "huawei_vrp") == "FAIL"


# --- VRP: a server template that names no server is no central AAA ---------------------------------

AAA = "aaa\n authentication-scheme radius\n  authentication-mode radius\n domain default\n  authentication-scheme radius\n"


def test_vrp_radius_template_without_a_server_is_not_central_aaa(rules) -> None:
    empty = VRP.format(rel="V200R007C10", body="radius-server template default\n#\n" + AAA)
    served = VRP.format(
        rel="V200R007C10",
        body="radius-server template default\n radius-server authentication 192.0.2.9 1812\n#\n" + AAA,
    )
    assert verdict(rules, "IA-09", empty, "huawei_vrp") == "FAIL"
    assert verdict(rules, "IA-09", served, "huawei_vrp") == "REVIEW"


# --- VRP SNMP: no community means nothing answers v1/v2c; no access at all is not "no privacy" ----


def test_vrp_snmp_agent_without_community_answers_no_v1_v2c(rules) -> None:
    bare = VRP.format(rel="V200R007C10", body="snmp-agent\nsnmp-agent local-engineid 800007DB03\n")
    community = VRP.format(rel="V200R007C10", body="snmp-agent\nsnmp-agent community read cipher %^%#x%^%#\n")
    none = VRP.format(rel="V200R007C10", body="")
    assert verdict(rules, "SN-01", bare, "huawei_vrp") == "PASS"
    assert verdict(rules, "SN-01", community, "huawei_vrp") == "FAIL"
    assert verdict(rules, "SN-01", none, "huawei_vrp") == "N/A"
    assert verdict(rules, "SN-02", bare, "huawei_vrp") == "REVIEW"
    assert verdict(rules, "SN-02", community, "huawei_vrp") == "FAIL"
    assert verdict(rules, "SN-02", none, "huawei_vrp") == "N/A"


def test_vrp_super_is_not_a_factory_account_name(rules) -> None:
    acct = "aaa\n local-user {n} password irreversible-cipher $1a$x$\n local-user {n} privilege level 15\n"
    assert verdict(rules, "AC-02", VRP.format(rel="V300R019C00", body=acct.format(n="super")), "huawei_vrp") == "PASS"
    assert verdict(rules, "AC-02", VRP.format(rel="V300R019C00", body=acct.format(n="admin")), "huawei_vrp") == "WARN"


# --- USG: GE0/0/0 in the factory management VPN is the management port ----------------------------

MGMT = "interface GigabitEthernet0/0/0\n undo shutdown\n{bind} ip address 192.168.0.1 255.255.255.0\n#\n"


def test_usg_port_in_the_management_vpn_is_a_management_path(rules) -> None:
    bound = USG.format(body=MGMT.format(bind=" ip binding vpn-instance default\n"))
    unbound = USG.format(body=MGMT.format(bind=""))
    carried = USG.format(
        body="acl number 3000\n rule 5 permit ip source 192.168.0.0 0.0.0.255 destination 10.1.1.0 0.0.0.255\n#\n"
        + MGMT.format(bind=" ip binding vpn-instance default\n")
    )
    assert verdict(rules, "MG-02", bound, "huawei_usg") == "PASS"
    assert verdict(rules, "MG-02", unbound, "huawei_usg") == "REVIEW"
    # An ACL selecting traffic of its subnet: the port carries user traffic too.
    assert verdict(rules, "MG-02", carried, "huawei_usg") == "REVIEW"


# --- CloudEngine told from VRP5 by its board types and port names ----------------------------------


def test_cloudengine_without_version_line_is_detected_by_board_and_ports() -> None:
    text = (
        "#\nsysname AGG1\n#\ndevice board 1 board-type CE-MPUB\n#\nvlan batch 10 20\n#\naaa\n domain default\n#\n"
        "interface Vlanif10\n ip address 192.0.2.1 255.255.255.0\n#\ninterface GE1/0/0\n port link-type trunk\n#\n"
        "user-interface con 0\n#\nreturn\n"
    )
    assert one_config(text).vendor == "huawei_ce"
    vrp5 = text.replace("device board 1 board-type CE-MPUB\n#\n", "").replace("GE1/0/0", "GigabitEthernet0/0/1")
    assert one_config(vrp5).vendor == "huawei_vrp"


# --- Comware: a HWTACACS domain's default accounting covers commands; its users may use HTTP -------

DOMAIN = "hwtacacs scheme TAC\n primary authentication 192.0.2.9\n primary accounting 192.0.2.9\n#\ndomain system\n{lines}#\n"
LINES = "line vty 0 63\n authentication-mode scheme\n protocol inbound ssh\n command accounting\n#\n"
LOCAL = "local-user ops class manage\n service-type ssh\n authorization-attribute user-role network-admin\n#\n"


def test_comware_command_accounting_through_the_domain_default(rules) -> None:
    via_default = H3C7.format(body=LINES + DOMAIN.format(lines=" accounting default hwtacacs-scheme TAC local\n"))
    local_only = H3C7.format(body=LINES + DOMAIN.format(lines=" accounting default local\n"))
    assert verdict(rules, "AU-05", via_default, "h3c_comware") == "PASS"
    assert verdict(rules, "AU-05", local_only, "h3c_comware") == "FAIL"


def test_comware_aaa_server_users_may_use_http_and_hold_server_roles(rules) -> None:
    central = H3C7.format(
        body=LINES + LOCAL + DOMAIN.format(lines=" authentication default hwtacacs-scheme TAC local\n")
    )
    local = H3C7.format(body=LINES + LOCAL)
    # The web server's default is not known for the release: the server's users make it REVIEW.
    assert verdict(rules, "IA-08", central, "h3c_comware") == "REVIEW"
    assert verdict(rules, "IA-08", local, "h3c_comware") == "PASS"
    assert verdict(rules, "AC-03", central, "h3c_comware") == "REVIEW"
    assert verdict(rules, "AC-03", local, "h3c_comware") == "FAIL"


def test_comware_console_default_is_documented_for_every_release(rules) -> None:
    text = "#\n sysname H1\n#\nline class console\n user-role network-admin\n#\nline con 0\n idle-timeout 5 0\n#\nline vty 0 4\n authentication-mode scheme\n#\nreturn\n"
    out = evaluate_rule(rules["IA-10"], one_config(text, "h3c_comware"))
    assert out.result == "FAIL"
    assert "documented for every release" in out.evidence[0].note


# --- IOS: aaa new-model without a default login list leaves the console open -----------------------


def test_ios_console_without_default_login_list_opens_unchecked(rules) -> None:
    body = "aaa new-model\n{lst}username ops privilege 15 secret 9 $9$x\n!\nline con 0\n!\nline vty 0 4\n transport input ssh\n"
    open_ = IOS.format(body=body.format(lst=""))
    checked = IOS.format(body=body.format(lst="aaa authentication login default local\n"))
    assert verdict(rules, "IA-10", open_, "cisco_ios") == "FAIL"
    assert verdict(rules, "IA-10", checked, "cisco_ios") == "PASS"


# --- VRP Telnet: an account or VTY admitting Telnet matters only while the server runs -------------

TELNET = "aaa\n local-user ops service-type telnet terminal\n#\n{srv}user-interface vty 0 4\n authentication-mode aaa\n protocol inbound all\n#\n"


def test_vrp_telnet_path_with_the_server_left_to_an_undocumented_default_is_review(rules) -> None:
    default = VRP.format(rel="V200R007C10", body=TELNET.format(srv=""))
    on = VRP.format(rel="V200R007C10", body=TELNET.format(srv="telnet server enable\n#\n"))
    off = VRP.format(rel="V200R007C10", body=TELNET.format(srv="undo telnet server enable\n#\n"))
    used = VRP.format(rel="V200R007C10", body=TELNET.format(srv="telnet server port 1025\n#\n"))
    assert verdict(rules, "IA-06", default, "huawei_vrp") == "REVIEW"
    assert verdict(rules, "IA-06", on, "huawei_vrp") == "FAIL"
    assert verdict(rules, "IA-06", used, "huawei_vrp") == "FAIL"
    assert verdict(rules, "IA-06", off, "huawei_vrp") == "PASS"


def test_vrp8_defaults_do_not_apply_to_ar_v300r_which_runs_vrp5(rules) -> None:
    # ops may use HTTP: whether the web server answers is the release's default (round 21)
    body = "aaa\n local-user ops service-type ssh http\n#\nstelnet server enable\n#\nuser-interface vty 0 4\n authentication-mode aaa\n#\n"
    ar = VRP.format(rel="V300R019C00SPC300", body=body)
    ce = VRP.format(rel="V300R023C00", body=body)
    assert verdict(rules, "IA-08", ar, "huawei_vrp") == "REVIEW"
    assert verdict(rules, "IA-08", ce, "huawei_ce") == "PASS"
    # ops may use Telnet too: whether the Telnet server answers is the release's default (round 22)
    body = body.replace("service-type ssh http", "service-type ssh http telnet")
    ar = VRP.format(rel="V300R019C00SPC300", body=body)
    ce = VRP.format(rel="V300R023C00", body=body)
    assert verdict(rules, "IA-06", ar, "huawei_vrp") == "REVIEW"
    assert verdict(rules, "IA-06", ce, "huawei_ce") == "PASS"


def test_vrp_shut_down_ports_admit_no_host(rules) -> None:
    ports = "".join(f"interface GE1/0/{i}\n{{x}}#\n" for i in range(3))
    shut = VRP.format(rel="V200R005C10", body="vlan batch 10\n#\n" + ports.format(x=" shutdown\n"))
    live = VRP.format(rel="V200R005C10", body="vlan batch 10\n#\n" + ports.format(x=" port default vlan 10\n"))
    assert verdict(rules, "BD-07", shut, "huawei_ce") == "N/A"
    assert verdict(rules, "BD-07", live, "huawei_ce") == "FAIL"


# --- VRP AC-01: no account at all; a user group is an explicit grant --------------------------------


def test_vrp_no_account_and_no_aaa_server_fails_named_accounts(rules) -> None:
    # The VTYs log in through AAA too (round 11: a VTY mode not shown is the release default).
    con = "user-interface con 0\n authentication-mode aaa\nuser-interface vty 0 4\n authentication-mode aaa\n#\n"
    empty = VRP.format(rel="V200R005C10", body="aaa\n domain default\n#\n" + con)
    named = VRP.format(rel="V200R005C10", body="aaa\n local-user ops privilege level 3\n#\n" + con)
    assert verdict(rules, "AC-01", empty, "huawei_ce") == "FAIL"
    assert verdict(rules, "AC-01", named, "huawei_ce") == "PASS"


def test_cloudengine_user_group_is_an_explicit_grant(rules) -> None:
    # The VTYs log in through AAA too (round 11: a VTY mode not shown is the release default).
    con = "user-interface con 0\n authentication-mode aaa\nuser-interface vty 0 4\n authentication-mode aaa\n#\n"
    grouped = VRP.format(rel="V200R005C10", body="aaa\n local-user ops user-group manage-ug\n#\n" + con)
    loose = VRP.format(rel="V200R005C10", body="aaa\n local-user ops service-type ssh\n#\n" + con)
    assert verdict(rules, "AC-01", grouped, "huawei_ce") == "PASS"
    assert verdict(rules, "AC-01", loose, "huawei_ce") == "WARN"


# --- IOS zone-based firewall: what its classes do, not that it exists ------------------------------

ZBF = (
    "class-map type inspect match-all OUT-IN\n match access-group name OUT-IN-ACL\n"
    "class-map type inspect match-all IN-OUT\n match access-group name IN-OUT-ACL\n!\n"
    "policy-map type inspect OUT-IN-P\n class type inspect OUT-IN\n  {act_out}\n class class-default\n  {dflt}\n"
    "policy-map type inspect IN-OUT-P\n class type inspect IN-OUT\n  {act_in}\n class class-default\n  {dflt}\n!\n"
    "zone security IN\nzone security OUT\n"
    "zone-pair security OUT-IN source OUT destination IN\n service-policy type inspect OUT-IN-P\n"
    "zone-pair security IN-OUT source IN destination OUT\n service-policy type inspect IN-OUT-P\n!\n"
    "interface GigabitEthernet0/0\n ip address 192.0.2.1 255.255.255.0\n ip nat outside\n zone-member security OUT\n!\n"
    "interface Vlan1\n ip address 10.0.0.1 255.255.255.0\n ip nat inside\n zone-member security IN\n!\n"
    "ip access-list extended OUT-IN-ACL\n 10 {out_rule}\nip access-list extended IN-OUT-ACL\n 10 permit ip any any\n"
)


def zbf(
    act_out: str = "pass",
    act_in: str = "inspect",
    dflt: str = "drop log",
    out_rule: str = "permit tcp any host 10.0.0.5 eq 443",
) -> str:
    return IOS.format(body=ZBF.format(act_out=act_out, act_in=act_in, dflt=dflt, out_rule=out_rule))


def test_ios_zone_firewall_that_only_passes_keeps_no_state(rules) -> None:
    assert verdict(rules, "BD-04", zbf(act_in="pass"), "cisco_ios") == "FAIL"
    assert verdict(rules, "BD-04", zbf(), "cisco_ios") == "PASS"


def test_ios_zone_firewall_drops_logged_by_class_default(rules) -> None:
    assert verdict(rules, "BD-08", zbf(), "cisco_ios") == "PASS"
    assert verdict(rules, "BD-08", zbf(dflt="drop"), "cisco_ios") == "FAIL"


def test_ios_zone_firewall_acls_are_judged_as_filters(rules) -> None:
    # IN-OUT-ACL 'permit ip any any' is what the inside zone may send out: a broad permit.
    assert verdict(rules, "BD-02", zbf(), "cisco_ios") == "WARN"


def test_ios_zone_pair_from_outside_passing_everything_is_no_default_deny(rules) -> None:
    assert verdict(rules, "BD-01", zbf(out_rule="permit ip any any"), "cisco_ios") == "FAIL"
    assert verdict(rules, "BD-01", zbf(), "cisco_ios") == "PASS"


# --- IOS: management-plane protection, outside interfaces, CBAC where applied ----------------------


def test_ios_management_plane_protection_is_weaker_than_a_source_acl(rules) -> None:
    vty = "line vty 0 4\n transport input ssh\n!\n"
    mpp = IOS.format(body=vty + "control-plane host\n management-interface Vlan2 allow ssh https\n")
    acl = IOS.format(
        body="ip access-list standard MGMT\n 10 permit 10.9.9.0 0.0.0.255\n!\nline vty 0 4\n access-class MGMT in\n"
    )
    assert verdict(rules, "MG-01", mpp, "cisco_ios") == "WARN"
    assert verdict(rules, "MG-01", IOS.format(body=vty), "cisco_ios") == "FAIL"
    assert verdict(rules, "MG-01", acl, "cisco_ios") == "PASS"


EDGE2 = (
    "ip inspect name OUTB tcp\n!\ninterface Vlan10\n ip address 10.0.0.1 255.255.255.0\n ip access-group EDGE in\n"
    " ip inspect OUTB out\n!\ninterface Vlan11\n ip address 192.0.2.1 255.255.255.0\n ip nat outside\n{x}!\n"
    "ip access-list extended EDGE\n 10 permit tcp any host 10.0.0.5 eq 443\n"
)


def test_ios_outside_interface_left_unfiltered_is_no_default_deny(rules) -> None:
    open_ = IOS.format(body=EDGE2.format(x=""))
    closed = IOS.format(body=EDGE2.format(x=" ip access-group EDGE in\n ip inspect OUTB out\n"))
    assert verdict(rules, "BD-01", open_, "cisco_ios") == "FAIL"
    assert verdict(rules, "BD-01", closed, "cisco_ios") == "PASS"
    assert verdict(rules, "BD-04", open_, "cisco_ios") == "WARN"
    assert verdict(rules, "BD-04", closed, "cisco_ios") == "PASS"


# --- USG: a service admitted from anywhere to anywhere ---------------------------------------------


def test_usg_service_from_any_source_to_any_destination_is_broad(rules) -> None:
    pol = "security-policy\n rule name r1\n  source-zone untrust\n  destination-zone dmz\n{a}  service ftp\n  action permit\n#\n"
    anywhere = "#\nsysname FW1\n#\n" + pol.format(a="") + "return\n"
    scoped = "#\nsysname FW1\n#\n" + pol.format(a="  destination-address 10.1.1.10 mask 255.255.255.255\n") + "return\n"
    assert verdict(rules, "BD-02", anywhere, "huawei_usg") == "WARN"
    assert verdict(rules, "BD-02", scoped, "huawei_usg") == "PASS"


def test_ios_anonymous_console_beside_named_accounts_warns(rules) -> None:
    body = "aaa new-model\n{lst}username ops privilege 15 secret 9 $9$x\n!\nline con 0\n!\nline vty 0 4\n transport input ssh\n"
    assert verdict(rules, "AC-01", IOS.format(body=body.format(lst="")), "cisco_ios") == "WARN"
    checked = IOS.format(body=body.format(lst="aaa authentication login default local\n"))
    assert verdict(rules, "AC-01", checked, "cisco_ios") == "PASS"


def test_vrp_snmp_trap_lines_alone_do_not_show_an_agent_answering(rules) -> None:
    traps = VRP.format(rel="V300R019C00", body="snmp-agent local-engineid 800007DB03\nsnmp-agent trap enable\n")
    agent = VRP.format(rel="V300R019C00", body="snmp-agent\nsnmp-agent local-engineid 800007DB03\n")
    acl = "acl number 2001\n rule 5 permit source 192.0.2.0 0.0.0.255\n#\n"
    guarded = VRP.format(rel="V300R019C00", body=acl + "snmp-agent\nsnmp-agent acl 2001\n")
    assert verdict(rules, "SN-03", traps, "huawei_vrp") == "REVIEW"
    assert verdict(rules, "SN-03", agent, "huawei_vrp") == "FAIL"
    assert verdict(rules, "SN-03", guarded, "huawei_vrp") == "PASS"
    # round 24: an ACL named but not defined restricts nobody
    unguarded = VRP.format(rel="V300R019C00", body="snmp-agent\nsnmp-agent acl 2001\n")
    assert verdict(rules, "SN-03", unguarded, "huawei_vrp") == "FAIL"
    assert verdict(rules, "SN-03", VRP.format(rel="V300R019C00", body=""), "huawei_vrp") == "N/A"


def test_vrp_and_comware_port_in_a_management_vpn_is_a_management_path(rules) -> None:
    port = "ip vpn-instance {v}\n ipv4-family\n#\ninterface GigabitEthernet0/0/1\n ip binding vpn-instance {v}\n ip address 10.9.9.1 255.255.255.0\n#\n"
    assert verdict(rules, "MG-02", VRP.format(rel="V200R019C10", body=port.format(v="MGMT")), "huawei_vrp") == "PASS"
    assert (
        verdict(rules, "MG-02", VRP.format(rel="V200R019C10", body=port.format(v="CUST_A")), "huawei_vrp") == "REVIEW"
    )
    h3c = port.replace("GigabitEthernet0/0/1", "GigabitEthernet1/0/1")
    assert verdict(rules, "MG-02", H3C7.format(body=h3c.format(v="mgmt")), "h3c_comware") == "PASS"
    assert verdict(rules, "MG-02", H3C7.format(body=h3c.format(v="cust")), "h3c_comware") == "REVIEW"


def test_rgos_outside_interface_left_unfiltered_fails_default_deny(rules) -> None:
    rgos = "version RGOS 10.3(4b10), Release(164555)\nhostname EG1\n!\nsysmac 00d0.f822.1234\n!\n{body}!\nend\n"
    body = (
        "ip access-list extended EDGE\n 10 permit tcp any host 10.0.0.5 eq 443\n!\n"
        "interface GigabitEthernet 0/0\n ip address 10.0.0.1 255.255.255.0\n ip access-group EDGE in\n!\n"
        "interface GigabitEthernet 0/1\n ip address 192.0.2.1 255.255.255.0\n ip nat outside\n{x}!\n"
    )
    assert verdict(rules, "BD-01", rgos.format(body=body.format(x="")), "ruijie_rgos") == "FAIL"
    assert (
        verdict(rules, "BD-01", rgos.format(body=body.format(x=" ip access-group EDGE in\n")), "ruijie_rgos") == "PASS"
    )
