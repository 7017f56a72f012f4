"""FastEngine value for value against net-snmp's snmpbulkwalk and against pysnmp.

Agents: net-snmp snmpd (real kernel interface counters) over v2c and v3 with every auth and
priv protocol net-snmp supports, and snmpsim serving a Huawei and a Cisco recording. Each
fast walk runs between two snmpbulkwalks: values must equal one of them, moving counters
must lie between them (net-snmp caches counters for a few seconds, so most are equal).
"""

from __future__ import annotations

import pytest

from collectors.snmp.engine import Target, parse_oid
from collectors.snmp.engine_fast import FastEngine
from netmon.lab.snmpd import Snmpd
from tests.snmp_engine.conftest import IF_TABLE, IF_X_TABLE, SYSTEM
from tests.snmp_engine.snmpeng_helpers import assert_bracketed, rows_of, walk_truth

ROOTS = [IF_TABLE, IF_X_TABLE, SYSTEM]
AUTHS = ["md5", "sha", "sha224", "sha256", "sha384", "sha512"]
PRIVS = ["none", "des", "aes", "aes192", "aes256"]


async def _compare(auth_args: list[str], target: Target, what: str, roots: list[str] = ROOTS) -> int:
    engine = FastEngine()
    try:
        before = walk_truth(auth_args, target.host, target.port, roots)
        got = rows_of(await engine.bulk_walk(target, [parse_oid(r) for r in roots]))
        after = walk_truth(auth_args, target.host, target.port, roots)
    finally:
        await engine.close()
    assert engine.stats.timeouts == 0 and engine.stats.garbage == 0
    return assert_bracketed(before, got, after, what)


async def test_v2c_iftable_ifxtable_system(snmpd: Snmpd) -> None:
    target = Target("127.0.0.1", snmpd.v2c(), snmpd.port)
    n = await _compare(["-v2c", "-c", snmpd.community], target, "v2c")
    assert n > 50  # ifTable alone has 22 columns per interface


async def test_v1_getnext_walk(snmpd: Snmpd) -> None:
    from pydantic import SecretStr

    from netmon.config import SnmpCredential

    cred = SnmpCredential(version="1", community=SecretStr(snmpd.community))
    target = Target("127.0.0.1", cred, snmpd.port)
    # v1 has no Counter64: net-snmp's snmpwalk -v1 skips ifXTable's HC columns, as must we.
    await _compare(["-v1", "-c", snmpd.community], target, "v1", [IF_TABLE, SYSTEM])


@pytest.mark.parametrize("priv", PRIVS)
@pytest.mark.parametrize("auth", AUTHS)
async def test_v3_every_auth_and_priv(snmpd: Snmpd, auth: str, priv: str) -> None:
    user = snmpd.user(auth, priv)
    target = Target("127.0.0.1", user.credential(), snmpd.port)
    await _compare(user.net_snmp_args(), target, f"v3 {auth}/{priv}", [IF_TABLE, SYSTEM])


async def test_v3_noauth(snmpd: Snmpd) -> None:
    user = snmpd.user("none", "none")
    target = Target("127.0.0.1", user.credential(), snmpd.port)
    await _compare(user.net_snmp_args(), target, "v3 noAuthNoPriv", [IF_X_TABLE])


@pytest.mark.parametrize("device", ["huawei", "cisco"])
async def test_snmpsim_recordings_v2c(snmpsim_lab, device: str) -> None:
    from pydantic import SecretStr

    from netmon.config import SnmpCredential

    cred = SnmpCredential(version="2c", community=SecretStr(device))
    n = await _compare(["-v2c", "-c", device], Target("127.0.0.1", cred, snmpsim_lab.port), device)
    assert n > 100


async def test_snmpsim_recording_v3_authpriv(snmpsim_lab) -> None:
    from pydantic import SecretStr

    from netmon.config import SnmpCredential

    lab = snmpsim_lab
    cred = SnmpCredential(
        version="3",
        user=lab.v3_user,
        auth_protocol="sha",
        auth_key=SecretStr(lab.v3_auth_key),
        priv_protocol="aes",
        priv_key=SecretStr(lab.v3_priv_key),
        context="cisco",
    )
    args = [
        "-v3",
        "-l",
        "authPriv",
        "-u",
        lab.v3_user,
        "-a",
        "SHA",
        "-A",
        lab.v3_auth_key,
        "-x",
        "AES",
        "-X",
        lab.v3_priv_key,
        "-n",
        "cisco",
    ]
    await _compare(args, Target("127.0.0.1", cred, lab.port), "cisco v3 context", [IF_X_TABLE, SYSTEM])


# --- against pysnmp ------------------------------------------------------------------------


def _static(rows):
    """Drop counters and timeticks: pysnmp and we poll at different moments."""
    from tests.snmp_engine.snmpeng_helpers import COUNTERS

    return [(o, t, v) for o, t, v in rows if t not in COUNTERS]


def _cases(snmpd: Snmpd, lab):
    from pydantic import SecretStr

    from netmon.config import SnmpCredential

    yield "snmpd v2c", Target("127.0.0.1", snmpd.v2c(), snmpd.port)
    yield "snmpd v3 sha/aes", Target("127.0.0.1", snmpd.user("sha", "aes").credential(), snmpd.port)
    yield "snmpd v3 sha256/des", Target("127.0.0.1", snmpd.user("sha256", "des").credential(), snmpd.port)
    for dev in lab.devices:
        yield dev, Target("127.0.0.1", SnmpCredential(version="2c", community=SecretStr(dev)), lab.port)


async def test_same_as_pysnmp(snmpd: Snmpd, snmpsim_lab) -> None:
    from collectors.snmp.engine_pysnmp import PysnmpEngine

    fast, ref = FastEngine(), PysnmpEngine()
    roots = [parse_oid(r) for r in ROOTS]
    try:
        for what, target in _cases(snmpd, snmpsim_lab):
            a = await fast.bulk_walk(target, roots)
            b = await ref.bulk_walk(target, roots)
            assert list(a) == list(b)
            ra, rb = rows_of(a), rows_of(b)
            assert [r[0] for r in ra] == [r[0] for r in rb], what
            assert [r[1] for r in ra] == [r[1] for r in rb], what
            assert _static(ra) == _static(rb), what
            assert len(_static(ra)) > 20, what
            got = await fast.get(
                target, [(1, 3, 6, 1, 2, 1, 1, 2, 0), (1, 3, 6, 1, 2, 1, 1, 1, 0), (1, 3, 6, 1, 2, 1, 99, 0)]
            )
            want = await ref.get(
                target, [(1, 3, 6, 1, 2, 1, 1, 2, 0), (1, 3, 6, 1, 2, 1, 1, 1, 0), (1, 3, 6, 1, 2, 1, 99, 0)]
            )
            assert got == want, what
    finally:
        await fast.close()
        await ref.close()
