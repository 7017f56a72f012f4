"""Kinds of miss found in held-out set 9 (tests/compliance/heldout9/CHANGES.md), each as a small
synthetic case written from the fact, never from a held-out file."""

from __future__ import annotations

import pytest

from netmon.errors import InputError
from netmon.platforms.detect import detect

from .conftest import one_config, verdict

# --- detection: what only VRP8 (NE40E V800, CloudEngine) writes ------------------------------------

# A short VRP8 router block: no "!Software Version" header, no CloudEngine port name or board line.
# Each fact alone, on top of a neutral VRP body, must tell VRP8 (huawei_ce) from VRP5.
BODY = "#\nsysname R1\n#\ninterface LoopBack0\n ip address 10.0.0.1 255.255.255.255\n#\n"
VRP8_FACTS = {
    "hash_1c": "aaa\n local-user ops1 password irreversible-cipher $1c$abcdefgh$ZZZZZZZZZZZZZZZZ$\n",
    "hash_1d": "aaa\n local-user ops1 password irreversible-cipher $1d$abcdefgh$ZZZZZZZZZZZZZZZZ$\n",
    "task_group": "aaa\n task-group ops\n  task ospf read write\n user-group ops\n  task-group ops\n",
    "snmp_min_length": "snmp-agent\nsnmp-agent password min-length 12\nsnmp-agent sys-info version v3\n",
    "aaa_sub_view_opened": "aaa\n #\n authentication-scheme default\n #\n domain default\n",
    "reversible_at_pct": "aaa\n local-user ops1 password cipher @%@%Ab12Cd34Ef56@%@%\n",
}


@pytest.mark.parametrize("fact", sorted(VRP8_FACTS))
def test_a_vrp8_fact_tells_a_headerless_router_block_from_vrp5(fact: str) -> None:
    text = BODY + VRP8_FACTS[fact] + "#\nreturn\n"
    d = detect(text)
    assert d.platform == "huawei_ce", (fact, d.scores)
    assert one_config(text).vendor == "huawei_ce"


# The VRP5 spellings of the same facts stay VRP5.
VRP5_FACTS = {
    "hash_1a": "aaa\n local-user ops1 password irreversible-cipher $1a$abcdefgh$ZZZZZZZZZZZZZZZZ$\n",
    "aaa_sub_view_closed": "aaa\n authentication-scheme default\n #\n domain default\n #\n",
    "reversible_pct_at": "aaa\n local-user ops1 password cipher %@%@Ab12Cd34Ef56%@%@\n",
}


@pytest.mark.parametrize("fact", sorted(VRP5_FACTS))
def test_the_vrp5_spelling_of_the_same_fact_stays_vrp5(fact: str) -> None:
    text = BODY + "user-interface vty 0 4\n authentication-mode aaa\n" + VRP5_FACTS[fact] + "#\nreturn\n"
    d = detect(text)
    assert d.platform == "huawei_vrp", (fact, d.scores)


def test_pct_hash_ciphertext_tells_vrp_from_comware() -> None:
    # %#%#...%#%# is Huawei's ciphertext (VRP5 and VRP8); Comware writes $c$3$...: with only an
    # SNMP block and "#" separators, the ciphertext decides the family.
    snmp = "snmp-agent community read %#%#Xy12Zz34Ww56%#%# acl 2001\n"
    text = "#\nsysname R1\n#\n" + snmp + "#\nreturn\n"
    d = detect(text)
    assert d.platform in ("huawei_vrp", "huawei_ce"), d.scores
    bare = "#\nsysname R1\n#\nsnmp-agent sys-info version v3\n#\nreturn\n"
    assert detect(bare).platform is None  # nothing Huawei-only: still refused


def test_a_block_with_no_dialect_fact_is_still_refused_with_the_message() -> None:
    text = "#\nsysname R1\n#\nospf 1\n area 0.0.0.0\n  network 10.0.0.0 0.0.0.255\n#\nreturn\n"
    with pytest.raises(InputError, match="cannot tell the vendor"):
        one_config(text)


# --- BD-06 / BD-07: a fragment that shows no interface ---------------------------------------------

# A guide's example of one feature (AAA, SNMP) shows no interface at all: nothing routed for uRPF
# to guard (BD-06) and no access port to admit hosts on (BD-07); both N/A, as with routed ports only.
NO_INTERFACE = {
    "huawei_vrp": "#\nsysname R1\n#\naaa\n authentication-scheme default\n#\nuser-interface vty 0 4\n authentication-mode aaa\n#\nreturn\n",
    "huawei_ce": "#\nsysname R1\n#\nstelnet server enable\n#\nuser-interface vty 0 4\n authentication-mode aaa\n protocol inbound ssh\n#\nreturn\n",
    "h3c_comware": "#\n sysname R1\n#\n ssh server enable\n#\nline vty 0 63\n authentication-mode scheme\n#\nreturn\n",
    "cisco_ios": "!\nhostname R1\n!\nip ssh version 2\n!\nline vty 0 4\n login local\n transport input ssh\n!\nend\n",
}


