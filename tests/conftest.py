"""Shared test plumbing. Area fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NETMON = [sys.executable, "-m", "netmon"]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run_netmon(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would; returns the completed process (text)."""
    e = dict(os.environ)
    e.setdefault("COLUMNS", "200")
    if env:
        e.update(env)
    return subprocess.run([*NETMON, *args], capture_output=True, text=True, env=e, cwd=cwd or ROOT, timeout=timeout)


def need_binary(name: str) -> str:
    path = shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None)
    if not path:
        pytest.skip(f"{name} is not installed (make test installs it when run as root)")
    return path


def need_root(reason: str) -> None:
    if os.geteuid() != 0:
        pytest.skip(f"needs root: {reason}")


@pytest.fixture
def netmon_cli():
    return run_netmon
