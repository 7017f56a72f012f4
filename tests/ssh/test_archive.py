"""The config archive: versions, diffs, volatile lines, masking, change events."""

from __future__ import annotations

import asyncio
import logging
import re
import stat
import subprocess
from pathlib import Path

import pytest

from netmon.archive import ConfigArchive, changed_by, mask_config, normalize, run_backup
from netmon.errors import NetmonError
from netmon.lab.sshsim import default_config
from tests.conftest import need_binary

from .conftest import ENABLE, LAB_SECRETS, PASSWORD, Lab, cred


def _backup(lab: Lab, archive: ConfigArchive, names: list[str]):
    return asyncio.run(run_backup([lab.device(n) for n in names], lab.settings(), archive, lambda n: cred()))


@pytest.fixture(scope="module")
def history(lab: Lab, tmp_path_factory: pytest.TempPathFactory):
    """Three backups of a Cisco device: first, unchanged (only volatile lines moved), changed."""
    archive = ConfigArchive(tmp_path_factory.mktemp("hist") / "archive")
    cfg = lab.sim.config_path("changing")
    original = cfg.read_text(encoding="utf-8")
    r1 = _backup(lab, archive, ["changing"])
    r2 = _backup(lab, archive, ["changing"])
    text = original.replace(
        "! Last configuration change at 14:02:11 CST Tue Nov 24 2026 by netadmin",
        "! Last configuration change at 09:30:00 CST Fri Nov 27 2026 by zhangwei",
    )
    text = text.replace("snmp-server community Sg-Ro-2026 RO SNMP-NMS", "snmp-server community Sg-Ro-2027x RO SNMP-NMS")
    text = text.replace("ntp server 10.20.0.42 key 1\n", "ntp server 10.20.0.42 key 1\nntp server 10.20.0.43 key 1\n")
    cfg.write_text(text, encoding="utf-8")
    try:
        r3 = _backup(lab, archive, ["changing"])
    finally:
        cfg.write_text(original, encoding="utf-8")
    return archive, r1, r2, r3


def test_first_backup_makes_a_version(history) -> None:
    _archive, r1, _r2, _r3 = history
    assert len(r1.changes) == 1 and r1.changes[0].first
    assert r1.changes[0].changed_by == "netadmin"


def test_volatile_lines_make_no_version(history, lab: Lab) -> None:
    archive, _r1, r2, _r3 = history
    assert r2.results[0].ok and r2.changes == []
    # the device really did answer differently each time (clock-period), so this is normalisation
    raw = r2.results[0].config
    assert re.search(r"^ntp clock-period \d+", raw, re.M)
    assert "ntp clock-period" not in archive.show("changing")
    assert len(archive.versions("changing")) == 2  # first + the real change


def test_real_change_event(history) -> None:
    archive, _r1, _r2, r3 = history
    assert len(r3.changes) == 1
    ch = r3.changes[0]
    assert not ch.first and ch.changed_by == "zhangwei" and "Nov 27 2026" in ch.changed_at
    assert (ch.lines_added, ch.lines_removed) == (2, 1)
    assert ch.previous == archive.versions("changing")[1].id and ch.version == archive.versions("changing")[0].id
    assert "+ntp server 10.20.0.43 key 1" in ch.diff
    # the secret changed: the diff says so, masked on both sides
    assert "-snmp-server community ****** RO SNMP-NMS" in ch.diff
    assert "+snmp-server community ****** RO SNMP-NMS" in ch.diff
    assert "Sg-Ro-202" not in ch.diff


def test_config_change_point(history) -> None:
    _archive, _r1, _r2, r3 = history
    pts = [p for p in r3.points if p.measurement == "config_change"]
    assert len(pts) == 1
    p = pts[0]
    assert p.fields == {
        "lines_added": 2,
        "lines_removed": 1,
        "version": r3.changes[0].version,
        "changed_by": "zhangwei",
    }
    assert p.tags["device"] == "changing" and p.tags["vendor"] == "cisco_ios" and p.tags["province"] == "广东"
    assert p.tags["change"] == "update"


def test_archive_keeps_secrets_but_is_private(history) -> None:
    archive, *_ = history
    assert "Sg-Ro-2027x" in archive.show("changing")  # a restore needs the real config
    assert stat.S_IMODE(archive.root.stat().st_mode) == 0o700


