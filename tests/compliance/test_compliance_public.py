"""The tuning set: every hand verdict of tests/compliance/public/expected.yaml (15 real public
configurations of 8 platforms) checked against netmon's verdict, one test per file and rule.

Verdicts netmon does not reach yet are listed in public/known-disagreements.txt and run as strict
xfail: one that starts agreeing fails the run until it is taken off the list, so the list only
shrinks and the figure printed by bench/bench_accuracy.py cannot silently regress.
"""

from __future__ import annotations

import pytest
import yaml

from netmon.compliance import load_rules, read_device_configs
from netmon.compliance.accuracy import measure
from netmon.compliance.engine import evaluate_rule

from .conftest import HERE

TUNING = HERE / "public"
EXPECTED = yaml.safe_load((TUNING / "expected.yaml").read_text(encoding="utf-8"))
KNOWN = {
    tuple(ln.split()[:2])
    for ln in (TUNING / "known-disagreements.txt").read_text(encoding="utf-8").splitlines()
    if ln.strip() and not ln.startswith("#")
}
CASES = [
    pytest.param(f, rid, want, marks=[pytest.mark.xfail(strict=True, reason="known")] if (f, rid) in KNOWN else [])
    for f, e in EXPECTED.items()
    for rid, want in e["results"].items()
]


@pytest.fixture(scope="module")
def rules():
    return load_rules()


_cfgs: dict[str, object] = {}


def _cfg(name: str):
    if name not in _cfgs:
        _cfgs[name] = read_device_configs(TUNING / name)[0]
    return _cfgs[name]


def test_every_file_has_a_verdict_for_every_rule(rules) -> None:
    on_disk = {p.relative_to(TUNING).as_posix() for p in TUNING.glob("*/*.cfg")}
    assert on_disk == set(EXPECTED)
    for f, e in EXPECTED.items():
        assert set(e["results"]) <= set(rules), f
        assert len(e["results"]) == 50, f


@pytest.mark.parametrize(("name", "rule", "want"), CASES, ids=[f"{c.values[0]}-{c.values[1]}" for c in CASES])
def test_public_verdict(name, rule, want, rules) -> None:
    out = evaluate_rule(rules[rule], _cfg(name))
    assert out.result == want, (out.evidence, out.notes)


def test_known_list_names_real_cases() -> None:
    cases = {(f, r) for f, e in EXPECTED.items() for r in e["results"]}
    assert KNOWN <= cases, KNOWN - cases


def test_accuracy_figures_match_the_cases(rules) -> None:
    rep = measure(TUNING, rules)
    t = rep.overall
    assert t.total == len(CASES)
    # The bench's figure and this test count the same thing: agreement = cases not on the known list.
    assert t.agree == len(CASES) - len(KNOWN)
