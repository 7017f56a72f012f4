"""Kinds of miss the held-out measurement revealed (tests/compliance/heldout/CHANGES.md), each
written from the fact with a small synthetic configuration, never from a held-out file."""

from __future__ import annotations

import pytest

from netmon.compliance import load_rules
from netmon.compliance.source import DeviceConfig, load_device_configs

# ZXAN V4 (C300/C320 OLTs) writes an IOS-like CLI with "!" separators and its release mid-file.
ZXAN_V4 = (
    "Building configuration...\n!\nadd-rack rackno 1 racktype C300Rack\nadd-card rackno 1 shelfno 1 slotno 2 GTGO\n!\n"
    "interface gpon-olt_1/2/1\n no shutdown\n!\ninterface gei_1/3/1\n no shutdown\n!\n"
    "username pwd-expire-day 90\n!\nversion V4.8.01\n!\nhostname OLT1\n!\nenable secret level 15 5 abcdef==\n"
    "service password-encryption\n!\nusername ops password 7 abcdef== privilege 15\n!\n"
    "user-authentication-type local\n!\nservice timestamps log datetime localtime\n!\n"
    "snmp-server community public view AllView ro\n!\nline telnet idle-timeout 15\n!\nssh server enable\n!\nend\n"
)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def cfg(text: str, vendor: str | None = None) -> DeviceConfig:
    out = load_device_configs(text.encode(), "t.cfg", vendor)
    assert len(out) == 1
    return out[0]


def test_zxan_v4_ios_like_config_is_zte_with_its_release() -> None:
    c = cfg(ZXAN_V4)
    assert c.vendor == "zte_zxros"
    assert c.release == "V4.8.01"


def test_the_same_lines_without_zxan_markers_stay_ios() -> None:
    # The IOS-like lines alone must not pull an IOS config to ZTE.
    text = (
        "version 15.2\nservice timestamps log datetime\nservice password-encryption\nhostname R1\n!\n"
        "interface GigabitEthernet0/1\n ip address 10.0.0.1 255.255.255.0\n!\nline vty 0 4\n login local\n!\nend\n"
    )
    assert cfg(text).vendor == "cisco_ios"


@pytest.mark.parametrize(
    ("text", "release"),
    [
        ("[V200R005C32SPC200]\n#\n sysname AR1\n#\nvlan batch 10\n#\nreturn\n", "V200R005C32SPC200"),
        ("!Software Version V200R019C10SPC500\n#\n sysname AR1\n#\nvlan batch 10\n#\nreturn\n", "V200R019C10SPC500"),
    ],
    ids=["bracketed-header", "software-version"],
)
def test_vrp_release_header_forms(text: str, release: str) -> None:
    assert cfg(text, "huawei_vrp").release == release


@pytest.mark.parametrize(
    ("line", "release"),
    [
        ("version RGOS 10.3(4b10), Release(164555)(Wed Jul 31 11:20:31 CST 2013 -ngcf62)", "10.3(4b10)"),
        ("version RGOS 11.4(1)B12P19 Release(06210311)", "11.4(1)B12P19"),
        ("version 11.0(5)B9P66S2", "11.0(5)B9P66S2"),
    ],
)
def test_rgos_release_forms(line: str, release: str) -> None:
    text = f"!\n{line}\nhostname S1\n!\nsysmac 00d0.f822.1234\n!\nend\n"
    assert cfg(text, "ruijie_rgos").release == release