def test_stock_git_reads_the_archive(history) -> None:
    git = need_binary("git")
    archive, *_ = history
    log = subprocess.run(
        [git, "--git-dir", str(archive.git_dir), "log", "--format=%H %s", "--", "changing.cfg"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert [ln.split()[0][:12] for ln in log] == [v.id for v in archive.versions("changing")]
    shown = subprocess.run(
        [git, "--git-dir", str(archive.git_dir), "show", "main:changing.cfg"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert shown == archive.show("changing")
    diff = archive.diff("changing")
    assert "+ntp server 10.20.0.43 key 1" in diff and "-snmp-server community Sg-Ro-2026 RO SNMP-NMS" in diff


def test_diff_between_named_versions(history) -> None:
    archive, *_ = history
    vs = archive.versions("changing")
    assert archive.diff("changing", vs[1].id, vs[0].id) == archive.diff("changing")
    assert archive.diff("changing", "@1", "@0") == archive.diff("changing")


def test_world_readable_archive_is_refused(tmp_path: Path) -> None:
    a = ConfigArchive(tmp_path / "arch")
    a.store("r1", "hostname r1\n", "cisco_ios")
    (tmp_path / "arch").chmod(0o755)
    with pytest.raises(NetmonError, match="chmod 700"):
        ConfigArchive(tmp_path / "arch").repo()


def test_secrets_never_in_logs_or_points(lab: Lab, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    archive = ConfigArchive(tmp_path / "archive")
    rep = _backup(lab, archive, ["cisco_ios", "huawei_vrp", "h3c_comware", "ruijie_rgos", "zte_zxros"])
    assert all(r.ok for r in rep.results)
    everything = caplog.text + repr(rep.points) + "".join(c.diff for c in rep.changes)
    everything += "".join(str(r.error) + repr(r.command_errors) for r in rep.results)
    for secret in [*LAB_SECRETS, PASSWORD, ENABLE]:
        assert secret not in everything, secret
    # while the archive itself has them
    assert "Sg-Ro-2026" in archive.show("cisco_ios")


@pytest.mark.parametrize(
    ("platform", "volatile"),
    [
        (
            "cisco_ios",
            [
                "Building configuration...",
                "Current configuration : 7412 bytes",
                "! Last configuration change at 14:02:11 CST Tue Nov 24 2026 by netadmin",
                "! NVRAM config last updated at 14:05:40 CST Tue Nov 24 2026 by netadmin",
                "ntp clock-period 17208",
            ],
        ),
        ("huawei_vrp", ["!Last configuration was updated at 2026-11-20 09:12:33+08:00 by netadmin"]),
        ("ruijie_rgos", ["Building configuration...", "Current configuration : 5120 bytes"]),
        ("zte_zxros", ["Building configuration..."]),
    ],
)
def test_normalize_drops_only_volatile_lines(platform: str, volatile: list[str]) -> None:
    text = default_config(platform).read_text(encoding="utf-8")
    norm = normalize(text, platform)
    for v in volatile:
        assert v in text and v not in norm
    kept = [ln.rstrip() for ln in text.splitlines() if ln.strip() and ln.rstrip() not in volatile]
    assert [ln for ln in norm.splitlines() if ln.strip()] == kept


def test_changed_by_from_config() -> None:
    assert changed_by(default_config("cisco_ios").read_text(), "cisco_ios") == (
        "netadmin",
        "14:02:11 CST Tue Nov 24 2026",
    )
    assert changed_by(default_config("huawei_vrp").read_text(), "huawei_vrp") == (
        "netadmin",
        "2026-11-20 09:12:33+08:00",
    )
    assert changed_by(default_config("h3c_comware").read_text(), "h3c_comware") == ("", "")


@pytest.mark.parametrize("platform", ["huawei_vrp", "h3c_comware", "cisco_ios", "ruijie_rgos", "zte_zxros"])
def test_masking_hides_every_lab_secret(platform: str) -> None:
    for path in sorted(default_config(platform).parent.glob("*.cfg")):
        _check_masked(path.read_text(encoding="utf-8"), platform)


def _check_masked(text: str, platform: str) -> None:
    masked = mask_config(text, platform)
    assert len(masked.splitlines()) == len(text.splitlines())
    for s in LAB_SECRETS:
        assert s not in masked
    # not over-eager: structure and non-secret values survive
    assert "interface" in masked and "ntp" in masked.lower()
    if platform == "cisco_ios":
        assert "ntp server 10.20.0.41 key 1 prefer" in masked or "ntp server 10.20.0.41\n" in masked
    if platform == "huawei_vrp":
        assert "ssh server cipher aes256_ctr aes128_ctr" in masked or "telnet server enable" in masked


def test_undecodable_bytes_survive_byte_exact(tmp_path: Path) -> None:
    from collectors.ssh.session import decode_output

    raw = b"sysname R1\n description \xff\xfe broken\n interface GE0/0/1\n description \xd6\xc1\xca\xd0\n"
    text, enc = decode_output(raw)
    assert enc == "unknown"
    archive = ConfigArchive(tmp_path / "a")
    archive.store("r1", text, "huawei_vrp", enc)
    git = need_binary("git")
    blob = subprocess.run(
        [git, "--git-dir", str(archive.git_dir), "show", "main:r1.cfg"], capture_output=True, check=True
    ).stdout
    assert blob == raw
    assert decode_output("description 至县".encode("gbk"))[1] == "gb18030"


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    """Two processes storing at once (two `netmon backup` runs): every version survives."""
    import multiprocessing

    root = tmp_path / "a"
    ConfigArchive(root).store("seed", "hostname seed\n", "cisco_ios")
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(root, w)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    a = ConfigArchive(root)
    assert sorted(a.devices()) == sorted(["seed"] + [f"w{w}-d{i}" for w in range(2) for i in range(15)])
    assert a.maintain(max_loose=1) > 0  # packing keeps everything readable
    assert a.show("w1-d14") == "hostname w1-d14\n"


def _writer(root: Path, w: int) -> None:
    a = ConfigArchive(root)
    for i in range(15):
        a.store(f"w{w}-d{i}", f"hostname w{w}-d{i}\n", "cisco_ios")
