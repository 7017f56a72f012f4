"""The hash-chained archive: written through the real Archive, then tampered with on disk the way
an intruder (or a bad disk) would; `netmon syslog verify` must name each kind of damage."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from netmon.syslog.archive import Archive, day_file, verify
from netmon.syslog.parse import Message
from netmon.syslog.settings import ArchiveSettings
from tests.conftest import run_netmon

TZ = ZoneInfo("Asia/Shanghai")


def _ns(y: int, mo: int, d: int, h: int, mi: int = 0, s: int = 0) -> int:
    return int(datetime(y, mo, d, h, mi, s, tzinfo=TZ).timestamp()) * 1_000_000_000


def _msgs(t0: int, n: int, step_s: int = 60) -> list[tuple[Message, str]]:
    return [
        (Message(f"<13>Jan  1 00:00:00 h app: message {i}".encode(), "10.1.1.1", t0 + i * step_s * 10**9), "gd-core")
        for i in range(n)
    ]


def _archive(d: Path, key: bytes | None = None) -> Archive:
    return Archive(ArchiveSettings(dir=d, timezone="Asia/Shanghai"), key)


def _two_days(d: Path, key: bytes | None = None) -> tuple[Path, Path]:
    """Day 1 (closed at local midnight) and day 2 (open), 10 + 5 messages."""
    a = _archive(d, key)
    a.append(_msgs(_ns(2026, 11, 14, 23, 40), 10, 60))  # 23:40 .. 23:49 local
    a.sync()
    a.append(_msgs(_ns(2026, 11, 15, 0, 5), 5, 60))  # after local midnight: rotation
    a.sync()
    a.close()
    return day_file(d, date(2026, 11, 14)), day_file(d, date(2026, 11, 15))


def _problems(d: Path, key: bytes | None = None) -> list[str]:
    rep = verify(d, None, key)
    return rep.problems + [p for f in rep.files for p in f.problems]


def _lines(p: Path) -> list[str]:
    return p.read_text(encoding="utf-8").splitlines(keepends=True)


def test_rotation_at_local_midnight_and_clean_chain(tmp_path):
    d1, d2 = _two_days(tmp_path)
    # 23:49 Shanghai is 15:49 UTC: the day is the local one, not UTC's
    assert d1.exists() and d2.exists()
    r1 = [json.loads(x) for x in _lines(d1)]
    r2 = [json.loads(x) for x in _lines(d2)]
    assert r1[0]["type"] == "open" and r1[-1]["type"] == "close" and r1[-1]["count"] == 10
    assert r2[0]["prev"] == r1[-1]["hash"]  # the days are chained
    assert sum(r["type"] == "msg" for r in r2) == 5
    assert _problems(tmp_path) == []
    assert oct(tmp_path.stat().st_mode)[-3:] == "700" or tmp_path.stat().st_uid != os.geteuid()
    assert oct(d1.stat().st_mode)[-3:] == "600"


def test_modified_record(tmp_path):
    d1, _ = _two_days(tmp_path)
    lines = _lines(d1)
    lines[4] = lines[4].replace("message 3", "message 9")
    d1.write_text("".join(lines), encoding="utf-8")
    probs = _problems(tmp_path)
    assert any(f"{d1.name}:5: record 4 was modified" in p for p in probs), probs


def test_deleted_record(tmp_path):
    d1, _ = _two_days(tmp_path)
    lines = _lines(d1)
    del lines[5]
    d1.write_text("".join(lines), encoding="utf-8")
    probs = _problems(tmp_path)
    assert any("records 5..5 are missing (deleted)" in p for p in probs), probs
    assert any("chain broken" in p for p in probs)


def test_inserted_record(tmp_path):
    d1, _ = _two_days(tmp_path)
    lines = _lines(d1)
    fake = json.loads(lines[3])
    fake["raw"] = "<13>Jan  1 00:00:00 h app: forged"
    lines.insert(4, json.dumps(fake, ensure_ascii=False) + "\n")
    d1.write_text("".join(lines), encoding="utf-8")
    probs = _problems(tmp_path)
    assert any("out of order or repeated (inserted or reordered)" in p for p in probs), probs


def test_reordered_records(tmp_path):
    d1, _ = _two_days(tmp_path)
    lines = _lines(d1)
    lines[3], lines[4] = lines[4], lines[3]
    d1.write_text("".join(lines), encoding="utf-8")
    probs = _problems(tmp_path)
    assert any("chain broken" in p for p in probs) and any("out of order" in p for p in probs), probs


def test_truncated_file_mid_record(tmp_path):
    _, d2 = _two_days(tmp_path)
    data = d2.read_bytes()
    d2.write_bytes(data[:-40])
    probs = _problems(tmp_path)
    assert any("ends inside a record: truncated" in p for p in probs), probs


def test_tail_cut_cleanly_on_a_closed_day_and_on_the_open_day(tmp_path):
    d1, d2 = _two_days(tmp_path)
    d1.write_text("".join(_lines(d1)[:-3]), encoding="utf-8")  # the last two messages and the close record
    d2.write_text("".join(_lines(d2)[:-1]), encoding="utf-8")  # today's last message
    probs = _problems(tmp_path)
    assert any(f"{d1.name}: no closing record" in p for p in probs), probs
    assert any(f"{d2.name}:1: does not continue" in p for p in probs)
    assert any("is not the last one written" in p for p in probs)  # the anchor


def test_deleted_day_file(tmp_path):
    a = _archive(tmp_path)
    for day in (14, 15, 16):
        a.append(_msgs(_ns(2026, 11, day, 12), 3))
    a.sync()
    a.close()
    day_file(tmp_path, date(2026, 11, 15)).unlink()
    probs = _problems(tmp_path)
    assert any("does not continue syslog-2026-11-14.jsonl" in p for p in probs), probs
    rep = verify(tmp_path, [date(2026, 11, 15)])
    assert not rep.ok and "missing" in rep.problems[0]


def test_restart_after_crash_mid_write_is_noted_not_failed(tmp_path):
    a = _archive(tmp_path)
    a.append(_msgs(_ns(2026, 11, 14, 12), 3))
    a.sync()
    a._fh.write(b'{"device":"gd-core","prev":"abc')  # a crash while writing a record
    a._fh.flush()
    a._fh.close()
    a._fh = None
    b = _archive(tmp_path)  # the daemon restarts the same day
    b.append(_msgs(_ns(2026, 11, 14, 13), 2))
    b.sync()
    b.close()
    rep = verify(tmp_path)
    assert rep.ok, [f.problems for f in rep.files]
    assert any("cut by a crash" in n for f in rep.files for n in f.notes)
    assert rep.files[0].messages == 5


def test_hmac_key_needed_and_rebuilt_chain_detected(tmp_path):
    key = b"archive-key-123"
    d1, _ = _two_days(tmp_path, key)
    assert _problems(tmp_path, key) == []
    assert any("verify with the archive key" in p for p in _problems(tmp_path))
    # an intruder edits a record and recomputes plain SHA-256 hashes: the HMAC chain fails
    import hashlib

    lines = [json.loads(x) for x in _lines(d1)]
    lines[3]["raw"] = "<13>Jan  1 00:00:00 h app: rewritten"
    prev = lines[0]["prev"]
    out = []
    for rec in lines:
        rec.pop("hash")
        rec["prev"] = prev
        body = json.dumps(rec, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        rec["hash"] = prev = hashlib.sha256(prev.encode() + body).hexdigest()
        out.append(json.dumps(rec, ensure_ascii=False) + "\n")
    d1.write_text("".join(out), encoding="utf-8")
    assert any("modified" in p for p in _problems(tmp_path, key))


def test_retention_never_deletes_younger_files(tmp_path):
    a = Archive(ArchiveSettings(dir=tmp_path, timezone="Asia/Shanghai", retention_days=184), None)
    today = date(2026, 11, 15)
    for age in (400, 185, 184, 183, 10, 0):
        day_file(tmp_path, today - timedelta(days=age)).write_text("x\n")
    gone = a.sweep(today)
    assert sorted(p.name for p in gone) == sorted(
        day_file(tmp_path, today - timedelta(days=x)).name for x in (400, 185)
    )
    left = sorted(p.name for p in tmp_path.glob("syslog-*.jsonl"))
    assert len(left) == 4


def test_retention_below_six_months_refused(tmp_path):
    from netmon.errors import InputError
    from netmon.syslog.settings import load_syslog_settings

    with pytest.raises(InputError) as e:
        load_syslog_settings({"archive": {"retention_days": 90}})
    assert "syslog.archive.retention_days" in str(e.value)


def test_verify_cli_exit_codes(tmp_path):
    arch = tmp_path / "archive"
    d1, _ = _two_days(arch)
    (tmp_path / "inv.yaml").write_text(
        "devices:\n- {name: c, address: 10.0.0.1, network: intranet, tier: central, site: s, role: core, vendor: huawei_vrp}\n"
    )
    cfg = tmp_path / "netmon.yaml"
    cfg.write_text(f"inventory: [inv.yaml]\nsyslog: {{archive: {{dir: {arch}}}}}\n")
    ok = run_netmon("syslog", "verify", "-c", str(cfg))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "ok syslog-2026-11-14.jsonl: 10 messages" in ok.stdout
    lines = _lines(d1)
    lines[2] = lines[2].replace("message 1", "message X")
    d1.write_text("".join(lines), encoding="utf-8")
    bad = run_netmon("syslog", "verify", "-c", str(cfg), "--day", "2026-11-14", "--format", "json")
    assert bad.returncode == 1
    doc = json.loads(bad.stdout)
    assert not doc["ok"] and "record 2 was modified" in doc["files"][0]["problems"][0]
    wrong = run_netmon("syslog", "verify", "-c", str(cfg), "--day", "14/11/2026")
    assert wrong.returncode == 2 and "is not a date" in wrong.stderr and "Traceback" not in wrong.stderr