@pytest.mark.parametrize("vendor", sorted(NO_INTERFACE))
@pytest.mark.parametrize("rule", ["BD-06", "BD-07"])
def test_a_configuration_showing_no_interface_leaves_bd06_bd07_not_applicable(rules, vendor: str, rule: str) -> None:
    assert verdict(rules, rule, NO_INTERFACE[vendor], vendor) == "N/A"


# Two routed networks without uRPF still fail: the N/A is for "no interface shown" only.
TWO_ROUTED_VRP = (
    "#\nsysname R1\n#\ninterface GigabitEthernet0/0/1\n ip address 10.1.1.1 255.255.255.0\n#\n"
    "interface GigabitEthernet0/0/2\n ip address 10.2.1.1 255.255.255.0\n#\nreturn\n"
)


def test_two_routed_interfaces_without_urpf_still_fail_bd06(rules) -> None:
    assert verdict(rules, "BD-06", TWO_ROUTED_VRP, "huawei_vrp") == "FAIL"


# --- BD-06: interface names are case-insensitive ("interface loopback0" as a guide types it) -----

LOWER_LOOPBACK = {
    "huawei_vrp": (
        "#\nsysname R1\n#\ninterface GigabitEthernet0/1/0\n ip address 10.1.2.1 255.255.255.0\n#\n"
        "interface loopback0\n ip address 10.1.3.1 255.255.255.255\n#\nreturn\n"
    ),
    "huawei_ce": (
        "#\nsysname R1\n#\ninterface GE1/0/1\n undo portswitch\n ip address 10.1.2.1 255.255.255.0\n#\n"
        "interface loopback 0\n ip address 10.1.3.1 255.255.255.255\n#\nreturn\n"
    ),
    "h3c_comware": (
        "#\n sysname R1\n#\ninterface GigabitEthernet1/0/1\n port link-mode route\n ip address 10.1.2.1 255.255.255.0\n#\n"
        "interface loopback0\n ip address 10.1.3.1 255.255.255.255\n#\nreturn\n"
    ),
    "cisco_ios": (
        "!\nhostname R1\n!\ninterface GigabitEthernet0/1\n ip address 10.1.2.1 255.255.255.0\n!\n"
        "interface loopback0\n ip address 10.1.3.1 255.255.255.255\n!\nend\n"
    ),
}


@pytest.mark.parametrize("vendor", sorted(LOWER_LOOPBACK))
def test_a_lower_case_loopback_is_no_second_routed_network(rules, vendor: str) -> None:
    assert verdict(rules, "BD-06", LOWER_LOOPBACK[vendor], vendor) == "N/A"


# --- SN-02: VRP8 'snmp-agent local-user v3' carries its own privacy ---------------------------------

LOCAL_USER_V3 = (
    "#\nsysname R1\n#\nsnmp-agent\nsnmp-agent sys-info version v3\n"
    "snmp-agent local-user v3 nms1 authentication-mode sha2-256 cipher %#%#Aa11Bb22%#%# "
    "privacy-mode {priv} cipher %#%#Cc33Dd44%#%#\n#\nreturn\n"
)


@pytest.mark.parametrize("vendor", ["huawei_vrp", "huawei_ce"])
def test_an_snmp_local_user_with_aes_privacy_passes_sn02(rules, vendor: str) -> None:
    assert verdict(rules, "SN-02", LOCAL_USER_V3.format(priv="aes128"), vendor) == "PASS"
    assert verdict(rules, "SN-02", LOCAL_USER_V3.format(priv="des56"), vendor) == "WARN"


# --- AC-02: a factory account name with digits appended ---------------------------------------------

FACTORY_DIGITS = {
    "huawei_vrp": (
        "#\nsysname R1\n#\naaa\n local-user {n} password irreversible-cipher $1a$xyz$\n"
        " local-user {n} service-type ssh\n#\nreturn\n"
    ),
    "h3c_comware": "#\n sysname R1\n#\nlocal-user {n} class manage\n service-type ssh\n#\nreturn\n",
    "cisco_ios": "!\nhostname R1\n!\nusername {n} privilege 15 secret 9 $9$abc$def\n!\nend\n",
}
NAMES = {"huawei_vrp": "huawei", "h3c_comware": "h3c", "cisco_ios": "cisco"}


@pytest.mark.parametrize("vendor", sorted(FACTORY_DIGITS))
def test_a_factory_name_with_digits_appended_warns_ac02(rules, vendor: str) -> None:
    text = FACTORY_DIGITS[vendor]
    assert verdict(rules, "AC-02", text.format(n=NAMES[vendor] + "123"), vendor) == "WARN"
    assert verdict(rules, "AC-02", text.format(n="netops7"), vendor) == "PASS"


# --- CIS-05: an SSH server that runs only for SFTP/SCP is an SSH server -----------------------------

