"""Topology test helpers: snmpsim agents serving LLDP-MIB recordings written here for a small network
(with an intranet-extranet adjacency), plus the real LLDP tables of snmpsim-data recordings."""

from __future__ import annotations

import bz2
import ipaddress
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from netmon.lab.procs import Proc, free_port, start, wait_for
from netmon.lab.snmpsim import _age, data_root

LLDP = "1.0.8802.1.1.2.1"
SYSOBJ = {
    "huawei_vrp": "1.3.6.1.4.1.2011.2.23.1",
    "h3c_comware": "1.3.6.1.4.1.25506.1.1",
    "cisco_ios": "1.3.6.1.4.1.9.1.1208",
}


def _hex(b: bytes) -> str:
    return b.hex()


@dataclass
class Nb:
    """A neighbour row of lldpRemTable."""

    port: int
    index: int = 1
    sys_name: str = ""
    port_id: bytes = b""
    port_subtype: int = 5  # interfaceName
    port_desc: str = ""
    chassis: bytes = b""
    chassis_subtype: int = 4  # macAddress
    mgmt: str = ""
    sys_desc: str = ""


@dataclass
class Rec:
    sys_name: str
    vendor: str
    if_names: dict[int, str]
    chassis: bytes = b""
    loc_ports: bool = True  # False: no lldpLocPortTable (local port numbers are ifIndexes)
    neighbours: list[Nb] = field(default_factory=list)

    def text(self) -> str:
        lines: list[tuple[tuple[int, ...], str]] = []

        def add(oid: str, tag: str, value: object) -> None:
            lines.append((tuple(int(x) for x in oid.split(".")), f"{oid}|{tag}|{value}"))

        add("1.3.6.1.2.1.1.1.0", "4", f"{self.vendor} test device")
        add("1.3.6.1.2.1.1.2.0", "6", SYSOBJ[self.vendor])
        add("1.3.6.1.2.1.1.3.0", "67", 123456)
        add("1.3.6.1.2.1.1.5.0", "4", self.sys_name)
        add("1.3.6.1.2.1.2.1.0", "2", len(self.if_names))
        for i, name in self.if_names.items():
            for col, tag, val in (
                (1, "2", i), (2, "4", name), (3, "2", 6), (5, "66", 1000000000), (7, "2", 1), (8, "2", 1),
                (10, "65", 1000 * i), (16, "65", 2000 * i),
            ):  # fmt: skip
                add(f"1.3.6.1.2.1.2.2.1.{col}.{i}", tag, val)
            for col, tag, val in (
                (1, "4", name),
                (6, "70", 1000 * i),
                (10, "70", 2000 * i),
                (15, "66", 1000),
                (18, "4", ""),
            ):
                add(f"1.3.6.1.2.1.31.1.1.1.{col}.{i}", tag, val)
        if self.chassis:
            add(f"{LLDP}.3.1.0", "2", 4)
            add(f"{LLDP}.3.2.0", "4x", _hex(self.chassis))
        if self.loc_ports:
            for i, name in self.if_names.items():
                add(f"{LLDP}.3.7.1.2.{i}", "2", 5)
                add(f"{LLDP}.3.7.1.3.{i}", "4", name)
                add(f"{LLDP}.3.7.1.4.{i}", "4", f"port {i}")
        for n in self.neighbours:
            idx = f"0.{n.port}.{n.index}"
            add(f"{LLDP}.4.1.1.4.{idx}", "2", n.chassis_subtype)
            add(f"{LLDP}.4.1.1.5.{idx}", "4x", _hex(n.chassis))
            add(f"{LLDP}.4.1.1.6.{idx}", "2", n.port_subtype)
            add(f"{LLDP}.4.1.1.7.{idx}", "4x", _hex(n.port_id))
            add(f"{LLDP}.4.1.1.8.{idx}", "4", n.port_desc)
            add(f"{LLDP}.4.1.1.9.{idx}", "4", n.sys_name)
            add(f"{LLDP}.4.1.1.10.{idx}", "4", n.sys_desc)
            if n.mgmt:
                a = ".".join(str(b) for b in ipaddress.IPv4Address(n.mgmt).packed)
                add(f"{LLDP}.4.2.1.3.{idx}.1.4.{a}", "2", 2)
        return "\n".join(line for _, line in sorted(lines)) + "\n"


