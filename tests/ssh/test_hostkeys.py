"""Host keys: unknown and changed keys refused by default, TOFU records unknown ones only."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import asyncssh

from collectors.ssh import ErrorKind, SshCollector

from .conftest import Lab, cred


def _run(lab: Lab, names: list[str], known: Path, tofu: bool = False):
    settings = lab.settings(known_hosts=known, host_keys="tofu" if tofu else "strict")
    res = asyncio.run(SshCollector(settings, lambda n: cred()).collect([lab.device(n) for n in names]))
    return {r.device.name: r for r in res}


def test_unknown_key_refused_by_default(lab: Lab, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text("")
    before = len(lab.sim.received("tofu"))
    r = _run(lab, ["tofu"], known)["tofu"]
    assert r.error is not None and r.error.kind is ErrorKind.host_key_unknown
    assert "SHA256:" in r.error.message and "--tofu" in r.error.message
    assert known.read_text() == ""
    assert len(lab.sim.received("tofu")) == before  # refused before login: no command sent


def test_missing_known_hosts_file_refuses(lab: Lab, tmp_path: Path) -> None:
    r = _run(lab, ["tofu"], tmp_path / "absent")["tofu"]
    assert r.error is not None and r.error.kind is ErrorKind.host_key_unknown


def test_tofu_records_the_servers_key(lab: Lab, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    r = _run(lab, ["tofu"], known, tofu=True)["tofu"]
    assert r.ok, r.error
    # independent truth: the simulator's own public host key
    assert known.read_text().split() == lab.sim.known_hosts_lines(["tofu"])[0].split()
    # and from now on strict mode accepts it
    assert _run(lab, ["tofu"], known)["tofu"].ok


def test_changed_key_refused_even_in_tofu(lab: Lab, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    impostor = asyncssh.generate_private_key("ssh-ed25519").export_public_key("openssh").decode().split()[:2]
    known.write_text(f"[127.0.0.1]:{lab.sim.ports['rekeyed']} {' '.join(impostor)}\n")
    saved = known.read_text()
    before = len(lab.sim.received("rekeyed"))
    for tofu in (False, True):
        r = _run(lab, ["rekeyed"], known, tofu=tofu)["rekeyed"]
        assert r.error is not None and r.error.kind is ErrorKind.host_key_changed, r.error
        assert "CHANGED" in r.error.message
        assert r.attempts == 1
    assert known.read_text() == saved
    assert len(lab.sim.received("rekeyed")) == before


def test_known_key_accepted(lab: Lab, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    shutil.copy(lab.known_hosts, known)
    assert _run(lab, ["rekeyed"], known)["rekeyed"].ok
