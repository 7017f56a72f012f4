"""netmiko really connects over SSH to the simulators, for every platform."""

from __future__ import annotations

import asyncio
import time

import paramiko
import pytest

from collectors.ssh import SshCollector, command_set
from netmon.archive import normalize
from netmon.lab.sshsim import lab_dir

from .conftest import ENABLE, PASSWORD, PLATFORMS, Lab, cred


@pytest.fixture(scope="module")
def results(lab: Lab):
    devs = [lab.device(p) for p in PLATFORMS]
    res = asyncio.run(SshCollector(lab.settings(), lambda n: cred()).collect(devs))
    return {r.device.name: r for r in res}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_running_config_matches_device(lab: Lab, results, platform: str) -> None:
    r = results[platform]
    assert r.ok, r.error
    served = lab.sim.config_path(platform).read_text(encoding="utf-8")
    # Independent truth: the file the device serves; only volatile lines may differ.
    assert normalize(r.config, platform) == normalize(served, platform)
    assert "More" not in r.config and r.config.strip().splitlines()[-1] in ("return", "end")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_only_allow_listed_commands_reach_the_device(lab: Lab, results, platform: str) -> None:
    received = lab.sim.received(platform)
    cs = command_set(platform)
    allowed = cs.allowed | {"enable"}
    assert received, "the simulator saw no commands"
    assert set(received) <= allowed
    # paging is off before the (long) running config is requested
    cfg_cmd = cs.commands["running_config"].command
    assert received.index(cfg_cmd) > min(received.index(s) for s in cs.session if s in received)
    assert not any(c.startswith(("system-view", "conf")) for c in received)
    assert PASSWORD not in received and ENABLE not in received


def _show(platform: str, command: str) -> str:
    return (lab_dir(platform) / "show" / (command.replace(" ", "_") + ".txt")).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("platform", "version"),
    [
        ("huawei_vrp", "S7700 V200R019C10SPC500"),
        ("h3c_comware", "7585P05"),
        ("cisco_ios", "16.9.8"),
        ("ruijie_rgos", "S2910_RGOS 11.4(1)B12P19"),
        ("zte_zxros", "V5.10.10.20(5.40.1)"),
    ],
)
def test_software_version_point(results, platform: str, version: str) -> None:
    sw = [p for p in results[platform].points if p.measurement == "software"]
    assert len(sw) == 1
    assert sw[0].fields["version"] == version
    assert version in _show(platform, command_set(platform).commands["version"].command)
    assert sw[0].tags["device"] == platform and sw[0].tags["tier"] == "county"


@pytest.mark.parametrize(
    ("platform", "up_if", "admin_down_if"),
    [
        ("huawei_vrp", "GigabitEthernet1/0/0", "GigabitEthernet1/0/7"),
        ("h3c_comware", "GE1/0/1", "GE1/0/5"),
        ("cisco_ios", "GigabitEthernet0/0/0", "GigabitEthernet0/1/1"),
        ("ruijie_rgos", "TenGigabitEthernet 0/25", "GigabitEthernet 0/5"),
        ("zte_zxros", "gei-0/1/0/1", "gei-0/1/0/3"),
    ],
)
def test_interface_state_points(results, platform: str, up_if: str, admin_down_if: str) -> None:
    pts = {p.tags["ifName"]: p for p in results[platform].points if p.measurement == "interface_state"}
    text = _show(platform, command_set(platform).commands["interfaces"].command)
    # every interface line of the served output became a point
    assert all(name.split()[0] in text for name in pts)
    assert pts[up_if].fields["admin_status"] == 1 and pts[up_if].fields["oper_status"] == 1
    assert pts[admin_down_if].fields["admin_status"] == 2 and pts[admin_down_if].fields["oper_status"] == 2


def test_cisco_up_down_interface(results) -> None:
    pts = {p.tags["ifName"]: p for p in results["cisco_ios"].points if p.measurement == "interface_state"}
    # status up, protocol down (a dead far end): admin up, oper down
    assert pts["GigabitEthernet0/0/3"].fields == {
        **pts["GigabitEthernet0/0/3"].fields,
        "admin_status": 1,
        "oper_status": 2,
    }
    assert len(pts) == 10