@dataclass
class Agents:
    proc: Proc
    ports: dict[str, int]
    hosts: dict[str, str]


def serve_recordings(workdir: Path, recs: dict[str, tuple[str, str]]) -> Agents:
    """One snmpsim (netmon.lab.snmpsim_agent) serving ``name -> (host, snmprec text)``, v2c 'public'."""
    data = workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    mapping, endpoints, ports, hosts = {}, [], {}, {}
    for i, (name, (host, text)) in enumerate(recs.items()):
        f = data / f"r{i}.snmprec"
        f.write_text(text, encoding="utf-8")
        _age(f)
        port = free_port(__import__("socket").SOCK_DGRAM, host)
        mapping[f"1.3.6.1.6.1.1.{i}"] = f"r{i}"
        endpoints.append(f"--agent-udpv4-endpoint={host}:{port}")
        ports[name], hosts[name] = port, host
    (data / "public.snmprec").write_text("1.3.6.1.2.1.1.1.0|4|community\n")
    _age(data / "public.snmprec")
    (workdir / "map.json").write_text(json.dumps(mapping))
    (workdir / "cache").mkdir(exist_ok=True)
    env = dict(os.environ, SNMPSIM_ALLOW_ROOT="true", NETMON_SNMPSIM_MAP=str(workdir / "map.json"))
    argv = [sys.executable, "-m", "netmon.lab.snmpsim_agent", f"--data-dir={data}", f"--cache-dir={workdir / 'cache'}",
            "--log-level=error", *endpoints]  # fmt: skip
    proc = start("snmpsim", argv, workdir / "snmpsim.log", env=env)
    for name in recs:
        wait_for(lambda n=name: bool(snmpget(hosts[n], ports[n], "1.3.6.1.2.1.1.5.0")), 60, "snmpsim", proc.popen)
    return Agents(proc, ports, hosts)


def snmpget(host: str, port: int, oid: str) -> str:
    r = subprocess.run(["snmpget", "-v2c", "-c", "public", "-t", "1", "-r", "0", "-Oqv", f"{host}:{port}", oid],
                       capture_output=True, text=True, timeout=10, env={**os.environ, "MIBS": ""})  # fmt: skip
    return r.stdout.strip() if r.returncode == 0 else ""


def snmpwalk(host: str, port: int, oid: str) -> list[str]:
    r = subprocess.run(["snmpwalk", "-v2c", "-c", "public", "-On", f"{host}:{port}", oid],
                       capture_output=True, text=True, timeout=60, env={**os.environ, "MIBS": ""})  # fmt: skip
    return [line for line in r.stdout.splitlines() if line.startswith(".")]


def real_recording(name: str, dest: Path) -> str:
    """The system group, ifName and the whole LLDP-MIB subtree of an snmpsim-data recording."""
    keep = ("1.3.6.1.2.1.1.", "1.3.6.1.2.1.31.1.1.1.1.", "1.0.8802.1.1.2.")
    out = []
    with bz2.open(data_root() / f"{name}.snmprec.bz2", "rt", encoding="utf-8", errors="surrogateescape") as fh:
        for line in fh:
            if line.startswith(keep):
                out.append(line if line.endswith("\n") else line + "\n")
    # snmpsim answers GETNEXT in file order; this capture is not in OID order (a real agent is)
    out.sort(key=lambda line: tuple(int(x) for x in line.split("|", 1)[0].split(".")))
    return "".join(out)


# --- the small network: an intranet and an extranet core, a province each, one breach --------
MAC = {"c-in-core": bytes.fromhex("001100000001"), "gd-in-core": bytes.fromhex("001100000022"),
       "gd-ex-core": bytes.fromhex("aabbcc000023")}  # fmt: skip
