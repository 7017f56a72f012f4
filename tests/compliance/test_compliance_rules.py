"""Rule packs load whole or not at all: every problem named by file, line, rule id and field."""

from __future__ import annotations

import textwrap

import pytest

from netmon.compliance.rules import PACKS_DIR, load_rules, load_standard
from netmon.errors import InputError

RULE = """\
rules:
  - id: {id}
    title: {{zh: 站点规则, en: Site rule}}
    clauses: [4.4b]
    severity: low
    category: site
    rationale: test
    checks:
      cisco_ios: {{require: ['^service password-encryption$']}}
"""


def _problems(exc: pytest.ExceptionInfo[InputError]) -> str:
    return "\n".join(str(p) for p in exc.value.problems)


def test_yaml_syntax_error_names_the_line(tmp_path) -> None:
    (tmp_path / "bad.yaml").write_text("rules:\n  - id: ST-01\n    title: {zh: x, en: y\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_rules((tmp_path,))
    assert "bad.yaml:" in _problems(exc) and "YAML syntax error" in _problems(exc)


def test_duplicate_rule_id_across_files(tmp_path) -> None:
    (tmp_path / "dup.yaml").write_text(RULE.format(id="IA-05"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_rules((tmp_path,))
    msg = _problems(exc)
    assert "dup.yaml:2: rule IA-05: id: duplicate rule id (first defined in" in msg and "identity.yaml" in msg


CHECK = "cisco_ios: {require: ['^service password-encryption$']}"


@pytest.mark.parametrize(
    ("old", "new", "field", "reason"),
    [
        ("clauses: [4.4b]", "clauses: [9.9z]", "clauses", "unknown clause(s) ['9.9z']"),
        ("cisco_ios: {require", "juniper: {require", "checks", "unknown vendor(s) ['juniper']"),
        ("severity: low", "severity: extreme", "severity", "Input should be 'high', 'medium' or 'low'"),
        (CHECK, "cisco_ios: {note: nothing to test}", "checks.cisco_ios.0", "a check needs at least one"),
        (CHECK, "cisco_ios: {python: no_such_check}", "checks.cisco_ios.0", "unknown python check 'no_such_check'"),
        (CHECK, "cisco_ios: {fail_if: ['^ip http (']}", "checks.cisco_ios.0.fail_if.0", "regular expression"),
        ("category: site", "category: site\n    colour: red", "colour", "unknown field"),
    ],
    ids=["clause", "vendor", "severity", "empty-check", "python", "regex", "unknown-field"],
)
def test_field_errors(tmp_path, old, new, field, reason) -> None:
    text = RULE.format(id="ST-02")
    assert old in text
    (tmp_path / "site.yaml").write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_rules((tmp_path,))
    msg = _problems(exc)
    assert "site.yaml:" in msg and f"rule ST-02: {field}" in msg and reason in msg, msg


def test_pack_naming_a_missing_rule_and_include_cycle(tmp_path) -> None:
    for f in PACKS_DIR.glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "site.yaml").write_text(
        textwrap.dedent("""\
        id: site
        title: {zh: 站点, en: Site}
        level: 3
        include: [mlps-l3]
        rules: [IA-05, ZZ-99]
        """),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        load_standard("site", packs_dir=tmp_path)
    assert "site.yaml:5: rules: ZZ-99: no rule with this id" in _problems(exc)
    (tmp_path / "a.yaml").write_text("id: a\ntitle: {zh: a, en: a}\nlevel: 3\ninclude: [b]\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("id: b\ntitle: {zh: b, en: b}\nlevel: 3\ninclude: [a]\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_standard("a", packs_dir=tmp_path)
    assert "include cycle: a -> b -> a" in _problems(exc)
    with pytest.raises(InputError) as exc:
        load_standard("mlps-l9")
    assert "no such standard; known: baseline, mlps-l2, mlps-l3" in _problems(exc)
