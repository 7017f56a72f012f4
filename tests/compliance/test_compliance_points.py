"""Scores as Points (docs/SCHEMA.md `compliance`, `compliance_rule`) and events for new high FAILs."""

from __future__ import annotations

from netmon.compliance import failing_high, new_high_failures, scan_files, scan_text, to_points
from netmon.compliance.scoring import by_clause, score
from netmon.inventory import Device

from .conftest import CONFIGS


def test_points_follow_the_schema(l3) -> None:
    dev = Device(
        name="hb-wh-acc1",
        address="10.3.0.1",
        network="intranet",
        tier="county",
        region="湖北/武汉/江夏",
        site="江夏区政务中心",
        role="access",
        vendor="huawei_vrp",
    )
    res = scan_text((CONFIGS / "huawei_noncompliant.cfg").read_text(encoding="utf-8"), l3, device=dev)
    pts = to_points([res], time_ns=1_700_000_000_000_000_000)
    summary = [p for p in pts if p.measurement == "compliance"]
    rules = [p for p in pts if p.measurement == "compliance_rule"]
    assert len(summary) == 1 and len(rules) == len(l3.rules)
    s = summary[0]
    assert s.tags == {**dev.point_tags(), "standard": "mlps-l3"}
    assert s.time_ns == 1_700_000_000_000_000_000
    assert set(s.fields) == {"score_pct", "pass", "fail", "warn", "review", "na", "high_fail"}
    assert s.fields["fail"] == sum(p.fields["failed"] for p in rules)
    assert s.fields["score_pct"] == score(res.findings)
    assert s.fields["pass"] + s.fields["fail"] + s.fields["warn"] + s.fields["review"] + s.fields["na"] == len(l3.rules)
    ia06 = next(p for p in rules if p.tags["rule"] == "IA-06")
    assert ia06.tags["clause"] == "8.1.4.1 c,8.1.4.8 a" and ia06.tags["severity"] == "high"
    assert ia06.tags["result"] == "FAIL" and ia06.fields == {"failed": 1}
    assert all(not any("SECRET" in v for v in p.tags.values()) for p in pts)


def test_new_high_failures_only_once(l3) -> None:
    good = scan_files([CONFIGS / "cisco_compliant.cfg"], l3).results
    assert new_high_failures(None, good) == []
    state = failing_high(good)
    broken_text = (
        (CONFIGS / "cisco_compliant.cfg")
        .read_text(encoding="utf-8")
        .replace(" transport input ssh\nline vty 5 15", " transport input telnet ssh\nline vty 5 15")
    )
    broken = [scan_text(broken_text, l3)]
    events = new_high_failures(state, broken)
    assert [e.rule for e in events] == ["IA-06"]
    e = events[0]
    assert e.device == "zj-hz-ex-edge1" and e.severity == "high" and e.clauses == ["8.1.4.1 c", "8.1.4.8 a"]
    assert any("transport input telnet ssh" in x for x in e.evidence)
    assert "IA-06" in e.summary() and e.to_dict()["summary"] == e.summary()
    assert new_high_failures(failing_high(broken), broken) == []


def test_clause_scores_weight_severity(l3) -> None:
    run = scan_files([CONFIGS / "h3c_noncompliant.cfg", CONFIGS / "h3c_compliant.cfg"], l3)
    clauses = {c.clause: c for c in by_clause(run.results)}
    c = clauses["8.1.4.1 b"]  # IA-04 and IA-05, both high: one device fails both, the other passes both
    assert c.rules == ["IA-04", "IA-05"] and c.fail == 2 and c.score_pct == 50.0


async def test_points_land_in_a_real_sink(l3, tmp_path) -> None:
    """Through the storage pipeline (spool + SQLite sink) and read back with its query helper."""
    from netmon.storage import Pipeline, open_query

    run = scan_files([CONFIGS / "h3c_noncompliant.cfg", CONFIGS / "cisco_compliant.cfg"], l3)
    pts = to_points(run.results)
    url = f"sqlite:///{tmp_path / 'netmon.db'}"
    pipe = await Pipeline.open(url, tmp_path / "spool")
    try:
        rejected = await pipe.submit(pts)
        assert rejected == []
        assert await pipe.flush(20)
    finally:
        await pipe.close()
    q = open_query(url)
    try:
        latest = {p.tags["device"]: p for p in await q.latest("compliance")}
        rule_rows = await q.latest("compliance_rule", where={"device": "ah-hf-fx-ex-acc7", "rule": "IA-06"})
    finally:
        await q.close()
    assert set(latest) == {"ah-hf-fx-ex-acc7", "zj-hz-ex-edge1"}
    for r in run.results:
        got = latest[r.device]
        assert got.fields["fail"] == r.counts()["FAIL"] and got.fields["high_fail"] == r.high_fail()
        assert got.fields["score_pct"] == score(r.findings) and got.tags["standard"] == "mlps-l3"
    assert len(rule_rows) == 1 and rule_rows[0].fields["failed"] == 1 and rule_rows[0].tags["result"] == "FAIL"
