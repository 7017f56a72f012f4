"""SNMP traps into the engine: net-snmp `snmptrap` (v2c, v3) to the pysnmp receiver; a linkDown
alerts at once; unknown agents, garbage, wrong communities and wrong v3 keys are counted drops.
As root, a real link state change in a network namespace makes `snmpd` send the trap."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time

import pytest
from alerting_helpers import Recorder

from netmon.alerting import AlertEngine
from netmon.alerting.config import TrapSettings
from netmon.inventory import Topology, load_inventory
from netmon.lab.procs import free_port
from netmon.secrets import SecretStore
from netmon.traps import TrapReceiver
from tests.conftest import need_binary, need_root

ENGINE_ID = "0x80001f8880c71100000000000a"
SECRETS = {"TRAP_COMMUNITY": "gov-trap-7", "TRAP_AUTH": "auth-pass-123", "TRAP_PRIV": "priv-pass-456"}
INVENTORY = """
devices:
- {name: c-core, address: 10.0.0.1, network: intranet, tier: central, site: 中心, role: core, vendor: huawei_vrp}
- name: gd-core
  address: 127.0.0.1
  network: intranet
  tier: province
  region: 广东
  site: 广东省政务中心
  role: core
  vendor: huawei_vrp
  uplinks: [{device: c-core, interface: GigabitEthernet0/0/2, local_interface: GigabitEthernet0/0/0}]
