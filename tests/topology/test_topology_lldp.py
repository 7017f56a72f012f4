"""LLDP over SNMP against snmpsim (recordings written for a small network, and the real LLDP tables
of snmpsim-data recordings), checked against net-snmp's snmpwalk; then the diff, the proposal and
the isolation finding on what was walked."""

from __future__ import annotations

import asyncio
import time

import pytest
import yaml
from pydantic import SecretStr
from topo_helpers import HOSTS, real_recording, serve_recordings, snmpwalk

from collectors.snmp import lldp
from collectors.snmp.engine import Target
from collectors.snmp.engines import make_engine
from netmon.config import SnmpCredential
from netmon.inventory import Device, load_inventory
from netmon.topology.diff import diff
from netmon.topology.neighbors import norm_chassis, norm_interface, walks_from_points
from netmon.topology.propose import propose
from netmon.topology.watch import IsolationWatch

V2C = SnmpCredential(version="2c", community=SecretStr("public"))


def _walk_all(inv, agents) -> list:
    async def go():
        eng = make_engine("fast")
        out = []
        try:
            for name in HOSTS:
                d = inv[name]
                out += await lldp.walk(eng, d, Target(d.address, V2C, d.port, 2.0, 1, d.name), time.time_ns())
        finally:
            await eng.close()
        return out

    return asyncio.run(go())


def test_walk_matches_snmpwalk(network):
    d, agents = network
    inv = load_inventory([d / "inventory.yaml"])
    pts = _walk_all(inv, agents)
    for name, host in HOSTS.items():
        truth = snmpwalk(host, agents.ports[name], "1.0.8802.1.1.2.1.4.1.1.9")  # lldpRemSysName, one per neighbour
        mine = [p for p in pts if p.measurement == "lldp_neighbor" and p.tags["device"] == name]
        assert len(mine) == len(truth) > 0, name
        walk = [p for p in pts if p.measurement == "lldp_walk" and p.tags["device"] == name]
        assert walk[0].fields["neighbors"] == len(truth) and walk[0].fields["lldp_mib"] == 1
    by = {(p.tags["device"], p.tags["local_interface"]): p.fields for p in pts if p.measurement == "lldp_neighbor"}
    # Comware without lldpLocPortTable: the local port is named from ifName
    assert by[("gd-in-core", "GigabitEthernet1/0/2")]["neighbor_interface"] == "Gi0/2"  # MAC port id: its description
    assert by[("gd-in-core", "GigabitEthernet1/0/2")]["chassis_id"] == "aa:bb:cc:00:00:23"
    assert by[("c-in-core", "GigabitEthernet0/0/3")]["mgmt_address"] == "10.1.0.9"
    # a 3-byte "MAC" and a binary port id are kept as hex, not dropped
    odd = by[("gd-ex-core", "Gi0/3")]
    assert odd["chassis_id"] == "de:ad:be" and odd["neighbor_interface"] == "00:01"


def test_diff_finds_breach_missing_undocumented_unknown(network):
    d, agents = network
    inv = load_inventory([d / "inventory.yaml"])
    pts = _walk_all(inv, agents)
    td = diff(inv, walks_from_points(pts))
    verdicts = {(v.child, v.parent): v.state for v in td.links}
    assert verdicts[("gd-in-core", "c-in-core")] == "confirmed"  # GE1/0/1 == GigabitEthernet1/0/1
    assert verdicts[("gd-in-fw", "c-in-core")] == "confirmed"  # by management address
    assert verdicts[("gd-ex-core", "c-ex-core")] == "confirmed"
    assert verdicts[("gz-in-acc", "gd-in-core")] == "missing"  # gd-in-core has LLDP, no such neighbour
    assert [v.note for v in td.links if v.child == "gd-in-core"] == [""]
    assert len(td.breaches) == 1  # seen from both ends, reported once
    b = td.breaches[0]
    assert {b.a, b.b} == {"gd-in-core", "gd-ex-core"}
    assert {norm_interface(b.a_interface), norm_interface(b.b_interface)} == {
        "gigabitethernet1/0/2",
        "gigabitethernet0/2",
    }
    assert [(a.a, a.b) for a in td.undocumented] == [("c-in-core", "gz-in-acc")]
    unknown = {(n.device, n.name or n.chassis_id) for n in td.unknown}
    assert unknown == {("c-in-core", "mystery-switch"), ("gd-ex-core", "de:ad:be")}
    assert not td.clean
    # the proposal gives gz-in-acc its new uplink to c-in-core, keeping the declared one first
    doc = yaml.safe_load(propose(inv, td.undocumented))
    assert doc["devices"] == [
        {
            "name": "gz-in-acc",
            "uplinks": [
                {"device": "gd-in-core", "interface": "GigabitEthernet1/0/9"},
                {
                    "device": "c-in-core",
                    "interface": "GigabitEthernet0/0/4",
                    "local_interface": "GigabitEthernet0/0/24",
                },
            ],
        }
    ]


def test_isolation_watch_emits_critical_findings(network):
    d, agents = network
    inv = load_inventory([d / "inventory.yaml"])
    pts = _walk_all(inv, agents)
    found = IsolationWatch(inv).check(pts)
    # gd-ex-core names gd-in-core; gd-in-core names gd-ex-core only by chassis id, which the
    # watch learns from gd-ex-core's own lldp_walk (lldpLocChassisId) in the same stream
    assert {(f.tags["device"], f.fields["dst"]) for f in found} >= {("gd-ex-core", "127.0.0.22")}
    f = found[0]
    assert (
        f.measurement == "security_finding" and f.tags["severity"] == "critical" and f.tags["category"] == "isolation"
    )
    assert "intranet" in f.fields["detail"] and "extranet" in f.fields["detail"]


@pytest.mark.parametrize(
    "recording,rows",
    [("network/switch/h3c-e528-1", 1), ("network/router/ruijie-n18010", None)],
)
def test_real_recordings(tmp_path, recording, rows):
    """snmpsim-data's own LLDP tables: every neighbour row read, names and chassis ids as net-snmp sees them."""
    agents = serve_recordings(tmp_path, {"dev": ("127.0.0.1", real_recording(recording, tmp_path))})
    try:
        dev = Device(name="dev", address="127.0.0.1", port=agents.ports["dev"], network="intranet", tier="central",
                     site="s", role="core", vendor="h3c_comware")  # fmt: skip

        async def go():
            eng = make_engine("fast")
            try:
                return await lldp.walk(eng, dev, Target("127.0.0.1", V2C, agents.ports["dev"], 5.0, 1, "dev"), 1)
            finally:
                await eng.close()

        pts = asyncio.run(go())
        truth = snmpwalk("127.0.0.1", agents.ports["dev"], "1.0.8802.1.1.2.1.4.1.1.5")  # lldpRemChassisId
        nbs = [p for p in pts if p.measurement == "lldp_neighbor"]
        assert len(nbs) == len(truth) and (rows is None or len(nbs) == rows)
        # chassis ids as net-snmp prints them (hex), same order of rows
        for p, line in zip(nbs, truth, strict=True):
            value = line.split("=", 1)[1].strip()
            if value.startswith("Hex-STRING:"):
                assert (
                    norm_chassis(p.fields["chassis_id"]).replace(":", "")
                    == value.split(":", 1)[1].replace(" ", "").lower()
                )
    finally:
        agents.proc.stop()
