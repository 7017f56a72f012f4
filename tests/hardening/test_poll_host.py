"""Issue 16: `netmon poll --host` resolves host names (getaddrinfo) and refuses bad values with a
clear error naming --host (exit 2), never a pydantic traceback."""

from __future__ import annotations

import json
import os
import socket
import subprocess

import pytest

from netmon.lab.snmpd import start_snmpd
from tests.conftest import need_binary, run_netmon


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("", "--host: empty"),
        (":::", "':::' is not an IPv4 or IPv6 address or a host name"),
        ("10.0.0.1/24", "'10.0.0.1/24' is a network, not one agent address"),
        ("10.0.0.1:99999", "'99999' is not a UDP port"),
        ("[2001:db8::1", "write an IPv6 address with a port as [ADDRESS]:PORT"),
        ("no-such-host.invalid", "cannot resolve 'no-such-host.invalid'"),
    ],
)
def test_bad_host_is_a_clear_error(host: str, reason: str) -> None:
    r = run_netmon("poll", "--host", host, "--community", "x", "--timeout", "0.5", "--retries", "0")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "pydantic" not in r.stderr
    assert r.stderr.startswith("error --host: ") and reason in r.stderr, r.stderr


def test_hostname_resolves_and_polls(tmp_path) -> None:
    snmpd = start_snmpd(tmp_path)  # listens on 127.0.0.1
    try:
        assert "127.0.0.1" in {i[4][0] for i in socket.getaddrinfo("localhost", None)}
        r = run_netmon("poll", "--host", f"localhost:{snmpd.port}", "--format", "json", "--no-health",
                       env={"NETMON_SNMP_COMMUNITY": snmpd.community})  # fmt: skip
        assert r.returncode == 0, r.stderr
        points = [json.loads(ln) for ln in r.stdout.splitlines()]
        system = next(p for p in points if p["measurement"] == "snmp_system")
        # the independent truth: net-snmp's own sysName of the same agent
        truth = subprocess.run(
            [need_binary("snmpget"), "-v2c", "-c", snmpd.community, "-Oqv", f"127.0.0.1:{snmpd.port}", "1.3.6.1.2.1.1.5.0"],
            capture_output=True, text=True, check=True, timeout=30, env={**os.environ, "MIBS": ""},
        ).stdout.strip().strip('"')  # fmt: skip
        assert system["fields"]["sys_name"] == truth
        assert system["tags"]["device"] == "127.0.0.1"
    finally:
        snmpd.stop()
