"""configs/alerts/services.yaml on the alert engine: quorum over vantage points, certificate expiry."""

from __future__ import annotations

import pytest

from netmon.alerting import AlertEngine
from netmon.alerting.rules import load_rules
from netmon.errors import InputError
from netmon.inventory import Topology, load_inventory
from netmon.model import Point
from tests.conftest import ROOT

T0 = 1_800_000_000.0
TAGS = {
    "target": "gd-portal",
    "kind": "http",
    "network": "extranet",
    "tier": "province",
    "region": "广东",
    "province": "广东",
}


def svc(vantage: str, up: int, t: float) -> Point:
    return Point(
        "service",
        {**TAGS, "vantage": vantage},
        {"up": up, "error": "" if up else "timeout", "detail": "", "duration_ms": 5.0},
        int(t * 1e9),
    )


def cert(days: float, t: float) -> Point:
    return Point("service_cert", {**TAGS, "vantage": "central"}, {"days_left": days, "subject": "CN=portal", "issuer": "CN=CA",
                                                                  "chain_valid": 1, "hostname_ok": 1, "chain_error": ""}, int(t * 1e9))  # fmt: skip


@pytest.fixture
def engine(tmp_path):
    topo = Topology(load_inventory([ROOT / "configs" / "inventory" / "small.yaml"]))
    return AlertEngine.from_config(
        {"state": str(tmp_path / "a.db"), "rules": [str(ROOT / "configs" / "alerts")]}, topo, None
    )


def firing(eng, rule):
    return [a for a in eng.active() if a.rule == rule and a.state == "firing"]


def test_down_from_two_vantages_pages_once(engine):
    eng = engine
    t = T0
    for _ in range(10):  # one vantage down for 10 minutes: its own warning, not the portal's page
        eng.process([svc("广东", 0, t), svc("central", 1, t + 1)])
        eng.tick(t + 2)
        t += 60
    assert not firing(eng, "service_down")
    (one,) = firing(eng, "service_down_one_vantage")
    assert one.labels["vantage"] == "广东" and one.labels["target"] == "gd-portal"
    for _ in range(3):  # now the centre sees it down too: the quorum of 2 is met for 2 minutes
        eng.process([svc("广东", 0, t), svc("central", 0, t + 1)])
        eng.tick(t + 2)
        t += 60
    (page,) = firing(eng, "service_down")
    assert page.labels == {**{k: TAGS[k] for k in ("network", "tier", "region", "province")}, "target": "gd-portal"}
    assert "2 vantage points (central, 广东)" in page.summary_en and "均不可用" in page.summary_zh
    eng.process([svc("广东", 0, t), svc("central", 1, t + 1)])  # one vantage back: quorum lost
    eng.tick(t + 2)
    assert not firing(eng, "service_down")


def test_single_vantage_alone_never_pages(engine):
    t = T0
    for _ in range(10):
        engine.process([svc("广东", 0, t)])
        engine.tick(t + 1)
        t += 60
    assert not firing(engine, "service_down")


def test_certificate_expiring(engine):
    engine.process([cert(45, T0)])
    engine.tick(T0 + 1)
    assert not firing(engine, "certificate_expiring")
    engine.process([cert(12.4, T0 + 60)])
    engine.tick(T0 + 61)
    (a,) = firing(engine, "certificate_expiring")
    assert "expires in 12 days" in a.summary_en
    assert not firing(engine, "certificate_expired")


def test_quorum_rule_checked_at_load(tmp_path):
    f = tmp_path / "r.yaml"
    f.write_text("rules:\n  - id: x\n    measurement: service\n    when: up == 0\n    quorum: {by: nosuchtag}\n"
                 "    summary: {en: x, zh: x}\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(InputError) as exc:
        load_rules([f])
    assert "rule x: service points have no tag 'nosuchtag' to vote by" in str(exc.value)
