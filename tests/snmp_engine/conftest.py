"""Fixtures of the fast SNMP engine's tests: one snmpd and one snmpsim for the whole session."""

from __future__ import annotations

import pytest

from netmon.lab.snmpd import Snmpd, start_snmpd
from tests.conftest import need_binary

IF_TABLE = "1.3.6.1.2.1.2.2.1"
IF_X_TABLE = "1.3.6.1.2.1.31.1.1.1"
SYSTEM = "1.3.6.1.2.1.1"


@pytest.fixture(scope="session")
def snmpd(tmp_path_factory: pytest.TempPathFactory) -> Snmpd:
    need_binary("snmpd")
    need_binary("snmpbulkwalk")
    handle = start_snmpd(tmp_path_factory.mktemp("snmpd"))
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def snmpsim_lab(tmp_path_factory: pytest.TempPathFactory):
    """A Huawei and a Cisco recording, served by the collector's snmpsim lab."""
    need_binary("snmpbulkwalk")
    from netmon.inventory import Device
    from netmon.lab.snmpsim import start_snmpsim

    recs = {"hw1": "network/router/huawei-s5720", "cs1": "network/switch/cisco-c3560"}
    devices = [
        Device(name=name, address="127.0.0.1", network="extranet", tier="central", site="lab", role="access",
               vendor="huawei_vrp" if name.startswith("hw") else "cisco_ios")
        for name in recs
    ]
    lab = start_snmpsim(devices, tmp_path_factory.mktemp("snmpsim"), faults=False, recordings=recs)
    yield lab
    lab.stop()
