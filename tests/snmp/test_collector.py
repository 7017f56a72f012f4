"""The collector against snmpsim recordings of real devices, compared with net-snmp's output."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from collectors.snmp.engine_pysnmp import PysnmpEngine
from collectors.snmp.health_profiles import profile_for
from collectors.snmp.poller import SnmpPoller
from netmon.config import SnmpSettings
from tests.snmp import truth
from tests.snmp.conftest import LAB, UPLINK_IF, Polled, v2c, v3

POLLED = [n for n in LAB if n != "dead"]
IFX = "1.3.6.1.2.1.31.1.1.1"
IFT = "1.3.6.1.2.1.2.2.1"


def lab_rates(polled: Polled, device: str) -> dict[str, int]:
    """The per-OID rate (units/s) the lab gave each moving counter of this device."""
    sim = polled.lab.devices[device]
    mapping = json.loads((polled.lab.workdir / "endpoints.json").read_text())
    out = {}
    for line in (polled.lab.workdir / "data" / f"{mapping[sim.transport_id]}.snmprec").read_text().splitlines():
        if ":numeric|" in line:
            oid, _, rest = line.partition("|")
            out[oid] = int(rest.split("rate=")[1].split(",")[0])
    return out


@pytest.mark.parametrize("device", POLLED)
def test_system_matches_snmpget(polled: Polled, device: str):
    port = polled.lab.port(device)
    t = truth.get(
        port, truth.v2c("public"), "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.5.0"
    )
    (reach,) = polled.of(device, "snmp_reach")
    assert reach.fields["up"] == 1 and reach.fields["error"] == "" and int(reach.fields["values"]) > 10
    (sysp,) = polled.of(device, "snmp_system")
    assert sysp.fields["sys_object_id"] == t["1.3.6.1.2.1.1.2.0"]
    assert sysp.fields["sys_name"] == t["1.3.6.1.2.1.1.5.0"].decode()  # type: ignore[union-attr]
    # Line breaks are folded to spaces (line protocol and tags cannot carry them).
    assert sysp.fields["sys_descr"] == " ".join(t["1.3.6.1.2.1.1.1.0"].decode("utf-8", "replace").split())  # type: ignore[union-attr]
    # sysUpTime moves (numeric variation): ours was read earlier, so it is at most the truth.
    assert 0 <= int(t["1.3.6.1.2.1.1.3.0"]) / 100 - float(sysp.fields["uptime_s"]) < 600  # type: ignore[arg-type]
    assert sysp.tags["device"] == device and sysp.tags["tier"] in ("central", "province")


def test_vendor_detection_and_mismatch(polled: Polled):
    good = polled.of("h3c-wx", "snmp_system")[0]
    assert good.fields["vendor_detected"] == "h3c_comware" and good.fields["vendor_mismatch"] == 0
    bad = polled.of("wrong-vendor", "snmp_system")[0]  # inventory says Huawei, the agent is a Cisco 3750
    assert bad.fields["vendor_detected"] == "cisco_ios" and bad.fields["vendor_mismatch"] == 1
    assert bad.tags["vendor"] == "huawei_vrp"


@pytest.mark.parametrize("device", POLLED)
def test_interfaces_match_snmpbulkwalk(polled: Polled, device: str):
    port = polled.lab.port(device)
    auth = truth.v2c("public")
    ift = truth.bulkwalk(port, auth, IFT)
    ifx = truth.bulkwalk(port, auth, IFX)
    names = truth.column(ifx, f"{IFX}.1")
    descr = truth.column(ift, f"{IFT}.2")
    oper = truth.column(ift, f"{IFT}.8")
    high = truth.column(ifx, f"{IFX}.15")
    alias = truth.column(ifx, f"{IFX}.18")
    hc_in = truth.column(ifx, f"{IFX}.6")
    in32 = truth.column(ift, f"{IFT}.10")
    rates_ = lab_rates(polled, device)
    pts = {int(p.tags["ifIndex"]): p for p in polled.of(device, "interface")}
    assert set(pts) == set(oper) | set(names)
    for idx, p in pts.items():
        want_name = " ".join(
            (names.get(idx) or descr.get(idx) or str(idx).encode()).decode().replace("\x00", "").split()
        )  # type: ignore[union-attr]
        assert p.tags["ifName"] == want_name
        assert p.tags["ifAlias"] == " ".join((alias.get(idx) or b"").decode().replace("\x00", "").split())  # type: ignore[union-attr]
        if idx in oper:
            assert p.fields["oper_status"] == oper[idx]
        if idx in high:
            assert p.fields["speed_mbps"] == high[idx]
        counter, col = (hc_in, f"{IFX}.6") if hc_in else (in32, f"{IFT}.10")
        if idx in counter and "in_octets" in p.fields:
            now, ours = int(counter[idx]), int(p.fields["in_octets"])  # type: ignore[arg-type]
            rate = rates_.get(f"{col}.{idx}", 0)
            if hc_in:  # 32-bit counters may wrap between our read and the truth's
                assert 0 <= now - ours <= rate * 600, (idx, now, ours, rate)
        assert p.fields["hc"] == (1 if hc_in and idx in hc_in else 0)
    if device == "ruijie-n18k":
        # No ifXTable on this firmware: 32-bit counters, names from ifDescr.
        assert not hc_in and all(p.fields["hc"] == 0 for p in pts.values())
        assert any("in_octets" in p.fields for p in pts.values())


def test_uplink_tags(polled: Polled):
    hw = {p.tags["ifName"]: p.tags["uplink"] for p in polled.of("hw-s5720", "interface")}
    assert hw[UPLINK_IF] == "1"  # named as the parent's interface of cisco-3560's uplink
    assert sum(v == "1" for v in hw.values()) == 1
    cisco = {p.tags["ifName"]: p.tags["uplink"] for p in polled.of("cisco-3560", "interface")}
    assert cisco["Gi0/1"] == "1"  # its own local_interface (ifDescr GigabitEthernet0/1)
    assert sum(v == "1" for v in cisco.values()) == 1


def profile_vendor(device: str) -> str:
    # The inventory's vendor profile reads nothing on wrong-vendor (a Cisco listed as Huawei):
    # the profile of the detected vendor answers instead.
    return "cisco_ios" if device == "wrong-vendor" else LAB[device][0]


def _expected(device: str, field: str, polled: Polled) -> float | None:
    """Recompute a health field from snmpbulkwalk output of the profile's columns."""
    prof = profile_for(profile_vendor(device))
    port = polled.lab.port(device)
    for src in prof.fields.get(field, []):
        vals = [int(v) for v in truth.column_any(truth.bulkwalk(port, truth.v2c("public"), src.oid), src.oid)]  # type: ignore[arg-type]
        vals = [v for v in vals if (src.min_ is None or v >= src.min_) and (src.max_ is None or v <= src.max_)]
        if vals:
            return max(v * src.scale for v in vals)
    return None


