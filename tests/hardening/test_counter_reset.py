"""Issue 16: a 32-bit counter cleared without a discontinuity change must not read as a wrap
(2.5 Gb/s, 2513 % on a 100 Mb/s link). A real net-snmp snmpd serves the interface; a pass script
replaces its ifInOctets (Counter32), hides ifHCInOctets (so 32-bit counters are polled) and
reports ifHighSpeed 100, from files the test rewrites between polls (the independent truth)."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import sys
from pathlib import Path

from collectors.snmp.engine import Target
from collectors.snmp.engine_pysnmp import PysnmpEngine
from collectors.snmp.poller import SnmpPoller
from collectors.snmp.rates import WRAP32
from netmon.config import SnmpSettings
from netmon.inventory import Device
from netmon.lab.snmpd import start_snmpd
from netmon.model import Point
from tests.conftest import need_binary

IF_IN_OCTETS = ".1.3.6.1.2.1.2.2.1.10"
IF_HC_IN_OCTETS = ".1.3.6.1.2.1.31.1.1.1.6"
IF_HIGH_SPEED = ".1.3.6.1.2.1.31.1.1.1.15"

# snmpd's pass protocol: "-g OID" (get) or "-n OID" (getnext) -> OID, type, value lines, or nothing.
PASS = """#!{python}
import sys
base, kind, path = sys.argv[1], sys.argv[2], sys.argv[3]
op, oid = sys.argv[4], sys.argv[5]
leaf = base + ".1"
if path == "-":  # an empty column
    sys.exit(0)
if (op == "-g" and oid == leaf) or (op == "-n" and oid in (base, base + ".0")):
    print(leaf)
    print(kind)
    print(open(path).read().strip())
"""


def _pass_line(script: Path, base: str, kind: str, value: Path | str) -> str:
    return f"pass {base} {script} {base} {kind} {value}"


def _point(points: list[Point]) -> Point:
    (p,) = [p for p in points if p.measurement == "interface" and p.tags["ifIndex"] == "1"]
    return p


def test_cleared_32bit_counter_is_a_reset_not_a_wrap(tmp_path: Path, caplog) -> None:
    need_binary("snmpd")
    script = tmp_path / "pass.py"
    script.write_text(PASS.format(python=sys.executable))
    script.chmod(stat.S_IRWXU)
    octets, speed = tmp_path / "octets", tmp_path / "speed"
    speed.write_text("100\n")  # Mb/s
    octets.write_text("3000000000\n")
    os.chmod(tmp_path, 0o755)  # snmpd runs the script as root from its own cwd
    snmpd = start_snmpd(
        tmp_path,
        extra=[
            _pass_line(script, IF_IN_OCTETS, "counter", octets),
            _pass_line(script, IF_HC_IN_OCTETS, "counter64", "-"),
            _pass_line(script, IF_HIGH_SPEED, "gauge", speed),
        ],
    )
    dev = Device(name="county-sw", address="127.0.0.1", network="intranet", tier="county", region="广东",
                 site="lab", role="access", vendor="huawei_vrp", port=snmpd.port)  # fmt: skip
    target = Target("127.0.0.1", snmpd.v2c(), port=snmpd.port, name=dev.name, timeout=5)

    async def polls(values: list[int]) -> list[Point]:
        poller = SnmpPoller(PysnmpEngine(), SnmpSettings(device_budget=60))
        out = []
        try:
            for v in values:
                octets.write_text(f"{v}\n")
                out.append(_point(await poller.poll_device(dev, target)))
                await asyncio.sleep(1.0)  # the next poll's interval
        finally:
            await poller.engine.close()
        return out

    try:
        with caplog.at_level(logging.WARNING, logger="netmon.snmp"):
            first, cleared, after = asyncio.run(polls([3_000_000_000, 1000, 1000 + 1_250_000]))
            wrap_a, wrap_b = asyncio.run(polls([WRAP32 - 1000, 500]))
    finally:
        snmpd.stop()

    # the agent served what the files said, 32-bit, on a 100 Mb/s interface
    assert first.fields["in_octets"] == 3_000_000_000 and first.fields["hc"] == 0
    assert first.fields["speed_mbps"] == 100
    assert cleared.fields["in_octets"] == 1000
    # the clear: no rate, no utilisation, a reset reported on the point and in the log
    assert "in_bps" not in cleared.fields and "in_util_pct" not in cleared.fields
    assert cleared.fields["counter_reset"] == 1
    msgs = [r.getMessage() for r in caplog.records if "reset" in r.getMessage()]
    assert len(msgs) == 1 and "county-sw" in msgs[0] and first.tags["ifName"] in msgs[0]
    # the cleared sample is the new baseline: the next poll has a true rate again
    assert "counter_reset" not in after.fields
    assert 0 < after.fields["in_bps"] <= 100e6 and after.fields["in_util_pct"] <= 100
    # a real 32-bit wrap at a plausible rate is still corrected, not reported
    assert "counter_reset" not in wrap_b.fields
    assert 0 < wrap_b.fields["in_bps"] < 1500 * 8  # 1500 bytes in >= 1 s
    assert "counter_reset" not in wrap_a.fields