INVENTORY = """
defaults: {{snmp: lab}}
devices:
- {{name: c-in-core, address: 127.0.0.21, port: {p1}, network: intranet, tier: central, site: 中心, role: core, vendor: huawei_vrp}}
- {{name: c-ex-core, address: 10.128.0.1, network: extranet, tier: central, site: 中心, role: core, vendor: cisco_ios, snmp: null}}
- {{name: gd-in-core, address: 127.0.0.22, port: {p2}, network: intranet, tier: province, region: 广东, site: 广东省政务中心, role: core,
   vendor: h3c_comware, uplinks: [{{device: c-in-core, interface: GigabitEthernet0/0/1, local_interface: GigabitEthernet1/0/1}}]}}
- {{name: gd-ex-core, address: 127.0.0.23, port: {p3}, network: extranet, tier: province, region: 广东, site: 广东省政务中心, role: core,
   vendor: cisco_ios, uplinks: [{{device: c-ex-core, interface: Gi1/0/7, local_interface: GigabitEthernet0/1}}]}}
- {{name: gd-in-fw, address: 10.1.0.9, network: intranet, tier: province, region: 广东, site: 广东省政务中心, role: firewall,
   vendor: huawei_vrp, snmp: null, uplinks: [{{device: c-in-core}}]}}
- {{name: gz-in-acc, address: 10.1.16.1, network: intranet, tier: city, region: 广东/广州, site: 广州政务中心, role: access,
   vendor: huawei_vrp, snmp: null, uplinks: [{{device: gd-in-core, interface: GigabitEthernet1/0/9}}]}}
"""


def small_network() -> dict[str, Rec]:
    return {
        # central intranet core: sees gd-in-core (by name, with a domain), the firewall (only its
        # management address), gz-in-acc (an undocumented link) and an unknown switch
        "c-in-core": Rec(
            "c-in-core",
            "huawei_vrp",
            {
                1: "GigabitEthernet0/0/1",
                2: "GigabitEthernet0/0/2",
                3: "GigabitEthernet0/0/3",
                4: "GigabitEthernet0/0/4",
            },
            MAC["c-in-core"],
            True,
            [
                Nb(
                    1, sys_name="GD-IN-CORE.gov.local", port_id=b"GE1/0/1", chassis=MAC["gd-in-core"], mgmt="127.0.0.22"
                ),
                Nb(
                    2,
                    sys_name="mystery-switch",
                    port_id=b"Gi0/48",
                    chassis=bytes.fromhex("001122334455"),
                    mgmt="192.0.2.77",
                ),
                Nb(
                    3, sys_name="FW-UNNAMED", port_id=b"GE0/0/0", chassis=bytes.fromhex("0099aa000009"), mgmt="10.1.0.9"
                ),
                Nb(4, sys_name="gz-in-acc", port_id=b"GigabitEthernet0/0/24", chassis=bytes.fromhex("0099aa000010")),
            ],
        ),
        # province intranet core (Comware without lldpLocPortTable): the central core, and on
        # port 2 an extranet device known only by its chassis id -- the isolation breach
        "gd-in-core": Rec(
            "gd-in-core",
            "h3c_comware",
            {1: "GigabitEthernet1/0/1", 2: "GigabitEthernet1/0/2"},
            MAC["gd-in-core"],
            False,
            [
                Nb(1, sys_name="c-in-core", port_id=b"GigabitEthernet0/0/1", chassis=MAC["c-in-core"]),
                Nb(
                    2,
                    sys_name="",
                    port_id=MAC["gd-ex-core"],
                    port_subtype=3,
                    port_desc="Gi0/2",
                    chassis=MAC["gd-ex-core"],
                ),
            ],
        ),
        # province extranet core: its parent (c-ex-core, no agent of its own), the intranet core
        # on Gi0/2, and a row with a cut-off chassis id and no name
        "gd-ex-core": Rec(
            "gd-ex-core",
            "cisco_ios",
            {1: "Gi0/1", 2: "Gi0/2", 3: "Gi0/3"},
            MAC["gd-ex-core"],
            True,
            [
                Nb(1, sys_name="c-ex-core", port_id=b"Gi1/0/7", chassis=bytes.fromhex("aabbcc000001")),
                Nb(2, sys_name="gd-in-core", port_id=b"GigabitEthernet1/0/2", chassis=MAC["gd-in-core"]),
                Nb(
                    3,
                    sys_name="",
                    port_id=b"\x00\x01",
                    port_subtype=7,
                    chassis=bytes.fromhex("deadbe"),
                    chassis_subtype=4,
                ),
            ],
        ),
    }


HOSTS = {"c-in-core": "127.0.0.21", "gd-in-core": "127.0.0.22", "gd-ex-core": "127.0.0.23"}
