"""Bad input: wrong credentials, dead or slow agents, looping and garbled answers.

Each failure is classified, bounded in time, one log line without a traceback or a secret,
and never delays the other devices.
"""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from collectors.snmp.engine import ErrorClass, SnmpError, Target, ValueType, parse_oid
from collectors.snmp.engine_pysnmp import PysnmpEngine
from collectors.snmp.poller import SnmpPoller
from netmon.config import SnmpSettings
from tests.snmp.conftest import Polled, devices, v2c, v3
from tests.snmp.evil_agent import EvilAgent

WRONG_KEY = "not-the-right-key-42"


def dev(name: str):
    return next(d for d in devices() if d.name == name)


async def _poll(lab, name, cred, *, timeout=0.5, retries=0, budget=30.0, health=False):
    engine = PysnmpEngine()
    try:
        poller = SnmpPoller(engine, SnmpSettings(device_budget=budget))
        target = Target("127.0.0.1", cred, port=lab.port(name), timeout=timeout, retries=retries, name=name)
        return await poller.poll_device(dev(name), target, health=health)
    finally:
        await engine.close()


@pytest.mark.parametrize(
    ("cred", "error"),
    [
        (lambda lab: v2c(lab, "wrong-community"), "timeout"),  # agents ignore unknown communities
        (lambda lab: v3(lab, auth_key=WRONG_KEY), "auth_failure"),
        (lambda lab: v3(lab, user="nobody"), "unknown_user"),
        (lambda lab: v3(lab, priv_key=WRONG_KEY), "decryption_error"),
    ],
    ids=["wrong-community", "wrong-auth-key", "unknown-user", "wrong-priv-key"],
)
def test_wrong_credentials_are_classified(lab, caplog, cred, error):
    caplog.set_level(logging.WARNING, logger="netmon.snmp")
    t0 = time.monotonic()
    pts = asyncio.run(_poll(lab, "hw-s5720", cred(lab)))
    assert time.monotonic() - t0 < 10
    assert [p.measurement for p in pts] == ["snmp_reach"]
    assert pts[0].fields["up"] == 0 and pts[0].fields["error"] == error
    lines = [r.getMessage() for r in caplog.records if r.name == "netmon.snmp"]
    assert len(lines) == 1 and "device=hw-s5720" in lines[0] and "tier=central" in lines[0] and error in lines[0]
    assert not any(r.exc_info for r in caplog.records)
    for secret in (WRONG_KEY, lab.v3_auth_key, lab.v3_priv_key, "wrong-community"):
        assert secret not in caplog.text and secret not in str(pts[0].fields)


def test_dead_device_does_not_delay_the_others(lab, caplog):
    """The paused device times out; the others answer in the same gather, unaffected."""
    caplog.set_level(logging.WARNING, logger="netmon.snmp")
    names = ["dead", "hw-s5720", "cisco-3560"]

    async def run():
        engine = PysnmpEngine()
        try:
            poller = SnmpPoller(engine, SnmpSettings(device_budget=30, per_site_concurrency=1))
            items = [
                (dev(n), Target("127.0.0.1", v2c(lab), port=lab.port(n), timeout=1, retries=1, name=n)) for n in names
            ]
            return await poller.poll_many(items)
        finally:
            await engine.close()

    t0 = time.monotonic()
    pts = asyncio.run(run())
    reach = {p.tags["device"]: p.fields for p in pts if p.measurement == "snmp_reach"}
    assert reach["dead"]["up"] == 0 and reach["dead"]["error"] == "timeout"
    assert reach["hw-s5720"]["up"] == 1 and reach["cisco-3560"]["up"] == 1
    # The dead device is at its own site: its ~2 s of retries overlap the others' polls.
    assert reach["hw-s5720"]["response_ms"] < 1000 * (time.monotonic() - t0)
    assert float(reach["dead"]["response_ms"]) < 4000
    assert next(r.getMessage() for r in caplog.records if "dead" in r.getMessage()).count("\n") == 0


def test_budget_exceeded(lab):
    pts = asyncio.run(_poll(lab, "zte-9900", v2c(lab), timeout=2, budget=0.05))
    assert pts[0].fields == {**pts[0].fields, "up": 0, "error": "budget_exceeded"}
    assert pts[0].fields["response_ms"] < 1000


def test_no_such_object_and_short_tables(lab):
    """Missing OIDs come back as exceptions, not errors; a missing column walks empty."""

    async def run():
        engine = PysnmpEngine()
        try:
            t = Polled(lab, None, []).target("ruijie-n18k")  # type: ignore[arg-type]
            got = await engine.get(t, [parse_oid("1.3.6.1.2.1.1.5.0"), parse_oid("1.3.6.1.4.1.99999.1.0")])
            walked = await engine.bulk_walk(t, [parse_oid("1.3.6.1.2.1.31.1.1.1.6"), parse_oid("1.3.6.1.2.1.2.2.1.10")])
            return got, walked
        finally:
            await engine.close()

    got, walked = asyncio.run(run())
    assert got[0].type is ValueType.OCTET_STRING
    assert got[1].type in (ValueType.NO_SUCH_OBJECT, ValueType.NO_SUCH_INSTANCE) and got[1].value is None
    assert walked[parse_oid("1.3.6.1.2.1.31.1.1.1.6")] == []  # no ifXTable on this firmware
    assert len(walked[parse_oid("1.3.6.1.2.1.2.2.1.10")]) > 100


@pytest.mark.parametrize(
    ("community", "kind"),
    [("loop", ErrorClass.LOOP), ("garbage", ErrorClass.TIMEOUT), ("truncated", ErrorClass.TIMEOUT)],
)
def test_misbehaving_agent(lab, community, kind):
    """A looping table raises LOOP at once; garbage and truncated packets are dropped (timeout)."""
    agent = EvilAgent()

    async def run():
        engine = PysnmpEngine()
        try:
            t = Target("127.0.0.1", v2c(lab, community), port=agent.port, timeout=0.5, retries=0, name="evil")
            await engine.bulk_walk(t, [parse_oid("1.3.6.1.2.1.2.2.1.2")])
        finally:
            await engine.close()

    t0 = time.monotonic()
    try:
        with pytest.raises(SnmpError) as exc:
            asyncio.run(run())
    finally:
        agent.stop()
    assert exc.value.kind is kind
    assert time.monotonic() - t0 < 5
    assert "\n" not in str(exc.value)