"""


def _settings(port: int, host: str = "127.0.0.1") -> TrapSettings:
    return TrapSettings(
        listen=f"{host}:{port}",
        communities=["env:TRAP_COMMUNITY"],
        users=[
            {
                "user": "trapper",
                "auth_protocol": "sha256",
                "auth_key": "env:TRAP_AUTH",
                "priv_protocol": "aes",
                "priv_key": "env:TRAP_PRIV",
                "engine_ids": [ENGINE_ID],
            }
        ],
    )


def _snmptrap(*args: str) -> None:
    exe = need_binary("snmptrap")
    r = subprocess.run([exe, *args], capture_output=True, text=True, timeout=10, env={**os.environ, "MIBS": ""})
    assert r.returncode == 0, r.stderr


V2C = ["-v2c", "-c", SECRETS["TRAP_COMMUNITY"]]
V3 = [
    "-v3",
    "-u",
    "trapper",
    "-l",
    "authPriv",
    "-a",
    "SHA-256",
    "-A",
    SECRETS["TRAP_AUTH"],
    "-x",
    "AES",
    "-X",
    SECRETS["TRAP_PRIV"],
    "-e",
    ENGINE_ID,
]
LINK_DOWN = [
    "1.3.6.1.6.3.1.1.5.3",
    "1.3.6.1.2.1.2.2.1.1.1",
    "i",
    "1",
    "1.3.6.1.2.1.2.2.1.7.1",
    "i",
    "1",
    "1.3.6.1.2.1.2.2.1.8.1",
    "i",
    "2",
    "1.3.6.1.2.1.31.1.1.1.1.1",
    "s",
    "GigabitEthernet0/0/0",
]


@pytest.fixture
def setup(tmp_path):
    inv_file = tmp_path / "inv.yaml"
    inv_file.write_text(INVENTORY, encoding="utf-8")
    topo = Topology(load_inventory([inv_file]))
    hook = Recorder().start()
    section = {
        "rules": [],
        "receivers": {"hook": {"type": "webhook", "url": hook.url + "/t", "retries": 0}},
        "groups": {"noc": ["hook"]},
        "default_groups": ["noc"],
    }
    eng = AlertEngine.from_config(section, topo, tmp_path / "a.db", SecretStore(environ={}))
    yield topo, eng, hook
    hook.stop()
    eng.store.close()


async def test_link_down_trap_alerts_within_a_second(setup):
    topo, eng, hook = setup
    port = free_port(socket.SOCK_DGRAM)
    got = []
    rx = TrapReceiver(
        _settings(port),
        topo.inventory,
        lambda pts: (got.extend(pts), eng.process_now(pts)),
        SecretStore(environ=SECRETS),
    )
    rx.start()
    await eng.start()
    try:
        t0 = time.monotonic()
        await asyncio.to_thread(_snmptrap, *V2C, f"127.0.0.1:{port}", "", *LINK_DOWN)
        for _ in range(500):
            await asyncio.sleep(0.01)
            if hook.requests:
                break
        elapsed = time.monotonic() - t0
        assert hook.requests, "no notification"
        # bench/bench_alerting.py measures the latency (~0.1 s); this only guards against the
        # trap waiting for a poll cycle (cycle_grace, 30 s) instead of going out at once
        assert elapsed < 5
        alerts = hook.requests[0].json()["alerts"]
        assert [(a["rule"], a["labels"]["device"], a["labels"]["ifName"]) for a in alerts] == [
            ("uplink_down", "gd-core", "GigabitEthernet0/0/0")
        ]
        trap = next(p for p in got if p.measurement == "snmp_trap")
        assert trap.tags["trap"] == "linkDown" and trap.tags["version"] == "2c" and trap.tags["tier"] == "province"
        # linkUp (v3 authPriv) resolves it
        up = ["1.3.6.1.6.3.1.1.5.4", *LINK_DOWN[1:9], "1", *LINK_DOWN[10:]]
        await asyncio.to_thread(_snmptrap, *V3, f"127.0.0.1:{port}", "", *up)
        for _ in range(100):
            await asyncio.sleep(0.01)
            if len(hook.requests) >= 2:
                break
        assert [a["kind"] for a in hook.requests[1].json()["alerts"]] == ["resolved"]
        assert [p.tags["version"] for p in got if p.measurement == "snmp_trap"] == ["2c", "3"]
    finally:
        rx.close()
        await eng.aclose()


async def test_security_and_bad_input_counted(setup):
    topo, eng, _hook = setup
    port = free_port(socket.SOCK_DGRAM)
    got = []
    rx = TrapReceiver(
        _settings(port),
        topo.inventory,
        lambda pts: (got.extend(pts), eng.process_now(pts)),
        SecretStore(environ=SECRETS),
    )
    rx.start()
    try:
        dest = f"127.0.0.1:{port}"
        # authenticationFailure is a security event with its own alert
        await asyncio.to_thread(_snmptrap, *V3, dest, "", "1.3.6.1.6.3.1.1.5.5")
        # a trap from an agent not in the inventory (sent from another loopback address)
        await asyncio.to_thread(_snmptrap, *V2C, "--clientaddr=127.0.0.9", dest, "", "1.3.6.1.6.3.1.1.5.1")
        # wrong community, wrong v3 auth key, wrong v3 priv key
        await asyncio.to_thread(_snmptrap, "-v2c", "-c", "guess", dest, "", "1.3.6.1.6.3.1.1.5.1")
        bad_auth = [x if x != SECRETS["TRAP_AUTH"] else "not-the-key-1" for x in V3]
        await asyncio.to_thread(_snmptrap, *bad_auth, dest, "", "1.3.6.1.6.3.1.1.5.1")
        bad_priv = [x if x != SECRETS["TRAP_PRIV"] else "not-the-key-2" for x in V3]
        await asyncio.to_thread(_snmptrap, *bad_priv, dest, "", "1.3.6.1.6.3.1.1.5.1")
        # garbage datagrams
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for junk in (b"\x00", b"garbage\x00\x01", b"\x30\x82\xff\xff" + os.urandom(40), os.urandom(300)):
                s.sendto(junk, ("127.0.0.1", port))
        await asyncio.sleep(0.5)
        st = rx.stats()
        assert st["received"] == 1 and st["unknown_agent"] == 1
        assert st["bad_community"] == 1 and st["v3_wrong_digest"] == 1
        assert st["garbage"] + st["asn1_parse_errors"] + st["v3_decryption_error"] >= 5
        assert st["datagrams"] == 9
        assert [p.tags["trap"] for p in got if p.measurement == "snmp_trap"] == ["authenticationFailure"]
        sec = [a for a in eng.active() if a.rule == "snmp_auth_failure"]
        assert sec and sec[0].labels["category"] == "security" and sec[0].state == "firing"
        # still alive after all that
        await asyncio.to_thread(_snmptrap, *V2C, dest, "", "1.3.6.1.6.3.1.1.5.2")
        await asyncio.sleep(0.3)
        assert rx.stats()["received"] == 2
    finally:
        rx.close()


def test_trap_table_bad_input(tmp_path):
    from netmon.errors import InputError
    from netmon.traps import load_trap_table

    bad = tmp_path / "vendor.yaml"
    bad.write_text("traps:\n  1.3.6.x: {name: foo}\n", encoding="utf-8")
    with pytest.raises(InputError) as ei:
        load_trap_table(bad)
    assert "1.3.6.x" in str(ei.value) and str(bad) in str(ei.value)
    ok = tmp_path / "ok.yaml"
    ok.write_text(
        "traps:\n  1.3.6.1.4.1.2011.5.25.41.3.1: {name: hwPortDown, category: link, link: down}\n", encoding="utf-8"
    )
    assert load_trap_table(ok)["1.3.6.1.4.1.2011.5.25.41.3.1"].link == "down"


def _ip(*args: str, ns: str | None = None) -> None:
    cmd = ["ip", *(["netns", "exec", ns, "ip"] if ns else []), *args]
    subprocess.run(cmd, check=True, capture_output=True, timeout=10)


async def test_snmpd_link_change_in_netns(tmp_path):
    """A real interface goes down inside a namespace; snmpd notices and sends linkDown to us."""
    need_root("network namespaces and veth pairs")
    snmpd = need_binary("snmpd")
    tag = f"{os.getpid() % 10000}"
    ns, host_if, ns_if = f"nmtrap{tag}", f"nmth{tag}", f"nmtn{tag}"
    octet = 1 + os.getpid() % 250
    host_ip, ns_ip = f"10.253.{octet}.1", f"10.253.{octet}.2"
    proc = None
    try:
        subprocess.run(["ip", "netns", "add", ns], check=True, capture_output=True)
        _ip("link", "add", host_if, "type", "veth", "peer", "name", ns_if)
        _ip("link", "set", ns_if, "netns", ns)
        _ip("addr", "add", f"{host_ip}/30", "dev", host_if)
        _ip("link", "set", host_if, "up")
        _ip("addr", "add", f"{ns_ip}/30", "dev", ns_if, ns=ns)
        _ip("link", "set", ns_if, "up", ns=ns)
        _ip("link", "set", "lo", "up", ns=ns)
        _ip("link", "add", "wan0", "type", "veth", "peer", "name", "wan0p", ns=ns)  # no dummy module needed
        _ip("link", "set", "wan0p", "up", ns=ns)
        _ip("link", "set", "wan0", "up", ns=ns)

        inv_file = tmp_path / "inv.yaml"
        inv_file.write_text(INVENTORY.replace("127.0.0.1", ns_ip), encoding="utf-8")
        topo = Topology(load_inventory([inv_file]))
        eng = AlertEngine.from_config({"rules": []}, topo, tmp_path / "a.db", SecretStore(environ={}))
        port = free_port(socket.SOCK_DGRAM)
        got = []
        rx = TrapReceiver(
            _settings(port, host_ip),
            topo.inventory,
            lambda pts: (got.extend(pts), eng.process_now(pts)),
            SecretStore(environ=SECRETS),
        )
        rx.start()
        persist = tmp_path / "persist"
        persist.mkdir()
        conf = tmp_path / "snmpd.conf"
        # `linkUpDownNotifications yes` is these lines with a 60 s check (numeric OIDs: no MIB files
        # needed); -r 1 checks every second.
        conf.write_text(
            f"""agentAddress udp:127.0.0.1:{free_port(socket.SOCK_DGRAM)}
