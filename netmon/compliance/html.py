"""A self-contained HTML report for auditors: inline CSS, inline SVG charts, a little inline JS
for filtering; nothing fetched from a network (the report is read on isolated networks)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from .rules import clauses, full_clause
from .scanner import ScanRun
from .scoring import by_tag, network_score, score, top_failing_clauses

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_COLOURS = {"PASS": "#2e7d32", "FAIL": "#c62828", "WARN": "#f9a825", "REVIEW": "#0277bd", "N/A": "#9e9e9e"}


def _score_colour(v: float | None) -> str:
    if v is None:
        return "#9e9e9e"
    return "#2e7d32" if v >= 80 else "#f9a825" if v >= 60 else "#c62828"


def bar_chart(
    items: list[tuple[str, float | None]], chart_id: str, title: str, max_value: float = 100.0, suffix: str = "%"
) -> Markup:
    """Vertical bars with labels; one <rect class="bar"> per item (the tests count them)."""
    w, h, pad, top = max(320, 70 * len(items) + 60), 270, 70, 30
    bw = (w - 2 * pad) / max(1, len(items))
    parts = [
        f'<svg id="{chart_id}" class="chart" role="img" aria-label="{escape(title)}" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="{w / 2}" y="18" text-anchor="middle" class="ct">{escape(title)}</text>',
        f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="#555"/>',
    ]
    for i, (label, value) in enumerate(items):
        v = value or 0.0
        bh = (h - pad - top) * min(v, max_value) / max_value
        x = pad + i * bw + bw * 0.15
        y = h - pad - bh
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bw * 0.7:.1f}" height="{bh:.1f}" '
            f'fill="{_score_colour(value) if suffix == "%" else "#c62828"}"><title>{escape(label)}: '
            f"{'-' if value is None else f'{value:g}{suffix}'}</title></rect>"
        )
        parts.append(
            f'<text x="{x + bw * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" class="cv">'
            f"{'-' if value is None else f'{value:g}{suffix}'}</text>"
        )
        lx, ly = x + bw * 0.35, h - pad + 14
        parts.append(
            f'<text x="{lx:.1f}" y="{ly}" text-anchor="end" transform="rotate(-30 {lx:.1f} {ly})" '
            f'class="cl">{escape(label[:22])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every label and title above went through escape()


def hbar_chart(items: list[tuple[str, int]], chart_id: str, title: str) -> Markup:
    """Horizontal bars (counts), e.g. failing findings per clause."""
    w, row, left = 560, 26, 150
    h = 40 + row * max(1, len(items))
    top_value = max((v for _, v in items), default=1) or 1
    parts = [
        f'<svg id="{chart_id}" class="chart" role="img" aria-label="{escape(title)}" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="{w / 2}" y="18" text-anchor="middle" class="ct">{escape(title)}</text>',
    ]
    if not items:
        parts.append(f'<text x="{w / 2}" y="{h - 8}" text-anchor="middle" class="cl">no failing clause</text>')
    for i, (label, v) in enumerate(items):
        y = 30 + i * row
        bw = (w - left - 50) * v / top_value
        parts.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" class="cl">{escape(label)}</text>')
        parts.append(
            f'<rect class="bar" x="{left}" y="{y + 3}" width="{bw:.1f}" height="{row - 8}" fill="#c62828">'
            f"<title>{escape(label)}: {v}</title></rect>"
        )
        parts.append(f'<text x="{left + bw + 4:.1f}" y="{y + 15}" class="cv">{v}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every label and title above went through escape()


def stacked_bar(counts: dict[str, int], chart_id: str, title: str) -> Markup:
    total = sum(counts.values()) or 1
    w, h = 560, 70
    parts = [
        f'<svg id="{chart_id}" class="chart" role="img" aria-label="{escape(title)}" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg">',
        f'<text x="{w / 2}" y="16" text-anchor="middle" class="ct">{escape(title)}</text>',
    ]
    x = 10.0
    for k in ("PASS", "WARN", "FAIL", "REVIEW", "N/A"):
        v = counts.get(k, 0)
        bw = (w - 20) * v / total
        if v:
            parts.append(
                f'<rect class="bar seg" x="{x:.1f}" y="24" width="{bw:.1f}" height="22" fill="{_COLOURS[k]}">'
                f"<title>{k}: {v}</title></rect>"
            )
            if bw > 40:
                parts.append(f'<text x="{x + bw / 2:.1f}" y="40" text-anchor="middle" class="cw">{k} {v}</text>')
        x += bw
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every label and title above went through escape()


def render_html(run: ScanRun) -> str:
    d = run.to_dict()
    tiers = [g for g in by_tag(run.results, "tier") if g.key != "unknown"]
    if tiers:
        tier_items = [(g.key, g.score_pct) for g in tiers]
        tier_title = "Score by tier / 各层级得分"
    else:  # files scanned without inventory: per device instead
        tier_items = [(r.device, score(r.findings)) for r in run.results][:20]
        tier_title = "Score by device / 各设备得分"
    networks = [(g.key, g.score_pct) for g in by_tag(run.results, "network") if g.key != "unknown"]
    failing = [(c.clause, c.fail) for c in top_failing_clauses(run.results, 10)]
    charts = {
        "tier": bar_chart(tier_items, "chart-tier", tier_title),
        "network": bar_chart(networks, "chart-network", "Score by network / 内外网得分") if networks else None,
        "clauses": hbar_chart(failing, "chart-clauses", "Top failing clauses / 不符合项最多的条款"),
        "results": stacked_bar(d["summary"]["counts"], "chart-results", "All findings / 全部检查结果"),
    }
    return _ENV.get_template("report.html.j2").render(
        run=run,
        d=d,
        charts=charts,
        score=network_score(run.results),
        colours=_COLOURS,
        generated=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        device_score=score,
        clause_titles={full_clause(k, run.standard.level): v.zh for k, v in clauses().items()},
    )
