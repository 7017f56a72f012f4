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


def run_netmon(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
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


def ssh_lab_netmon_yaml(sim, d: Path, devices, env: str, extra: str = "") -> Path:
    """netmon.yaml + inventory.yaml for ``devices`` of a started SSH simulator (county Huawei VRP
    cores with credential ``lab`` whose password/enable secret come from $<env>_PW/$<env>_EN),
    known_hosts from the simulator; ``extra`` YAML lines are appended to netmon.yaml."""
    d.mkdir(parents=True, exist_ok=True)
    inv = ["devices:"] + [
        f"  - {{name: {n}, address: 127.0.0.1, ssh_port: {sim.ports[n]}, network: intranet, tier: county, "
        f"region: 广东/韶关/乐昌, site: 乐昌政务中心, role: core, vendor: huawei_vrp, ssh: lab}}"
        for n in devices
    ]
    (d / "inventory.yaml").write_text("\n".join(inv) + "\n", encoding="utf-8")
    sim.write_known_hosts(d / "known_hosts")
    cfg = d / "netmon.yaml"
    cfg.write_text(
        "inventory: [inventory.yaml]\n"
        f"credentials:\n  ssh:\n    lab: {{username: netadmin, password: 'env:{env}_PW', enable_secret: 'env:{env}_EN'}}\n"
        "ssh: {known_hosts: known_hosts, command_timeout: 8}\narchive: {dir: archive}\n" + extra,
        encoding="utf-8",
    )
    return cfg
