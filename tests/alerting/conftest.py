"""Fixtures for the alerting tests: the sample inventory and an engine factory on a temp state file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alerting_helpers import SMALL

from netmon.alerting import AlertEngine
from netmon.inventory import Topology, load_inventory
from netmon.secrets import SecretStore


@pytest.fixture(scope="session")
def topology() -> Topology:
    return Topology(load_inventory([SMALL]))


@pytest.fixture
def make_engine(tmp_path: Path, topology: Topology):
    """make_engine(section=None, env=None, rules_yaml=None) -> AlertEngine with state in tmp_path."""
    made: list[AlertEngine] = []

    def make(
        section: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
        rules_yaml: str | None = None,
        state: Path | None = None,
    ) -> AlertEngine:
        section = dict(section or {})
        if rules_yaml is not None:
            p = tmp_path / f"rules{len(made)}.yaml"
            p.write_text(rules_yaml, encoding="utf-8")
            section["rules"] = [str(p)]
        eng = AlertEngine.from_config(
            section, topology, state or tmp_path / "alerts.db", SecretStore(environ=env or {})
        )
        made.append(eng)
        return eng

    yield make
    for e in made:
        try:
            e.store.close()
        except Exception:
            pass