[snmp] persistentDir {persist}
createUser internal SHA "internal-pass-1"
rouser internal auth
iquerySecName internal
trap2sink {host_ip}:{port} {SECRETS["TRAP_COMMUNITY"]}
notificationEvent linkUpTrap .1.3.6.1.6.3.1.1.5.4 .1.3.6.1.2.1.2.2.1.1 .1.3.6.1.2.1.2.2.1.7 .1.3.6.1.2.1.2.2.1.8
notificationEvent linkDownTrap .1.3.6.1.6.3.1.1.5.3 .1.3.6.1.2.1.2.2.1.1 .1.3.6.1.2.1.2.2.1.7 .1.3.6.1.2.1.2.2.1.8
monitor -r 1 -e linkUpTrap "Generate linkUp" .1.3.6.1.2.1.2.2.1.8 != 2
monitor -r 1 -e linkDownTrap "Generate linkDown" .1.3.6.1.2.1.2.2.1.8 == 2
""",
            encoding="utf-8",
        )
        log = tmp_path / "snmpd.log"
        proc = subprocess.Popen(
            ["ip", "netns", "exec", ns, snmpd, "-f", "-Lf", str(log), "-C", "-c", str(conf)],
            env={"PATH": "/usr/sbin:/usr/bin:/bin", "SNMP_PERSISTENT_DIR": str(persist), "MIBS": ""},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # independent truth: the kernel's ifindex of wan0 inside the namespace
        wan0 = subprocess.run(
            ["ip", "netns", "exec", ns, "cat", "/sys/class/net/wan0/ifindex"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        await asyncio.sleep(2.5)  # snmpd up, first monitor sample taken
        # (snmpd's startup check may report wan0 up; it must not be down yet)
        assert not [p for p in got if p.tags.get("ifIndex") == wan0 and p.fields.get("oper_status") == 2]
        _ip("link", "set", "wan0", "down", ns=ns)
        downs: list = []
        for _ in range(100):
            await asyncio.sleep(0.1)
            downs = [
                p
                for p in got
                if p.measurement == "interface" and p.tags["ifIndex"] == wan0 and p.fields["oper_status"] == 2
            ]
            if downs:
                break
        assert downs, (
            f"no linkDown from snmpd; receiver {rx.stats()}; log: {log.read_text()[-500:] if log.exists() else ''}"
        )
        assert downs[0].tags["device"] == "gd-core" and downs[0].tags["source"] == "trap"
        assert downs[0].fields["oper_status"] == 2
        rx.close()
        eng.store.close()
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        subprocess.run(["ip", "link", "del", host_if], capture_output=True)


async def test_informs_are_acknowledged(setup):
    """Informs (v2c and v3, where we are the authoritative engine) get a response and become points."""
    topo, _eng, _hook = setup
    exe = need_binary("snmpinform")
    port = free_port(socket.SOCK_DGRAM)
    got = []
    rx = TrapReceiver(_settings(port), topo.inventory, got.extend, SecretStore(environ=SECRETS))
    rx.start()
    try:
        v3 = [x for x in V3 if x not in ("-e", ENGINE_ID)]  # the sender discovers our engine id
        for args in (V2C, v3):
            r = await asyncio.to_thread(
                subprocess.run,
                [exe, "-t", "2", "-r", "1", *args, f"127.0.0.1:{port}", "", "1.3.6.1.6.3.1.1.5.1"],
                capture_output=True, text=True, env={**os.environ, "MIBS": ""},
            )  # fmt: skip
            assert r.returncode == 0, r.stderr  # snmpinform fails unless we answered
        # and an SNMPv1 trap (generic-trap 2 = linkDown), translated per RFC 3584
        v1 = ["-v1", "-c", SECRETS["TRAP_COMMUNITY"], f"127.0.0.1:{port}", "", "127.0.0.1", "2", "0", "",
              "1.3.6.1.2.1.2.2.1.1.4", "i", "4"]  # fmt: skip
        await asyncio.to_thread(_snmptrap, *v1)
        await asyncio.sleep(0.2)
        traps = [(p.tags["trap"], p.tags["version"]) for p in got if p.measurement == "snmp_trap"]
        assert traps == [("coldStart", "2c"), ("coldStart", "3"), ("linkDown", "1")]
        assert [(p.tags["ifIndex"], p.fields["oper_status"]) for p in got if p.measurement == "interface"] == [("4", 2)]
    finally:
        rx.close()
