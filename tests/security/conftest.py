"""Helpers for the security tests: crafting captures with scapy and reading them with tshark."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest

from tests.conftest import need_binary

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)  # "MAC address not found" while crafting


def tshark(path: Path, *args: str) -> list[str]:
    exe = need_binary("tshark")
    r = subprocess.run([exe, "-n", "-r", str(path), *args], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return [line for line in r.stdout.splitlines() if line.strip()]


def tshark_count(path: Path, display_filter: str = "") -> int:
    """Frames matching a display filter, counted by tshark (the independent truth)."""
    args = ["-T", "fields", "-e", "frame.number"]
    if display_filter:
        args = ["-Y", display_filter, *args]
    return len(tshark(path, *args))


def E(**kw: object):
    """Ethernet with fixed MACs: scapy would otherwise ARP-resolve each destination (slow)."""
    from scapy.layers.l2 import Ether

    kw.setdefault("src", "02:00:00:00:00:01")
    kw.setdefault("dst", "02:00:00:00:00:02")
    return Ether(**kw)


@pytest.fixture
def write_pcap(tmp_path: Path):
    from scapy.utils import wrpcap

    def _write(name: str, pkts: list, **kw) -> Path:
        p = tmp_path / name
        wrpcap(str(p), pkts, **kw)
        return p

    return _write
