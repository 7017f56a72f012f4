"""The demo's self-contained HTML report: tables and SVG charts, no external resources."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from ..fsmode import write_private
from ..timefmt import fmt_time, to_local, tz_label, zone
from .summary import Tally
from .svg import bar_chart, line_chart

TEMPLATE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>netmon NOC report — {{ generated }}</title>
<style>
 body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#222;background:#fafafa}
 h1{margin:0 0 4px}.sub{color:#666;margin-bottom:18px}
 .grid2{display:flex;flex-wrap:wrap;gap:16px}.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px}
 table{border-collapse:collapse;font-size:13px}th,td{border-bottom:1px solid #eee;padding:4px 8px;text-align:left}
 th{background:#f0f0f0}.num{text-align:right}.down{color:#c62828;font-weight:600}.up{color:#2e7d32}
 .ct{font-size:13px;font-weight:600}.ax{font-size:11px;fill:#555}.grid{stroke:#eee}
 .kpi{display:inline-block;margin-right:24px;font-size:28px;font-weight:700}.kpi small{display:block;font-size:12px;color:#666;font-weight:400}
 .bar-util{display:inline-block;height:8px;background:#1565c0;vertical-align:middle}
</style></head>
<body>
<h1>netmon NOC report</h1>
<div class="sub">{{ generated }} · {{ cycles }} cycles every {{ interval }}s · {{ devices }} devices · sink {{ sink }}</div>
<div class="card">
 <span class="kpi">{{ up }}<small>devices up</small></span>
 <span class="kpi {{ 'down' if down else '' }}">{{ down }}<small>devices down</small></span>
 <span class="kpi">{{ incidents|length }}<small>incidents</small></span>
 <span class="kpi">{{ suppressed }}<small>alerts suppressed by root cause</small></span>
 <span class="kpi">{{ points }}<small>points stored</small></span>
</div>
<h2>Availability per tier and network</h2>
<div class="grid2"><div class="card">{{ chart_avail }}</div>
<div class="card"><table><tr><th>tier</th><th>network</th><th class="num">up</th><th class="num">down</th><th class="num">availability</th></tr>
{% for r in tiers %}<tr><td>{{ r.tier }}</td><td>{{ r.network }}</td><td class="num up">{{ r.up }}</td>
<td class="num {{ 'down' if r.down else '' }}">{{ r.down }}</td><td class="num">{{ '%.1f'|format(r.availability) }}%</td></tr>{% endfor %}
</table></div></div>
<h2>Traffic and reachability over the run</h2>
<div class="grid2"><div class="card">{{ chart_traffic }}</div><div class="card">{{ chart_up }}</div></div>
<h2>Incidents (root cause)</h2>
<div class="card">{% if incidents %}<table><tr><th>rule</th><th>root cause</th><th>severity</th><th>state</th><th>summary</th></tr>
{% for a in incidents %}<tr><td>{{ a.rule }}</td><td>{{ a.device }}</td><td>{{ a.severity }}</td><td>{{ a.state }}</td><td>{{ a.summary }}</td></tr>{% endfor %}
</table>{% else %}No active incidents.{% endif %}
{% if suppressed_rows %}<p>{{ suppressed }} alerts suppressed behind their root cause:</p>
<table><tr><th>device</th><th>rule</th><th>root cause</th></tr>
{% for a in suppressed_rows %}<tr><td>{{ a.device }}</td><td>{{ a.rule }}</td><td>{{ a.root_cause }}</td></tr>{% endfor %}</table>{% endif %}</div>
<h2>Busiest links</h2>
<div class="card"><table><tr><th>device</th><th>tier</th><th>interface</th><th>description</th><th class="num">in</th><th class="num">out</th><th>utilisation</th></tr>
{% for l in links %}<tr><td>{{ l.device }}</td><td>{{ l.tier }}</td><td>{{ l.if_name }}{% if l.uplink %} ⇡{% endif %}</td><td>{{ l.if_alias }}</td>
<td class="num">{{ bps(l.in_bps) }}</td><td class="num">{{ bps(l.out_bps) }}</td>
<td><span class="bar-util" style="width:{{ [l.util_pct, 100]|min|round(0) }}px"></span> {{ '%.1f'|format(l.util_pct) }}%</td></tr>{% endfor %}
</table></div>
<h2>Health outliers</h2>
<div class="card"><table><tr><th>device</th><th class="num">CPU %</th><th class="num">memory %</th><th class="num">temperature °C</th></tr>
{% for h in outliers %}<tr><td>{{ h.device }}</td><td class="num">{{ h.cpu_pct if h.cpu_pct is not none else '–' }}</td>
<td class="num">{{ '%.1f'|format(h.mem_pct) if h.mem_pct is not none else '–' }}</td><td class="num">{{ h.temp_c if h.temp_c is not none else '–' }}</td></tr>{% endfor %}
</table></div>
<h2>等级保护 2.0 compliance score per tier</h2>
<div class="card">{% if compliance %}{{ chart_compliance }}
<p>{{ comp_alerts|length }} high-severity findings raised <code>compliance_high_fail</code> alerts on
{{ comp_alerts|map(attribute='device')|unique|list|length }} devices.</p>
<table><tr><th>device</th><th>summary</th></tr>{% for a in comp_alerts[:40] %}<tr><td>{{ a.device }}</td><td>{{ a.summary }}</td></tr>{% endfor %}</table>
{% else %}No compliance scan in this run.{% endif %}</div>
<script>
 // Mark the page as rendered so a headless browser (and a person) can tell the charts drew.
 document.body.dataset.charts = String(document.querySelectorAll("svg.chart").length);
</script>
</body></html>
"""


