"""`netmon report availability` on a month of known reachability, in SQLite and in influxd 1.x.

The expected figures (tests/reports/month_data.py) are worked out by hand: a province outage
with the city and county behind it counted once, a county's own outage, a device never polled,
a gap in the data (inside an outage too), an outage across the month's start (Asia/Shanghai).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from tests.conftest import run_netmon
from tests.reports.month_data import DEVICES, EXPECTED, P_BEHIND, TOTAL_AVAIL, P, down_samples, points

SCOPE = ["--scope", "device=" + ",".join(DEVICES)]
COLS = ["availability", "polled", "nodata", "own_down", "behind", "outages", "outage_total", "longest"]


def _report(cfg, fmt, out, *extra):
    r = run_netmon(
        "report",
        "availability",
        "-c",
        str(cfg),
        "--month",
        "2026-11",
        "--format",
        fmt,
        "-o",
        str(out),
        "--lang",
        "en",
        *SCOPE,
        *extra,
    )
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return r


def _check_devices(rows):
    got = {r[0]: dict(zip(COLS, [r[5], r[6], r[7], r[8], r[9], r[11], r[12], r[13]], strict=True)) for r in rows}
    assert set(got) == set(DEVICES)
    for dev, exp in EXPECTED.items():
        for k in COLS:
            assert got[dev][k] == exp[k], (dev, k, got[dev][k], exp[k])


@pytest.mark.parametrize("backend", ["sqlite", "influx"])
def test_xlsx_figures_exact(backend, request, tmp_path):
    if backend == "sqlite":
        cfg = request.getfixturevalue("month_sqlite")
    else:
        cfg, h = request.getfixturevalue("month_influx")
        # independent truth: what influxd holds
        res = h.query("SELECT count(up) FROM snmp_reach WHERE up = 0", db="netmon")
        assert res["results"][0]["series"][0]["values"][0][1] == down_samples()
        res = h.query("SELECT count(up) FROM snmp_reach", db="netmon")
        assert res["results"][0]["series"][0]["values"][0][1] == len(points())
    out = tmp_path / "nov.xlsx"
    r = _report(cfg, "xlsx", out)
    assert "availability 99.758%" in r.stderr and "4 outage(s)" in r.stderr and "1 never polled" in r.stderr
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    wb = load_workbook(out)
    _check_devices([list(row) for row in wb["devices"].iter_rows(min_row=2, values_only=True)])
    summary = [c.value for c in wb["summary"][2]]
    assert summary[0] == "2026-11-01 00:00:00 +08:00 – 2026-12-01 00:00:00 +08:00" and summary[1] == "Asia/Shanghai"
    assert summary[3:5] == [6, 1] and summary[5] == TOTAL_AVAIL and summary[9] == 4
    outages = [list(r) for r in wb["outages"].iter_rows(min_row=2, values_only=True)]
    assert [o[0] for o in outages] == [P, "zj-ex-core1", "zj-hz-in-core1", "gd-gz-th-in-core1"]
    assert outages[0][3:6] == ["2026-11-10 10:00:00 +08:00", "2026-11-10 12:00:00 +08:00", 120]
    assert outages[0][7] == len(P_BEHIND) and set(outages[0][8].split()) == P_BEHIND
    assert outages[1][3] == "2026-11-01 00:00:00 +08:00"  # clipped at the month's start (local midnight)
    tiers = {r[0]: r for r in wb["tier"].iter_rows(min_row=2, values_only=True)}
    assert tiers["province"][1:3] == (3, 1) and tiers["province"][7] == 2  # P and B; N never polled
    assert tiers["city"][7] == 1 and tiers["county"][7] == 1  # C's time behind P is not an outage


def test_csv_is_formula_safe_and_bilingual(month_sqlite, tmp_path):
    out = tmp_path / "nov.csv"
    r = run_netmon(
        "report",
        "availability",
        "-c",
        str(month_sqlite),
        "--month",
        "2026-11",
        "--format",
        "csv",
        "-o",
        str(out),
        *SCOPE,
    )
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8-sig")
    assert "可用率 % availability %" in text and "中央 central" not in text  # no central device in scope
    rows = list(csv.reader(io.StringIO(text)))
    dev_start = next(i for i, r in enumerate(rows) if r and r[0].startswith("# 设备明细"))
    _check_devices([[_num(c) for c in r] for r in rows[dev_start + 2 : dev_start + 2 + len(DEVICES)]])
    from netmon.report.avail_tables import Sheet, safe_cell, to_csv

    evil = to_csv(
        [Sheet("x", "x", ["a"], [['=HYPERLINK("http://x")'], ["+1"], ["-1"], ["@SUM(A1)"], ["\tx"], ["ok"], [-5]])]
    )
    lines = evil.splitlines()
    assert lines[2:8] == [
        '\'=HYPERLINK("http://x")'.replace('"', '""').join(['"', '"']),
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "ok",
    ]
    assert lines[8] == "-5" and safe_cell(-5) == -5  # numbers stay numbers


def _num(c):
    if c == "":
        return None
    try:
        return int(c)
    except ValueError:
        try:
            return float(c)
        except ValueError:
            return c


def test_html_in_chromium(month_sqlite, tmp_path):
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip("chromium is not installed (make test installs it as root)")
    out = tmp_path / "nov.html"
    r = run_netmon(
        "report",
        "availability",
        "-c",
        str(month_sqlite),
        "--month",
        "2026-11",
        "-o",
        str(out),
        "--lang",
        "both",
        *SCOPE,
    )
    assert r.returncode == 0, r.stderr
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0"]  # fmt: skip
    js = ("(function(){var t=document.getElementById('t-devices');var o={};for(var i=1;i<t.rows.length;i++){var c=t.rows[i].cells;"
          "o[c[0].innerText]=[c[5].innerText,c[11].innerText,c[13].innerText];}"
          "document.body.setAttribute('data-seen',JSON.stringify(o));"
          "document.body.setAttribute('data-kpi',document.getElementById('kpi-availability').innerText.split('\\n')[0]);})()")  # fmt: skip
    page = out.read_text(encoding="utf-8").replace("</body>", f"<script>{js}</script></body>")
    probe = tmp_path / "probe.html"
    probe.write_text(page, encoding="utf-8")
    dom = subprocess.run([chromium, *flags, "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=90)
    assert dom.returncode == 0, dom.stderr[-2000:]
    errors = [ln for ln in dom.stderr.splitlines() if "CONSOLE" in ln and ("Uncaught" in ln or "Error" in ln)]
    assert not errors, errors
    import html as htmlmod
    import json
    import re

    seen = json.loads(htmlmod.unescape(re.search(r'data-seen="([^"]*)"', dom.stdout).group(1)))
    for dev, exp in EXPECTED.items():
        av = "" if exp["availability"] is None else f"{exp['availability']:g}"
        assert seen[dev][0] == av or float(seen[dev][0] or 0) == (exp["availability"] or 0), (dev, seen[dev])
        assert int(seen[dev][1]) == exp["outages"]
        assert float(seen[dev][2]) == exp["longest"]
    assert re.search(r'data-kpi="([^"]*)"', dom.stdout).group(1) == f"{TOTAL_AVAIL:.3f}%"
    assert "网络可用性报告" in dom.stdout and "Network availability report" in dom.stdout
    assert "+08:00" in dom.stdout
    assert dom.stdout.count("<rect") >= 3  # the per-tier chart drew


def test_period_without_data_and_bad_input(month_sqlite, tmp_path):
    r = run_netmon(
        "report", "availability", "-c", str(month_sqlite), "--month", "2025-01", "-o", str(tmp_path / "x.html")
    )
    assert r.returncode == 1 and "no reachability data (snmp_reach) between 2025-01-01T00:00:00+08:00" in r.stderr
    assert not (tmp_path / "x.html").exists()
    r = run_netmon("report", "availability", "-c", str(month_sqlite), "--month", "2026-13")
    assert r.returncode == 2 and "--month: '2026-13' is not a month like 2026-11" in r.stderr
    r = run_netmon("report", "availability", "-c", str(month_sqlite), "--from", "2026-11-05", "--to", "2026-11-01")
    assert r.returncode == 2 and "ends before it starts" in r.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(month_sqlite.read_text().replace("Asia/Shanghai", "Mars/Olympus"), encoding="utf-8")
    r = run_netmon("report", "availability", "-c", str(bad), "--month", "2026-11")
    assert r.returncode == 2 and f"{bad}:3: timezone: unknown time zone 'Mars/Olympus'" in r.stderr


def test_from_to_week(month_sqlite, tmp_path):
    """--from/--to dates include the whole last day: 2026-11-10 alone holds P's 2-hour outage."""
    out = tmp_path / "d.xlsx"
    r = run_netmon("report", "availability", "-c", str(month_sqlite), "--from", "2026-11-10", "--to", "2026-11-10", "--format", "xlsx",
                   "-o", str(out), "--lang", "en", *SCOPE)  # fmt: skip
    assert r.returncode == 0, r.stderr
    rows = {r[0]: r for r in load_workbook(out)["devices"].iter_rows(min_row=2, values_only=True)}
    assert rows[P][6] == 1440 and rows[P][5] == round(100 * (1440 - 120) / 1440, 3)
    assert rows["gd-gz-th-in-core1"][9] == 130 and rows["gd-gz-th-in-core1"][11] == 0
