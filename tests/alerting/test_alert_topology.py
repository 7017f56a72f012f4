"""Root cause from the topology, with the sample inventory (configs/inventory/small.yaml):
a provincial device down -> exactly one incident notified (to a real HTTP receiver), every
descendant suppressed naming that device; the intranet and extranet are separate trees."""

from __future__ import annotations

import asyncio

import pytest
from alerting_helpers import T0, Recorder, reach

from netmon.inventory import Topology, load_inventory
from netmon.model import Point


@pytest.fixture
def hook():
    rec = Recorder().start()
    yield rec
    rec.stop()


def _section(url: str) -> dict:
    return {
        "rules": [],  # defaults from configs/alerts
        "receivers": {"hook": {"type": "webhook", "url": url, "retries": 0, "timeout": 5}},
        "groups": {"noc": ["hook"]},
        "default_groups": ["noc"],
    }


def _cycle(topology: Topology, down: set[str], t: float, network: str | None = None) -> list[Point]:
    """One poll cycle, children first (the order a parallel poller may well deliver them)."""
    devs = [d for d in topology.inventory if network is None or d.network.value == network]
    devs.sort(key=lambda d: -d.tier.depth)
    return [reach(d, 0 if d.name in down else 1, t) for d in devs]


def _independent_cut_off(topology: Topology, root: str) -> set[str]:
    """Independent truth: everything whose only way to the centre is through `root` (walk uplinks)."""
    out = set()
    for d in topology.inventory:
        n, path = d.name, set()
        while topology.parents(n):
            n = topology.parents(n)[0]
            path.add(n)
        if root in path:
            out.add(d.name)
    return out


async def test_province_down_one_incident(make_engine, topology, hook):
    eng = make_engine(_section(hook.url + "/hook"))
    await eng.start()
    try:
        behind = _independent_cut_off(topology, "gd-in-core1")
        assert len(behind) == 10
        down = {"gd-in-core1", *behind}
        eng.process(_cycle(topology, set(), T0))
        eng.end_cycle(T0)
        eng.process(_cycle(topology, down, T0 + 60))
        eng.end_cycle(T0 + 60)
        eng.tick(T0 + 61)
        assert await eng.dispatcher.drain(10)
        await asyncio.sleep(0.3)  # anything else would have arrived by now
        reqs = hook.wait(1)
        assert len(reqs) == 1, [r.json() for r in reqs]
        alerts = reqs[0].json()["alerts"]
        assert [(a["rule"], a["labels"]["device"], a["kind"]) for a in alerts] == [
            ("device_unreachable", "gd-in-core1", "firing")
        ]
        impact = alerts[0]["impact"]
        by_tier = {}
        for n in behind:
            t = topology.device(n).tier.value
            by_tier[t] = by_tier.get(t, 0) + 1
        assert impact["devices"] == 10 and impact["by_tier"] == by_tier
        assert impact["sites"] == sorted({topology.device(n).site for n in behind})
        # every descendant is suppressed with the root cause named, in state and in the alert points
        sup = {a.labels["device"]: a for a in eng.active() if a.suppressed}
        assert set(sup) == behind
        assert {a.root_cause for a in sup.values()} == {"gd-in-core1"}
        incs = eng.incidents()
        assert len(incs) == 1 and incs[0]["device"] == "gd-in-core1" and len(incs[0]["suppressed"]) == 10

        # recovery: one resolve, nothing for the children
        eng.process(_cycle(topology, set(), T0 + 120))
        eng.end_cycle(T0 + 120)
        assert await eng.dispatcher.drain(10)
        reqs = hook.wait(2)
        assert len(reqs) == 2
        assert [(a["labels"]["device"], a["kind"]) for a in reqs[1].json()["alerts"]] == [("gd-in-core1", "resolved")]
        assert eng.active() == []
    finally:
        await eng.aclose()


def test_alert_points_name_the_root_cause(make_engine, topology):
    eng = make_engine(_section("http://127.0.0.1:9/none"))
    down = {"gd-gz-in-core1", *topology.descendants("gd-gz-in-core1")}
    pts = eng.process(_cycle(topology, down, T0)) + eng.end_cycle(T0)
    final = {}
    for p in pts:
        final[p.tags["device"]] = p
    assert final["gd-gz-in-core1"].tags["state"] == "firing" and final["gd-gz-in-core1"].fields["root_cause"] == ""
    for child in topology.descendants("gd-gz-in-core1"):
        assert final[child].tags["state"] == "suppressed"
        assert final[child].fields["root_cause"] == "gd-gz-in-core1"


