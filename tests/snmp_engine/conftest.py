"""Fixtures of the fast SNMP engine's tests: one snmpd and one snmpsim for the whole session."""

from __future__ import annotations

import bz2
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from netmon.lab.procs import free_port, start, wait_for
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


@dataclass
class SimLab:
    """snmpsim serving recordings: the community (v2c) or context (v3) names the device."""

    port: int
    devices: list[str]
    v3_user: str = "netmon"
    v3_auth_key: str = "lab-auth-key-1"
    v3_priv_key: str = "lab-priv-key-1"


# Recordings of real devices (snmpsim-data), cut to what the tests walk so indexing is quick.
RECORDINGS = {"huawei": "network/router/huawei-s5720", "cisco": "network/switch/cisco-c3560"}
KEEP = ("1.3.6.1.2.1.1.", "1.3.6.1.2.1.2.", "1.3.6.1.2.1.31.1.1.")


@pytest.fixture(scope="session")
def snmpsim_lab(tmp_path_factory: pytest.TempPathFactory):
    """A Huawei and a Cisco recording behind one snmpsim-command-responder.

    Started here rather than with netmon.lab.snmpsim so these tests keep static values (that
    lab rewrites counters to move) and do not depend on the collector's lab wiring."""
    need_binary("snmpbulkwalk")
    exe = Path(sys.executable).with_name("snmpsim-command-responder")
    if not exe.exists():
        pytest.skip("snmpsim-command-responder is not installed (pip install snmpsim)")
    import snmpsim_data

    work = tmp_path_factory.mktemp("snmpsim")
    data = work / "data"
    data.mkdir()
    src = Path(snmpsim_data.__file__).parent / "data"
    for name, rec in RECORDINGS.items():
        lines = bz2.open(src / f"{rec}.snmprec.bz2", "rt", errors="surrogateescape").read().splitlines()
        kept = [ln for ln in lines if ln.startswith(KEEP)]
        (data / f"{name}.snmprec").write_text("\n".join(kept) + "\n", errors="surrogateescape")
    lab = SimLab(free_port(socket.SOCK_DGRAM), list(RECORDINGS))
    argv = [
        str(exe),
        f"--data-dir={data}",
        f"--cache-dir={work / 'cache'}",
        "--log-level=error",
        f"--agent-udpv4-endpoint=127.0.0.1:{lab.port}",
        f"--v3-user={lab.v3_user}",
        "--v3-auth-proto=SHA",
        f"--v3-auth-key={lab.v3_auth_key}",
        "--v3-priv-proto=AES",
        f"--v3-priv-key={lab.v3_priv_key}",
    ]
    proc = start("snmpsim", argv, work / "snmpsim.log", env=dict(os.environ, SNMPSIM_ALLOW_ROOT="true"))
    try:
        wait_for(lambda: _answers(lab.port, "huawei"), 60, "snmpsim", proc.popen)
    except RuntimeError:
        proc.stop()
        raise
    yield lab
    proc.stop()


def _answers(port: int, community: str) -> bool:
    from collectors.snmp import ber

    pkt = ber.enc_community_message(ber.V2C, community.encode(), ber.enc_pdu(ber.GET, 7, [(1, 3, 6, 1, 2, 1, 1, 5, 0)]))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        s.sendto(pkt, ("127.0.0.1", port))
        return ber.community_head(s.recv(65535)).tag == ber.RESPONSE