def _bps(v: float) -> str:
    for div, unit in ((1e9, "Gb/s"), (1e6, "Mb/s"), (1e3, "kb/s")):
        if v >= div:
            return f"{v / div:.1f} {unit}"
    return f"{v:.0f} b/s"


def _safe_svg(svg: str) -> Markup:
    # svg.py escapes every label and title it embeds, so its output is trusted markup.
    return Markup(svg)  # noqa: S704


def render(tally: Tally, *, cycles: int, interval: float, sink: str, points: int, timezone: str | None = None) -> str:
    tz = zone(timezone)
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    tiers = tally.per_tier()
    labels = [f"{r['tier']}/{r['network'][:2]}" for r in tiers]
    chart_avail = bar_chart(labels, {"up": [r["up"] for r in tiers], "down": [r["down"] for r in tiers]},
                            "Devices up/down per tier (in = 内网, ex = 外网)", stacked=True)  # fmt: skip
    xs = [to_local(s["time"], tz).strftime("%H:%M:%S") for s in tally.series]
    nets = sorted({k[4:] for s in tally.series for k in s if k.startswith("bps_")})
    traffic = {n: [s.get(f"bps_{n}", 0.0) for s in tally.series] for n in nets} or {"traffic": [0.0] * len(xs)}
    chart_traffic = line_chart(xs, traffic, "Total interface traffic (bits/s)", "")
    chart_up = line_chart(xs, {"up": [s["up"] for s in tally.series], "down": [s["down"] for s in tally.series]},
                          "Devices reachable per cycle")  # fmt: skip
    comp = tally.compliance_by_tier()
    chart_compliance = bar_chart([f"{c['tier']}/{c['network'][:2]}" for c in comp], {"score %": [c["score_pct"] for c in comp]},
                                 "Compliance score per tier (mlps-l3)", unit="%", max_value=100)  # fmt: skip
    alerts = tally.active_alerts()
    incidents = [a for a in alerts if a.get("state") == "firing" and a.get("rule") != "compliance_high_fail"]
    comp_alerts = [a for a in alerts if a.get("state") == "firing" and a.get("rule") == "compliance_high_fail"]
    suppressed_rows = [a for a in alerts if a.get("state") == "suppressed"]
    up, down = tally.up_down()
    ctx: dict[str, Any] = {
        "generated": f"{fmt_time(time.time(), tz)} ({tz_label(tz)})",
        "cycles": cycles, "interval": interval, "devices": len(tally.reach), "sink": sink, "up": up, "down": down,
        "tiers": tiers, "links": tally.busiest(12), "outliers": tally.outliers(), "compliance": comp,
        "incidents": incidents, "suppressed_rows": suppressed_rows, "suppressed": len(suppressed_rows), "points": points, "comp_alerts": comp_alerts,
        "chart_avail": _safe_svg(chart_avail), "chart_traffic": _safe_svg(chart_traffic), "chart_up": _safe_svg(chart_up),
        "chart_compliance": _safe_svg(chart_compliance), "bps": _bps,
    }  # fmt: skip
    return env.from_string(TEMPLATE).render(**ctx)


def write_report(path: Path, html: str) -> Path:
    return write_private(path, html)  # 0600: the state of a classified network
