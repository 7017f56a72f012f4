"""dialect.yaml and defaults.yaml are validated like every platform file: a bad regex, a missing
capture group or a check naming an unknown release default is reported as file:line, and nothing
is half-loaded."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_netmon


def _folder(root: Path, files: dict[str, str]) -> Path:
    d = root / "test_dialect"
    d.mkdir(parents=True)
    (d / "platform.yaml").write_text("display: Test dialect\nextends: huawei_vrp\n", encoding="utf-8")
    for name, text in files.items():
        (d / name).write_text(text, encoding="utf-8")
    return root


def test_bad_defaults_and_dialect_are_named_by_file_and_line(tmp_path: Path) -> None:
    root = _folder(
        tmp_path,
        {
            "defaults.yaml": "lockout:\n  what: lockout\n  releases:\n    - {release: '(', value: 3}\n",
            "dialect.yaml": "acl:\n  refs:\n    - {re: 'acl (\\S+)', use: filter}\n",
        },
    )
    r = run_netmon("platforms", "validate", str(root))
    assert r.returncode == 2, r.stdout + r.stderr
    out = r.stdout + r.stderr
    assert "test_dialect/defaults.yaml:4: defaults.lockout.releases.0.release" in out
    assert "test_dialect/dialect.yaml:3: dialect.acl.refs.0.re" in out and "(?P<name>...)" in out


def test_a_check_naming_an_unknown_release_default_is_refused(tmp_path: Path) -> None:
    root = _folder(
        tmp_path,
        {"compliance.yaml": "IA-04:\n  checks:\n    - require: ['^x$']\n      release_default: no_such_default\n"},
    )
    r = run_netmon("rules", "show", "IA-04", env={"NETMON_PLATFORMS_PATH": str(root)})
    assert r.returncode == 2, r.stdout + r.stderr
    assert "compliance.yaml:3" in r.stderr and "no default 'no_such_default' in defaults.yaml" in r.stderr
