"""Issue 16: behind an outage's root cause only alerts that follow from reachability are
suppressed; a compliance finding or a config change of a cut-off device still pages. Explicit
per rule (suppress_behind_root_cause). Pages counted at a real HTTP receiver."""

from __future__ import annotations

from netmon.model import Point

from .alert_plumbing import T0, TOPOLOGY, engine, intranet, pages, poll
from .echo_server import EchoServer

PROVINCE = "gd-in-core1"
BEHIND = "gd-gz-in-core1"


def _tags(name: str, **extra: str) -> dict[str, str]:
    return {**TOPOLOGY.device(name).point_tags(), **extra}


async def test_only_reachability_alerts_are_suppressed(tmp_path):
    with EchoServer({"/hook": (200, "application/json", "{}")}) as hook:
        eng = engine(tmp_path, hook)
        await eng.start()
        try:
            down = {PROVINCE, *TOPOLOGY.descendants(PROVINCE)}
            assert BEHIND in down
            poll(eng, intranet(), set(), T0)
            eng.end_cycle(T0)
            t = T0 + 60
            poll(eng, intranet(), down, t)
            ns = int(t * 1e9)
            eng.process(
                [
                    Point("config_change", _tags(BEHIND, change="update"), {"lines_added": 3, "lines_removed": 1}, ns),
                    Point(
                        "compliance_rule",
                        _tags(
                            BEHIND, standard="mlps2", rule="ssh-only", clause="8.1.4", severity="high", result="fail"
                        ),
                        {"failed": 1},
                        ns,
                    ),
                    Point(
                        "interface",
                        _tags(BEHIND, ifIndex="1", ifName="GE0/0/1", ifAlias="", uplink="1"),
                        {"oper_status": 2, "admin_status": 1},
                        ns,
                    ),
                ]
            )
            eng.end_cycle(t + 10)
            eng.tick(t + 11)
            got = sorted(await pages(eng, hook))
            assert got == [
                ("compliance_high_fail", BEHIND, "firing"),
                ("config_changed", BEHIND, "firing"),
                ("device_unreachable", PROVINCE, "firing"),
            ]
            uplink = next(a for a in eng.active() if a.rule == "uplink_down")
            assert uplink.suppressed and uplink.root_cause == PROVINCE
        finally:
            await eng.aclose()


def test_the_choice_is_explicit_per_rule(tmp_path):
    with EchoServer({}) as hook:
        eng = engine(tmp_path, hook)
        try:
            want = {
                "device_unreachable": True, "device_silent": True, "uplink_down": True, "core_link_down": True,
                "service_down": True, "config_changed": False, "compliance_high_fail": False,
                "snmp_auth_failure": False, "lldp_isolation_breach": False, "cpu_high": False,
            }  # fmt: skip
            assert {r: eng.rules[r].suppressible for r in want} == want
        finally:
            eng.store.close()
