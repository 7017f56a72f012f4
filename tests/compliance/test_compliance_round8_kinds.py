"""Kinds of miss found in held-out set 6 (tests/compliance/heldout6/CHANGES.md), each as a small
synthetic case written from the fact, never from a held-out file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netmon.compliance.engine import evaluate_rule
from netmon.compliance.source import load_device_configs
from netmon.errors import InputError
from netmon.platforms import platforms
from tests.conftest import run_netmon

from .conftest import one_config, verdict

ROOT = Path(__file__).resolve().parents[2]
SKELETONS = ROOT / "tests/compliance/configs"
IOS = "version 15.2\nservice timestamps log datetime\nhostname R1\n!\n{body}!\nline vty 0 4\n transport input ssh\n!\nend\n"


def verdicts(rules, text: str, vendor: str | None = None) -> dict[str, str]:
    cfg = one_config(text, vendor)
    return {rid: evaluate_rule(r, cfg).result for rid, r in rules.items()}


# --- an IOS `macro name` block: its script (to a line `@`) is literal text, not configuration ----------

# A Catalyst smartport macro as `show running-config` prints it: at column 0, holding lines that
# read like configuration ("end", "exit", "interface", "no ...") and are run only when applied.
MACRO = "macro name uplink\nend\ninterface $port\nno ip http server\nip http server\nexit\n@\n"


def test_a_macro_block_is_read_as_literal_text_not_a_second_configuration() -> None:
    text = IOS.format(body=MACRO + "!\nip http server\n")
    [cfg] = load_device_configs(text.encode(), "t.cfg")
    assert cfg.vendor == "cisco_ios" and cfg.tree.ended and not cfg.notes
    macro = next(t for t in cfg.tree.top if t.text == "macro name uplink")
    assert [c.text for c in macro.children] == [
        "end",
        "interface $port",
        "no ip http server",
        "ip http server",
        "exit",
        "@",
    ]
    assert all(c.banner for c in macro.children)
    # the lines after the macro are configuration again
    assert [t.text for t in cfg.tree.top_by_word("ip")] == ["ip http server"]
    assert not cfg.tree.top_by_word("interface") and cfg.tree.top_by_word("line")


def test_a_macro_changes_no_verdict(rules) -> None:
    """The script's lines are in effect only where the macro is applied: every rule judges the
    configuration as if the macro were not there."""
    plain = IOS.format(body="ip http server\n")
    assert verdicts(rules, IOS.format(body=MACRO + "!\nip http server\n")) == verdicts(rules, plain)


def test_an_unended_macro_is_reported_not_fatal() -> None:
    text = "version 15.2\nhostname R1\n!\nmacro name broken\ninterface $port\n shutdown\n"
    cfg = one_config(text, "cisco_ios")
    assert any("macro block never ends" in n and "line 4" in n for n in cfg.notes), cfg.notes


def test_a_second_configuration_after_one_holding_a_macro_still_splits() -> None:
    ios = (SKELETONS / "cisco_compliant.cfg").read_text(encoding="utf-8")
    first = ios.replace("\nend", "\n" + MACRO + "!\nend", 1)
    cfgs = load_device_configs((first + ios).encode(), "t.cfg")
    assert len(cfgs) == 2 and cfgs[1].first_line == len(first.splitlines()) + 1


def test_literal_blocks_are_platform_grammar_data() -> None:
    """The macro form is declared in the IOS grammar (config.yaml), not coded for IOS."""
    assert platforms()["cisco_ios"].grammar.literal_blocks == {"macro name": "@"}
    # a platform without that form reads "macro name X" as an ordinary line
    assert "macro name" not in platforms()["huawei_vrp"].grammar.literal_blocks


# --- a configuration published inside a Markdown code fence --------------------------------------------


@pytest.mark.parametrize(
    ("skeleton", "vendor", "open_fence", "close_fence"),
    [
        ("cisco_compliant.cfg", "cisco_ios", "```", "```"),
        ("cisco_compliant.cfg", "cisco_ios", "```text", "```"),
        ("huawei_compliant.cfg", "huawei_vrp", "~~~", "~~~"),
    ],
    ids=["ios", "ios-language-tag", "vrp-tilde"],
)
def test_a_fenced_configuration_is_scanned_and_the_markdown_noted(
    rules, skeleton: str, vendor: str, open_fence: str, close_fence: str
) -> None:
    cfg_text = (SKELETONS / skeleton).read_text(encoding="utf-8").rstrip("\n") + "\n"
    n = len(cfg_text.splitlines())
    text = f"# Configuration of the core switch\n\nAs deployed:\n{open_fence}\n{cfg_text}{close_fence}\n"
    [cfg] = load_device_configs(text.encode(), "page.md")
    assert cfg.vendor == vendor and cfg.first_line == 5 and cfg.tree.ended
    assert "lines 1-4: Markdown before the code fence the configuration is in, not read" in cfg.notes
    assert f"line {n + 5} after the configuration's last line: a Markdown code fence, not read" in cfg.notes
    # the verdicts are those of the bare configuration
    bare = one_config(cfg_text, vendor)
    assert {r: evaluate_rule(x, cfg).result for r, x in rules.items()} == {
        r: evaluate_rule(x, bare).result for r, x in rules.items()
    }


def test_prose_after_the_closing_fence_is_noted_not_refused() -> None:
    ios = (SKELETONS / "cisco_compliant.cfg").read_text(encoding="utf-8").rstrip("\n") + "\n"
    n = len(ios.splitlines())
    text = f"```\n{ios}```\n\nThe VLANs are then trunked to the core.\n"
    [cfg] = load_device_configs(text.encode(), "page.md")
    assert (
        f"lines {n + 2}-{n + 4} after the configuration's last line: a Markdown code fence and what follows it, "
        "not read" in cfg.notes
    ), cfg.notes


def test_two_fenced_configurations_are_two_devices(tmp_path: Path) -> None:
    ios = (SKELETONS / "cisco_compliant.cfg").read_text(encoding="utf-8").rstrip("\n") + "\n"
    vrp = (SKELETONS / "huawei_compliant.cfg").read_text(encoding="utf-8").rstrip("\n") + "\n"
    f = tmp_path / "two.md"
    f.write_text(f"## Edge\n```\n{ios}```\n\n## Core\n```\n{vrp}```\n", encoding="utf-8")
    r = run_netmon("scan", str(f), "-f", "json")
    assert r.returncode == 0, r.stderr
    devs = json.loads(r.stdout)["devices"]
    assert [d["vendor"] for d in devs] == ["cisco_ios", "huawei_vrp"]
    # the second device starts after its own fence, and the Markdown before it is named
    assert devs[1]["source"] == f"{f}#2"
    assert any("Markdown before the code fence" in n for n in devs[1]["notes"]), devs[1]["notes"]


def test_text_after_the_last_line_without_a_fence_is_still_refused() -> None:
    ios = (SKELETONS / "cisco_compliant.cfg").read_text(encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_device_configs((ios + "\ninterface GigabitEthernet0/9\n shutdown\n```\n").encode(), "t.cfg")
    assert "more text after the configuration's last line" in exc.value.problems[0].reason


# --- judged kinds of held-out set 6 ----------------------------------------------------------------------

IOS2 = "version 15.2\nservice timestamps log datetime\nhostname R1\n!\n{body}!\nend\n"
VRP = "!Software Version V200R019C10SPC500\n#\nsysname T1\n#\n{body}#\nreturn\n"
CE = "!Software Version V200R005C10SPC607B607\n#\nsysname CE1\n#\n{body}#\nreturn\n"
H3C7 = "#\n version 7.1.070, Release 6728P22\n#\n sysname H1\n#\n{body}#\nreturn\n"
RGOS = "version RGOS 10.3(4b10), Release(164555)\nhostname EG1\n!\nsysmac 00d0.f822.1234\n!\n{body}!\nend\n"


# SNMP: an engine ID alone is what VRP saves by default, not a running agent.
@pytest.mark.parametrize(("tpl", "vendor"), [(VRP, "huawei_vrp"), (CE, "huawei_ce")], ids=["vrp", "ce"])
def test_a_default_engine_id_alone_is_no_snmp_agent(rules, tpl: str, vendor: str) -> None:
    alone = tpl.format(body="snmp-agent local-engineid 800007DB03001122334455\n")
    for rule in ("SN-01", "SN-02", "SN-03", "SN-04", "MG-07"):
        assert verdict(rules, rule, alone, vendor) == "N/A", rule
    on = tpl.format(body="snmp-agent local-engineid 800007DB03001122334455\nsnmp-agent\n")
    assert verdict(rules, "MG-07", on, vendor) == "FAIL"


# MG-02: a management VRF holding no addressed interface is no management path.
def test_a_management_vrf_without_an_addressed_port_is_no_management_path(rules) -> None:
    body = "vrf definition Mgmt-vrf\n address-family ipv4\n exit-address-family\n!\ninterface GigabitEthernet0/0\n vrf forwarding Mgmt-vrf\n{a}!\n"
    assert (
        verdict(rules, "MG-02", IOS2.format(body=body.format(a=" no ip address\n shutdown\n")), "cisco_ios") == "REVIEW"
    )
    assert (
        verdict(rules, "MG-02", IOS2.format(body=body.format(a=" ip address 10.9.9.2 255.255.255.0\n")), "cisco_ios")
        == "PASS"
    )


# RP-01: interfaces that join OSPF directly ('ip ospf 1 area 0'); digest authentication over MD5 keys.
@pytest.mark.parametrize(("tpl", "vendor"), [(IOS2, "cisco_ios"), (RGOS, "ruijie_rgos")], ids=["ios", "rgos"])
def test_ospf_areas_joined_by_interfaces_and_md5_digests(rules, tpl: str, vendor: str) -> None:
    ifc = "interface GigabitEthernet0/1\n ip address 10.0.0.1 255.255.255.252\n{auth} ip ospf 1 area 0\n!\n"
    proc = "router ospf 1\n router-id 10.255.0.1\n{area}"
    md5 = " ip ospf message-digest-key 1 md5 K3y\n"
    chain = " ip ospf authentication key-chain OSPF\n"
    keys = "key chain OSPF\n key 1\n  key-string K3y\n  cryptographic-algorithm hmac-sha-256\n!\n"
    area = " area 0 authentication message-digest\n"
    assert verdict(rules, "RP-01", tpl.format(body=ifc.format(auth="") + proc.format(area="")), vendor) == "FAIL"
    assert verdict(rules, "RP-01", tpl.format(body=ifc.format(auth=md5) + proc.format(area=area)), vendor) == "WARN"
    assert (
        verdict(rules, "RP-01", tpl.format(body=keys + ifc.format(auth=chain) + proc.format(area=area)), vendor)
        == "PASS"
    )


# MG-07: a v3 trap target without privacy; IOS-style hosts with no notification type enabled.
@pytest.mark.parametrize(
    ("text", "vendor"),
    [
        (
            IOS2.format(body="snmp-server enable traps snmp\nsnmp-server host 192.0.2.9 version 3 {lvl} NMS\n"),
            "cisco_ios",
        ),
        (
            RGOS.format(body="snmp-server enable traps\nsnmp-server host 192.0.2.9 traps version 3 {lvl} NMS\n"),
            "ruijie_rgos",
        ),
        (
            VRP.format(
                body="snmp-agent\nsnmp-agent target-host trap address udp-domain 192.0.2.9 params securityname NMS {lvl}\n"
            ),
            "huawei_vrp",
        ),
        (
            H3C7.format(
                body=" snmp-agent\n snmp-agent target-host trap address udp-domain 192.0.2.9 params securityname NMS {lvl}\n"
            ),
            "h3c_comware",
        ),
    ],
    ids=["ios", "rgos", "vrp", "comware"],
)
def test_a_v3_trap_target_without_privacy_fails(rules, text: str, vendor: str) -> None:
    """Beside a target with privacy, a second one without it still sends alarms in clear text."""
    weak, strong = ("auth", "priv") if vendor in ("cisco_ios", "ruijie_rgos") else ("v3 authentication", "v3 privacy")
    host = next(ln for ln in text.splitlines() if "{lvl}" in ln)
    both = text.replace(host, host.replace("{lvl}", strong) + "\n" + host.replace("{lvl}", weak).replace("NMS", "NMS2"))
    assert verdict(rules, "MG-07", both, vendor) == "FAIL"
    assert verdict(rules, "MG-07", text.replace("{lvl}", strong), vendor) != "FAIL"


@pytest.mark.parametrize(
    ("tpl", "host", "vendor"),
    [
        (IOS2, "snmp-server host 192.0.2.9 version 3 priv NMS\n", "cisco_ios"),
        (RGOS, "snmp-server host 192.0.2.9 traps version 3 priv NMS\n", "ruijie_rgos"),
    ],
    ids=["ios", "rgos"],
)
def test_trap_hosts_with_no_notification_type_enabled_warn(rules, tpl: str, host: str, vendor: str) -> None:
    assert verdict(rules, "MG-07", tpl.format(body=host), vendor) == "WARN"
    assert verdict(rules, "MG-07", tpl.format(body="snmp-server enable traps snmp linkdown\n" + host), vendor) == "PASS"


# A login method list that ends in 'none': anyone gets in unchecked while the servers do not answer.
@pytest.mark.parametrize(("tpl", "vendor"), [(IOS2, "cisco_ios"), (RGOS, "ruijie_rgos")], ids=["ios", "rgos"])
def test_a_login_list_ending_in_none_warns(rules, tpl: str, vendor: str) -> None:
    body = "aaa new-model\naaa authentication login default group radius{tail}\nradius-server host 192.0.2.5 key K3y\n!\nline con 0\n"
    assert verdict(rules, "IA-10", tpl.format(body=body.format(tail=" none")), vendor) == "WARN"
    assert verdict(rules, "IA-10", tpl.format(body=body.format(tail=" local")), vendor) == "PASS"
    assert verdict(rules, "IA-09", tpl.format(body=body.format(tail=" none")), vendor) == "WARN"
    assert verdict(rules, "IA-09", tpl.format(body=body.format(tail=" local")), vendor) == "REVIEW"


@pytest.mark.parametrize(
    ("text", "vendor"),
    [
        (
            VRP.format(
                body="radius-server template R\n radius-server authentication 192.0.2.5 1812\n#\naaa\n authentication-scheme A\n  authentication-mode radius{tail}\n"
            ),
            "huawei_vrp",
        ),
        (
            H3C7.format(
                body="radius scheme R\n primary authentication 192.0.2.5\n#\ndomain system\n authentication login radius-scheme R{tail}\n"
            ),
            "h3c_comware",
        ),
    ],
    ids=["vrp", "comware"],
)
def test_an_aaa_scheme_ending_in_none_warns(rules, text: str, vendor: str) -> None:
    assert verdict(rules, "IA-09", text.replace("{tail}", " none"), vendor) == "WARN"
    assert verdict(rules, "IA-09", text.replace("{tail}", " local"), vendor) == "REVIEW"


# AC-03: only exec authorization lets a AAA server assign roles on IOS.
def test_a_login_list_alone_assigns_no_role(rules) -> None:
    body = "aaa new-model\naaa authentication login default group radius local\n{authz}username a privilege 15 secret 9 $9$x\n"
    assert verdict(rules, "AC-03", IOS2.format(body=body.format(authz="")), "cisco_ios") == "FAIL"
    authz = "aaa authorization exec default group radius local\n"
    assert verdict(rules, "AC-03", IOS2.format(body=body.format(authz=authz)), "cisco_ios") == "REVIEW"


# CIS-01: a banner shown only after login warns nobody before access.
NOTICE = "Authorized access only. All activity on this device is monitored and logged."


@pytest.mark.parametrize(
    ("after", "before", "vendor"),
    [
        (
            IOS2.format(body=f"banner exec ^C\n{NOTICE}\n^C\n"),
            IOS2.format(body=f"banner login ^C\n{NOTICE}\n^C\n"),
            "cisco_ios",
        ),
        (
            VRP.format(body=f'header shell information "{NOTICE}"\n'),
            VRP.format(body=f'header login information "{NOTICE}"\n'),
            "huawei_vrp",
        ),
        (
            H3C7.format(body=f" header shell %{NOTICE}%\n"),
            H3C7.format(body=f" header login %{NOTICE}%\n"),
            "h3c_comware",
        ),
    ],
    ids=["ios", "vrp", "comware"],
)
def test_a_banner_shown_after_login_is_no_login_warning(rules, after: str, before: str, vendor: str) -> None:
    assert verdict(rules, "CIS-01", after, vendor) == "FAIL"
    assert verdict(rules, "CIS-01", before, vendor) == "PASS"


# AC-01: a device with no named account and no AAA server has nobody logging in under an own name.
def test_no_named_account_at_all_fails(rules) -> None:
    assert verdict(rules, "AC-01", IOS2.format(body="line con 0\n exec-timeout 5 0\n"), "cisco_ios") == "FAIL"
    named = "username ops privilege 15 secret 9 $9$x\n!\nline con 0\n login local\n"
    assert verdict(rules, "AC-01", IOS2.format(body=named), "cisco_ios") == "PASS"


# BD-03: an ACL matched only by a route-map nothing applies is used by nothing.
@pytest.mark.parametrize(("tpl", "vendor"), [(IOS2, "cisco_ios"), (RGOS, "ruijie_rgos")], ids=["ios", "rgos"])
def test_an_acl_behind_an_unapplied_route_map_is_unused(rules, tpl: str, vendor: str) -> None:
    acl = "ip access-list extended MGR\n permit ip 10.0.0.0 0.0.0.255 any\n!\nroute-map LOCAL_PBR permit 10\n match ip address MGR\n set ip next-hop 10.0.0.9\n!\n"
    # a different spelling of the name: the policy line names a route-map that does not exist
    assert verdict(rules, "BD-03", tpl.format(body=acl + "ip local policy route-map LOCAL-PBR\n"), vendor) == "FAIL"
    assert verdict(rules, "BD-03", tpl.format(body=acl + "ip local policy route-map LOCAL_PBR\n"), vendor) == "PASS"


def test_banner_art_of_tildes_or_backticks_is_no_fence() -> None:
    """Only a fence at the head (or tail) of a configuration is Markdown; a banner's line of
    tildes in the middle is text, and nothing before it is dropped."""
    ios = (SKELETONS / "cisco_compliant.cfg").read_text(encoding="utf-8")
    art = "banner motd ^C\n~~~\nAuthorized access only.\n```\n^C\n"
    text = ios.replace("\nend", "\n" + art + "!\nend", 1)
    [cfg] = load_device_configs(text.encode(), "t.cfg")
    assert cfg.first_line == 1 and cfg.tree.ended and not cfg.notes
    assert cfg.tree.top_by_word("hostname") and cfg.tree.top_by_word("banner")
