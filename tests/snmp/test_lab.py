"""The snmpsim lab: one port per device serving its vendor's recording; faults; moving counters."""

from __future__ import annotations

import os
import subprocess
import threading

from netmon.lab.snmp_relay import Relay
from netmon.lab.snmpsim import data_root, recordings
from netmon.platforms import platform_for_sysobjectid
from tests.snmp import truth
from tests.snmp.conftest import LAB


def test_every_vendor_has_real_recordings():
    for vendor, recs in recordings().items():
        assert recs, vendor
        for rec in recs:
            assert (data_root() / f"{rec}.snmprec.bz2").exists(), rec


def test_each_port_serves_its_recording_over_v2c_and_v3(lab):
    for name, (vendor, rec) in LAB.items():
        if name in ("dead", "wrong-vendor"):
            continue
        assert lab.recording(name) == rec
        v3 = [
            "-v3",
            "-l",
            "authPriv",
            "-u",
            lab.v3_user,
            "-a",
            "SHA",
            "-A",
            lab.v3_auth_key,
            "-x",
            "AES",
            "-X",
            lab.v3_priv_key,
        ]
        for auth in (truth.v2c(lab.community), v3):
            oid = truth.get(lab.port(name), auth, "1.3.6.1.2.1.1.2.0")["1.3.6.1.2.1.1.2.0"]
            plat = platform_for_sysobjectid(str(oid))
            assert plat is not None and plat.key == vendor, (name, oid)


def test_counters_move_and_pause_resume(lab):
    port = lab.port("cisco-3560")
    col = "1.3.6.1.2.1.31.1.1.1.6"
    first = truth.column(truth.bulkwalk(port, truth.v2c(lab.community), col), col)
    second = truth.column(truth.bulkwalk(port, truth.v2c(lab.community), col), col)
    assert first and all(int(second[i]) > int(first[i]) for i in first)  # type: ignore[arg-type]
    lab.pause("cisco-3560")
    try:
        r = subprocess.run(
            ["snmpget", "-v2c", "-c", lab.community, "-t", "0.5", "-r", "0", f"127.0.0.1:{port}", "1.3.6.1.2.1.1.3.0"],
            capture_output=True, text=True,
        )  # fmt: skip
        assert "Timeout" in r.stderr
        # Other devices keep answering while one is down.
        assert truth.get(lab.port("hw-s5720"), truth.v2c(lab.community), "1.3.6.1.2.1.1.3.0")
    finally:
        lab.resume("cisco-3560")
    assert truth.get(port, truth.v2c(lab.community), "1.3.6.1.2.1.1.3.0")
    assert "dead" in lab.paused


def test_relay_survives_a_fault_and_devices_can_be_reniced(lab):
    """The devices' network is a process of its own (in a thread of the polling process it waited
    for that process's GIL, so it slowed with netmon's load); one datagram the relay cannot
    forward must not end the network of every device; the simulated devices can be put ahead of
    CPU load on netmon's host (busy-host tests)."""
    handle = lab._relay
    assert handle is not None and lab.serving() == []
    assert handle.proc.pid != os.getpid() and handle.proc.alive()
    relay = Relay({"s5720": lab.devices["hw-s5720"].agent_port})  # the code the relay process runs
    forward = relay._forward

    def fails_once(key):
        relay._forward = forward
        raise KeyError("a file descriptor that is already registered")

    relay._forward = fails_once
    worker = threading.Thread(target=relay.run, daemon=True)
    worker.start()
    try:
        assert truth.get(relay.ports["s5720"], truth.v2c(lab.community), "1.3.6.1.2.1.1.3.0")  # it went on
    finally:
        relay.stop()
        worker.join(5)
        relay.close()
    assert relay.errors == 1
    lab.set_priority(-5)
    try:
        assert os.getpriority(os.PRIO_PROCESS, lab.proc.pid) == -5
        assert os.getpriority(os.PRIO_PROCESS, handle.proc.pid) == -5
    finally:
        lab.set_priority(0)
    assert os.getpriority(os.PRIO_PROCESS, lab.proc.pid) == 0
    # The relay process survived all that, and its paused file still rules.
    assert lab.serving() == [] and "dead" in lab.paused and lab.relay_errors == 0
