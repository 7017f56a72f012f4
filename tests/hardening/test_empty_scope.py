"""Issue 16: a scope that matches no device says so on stderr and exits 1, for every command
that takes --scope (it exited 0 silently)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, run_netmon

COMMANDS = [
    ["inventory", "validate"],
    ["inventory", "show"],
    ["inventory", "tree"],
    ["run", "--cycles", "1"],
    ["backup"],
    ["scan"],
    ["probe"],
    ["relay", "worker", "--province", "广东"],
]


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("scope")
    p = d / "netmon.yaml"
    p.write_text(
        f"inventory: [{ROOT / 'configs' / 'inventory' / 'small.yaml'}]\n"
        f"spool: {{dir: {d / 'spool'}}}\nsink: 'sqlite:///{d / 'x.db'}'\nhttp: {{listen: ''}}\n"
        "nats: {provinces: [{name: 广东, domain: gd, leaf: 'nats://127.0.0.1:9'}]}\n",
        encoding="utf-8",
    )
    return p


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_empty_scope_is_said_and_exits_1(config: Path, command: list[str]) -> None:
    r = run_netmon(*command, "-c", str(config), "--scope", "region=西藏", timeout=120)
    assert r.returncode == 1, (command, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert "no device matches --scope region=西藏; 58 device(s) in the inventory" in r.stderr, r.stderr
