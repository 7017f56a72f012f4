"""A four-tier namespace network for the probe tests (root only; removed even on failure)."""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.probe.netlab import TierLab
from tests.conftest import ROOT, need_binary, need_root


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TierLab]:
    need_root("network namespaces, veth pairs and raw sockets")
    need_binary("ip")
    lab = TierLab()
    lab.up()
    try:
        yield lab
    finally:
        lab.down()


@pytest.fixture(scope="module")
def lab_config(lab: TierLab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("probe")
    lab.write_inventory(d / "inv.yaml")
    cfg = d / "netmon.yaml"
    cfg.write_text(textwrap.dedent("""\
        inventory: [inv.yaml]
        probe:
          kinds: [icmp, tcp]
          count: 4
          interval: 0.05
          timeout: 1
          tcp_port: 22
          path: {tiers: [county], max_hops: 8, timeout: 1}
        """), encoding="utf-8")  # fmt: skip
    return cfg


def netmon_in(lab: TierLab, role: str, *args: str, timeout: float = 90):
    """Run the CLI inside a namespace, as a poller living there would."""
    env = dict(os.environ, COLUMNS="200")
    return lab.run(role, [sys.executable, "-m", "netmon", *args], timeout=timeout, cwd=str(ROOT), env=env)


def have_tcpdump() -> bool:
    return bool(shutil.which("tcpdump") or Path("/usr/sbin/tcpdump").exists())
