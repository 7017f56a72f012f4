"""Report formats: terminal table, JSON, CSV (SARIF and HTML have modules of their own)."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..csvsafe import csv_text
from .scanner import ScanRun
from .scoring import by_tag, network_score, score, top_failing_clauses

FORMATS = ("table", "json", "csv", "sarif", "html")
_STYLE = {"PASS": "green", "FAIL": "bold red", "WARN": "yellow", "REVIEW": "cyan", "N/A": "dim"}


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}%"


def render_table(run: ScanRun, console: Console, show_pass: bool = False) -> None:
    """Per-device summary, then each non-passing finding with its first evidence line."""
    p = run.standard.pack
    console.print(
        f"[bold]{p.title.en}[/bold] ({p.id}, {len(run.standard.rules)} rules) — "
        f"{len(run.results)} device(s), score {_pct(network_score(run.results))}"
    )
    t = Table(show_lines=False)
    for col in ("device", "vendor", "score", "PASS", "FAIL", "WARN", "REVIEW", "N/A", "high FAIL"):
        t.add_column(col, justify="right" if col not in ("device", "vendor") else "left")
    for r in run.results:
        c = r.counts()
        t.add_row(
            r.device,
            r.vendor,
            _pct(score(r.findings)),
            str(c["PASS"]),
            Text(str(c["FAIL"]), _STYLE["FAIL"] if c["FAIL"] else ""),
            str(c["WARN"]),
            str(c["REVIEW"]),
            str(c["N/A"]),
            str(r.high_fail()),
        )
    console.print(t)
    for r in run.results:
        rows = [f for f in r.findings if show_pass or f.result not in ("PASS", "N/A")]
        if not rows and not r.notes:
            continue
        ft = Table(title=f"{r.device} ({r.source})", title_justify="left", show_lines=False, expand=False)
        for col in ("rule", "sev", "result", "clause", "title", "evidence / note"):
            ft.add_column(col, overflow="fold")
        for f in rows:
            first = f.evidence[0] if f.evidence else None
            detail = f"L{first.line}: {first.text}" + (f" — {first.note}" if first.note else "") if first else ""
            if not detail and f.notes:
                detail = f.notes[0]
            more = len(f.evidence) - 1
            if more > 0:
                detail += f" (+{more} more)"
            result = Text(f.result + (" (waived)" if f.waived else ""), _STYLE[f.result] if not f.waived else "dim")
            ft.add_row(f.rule, f.severity, result, ", ".join(f.clauses), f.title_en, Text(detail))
        console.print(ft)
        for n in r.notes:
            console.print(f"  [yellow]note[/yellow] {n}", highlight=False)
    tiers = [g for g in by_tag(run.results, "tier") if g.key != "unknown"]
    if tiers:
        console.print("score by tier: " + ", ".join(f"{g.key} {_pct(g.score_pct)}" for g in tiers))
    top = top_failing_clauses(run.results, 5)
    if top:
        console.print("top failing clauses: " + ", ".join(f"{c.clause} ({c.fail})" for c in top))
    for prob in run.problems:
        console.print(f"[red]not scanned[/red] {prob}", highlight=False, markup=True)


def render_json(run: ScanRun) -> str:
    return json.dumps(run.to_dict(), ensure_ascii=False, indent=2)


CSV_COLUMNS = (
    "device",
    "vendor",
    "source",
    "standard",
    "tier",
    "network",
    "rule",
    "severity",
    "result",
    "waived",
    "clauses",
    "test_items",
    "title_en",
    "title_zh",
    "evidence",
    "notes",
    "remediation",
)


def render_csv(run: ScanRun) -> str:
    """One row per finding; cells that a spreadsheet would run as a formula are neutralised."""
    rows = (
        [
            r.device,
            r.vendor,
            r.source,
            r.standard,
            r.tags.get("tier", ""),
            r.tags.get("network", ""),
            f.rule,
            f.severity,
            f.result,
            "yes" if f.waived else "",
            ";".join(f.clauses),
            ";".join(f.test_items),
            f.title_en,
            f.title_zh,
            " | ".join(f"{e.line}: {e.text}" + (f" ({e.note})" if e.note else "") for e in f.evidence),
            " | ".join(f.notes),
            " | ".join(f.remediation),
        ]
        for r in run.results
        for f in r.findings
    )
    return csv_text(CSV_COLUMNS, rows)
