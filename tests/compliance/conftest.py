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