@pytest.mark.parametrize("device", POLLED)
def test_health_matches_snmpbulkwalk(polled: Polled, device: str):
    pts = polled.of(device, "health")
    prof = profile_for(profile_vendor(device))
    assert pts, f"{device}: no health point"
    (h,) = pts
    assert h.fields["profile"] == prof.name
    checked = 0
    for field in ("cpu_pct", "mem_pct", "temp_c"):
        srcs = prof.fields.get(field, [])
        if not srcs or srcs[0].agg != "max":
            continue
        want = _expected(device, field, polled)
        assert h.fields.get(field) == want, (device, field)
        checked += want is not None
    assert checked >= 1 and "cpu_pct" in h.fields


def test_rates_from_two_polls_match_the_lab(lab):
    """Two polls 3 s apart: octets increase, and in_bps is the rate the lab's counters run at."""
    from tests.snmp.conftest import devices

    dev = next(d for d in devices() if d.name == "hw-s5720")
    target = Polled(lab, None, []).target(dev.name)  # type: ignore[arg-type]

    async def run():
        engine = PysnmpEngine()
        poller = SnmpPoller(engine, SnmpSettings(device_budget=60))
        try:
            first = await poller.poll_device(dev, target)
            await asyncio.sleep(3)
            second = await poller.poll_device(dev, target)
        finally:
            await engine.close()
        return first, second

    first, second = asyncio.run(run())
    a = {p.tags["ifIndex"]: p for p in first if p.measurement == "interface"}
    b = {p.tags["ifIndex"]: p for p in second if p.measurement == "interface"}
    assert all("in_bps" not in p.fields for p in a.values())  # no rate from a single poll
    rates_ = lab_rates(Polled(lab, None, []), "hw-s5720")  # type: ignore[arg-type]
    checked = 0
    for idx, p in b.items():
        if "in_octets" not in p.fields:
            continue
        assert p.fields["in_octets"] > a[idx].fields["in_octets"]
        want_bps = rates_[f"{IFX}.6.{idx}"] * 8
        # The agent reads each row at some instant within its walk; we time the walk's middle.
        assert float(p.fields["in_bps"]) == pytest.approx(want_bps, rel=0.3), idx
        if p.fields.get("speed_mbps"):
            assert p.fields["in_util_pct"] == pytest.approx(
                100 * p.fields["in_bps"] / (p.fields["speed_mbps"] * 1e6), abs=1e-4
            )
        checked += 1
    assert checked > 10


def test_v3_authpriv_through_snmpsim(lab):
    from tests.snmp.conftest import devices

    dev = next(d for d in devices() if d.name == "cisco-3560")
    pol = Polled(lab, None, [])  # type: ignore[arg-type]

    async def run():
        engine = PysnmpEngine()
        try:
            poller = SnmpPoller(engine, SnmpSettings(device_budget=60))
            return await poller.poll_device(dev, pol.target(dev.name, v3(lab)), health=False)
        finally:
            await engine.close()

    t0 = time.monotonic()
    pts = asyncio.run(run())
    assert pts[0].fields["up"] == 1, pts[0].fields
    sysname = truth.get(lab.port(dev.name), truth.v2c("public"), "1.3.6.1.2.1.1.5.0")["1.3.6.1.2.1.1.5.0"]
    assert [p.fields["sys_name"] for p in pts if p.measurement == "snmp_system"] == [sysname.decode()]  # type: ignore[union-attr]
    assert sum(p.measurement == "interface" for p in pts) > 10
    assert time.monotonic() - t0 < 60
    assert v2c(lab).version == "2c"
