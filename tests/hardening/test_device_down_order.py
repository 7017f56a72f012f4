"""Issue 16: a county/city seen down one cycle before its provincial parent (the parent was
polled, still up, just before the outage that took both) must not page on its own: its page is
held until the parent answers again, so one outage is one page naming the root. A lone device
failure still pages once the parent has answered; a parent that never answers again does not
hold the page for longer than alerting.parent_wait. Pages counted at a real HTTP receiver."""

from __future__ import annotations

import time

from pydantic import SecretStr

from collectors.snmp.engine import Target
from collectors.snmp.engine_pysnmp import PysnmpEngine
from collectors.snmp.poller import SnmpPoller
from netmon.config import SnmpCredential, SnmpSettings
from netmon.lab.snmpsim import SnmpsimLab, start_snmpsim
from tests.conftest import need_binary

from .alert_plumbing import T0, TOPOLOGY, engine, intranet, pages, poll
from .echo_server import EchoServer

CITY = "gd-gz-in-core1"
COUNTY = "gd-gz-th-in-core1"
ACCESS = "gd-gz-th-t1-in-acc1"  # behind COUNTY
EARLY = {CITY, *TOPOLOGY.ancestors(CITY)}  # polled early in each cycle (their phase)


def lab_v2c(lab: SnmpsimLab) -> SnmpCredential:
    return SnmpCredential(version="2c", community=SecretStr(lab.community))


def _phased_cycle(eng, start: float, down: set[str]) -> None:
    """One cycle of a phased poller: CITY and its parents at start, everything else 30 s later."""
    poll(eng, sorted(EARLY), down, start)
    poll(eng, [n for n in intranet() if n not in EARLY], down, start + 30)
    eng.end_cycle(start + 40)
    eng.tick(start + 41)


async def test_child_seen_down_a_cycle_before_its_parent_is_one_page(tmp_path):
    with EchoServer({"/hook": (200, "application/json", "{}")}) as hook:
        eng = engine(tmp_path, hook)
        await eng.start()
        try:
            cut = {COUNTY, ACCESS, *TOPOLOGY.descendants(CITY), CITY}
            _phased_cycle(eng, T0, set())
            # the outage starts after CITY's poll of this cycle: it answered, its children do not
            _phased_cycle(eng, T0 + 60, cut - {CITY})
            assert await pages(eng, hook) == []  # held: CITY's state after the failure is unknown
            _phased_cycle(eng, T0 + 120, cut)
            assert await pages(eng, hook) == [("device_unreachable", CITY, "firing")]
            county = next(a for a in eng.active() if a.labels["device"] == COUNTY)
            assert county.suppressed and county.root_cause == CITY
            (inc,) = eng.incidents()
            assert inc["device"] == CITY and inc["impact"]["devices"] == len(cut) - 1
        finally:
            await eng.aclose()


async def test_a_lone_failure_pages_once_the_parent_answered(tmp_path):
    with EchoServer({"/hook": (200, "application/json", "{}")}) as hook:
        eng = engine(tmp_path, hook)
        await eng.start()
        try:
            _phased_cycle(eng, T0, set())
            _phased_cycle(eng, T0 + 60, {ACCESS, COUNTY})
            assert await pages(eng, hook) == []
            _phased_cycle(eng, T0 + 120, {ACCESS, COUNTY})  # CITY answered after the failure: COUNTY is the root
            assert await pages(eng, hook) == [("device_unreachable", COUNTY, "firing")]
        finally:
            await eng.aclose()


async def test_a_silent_parent_holds_the_page_only_for_parent_wait(tmp_path):
    with EchoServer({"/hook": (200, "application/json", "{}")}) as hook:
        eng = engine(tmp_path, hook, parent_wait="2m")
        await eng.start()
        try:
            _phased_cycle(eng, T0, set())
            _phased_cycle(eng, T0 + 60, {COUNTY, ACCESS})
            eng.tick(T0 + 60 + 30 + 119)
            assert await pages(eng, hook) == []
            eng.tick(T0 + 60 + 30 + 121)  # CITY's poller went quiet: page with what is known
            assert await pages(eng, hook) == [("device_unreachable", COUNTY, "firing")]
        finally:
            await eng.aclose()


async def test_real_polls_of_a_chain_one_page(tmp_path):
    """The same with real SNMP polls of snmpsim agents: CITY is polled (answers), then the site
    behind the province link goes dark (the lab stops answering for CITY, COUNTY, ACCESS), then
    COUNTY and ACCESS are polled (time out). Next cycle CITY times out too."""
    need_binary("snmpbulkwalk")
    chain = [*sorted(TOPOLOGY.ancestors(CITY)), CITY, COUNTY, ACCESS]
    devs = [TOPOLOGY.device(n) for n in chain]
    lab = start_snmpsim(devs, tmp_path / "lab", max_interfaces=4)
    try:
        with EchoServer({"/hook": (200, "application/json", "{}")}) as hook:
            eng = engine(tmp_path, hook)
            await eng.start()
            snmp = PysnmpEngine()
            poller = SnmpPoller(snmp, SnmpSettings(device_budget=60, max_repetitions=40))

            async def poll_real(names: list[str]) -> None:
                items = [
                    (
                        TOPOLOGY.device(n),
                        Target("127.0.0.1", lab_v2c(lab), port=lab.port(n), timeout=2, retries=1, name=n),
                    )
                    for n in names
                ]
                pts = await poller.poll_many(items)
                eng.process([p for p in pts if p.measurement == "snmp_reach"])

            try:
                first, later = [n for n in chain if n in EARLY], [COUNTY, ACCESS]
                await poll_real(first)
                await poll_real(later)
                eng.end_cycle(time.time())
                assert [a.labels["device"] for a in eng.active()] == []  # all answered
                await poll_real(first)  # cycle 2: CITY answers ...
                lab.pause(CITY, COUNTY, ACCESS)  # ... then the outage
                await poll_real(later)
                eng.end_cycle(time.time())
                eng.tick(time.time())
                assert {a.labels["device"] for a in eng.active()} == {COUNTY, ACCESS}
                assert await pages(eng, hook) == []
                await poll_real(first)  # cycle 3
                await poll_real(later)
                eng.end_cycle(time.time())
                eng.tick(time.time())
                assert await pages(eng, hook) == [("device_unreachable", CITY, "firing")]
                assert {a.root_cause for a in eng.active() if a.labels["device"] != CITY} == {CITY}
            finally:
                await snmp.close()
                await eng.aclose()
    finally:
        lab.stop()
