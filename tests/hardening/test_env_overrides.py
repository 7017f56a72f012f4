"""Issue 16: malformed NETMON__ environment overrides are clear errors naming the variable (exit 2),
never a traceback; a wrong override is blamed on the variable, not on a line of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, run_netmon

CASES = [
    ("NETMON__", "1", "not a setting path"),
    ("NETMON____", "1", "not a setting path"),
    ("NETMON__INVENTORY__X", "1", "`inventory` is a list"),
    ("NETMON__SPOOL", "[1", "not valid YAML"),
    ("NETMON__SPOOL__MAX_BYTES", "{", "not valid YAML"),
    ("NETMON__INTERVALS__SNMP", "abc", "intervals.snmp: Input should be a valid number"),
    ("NETMON__SINK__X", "1", "sink: Input should be a valid string"),
    ("NETMON__COLOUR", "blue", "colour: unknown setting"),
    ("NETMON__CREDENTIALS__SNMP__V2__COMMUNITY", "s3cr3t-community", "inline secrets are not allowed"),
]


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("env")
    p = d / "netmon.yaml"
    p.write_text(f"inventory: [{ROOT / 'configs' / 'inventory' / 'small.yaml'}]\nspool: {{dir: {d / 'spool'}}}\n")
    return p


@pytest.mark.parametrize(("var", "value", "reason"), CASES)
def test_bad_override_names_the_variable(config: Path, var: str, value: str, reason: str) -> None:
    r = run_netmon("inventory", "validate", "-c", str(config), env={var: value})
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error")]
    assert len(errors) == 1, r.stderr
    assert f"error environment {var}:" in errors[0] and reason in errors[0], errors[0]
    assert f"{config}:" not in errors[0]  # the file is fine; the variable is wrong
    if "s3cr3t" in value:
        assert value not in r.stderr + r.stdout


def test_good_overrides_still_apply(config: Path) -> None:
    r = run_netmon("inventory", "show", "-c", str(config), "--format", "json",
                   env={"NETMON__INTERVALS__SNMP": "30", "NETMON__SINK": "sqlite:x.db"})  # fmt: skip
    assert r.returncode == 0, r.stderr
    from netmon.config import load_config

    cfg = load_config(config, {"NETMON__INTERVALS__SNMP": "30", "NETMON__SPOOL__DIR": "'[a]'"})
    assert cfg.intervals.snmp == 30 and cfg.spool.dir.name == "[a]"
