"""Hand-judged sets: every hand verdict of the tuning set (tests/compliance/public, 15 real public
configurations netmon was tuned on) and of the held-out sets (tests/compliance/heldout, 15 others,
tests/compliance/heldout2, 11 more, and tests/compliance/heldout3, 3 more, tests/compliance/heldout4, 8 more, tests/compliance/heldout5, 12 more, tests/compliance/heldout6, 10 more, tests/compliance/heldout7, 8 more, tests/compliance/heldout8, 3 more, tests/compliance/heldout9, 17 more, each judged by people other than the tuning set's and first
measured blind) checked against netmon's verdict, one test per set, file and rule.

Verdicts netmon does not reach yet are listed in <set>/known-disagreements.txt and run as strict
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

SETS = (
    "public",
    "heldout",
    "heldout2",
    "heldout3",
    "heldout4",
    "heldout5",
    "heldout6",
    "heldout7",
    "heldout8",
    "heldout9",
    "heldout10",
    "heldout11",
    "heldout12",
    "heldout13",
    "heldout14",
    "heldout15",
    "heldout16",
    "heldout17",
    "heldout18",
    "heldout19",
    "heldout20",
    "heldout21",
    "heldout22",
)
EXPECTED = {s: yaml.safe_load((HERE / s / "expected.yaml").read_text(encoding="utf-8")) for s in SETS}
KNOWN = {
    s: {
        tuple(ln.split()[:2])
        for ln in (HERE / s / "known-disagreements.txt").read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    }
    for s in SETS
}
CASES = [
    pytest.param(
        s, f, rid, want, marks=[pytest.mark.xfail(strict=True, reason="known")] if (f, rid) in KNOWN[s] else []
    )
    for s in SETS
    for f, e in EXPECTED[s].items()
    for rid, want in e["results"].items()
]


@pytest.fixture(scope="module")
def rules():
    return load_rules()


_cfgs: dict[tuple[str, str], object] = {}


def _cfg(s: str, name: str):
    if (s, name) not in _cfgs:
        _cfgs[s, name] = read_device_configs(HERE / s / name)[0]
    return _cfgs[s, name]


@pytest.mark.parametrize("s", SETS)
def test_every_file_has_a_verdict_for_every_rule(s, rules) -> None:
    on_disk = {p.relative_to(HERE / s).as_posix() for p in (HERE / s).glob("*/*.cfg")}
    assert on_disk == set(EXPECTED[s])
    for f, e in EXPECTED[s].items():
        assert set(e["results"]) <= set(rules), f
        assert len(e["results"]) == 50, f


@pytest.mark.parametrize(
    ("s", "name", "rule", "want"), CASES, ids=[f"{c.values[0]}-{c.values[1]}-{c.values[2]}" for c in CASES]
)
def test_public_verdict(s, name, rule, want, rules) -> None:
    out = evaluate_rule(rules[rule], _cfg(s, name))
    assert out.result == want, (out.evidence, out.notes)


@pytest.mark.parametrize("s", SETS)
def test_known_list_names_real_cases(s) -> None:
    cases = {(f, r) for f, e in EXPECTED[s].items() for r in e["results"]}
    assert KNOWN[s] <= cases, KNOWN[s] - cases


@pytest.mark.parametrize("s", SETS)
def test_accuracy_figures_match_the_cases(s, rules) -> None:
    rep = measure(HERE / s, rules)
    t = rep.overall
    n = sum(len(e["results"]) for e in EXPECTED[s].values())
    assert t.total == n
    # The bench's figure and this test count the same thing: agreement = cases not on the known list.
    assert t.agree == n - len(KNOWN[s])
