"""Config grammar as registry data: ZXROS `$` block ends, negation and end words per platform,
and the release each platform's configuration (or `show version`) records."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from netmon.compliance import parse_config, read_device_config
from netmon.platforms import platform
from netmon.platforms.detect import release_from_show_version

ROOT = Path(__file__).resolve().parents[2]
ZXROS = ROOT / "netmon/platforms/zte_zxros/lab/county-router.cfg"


def test_zxros_dollar_closes_blocks_at_their_indentation() -> None:
    tree = read_device_config(ZXROS).tree
    ospf = next(t for t in tree.top if t.text == "router ospf 1")
    assert [c.text for c in ospf.children] == ["router-id 10.22.255.254", "area 0.0.0.20", "interface gei-0/1/0/1"]
    area = ospf.children[1]
    assert [c.text for c in area.children] == [
        "network 10.20.255.12 0.0.0.3",
        "network 10.22.255.0 0.0.0.3",
        "network 10.22.255.254 0.0.0.0",
    ]
    # a line after "$" at column 0 is top level again, not a child of the block above
    users = next(t for t in tree.top if t.text == "system-user")
    assert {c.text for c in users.children} >= {"user-name netadmin", "user-name audit01"}
    assert any(t.text.startswith("tacacs-server authentication") for t in tree.top)
    assert tree.ended


def test_grammar_comes_from_the_platform() -> None:
    text = "interface X\n  description a\n$\nno telnet server enable\nundo ftp server\nend\n"
    zx = parse_config(text, platform("zte_zxros").grammar)
    assert [t.text for t in zx.top] == ["interface X", "no telnet server enable", "undo ftp server"]
    assert [t.negated for t in zx.top] == [False, True, False]  # ZXROS negates with "no" only
    vrp = parse_config("#\nundo telnet server enable\n#\nreturn\nsysname after\n", platform("huawei_vrp").grammar)
    assert [t.negated for t in vrp.top] == [True] and vrp.ended and vrp.end_word == "return"
    # "end" is not VRP's last line: the parse goes on past it
    assert [
        t.text for t in parse_config("sysname a\nend\nsysname b\nreturn\n", platform("huawei_vrp").grammar).top
    ] == [
        "sysname a",
        "end",
        "sysname b",
    ]


@pytest.mark.parametrize(
    ("path", "release"),
    [
        ("netmon/platforms/huawei_vrp/lab/county-core.cfg", "V200R019C10SPC500"),
        ("netmon/platforms/h3c_comware/lab/county-agg.cfg", "7.1.070, Release 7585P05"),
        ("tests/compliance/configs/cisco_compliant.cfg", "15.9"),
        ("netmon/platforms/ruijie_rgos/lab/township-access.cfg", "11.4(1)B12P19"),
        ("tests/fixtures/configs/ruijie_rgos/r2lab-switch-radio.cfg", "11.0(5)B9P66S2"),
        ("netmon/platforms/zte_zxros/lab/county-router.cfg", None),  # ZXROS writes none
    ],
)
def test_release_read_from_the_config(path: str, release: str | None) -> None:
    assert read_device_config(ROOT / path).release == release


@pytest.mark.parametrize(
    ("key", "release"),
    [
        ("huawei_vrp", "V200R019C10SPC500"),
        ("h3c_comware", "7.1.070, Release 7585P05"),
        ("cisco_ios", "16.09.08"),  # "Cisco IOS XE Software, Version 16.09.08"
        ("ruijie_rgos", "11.4(1)B12P19"),
        ("zte_zxros", "V5.10.10.20(5.40.1)"),
    ],
)
def test_release_read_from_show_version(key: str, release: str) -> None:
    lab = platform(key).lab
    assert lab is not None and lab.dir is not None
    out = next((lab.dir / "show").glob("*version*.txt")).read_text(encoding="utf-8")
    assert release_from_show_version(out, key) == release


def test_vrp_quit_closes_a_view_and_a_platform_banner_form_is_data() -> None:
    typed = "interface Vlanif10\n ip address 10.0.0.1 24\n quit\nquit\nstelnet server enable\nreturn\n"
    vrp = parse_config(typed, platform("huawei_vrp").grammar)
    assert [t.text for t in vrp.top] == ["interface Vlanif10", "stelnet server enable"]
    assert [c.text for c in vrp.top[0].children] == ["ip address 10.0.0.1 24"]
    g = platform("cisco_ios").grammar.model_copy(update={"banner": re.compile(r"^motd-text (\S)(.*)$")})
    t = parse_config("hostname r1\nmotd-text %\nend\n!\n%\nline vty 0 4\nend\n", g)
    assert [x.text for x in t.top] == ["hostname r1", "motd-text %", "line vty 0 4"]  # "end" inside the banner is text


def test_zxan_stamps_are_volatile_and_name_who_changed_it() -> None:
    from netmon.archive import changed_by, normalize

    text = (ROOT / "tests/fixtures/configs/zte_zxros/net-maestro-zxan-c620.cfg").read_text(encoding="utf-8")
    assert changed_by(text, "zte_zxros") == ("NULL", "20:37:10 Mon Nov 17 2025")
    norm = normalize(text, "zte_zxros")
    assert "!last configuration change at" not in norm and "hostname ZTE" in norm