@pytest.mark.parametrize(
    ("platform", "local", "neighbor", "port"),
    [
        ("huawei_vrp", "GigabitEthernet1/0/0", "SG-IN-WAN-ISR4451", "GigabitEthernet0/0/2"),
        ("h3c_comware", "GE1/0/1", "SG-EX-CORE-S12508", "GigabitEthernet3/0/14"),
        ("cisco_ios", "Gi0/0/2", "LC-IN-CORE-S7706", "GigabitEthernet1/0/0"),
        ("ruijie_rgos", "Te0/25", "LC-IN-CORE-S7706", "GigabitEthernet1/0/4"),
    ],
)
def test_lldp_points(results, platform: str, local: str, neighbor: str, port: str) -> None:
    pts = [p for p in results[platform].points if p.measurement == "lldp_neighbor"]
    match = [p for p in pts if p.tags["local_interface"] == local]
    assert len(match) == 1
    assert match[0].fields == {"neighbor_name": neighbor, "neighbor_interface": port}


def test_reach_point(results) -> None:
    p = results["cisco_ios"].reach_point()
    assert p.measurement == "ssh_reach" and p.fields["up"] == 1 and p.fields["error"] == ""
    assert p.fields["config_bytes"] > 5000


def test_simulator_pages_until_paging_is_disabled(lab: Lab) -> None:
    """The simulator behaves like a device: a raw shell without `screen-length 0 temporary`
    meets `---- More ----`; that is what netmiko's session preparation avoids."""
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())  # the simulator under test, not netmon
    client.connect(
        "127.0.0.1", lab.sim.ports["huawei_vrp"], "netadmin", PASSWORD, look_for_keys=False, allow_agent=False
    )
    try:
        ch = client.invoke_shell()
        ch.settimeout(5)
        ch.send(b"display current-configuration\n")
        buf = b""
        deadline = time.monotonic() + 5
        while b"---- More ----" not in buf and time.monotonic() < deadline:
            buf += ch.recv(65536)
        assert b"---- More ----" in buf
        assert buf.count(b"\r\n") < 40  # one page, then it waits
        ch.send(b"q")
        ch.send(b"foo bar\n")
        buf = b""
        deadline = time.monotonic() + 5
        while b"Error: Unrecognized command" not in buf and time.monotonic() < deadline:
            buf += ch.recv(65536)
        assert b"Error: Unrecognized command found at '^' position." in buf
    finally:
        client.close()


def test_cisco_enable_prompts(lab: Lab) -> None:
    """`Router>` until `enable` with the right password gives `Router#`."""
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        "127.0.0.1", lab.sim.ports["cisco_ios"], "netadmin", PASSWORD, look_for_keys=False, allow_agent=False
    )
    try:
        ch = client.invoke_shell()
        ch.settimeout(5)

        def until(token: bytes) -> bytes:
            buf = b""
            deadline = time.monotonic() + 5
            while token not in buf and time.monotonic() < deadline:
                buf += ch.recv(65536)
            return buf

        assert until(b"SG-IN-WAN-ISR4451>").endswith(b"SG-IN-WAN-ISR4451>")
        ch.send(b"show running-config\n")
        assert b"% Invalid input detected" in until(b"% Invalid input detected")
        ch.send(b"enable\n")
        until(b"Password:")
        ch.send(ENABLE.encode() + b"\n")
        out = until(b"SG-IN-WAN-ISR4451#")
        assert out.rstrip().endswith(b"SG-IN-WAN-ISR4451#") and ENABLE.encode() not in out  # no echo
    finally:
        client.close()


def test_sample_configs_are_complete() -> None:
    """The lab configs are full device configs (the compliance engine scans them)."""
    for platform in PLATFORMS:
        files = sorted(lab_dir(platform).glob("*.cfg"))
        assert files, platform
        for f in files:
            text = f.read_text(encoding="utf-8").lower()
            for needle in ("ntp", "snmp", "interface", "ssh", "user"):
                assert needle in text, (f, needle)
            assert any(a in text for a in ("acl", "access-list", "access-class")), f
            assert len(text.splitlines()) > 100, f
    assert (lab_dir(platform).parent / "lab.yaml").exists()  # the simulator's behaviour beside them


def test_simdevices_for_inventory(lab: Lab) -> None:
    from netmon.lab.sshsim import simdevices_for

    devs = [lab.device("cisco_ios"), lab.device("zte_zxros").model_copy(update={"vendor": "juniper_junos"})]
    sims = simdevices_for(devs, password="pw")
    assert [(s.name, s.platform, s.hostname, s.port, s.password) for s in sims] == [
        ("cisco_ios", "cisco_ios", "cisco_ios", lab.sim.ports["cisco_ios"], "pw")
    ]
