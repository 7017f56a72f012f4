"""Rule files: the shipped defaults load; bad input names file, line, rule id and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from alerting_helpers import ROOT

from netmon.alerting.conditions import ConditionError, compile_condition
from netmon.alerting.config import parse_alerting
from netmon.alerting.rules import load_rules
from netmon.errors import InputError

GOOD = """\
rules:
  - id: ok
    measurement: health
    when: cpu_pct > 85
    summary: {en: "{device} cpu {cpu_pct}", zh: "{device} CPU {cpu_pct}"}
"""


def _problems(tmp_path: Path, text: str) -> list:
    p = tmp_path / "r.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as ei:
        load_rules([p])
    return ei.value.problems


def test_defaults_load_and_cover_the_issue(topology):
    rules = {r.id: r for r in load_rules([ROOT / "configs" / "alerts"], topology.inventory)}
    measurements = {r.spec.measurement for r in rules.values()}
    assert {
        "snmp_reach",
        "interface",
        "health",
        "netmon_self",
        "config_change",
        "compliance_rule",
        "snmp_trap",
    } <= measurements
    assert rules["device_unreachable"].spec.root_cause
    assert rules["uplink_down"].match == {"uplink": ("1",)}
    assert all(r.spec.summary.zh and r.spec.summary.en for r in rules.values())


@pytest.mark.parametrize(
    ("text", "rule", "field", "line", "words"),
    [
        (GOOD.replace("health", "helth"), "ok", "measurement", 3, "unknown measurement 'helth'"),
        (GOOD.replace("cpu_pct > 85", "cpu_percent > 85"), "ok", "when", 4, "unknown field 'cpu_percent'"),
        (GOOD.replace("cpu_pct > 85", "cpu_pct >> 85"), "ok", "when", 4, "cannot parse"),
        (GOOD.replace("    summary", "    severity: urgent\n    summary"), "ok", "severity", 5, "'critical'"),
        (GOOD.replace("    summary", "    for: soon\n    summary"), "ok", "for", 5, "not a duration"),
        (GOOD.replace("    summary", "    colour: red\n    summary"), "ok", "colour", 5, "unknown setting"),
        (GOOD.replace(', zh: "{device} CPU {cpu_pct}"', ""), "ok", "summary.zh", 5, "required"),
        (GOOD.replace("cpu {cpu_pct}", "cpu {cpu}"), "ok", "summary.en", 5, "unknown placeholder {cpu}"),
        (
            GOOD.replace("    summary", "    match: {ifName: x}\n    summary"),
            "ok",
            "match.ifName",
            5,
            "no tag 'ifName'",
        ),
        (
            GOOD.replace("    summary", "    select: [tier=county, colour=red]\n    summary"),
            "ok",
            "select",
            5,
            "colour",
        ),
        (GOOD.replace("    when: cpu_pct > 85\n", ""), "ok", "when", None, "needs `when:`"),
    ],
)
def test_bad_rule_names_rule_and_field(tmp_path, text, rule, field, line, words):
    (p,) = _problems(tmp_path, text)
    assert f"rule {rule}" in p.reason and p.field == field and words in p.reason, p
    if line is not None:
        assert p.line == line, p
    assert p.source.endswith("r.yaml")


def test_yaml_syntax_error_and_many_problems_at_once(tmp_path):
    (p,) = _problems(tmp_path, "rules:\n  - id: x\n    when: [\n")
    assert "YAML syntax error" in p.reason and p.line is not None
    rule = GOOD.removeprefix("rules:\n")
    problems = _problems(
        tmp_path, "rules:\n" + rule + rule + rule.replace("health", "nope").replace("id: ok", "id: ok2")
    )
    assert [(x.line, x.field) for x in problems] == [(6, "id"), (11, "measurement")]
    assert "duplicate id" in problems[0].reason and "unknown measurement 'nope'" in problems[1].reason
    assert _problems(tmp_path, "- just a list\n")[0].reason.startswith("a rules file is a mapping")


def test_cli_reports_rule_problems_without_traceback(tmp_path, netmon_cli):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("cpu_pct > 85", "cpu_percent > 85"), encoding="utf-8")
    r = netmon_cli("alerts", "rules", str(bad))
    assert r.returncode == 2
    assert "rule ok" in r.stderr and "when" in r.stderr and "cpu_percent" in r.stderr and "Traceback" not in r.stderr
    r = netmon_cli("alerts", "rules", str(ROOT / "configs" / "alerts"))
    assert r.returncode == 0 and "device_unreachable" in r.stdout


def test_conditions():
    c = compile_condition("oper_status == 2 and admin_status == 1 or in_util_pct >= 99.5")
    assert c({"oper_status": 2, "admin_status": 1})
    assert not c({"oper_status": 2, "admin_status": 2})
    assert c({"in_util_pct": 99.5})
    assert not c({})  # a missing field says nothing
    assert compile_condition('error == "timeout"')({"error": "timeout"})
    d = compile_condition("delta(spool_dropped) > 0")
    assert d({"spool_dropped": 5}, {"spool_dropped": 3}) and not d({"spool_dropped": 5}, None)
    with pytest.raises(ConditionError):
        compile_condition("import os")


def test_config_section_problems():
    with pytest.raises(InputError) as ei:
        parse_alerting({"receivers": {"d": {"type": "dingtalk", "access_token": "plain-token"}}})
    (p,) = ei.value.problems
    assert p.field == "alerting.receivers.d.dingtalk.access_token" and "inline secrets are not allowed" in p.reason
    assert "plain-token" not in str(ei.value)
    with pytest.raises(InputError) as ei:
        parse_alerting({"groups": {"noc": ["nobody"]}})
    assert "receiver 'nobody'" in str(ei.value)
    with pytest.raises(InputError) as ei:
        parse_alerting({"receivers": {"x": {"type": "pager"}}})
    assert "alerting.receivers.x" in str(ei.value)
    with pytest.raises(InputError) as ei:
        parse_alerting({"traps": {"communities": ["public"]}})
    assert "alerting.traps.communities" in str(ei.value) and "inline secrets" in str(ei.value)
    with pytest.raises(InputError) as ei:
        parse_alerting(
            {"maintenance": [{"match": ["site=x"], "start": "2026-01-02T00:00:00", "end": "2026-01-01T00:00:00"}]}
        )
    assert "end must be after start" in str(ei.value)
    cfg = parse_alerting({"repeat": "2h", "routes": [], "maintenance": []})
    assert cfg.repeat == 7200.0
