"""Fixtures for the compliance engine tests: paths to test configurations and loaded standards."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CONFIGS = HERE / "configs"
PUBLIC = HERE.parent / "fixtures" / "configs"
ARTIFACTS = HERE.parent / "artifacts"


@pytest.fixture(scope="session")
def l3():
    from netmon.compliance import load_standard

    return load_standard("mlps-l3")


@pytest.fixture(scope="session")
def l2():
    from netmon.compliance import load_standard

    return load_standard("mlps-l2")


@pytest.fixture(scope="session")
def baseline():
    from netmon.compliance import load_standard

    return load_standard("baseline")


@pytest.fixture(scope="module")
def rules():
    from netmon.compliance import load_rules

    return load_rules()


def one_config(text: str, vendor: str | None = None):
    """The single DeviceConfig of a synthetic configuration text (detected unless ``vendor``)."""
    from netmon.compliance.source import load_device_configs

    out = load_device_configs(text.encode(), "t.cfg", vendor)
    assert len(out) == 1
    return out[0]


def verdict(rules, rule: str, text: str, vendor: str | None = None) -> str:
    """The verdict of one rule on a synthetic configuration (the kind tests' weak/sound pairs)."""
    from netmon.compliance.engine import evaluate_rule

    return evaluate_rule(rules[rule], one_config(text, vendor)).result
