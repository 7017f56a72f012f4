"""Issue 16: a spool directory on a full disk is a clear error at start (exit 1), not a traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, need_root, run_netmon


@pytest.fixture
def full_fs(tmp_path: Path):
    """A 64 KiB tmpfs filled to the last byte."""
    need_root("mounts a tiny tmpfs")
    mnt = tmp_path / "full"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        (mnt / "old-spool").mkdir()
        (mnt / "old-spool" / "LOCK").write_text("")  # a spool that existed before the disk filled
        with (mnt / "filler").open("wb", buffering=0) as fh, pytest.raises(OSError):
            while True:
                fh.write(b"\0" * 4096)
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


@pytest.mark.parametrize("spool", ["old-spool", "new-spool"])
def test_full_disk_at_start(full_fs: Path, tmp_path: Path, spool: str) -> None:
    cfg = tmp_path / "netmon.yaml"
    cfg.write_text(
        f"inventory: [{ROOT / 'configs' / 'inventory' / 'small.yaml'}]\n"
        f"spool: {{dir: {full_fs / spool}}}\nsink: 'sqlite:///{tmp_path / 'x.db'}'\nhttp: {{listen: ''}}\n"
        "credentials: {snmp: {v3-intranet: {version: '2c', community: 'env:HR_C'}, "
        "v3-extranet: {version: '2c', community: 'env:HR_C'}}}\n",
        encoding="utf-8",
    )
    r = run_netmon("run", "-c", str(cfg), "--cycles", "1", timeout=60, env={"HR_C": "x"})
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    assert "spool" in r.stderr and "full" in r.stderr, r.stderr
