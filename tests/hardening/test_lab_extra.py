"""Issue 16: the lab's dependencies are the `lab` extra; without them `netmon demo` / `netmon lab up`
say which extra to install (exit 1), instead of ModuleNotFoundError. hier-config is test-only."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

LAB = {"snmpsim", "snmpsim-data", "asyncssh"}


def _names(reqs: list[str]) -> set[str]:
    import re

    return {re.split(r"[<>=\[;! ]", r, maxsplit=1)[0].strip().lower() for r in reqs}


def test_pyproject_extras() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = _names(meta["dependencies"])
    extras = {k: _names(v) for k, v in meta["optional-dependencies"].items()}
    assert not (LAB | {"hier-config"}) & core, core & (LAB | {"hier-config"})
    assert extras["lab"] == LAB
    assert "netmon" in extras["test"] and "netmon[lab]" in meta["optional-dependencies"]["test"]
    assert "hier-config" in extras["test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-e '.[test]'" in makefile or "-e '.[lab]'" in makefile  # make demo installs the lab


@pytest.mark.parametrize("blocked", ["snmpsim_data", "asyncssh"])
@pytest.mark.parametrize("command", [["demo", "--cycles", "1"], ["lab", "up"]])
def test_lab_commands_name_the_extra(tmp_path: Path, blocked: str, command: list[str]) -> None:
    where = ["--out", str(tmp_path / "demo")] if command[0] == "demo" else ["--dir", str(tmp_path / "lab")]
    code = (
        "import sys\n"
        f"sys.modules[{blocked!r}] = None  # as if the package were not installed\n"
        "from netmon.cli import main\n"
        f"sys.argv = ['netmon', *{[*command, *where]!r}]\n"
        "main()\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "ModuleNotFoundError" not in r.stderr
    assert "pip install 'netmon[lab]'" in r.stderr and blocked.replace("_", "-") in r.stderr
    assert not (tmp_path / "demo" / "lab").exists() and not (tmp_path / "lab" / "state.json").exists()