def test_networks_are_separate_trees(make_engine, topology):
    """Guangdong intranet province and a Zhejiang extranet city down together: two incidents."""
    eng = make_engine(_section("http://127.0.0.1:9/none"))
    down = {
        "gd-in-core1",
        *topology.descendants("gd-in-core1"),
        "zj-hz-ex-core1",
        *topology.descendants("zj-hz-ex-core1"),
    }
    eng.process(_cycle(topology, down, T0))
    eng.end_cycle(T0)
    incs = {i["device"]: i for i in eng.incidents()}
    assert set(incs) == {"gd-in-core1", "zj-hz-ex-core1"}
    assert incs["gd-in-core1"]["network"] == "intranet" and incs["zj-hz-ex-core1"]["network"] == "extranet"
    assert incs["zj-hz-ex-core1"]["impact"]["by_tier"] == {"county": 2}
    q = eng.dispatcher.slots["hook"].queue
    assert sorted(n.alert.labels["device"] for n in q) == ["gd-in-core1", "zj-hz-ex-core1"]


def test_child_first_in_cycle_is_not_paged(make_engine, topology):
    """A county reported down before its city in the same cycle waits for end_cycle: no race."""
    eng = make_engine(_section("http://127.0.0.1:9/none"))
    county, city = topology.device("gd-gz-th-in-core1"), topology.device("gd-gz-in-core1")
    eng.process([reach(county, 0, T0)])
    eng.tick(T0 + 1)  # a timer tick between the two points must not page the county
    assert list(eng.dispatcher.slots["hook"].queue) == []
    eng.process([reach(city, 0, T0 + 2)])
    eng.end_cycle(T0 + 3)
    assert [n.alert.labels["device"] for n in eng.dispatcher.slots["hook"].queue] == ["gd-gz-in-core1"]


def test_uplink_interface_folds_into_incident(make_engine, topology):
    """The central core's port toward a dead province is part of that incident, not a second page."""
    eng = make_engine(_section("http://127.0.0.1:9/none"))
    core, gd = topology.device("c-in-core1"), topology.device("gd-in-core1")
    port = Point(
        "interface",
        {**core.point_tags(), "ifIndex": "2", "ifName": "GigabitEthernet0/0/2", "uplink": "0"},
        {"oper_status": 2, "admin_status": 1},
        int(T0 * 1e9),
    )
    eng.process([port, reach(gd, 0, T0), reach(core, 1, T0)])
    eng.end_cycle(T0 + 200)
    eng.process([Point(port.measurement, port.tags, port.fields, int((T0 + 200) * 1e9))])  # core_link_down has for: 2m
    eng.end_cycle(T0 + 200)
    link = [a for a in eng.active() if a.rule == "core_link_down"]
    assert link and link[0].suppressed and link[0].root_cause == "gd-in-core1"
    assert [n.alert.rule for n in eng.dispatcher.slots["hook"].queue] == ["device_unreachable"]


def test_two_uplinks_one_down_is_not_cut_off(make_engine, tmp_path):
    """A county dual-homed to two cities stays reachable when one city is down: it is paged on its own."""
    inv_file = tmp_path / "dual.yaml"
    inv_file.write_text(
        """
devices:
- {name: c1, address: 10.0.0.1, network: intranet, tier: central, site: 中心, role: core, vendor: huawei_vrp}
- {name: p1, address: 10.0.1.1, network: intranet, tier: province, region: 广东, site: 省中心, role: core,
   vendor: huawei_vrp, uplinks: [{device: c1}]}
- {name: a1, address: 10.0.2.1, network: intranet, tier: city, region: 广东/广州, site: 广州, role: aggregation,
   vendor: h3c_comware, uplinks: [{device: p1}]}
- {name: b1, address: 10.0.3.1, network: intranet, tier: city, region: 广东/深圳, site: 深圳, role: aggregation,
   vendor: h3c_comware, uplinks: [{device: p1}]}
- {name: x1, address: 10.0.4.1, network: intranet, tier: county, region: 广东/广州/天河, site: 天河, role: aggregation,
   vendor: cisco_ios, uplinks: [{device: a1}, {device: b1}]}
""",
        encoding="utf-8",
    )
    topo = Topology(load_inventory([inv_file]))
    from netmon.alerting import AlertEngine
    from netmon.secrets import SecretStore

    eng = AlertEngine.from_config(
        _section("http://127.0.0.1:9/none"), topo, tmp_path / "dual.db", SecretStore(environ={})
    )
    eng.process([reach(topo.device("a1"), 0, T0), reach(topo.device("x1"), 0, T0)])
    eng.end_cycle(T0)
    assert {i["device"] for i in eng.incidents()} == {"a1", "x1"}
    eng.process([reach(topo.device("b1"), 0, T0 + 60)])
    eng.end_cycle(T0 + 60)
    # now both paths are down: x1 is cut off; a1 and b1 are the roots
    x1 = next(a for a in eng.active() if a.labels["device"] == "x1")
    assert x1.suppressed and x1.root_cause in {"a1", "b1"}
    eng.store.close()
