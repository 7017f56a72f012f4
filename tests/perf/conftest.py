"""Fixtures of the scale tests: one net-snmp snmpd for the module, devices as names on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from netmon.lab.snmpd import Snmpd, start_snmpd
from tests.conftest import need_binary


@pytest.fixture(scope="module")
def snmpd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Snmpd]:
    need_binary("snmpd")
    handle = start_snmpd(tmp_path_factory.mktemp("snmpd"))
    yield handle
    handle.stop()


def write_config(
    tmp: Path,
    snmpd: Snmpd,
    devices: int,
    *,
    interval: float = 2.0,
    timeout: float = 0.5,
    retries: int = 0,
    budget: float = 2.0,
    extra: dict[str, object] | None = None,
    sites: int = 0,
) -> Path:
    """netmon.yaml + inventory: ``devices`` devices, each a name on the one snmpd (v2c)."""
    inv = [
        {"name": f"dev{i:04d}", "address": snmpd.host, "port": snmpd.port, "network": "intranet", "tier": "county",
         "region": "test", "site": f"site{i % sites if sites else i // 8}", "role": "access", "vendor": "linux_netsnmp", "snmp": "lab"}
        for i in range(devices)
    ]  # fmt: skip
    (tmp / "inventory.yaml").write_text(yaml.safe_dump({"devices": inv}))
    doc: dict[str, object] = {
        "inventory": [str(tmp / "inventory.yaml")],
        "credentials": {"snmp": {"lab": {"version": "2c", "community": "env:NETMON_TEST_COMMUNITY"}}},
        "sink": f"sqlite:///{tmp / 'netmon.db'}",
        "spool": {"dir": str(tmp / "spool")},
        "intervals": {"snmp": interval, "health": 3600, "jitter": 0.2},
        "snmp": {"timeout": timeout, "retries": retries, "device_budget": budget},
        "http": {"listen": ""},
        "alerting": {"state": str(tmp / "alerts.db")},
        "topology": {"lldp": False, "isolation_check": False},
        **(extra or {}),
    }
    path = tmp / "netmon.yaml"
    path.write_text(yaml.safe_dump(doc))
    path.chmod(0o600)
    return path