SFTP_ONLY = {
    "huawei_vrp": "#\nsysname R1\n#\nsftp server enable\n{extra}#\nreturn\n",
    "huawei_ce": "#\nsysname R1\n#\nsftp server enable\n{extra}#\nreturn\n",
    "h3c_comware": "#\n sysname R1\n#\n sftp server enable\n{extra}#\nreturn\n",
}
LONG_TIMEOUT = {
    "huawei_vrp": "ssh server timeout 120\n",
    "huawei_ce": "ssh server timeout 120\n",
    "h3c_comware": " ssh server authentication-timeout 120\n",
}


@pytest.mark.parametrize("vendor", sorted(SFTP_ONLY))
def test_an_sftp_only_ssh_server_is_judged_on_cis05(rules, vendor: str) -> None:
    text = SFTP_ONLY[vendor]
    assert verdict(rules, "CIS-05", text.format(extra=""), vendor) == "PASS"  # the 60 s / 3 defaults
    assert verdict(rules, "CIS-05", text.format(extra=LONG_TIMEOUT[vendor]), vendor) == "FAIL"
    assert (
        verdict(rules, "CIS-05", text.replace("sftp server enable", "ntp-service enable").format(extra=""), vendor)
        == "N/A"
    )


# --- AU-02: a module's own level on the log-host channel ---------------------------------------------

# The log host takes the loghost channel (2) unless it names another; a module given its own level
# there (notification or above) sends none of its informational records to it.
AU02 = {
    "huawei_vrp": (
        "#\nsysname R1\n#\ninfo-center loghost 10.9.9.9{ch}\n{mod}#\nreturn\n",
        "info-center source ssh channel 2 log level notification\n",
    ),
    "huawei_ce": (
        "#\nsysname R1\n#\ninfo-center loghost 10.9.9.9{ch}\n{mod}#\nreturn\n",
        "info-center source aaa channel loghost log level warning\n",
    ),
    "h3c_comware": (  # Comware 7
        "#\n sysname R1\n#\n info-center loghost 10.9.9.9{ch}\n{mod}#\nreturn\n",
        " info-center source SHELL loghost level notification\n",
    ),
    "comware5": (
        "#\n version 5.20, Release 2202\n#\n sysname R1\n#\n info-center loghost 10.9.9.9{ch}\n{mod}#\nreturn\n",
        " info-center source SHELL channel 2 log level notifications\n",
    ),
}


@pytest.mark.parametrize("case", sorted(AU02))
def test_a_module_cut_below_informational_on_the_loghost_channel_warns_au02(rules, case: str) -> None:
    text, mod = AU02[case]
    vendor = "h3c_comware" if case == "comware5" else case
    assert verdict(rules, "AU-02", text.format(ch="", mod=""), vendor) == "PASS"
    assert verdict(rules, "AU-02", text.format(ch="", mod=mod), vendor) == "WARN"
    # the same module line does not touch a log host that uses its own channel
    assert verdict(rules, "AU-02", text.format(ch=" channel 6", mod=mod), vendor) == "PASS"
    # informational or debugging for the module keeps its informational records
    lower = mod.replace("notifications", "informational").replace("notification", "informational")
    lower = lower.replace("warning", "debugging")
    assert verdict(rules, "AU-02", text.format(ch="", mod=lower), vendor) == "PASS"


@pytest.mark.parametrize("vendor", ["huawei_vrp", "huawei_ce"])
def test_the_default_source_at_notification_on_the_loghost_channel_warns_au02(rules, vendor: str) -> None:
    text = "#\nsysname R1\n#\ninfo-center loghost 10.9.9.9\ninfo-center source default channel 2 log level notification\n#\nreturn\n"
    assert verdict(rules, "AU-02", text, vendor) == "WARN"


# --- MG-01: VTYs that 'maximum-vty' creates and no block shows ---------------------------------------

MAX_VTY = (
    "#\nsysname R1\n#\nacl number 2001\n rule 5 permit source 10.9.9.0 0.0.0.255\n#\n"
    "user-interface maximum-vty {n}\n#\nuser-interface vty 0 {last}\n authentication-mode aaa\n acl 2001 inbound\n#\nreturn\n"
)


@pytest.mark.parametrize("vendor", ["huawei_vrp", "huawei_ce"])
def test_vtys_beyond_the_blocks_shown_carry_no_acl_mg01(rules, vendor: str) -> None:
    assert verdict(rules, "MG-01", MAX_VTY.format(n=21, last=17), vendor) == "FAIL"  # vty 18-20 bare
    assert verdict(rules, "MG-01", MAX_VTY.format(n=18, last=17), vendor) == "PASS"  # every VTY covered
    # a server ACL covers every VTY, shown or not
    text = MAX_VTY.format(n=21, last=17).replace("#\nreturn", "#\nssh server acl 2001\n#\nreturn")
    assert verdict(rules, "MG-01", text, vendor) == "PASS"
