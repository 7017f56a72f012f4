"""SNMP collector fixtures: one snmpsim lab of real recordings, polled once for the whole module."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass

import pytest
from pydantic import SecretStr

from collectors.snmp.engine import Target
from collectors.snmp.engine_pysnmp import PysnmpEngine
from collectors.snmp.poller import SnmpPoller
from netmon.config import SnmpCredential, SnmpSettings
from netmon.inventory import Device, Inventory, Uplink
from netmon.lab.procs import free_port
from netmon.lab.snmpsim import SnmpsimLab, start_snmpsim
from netmon.model import Point
from tests.conftest import need_binary

# device name -> (inventory vendor, recording). One recording per vendor and H3C tree, a
# device without 64-bit counters (ruijie-n18010), and one whose inventory vendor is wrong.
LAB = {
    "hw-s5720": ("huawei_vrp", "network/router/huawei-s5720"),
    "h3c-cw7": ("h3c_comware", "network/switch/h3c-comware-7-1-075"),
    "h3c-wx": ("h3c_comware", "network/switch/h3c-wx6103"),
    "cisco-3560": ("cisco_ios", "network/switch/cisco-c3560"),
    "ruijie-n18k": ("ruijie_rgos", "network/router/ruijie-n18010"),
    "zte-9900": ("zte_zxros", "network/switch/zte-zrx10"),
    "juniper-mx": ("juniper_junos", "network/router/juniper-mx960-16-1r6-7-a"),
    "wrong-vendor": ("huawei_vrp", "network/switch/cisco-c3750"),
    "dead": ("cisco_ios", "network/switch/cisco-c3750"),
}
UPLINK_IF = "GigabitEthernet0/0/1"  # an ifName of the huawei-s5720 recording


def devices() -> list[Device]:
    out = []
    for name, (vendor, _) in LAB.items():
        ups: tuple[Uplink, ...] = ()
        if name == "cisco-3560":
            # cisco-3560 hangs off hw-s5720's GigabitEthernet0/0/1 (the parent's interface).
            ups = (Uplink(device="hw-s5720", interface=UPLINK_IF, local_interface="GigabitEthernet0/1"),)
        tier = "province" if name != "hw-s5720" else "central"
        out.append(
            Device(
                name=name,
                address="127.0.0.1",
                network="intranet",
                tier=tier,
                region="" if tier == "central" else "广东",
                site="lab" if name != "dead" else "far",
                role="core",
                vendor=vendor,
                uplinks=ups,
            )
        )
    return out


@dataclass
class Polled:
    lab: SnmpsimLab
    inventory: Inventory
    points: list[Point]  # first poll of every device, health included

    def of(self, device: str, measurement: str) -> list[Point]:
        return [p for p in self.points if p.tags["device"] == device and p.measurement == measurement]

    def target(self, device: str, cred: SnmpCredential | None = None, **kw: object) -> Target:
        return Target("127.0.0.1", cred or v2c(self.lab), port=self.lab.port(device), name=device, **kw)  # type: ignore[arg-type]


def v2c(lab: SnmpsimLab, community: str | None = None) -> SnmpCredential:
    return SnmpCredential(version="2c", community=SecretStr(community or lab.community))


def v3(
    lab: SnmpsimLab, auth_key: str | None = None, priv_key: str | None = None, user: str | None = None
) -> SnmpCredential:
    return SnmpCredential(
        version="3",
        user=user or lab.v3_user,
        auth_protocol="sha",
        auth_key=SecretStr(auth_key or lab.v3_auth_key),
        priv_protocol="aes",
        priv_key=SecretStr(priv_key or lab.v3_priv_key),
    )


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory):
    need_binary("snmpbulkwalk")
    handle = start_snmpsim(
        devices(), tmp_path_factory.mktemp("snmpsim"), recordings={n: rec for n, (_, rec) in LAB.items()}
    )
    handle.pause("dead")
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def polled(lab: SnmpsimLab) -> Polled:
    inv = Inventory(devices())
    settings = SnmpSettings(device_budget=60, max_repetitions=40)

    async def run() -> list[Point]:
        engine = PysnmpEngine()
        poller = SnmpPoller(engine, settings, inventory=inv)
        items = [
            (d, Target("127.0.0.1", v2c(lab), port=lab.port(d.name), timeout=2, retries=1, name=d.name))
            for d in inv
            if d.name != "dead"
        ]
        try:
            return await poller.poll_many(items, health=True)
        finally:
            await engine.close()

    return Polled(lab, inv, asyncio.run(run()))


def unused_udp_port() -> int:
    return free_port(socket.SOCK_DGRAM)
