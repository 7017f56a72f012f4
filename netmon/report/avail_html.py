"""The availability report as one self-contained HTML page (no external resources), bilingual."""

from __future__ import annotations

import time
from datetime import tzinfo

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from ..timefmt import fmt_time, tz_label
from .avail_tables import Sheet, label, value_label
from .availability import NS, AvailabilityReport
from .svg import bar_chart

TEMPLATE = """<!DOCTYPE html>
<html lang="{{ 'en' if lang == 'en' else 'zh-CN' }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} {{ period }}</title>
<style>
 body{font-family:system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:24px;color:#222;background:#fafafa}
 h1{margin:0 0 4px}.sub{color:#555;margin-bottom:14px}.note{color:#666;font-size:12px;max-width:900px}
 .card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px;margin-bottom:16px;overflow-x:auto}
 table{border-collapse:collapse;font-size:13px}th,td{border-bottom:1px solid #eee;padding:4px 8px;text-align:left;white-space:nowrap}
 th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#c62828;font-weight:600}
 .kpi{display:inline-block;margin-right:28px;font-size:26px;font-weight:700}.kpi small{display:block;font-size:12px;color:#666;font-weight:400}
 .ct{font-size:13px;font-weight:600}.ax{font-size:11px;fill:#555}.grid{stroke:#eee}
</style></head>
<body data-devices="{{ total.devices }}" data-outages="{{ total.outages }}">
<h1>{{ title }}</h1>
<div class="sub">{{ L('period') }}: <span id="period">{{ period }}</span> · {{ L('timezone') }}: {{ tzname }} · {{ L('generated') }}: {{ generated }}</div>
<div class="card" id="kpis">
 <span class="kpi" id="kpi-availability">{{ fmt_pct(total.availability) }}<small>{{ L('availability') }}</small></span>
 <span class="kpi" id="kpi-outages">{{ total.outages }}<small>{{ L('outages') }}</small></span>
 <span class="kpi" id="kpi-devices">{{ total.devices }}<small>{{ L('devices') }}</small></span>
 <span class="kpi" id="kpi-never">{{ total.never_polled }}<small>{{ L('never_polled') }}</small></span>
</div>
<p class="note">{{ L('no_data_note') }}</p>
<div class="card">{{ chart }}</div>
{% for sh in sheets %}{% if sh.key != 'summary' %}
<h2>{{ sh.title }}</h2>
<div class="card"><table id="t-{{ sh.key }}"><thead><tr>{% for h in sh.header %}<th>{{ h }}</th>{% endfor %}</tr></thead><tbody>
{% for r in sh.rows %}<tr>{% for c in r %}<td{% if c is number %} class="num"{% endif %}>{{ '' if c is none else c }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></div>
{% endif %}{% endfor %}
</body></html>
"""


def render_html(rep: AvailabilityReport, all_sheets: list[Sheet], lang: str, tz: tzinfo) -> str:
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    tiers = rep.groups["tier"]
    own = {d.device: d.own_down_ns for d in rep.devices}
    by_tier = {g.name: 0.0 for g in tiers}
    for d in rep.devices:
        by_tier[d.tags.get("tier") or "-"] += own[d.device]
    # Availability bars would all read ~100 %: the minutes lost tell the tiers apart.
    chart = bar_chart(
        [value_label("tier", g.name, lang) for g in tiers],
        {
            label("own", lang): [round(by_tier[g.name] / NS / 60, 1) for g in tiers],
            label("behind_short", lang): [round(g.behind_ns / NS / 60, 1) for g in tiers],
        },
        label("unavailable_chart", lang),
        unit="min",
        stacked=True,
        width=760,
        colours=["#c62828", "#ef6c00"],  # both are lost minutes: no green
    )
    return env.from_string(TEMPLATE).render(
        lang=lang,
        title=label("title", lang),
        L=lambda k: label(k, lang),
        period=f"{fmt_time(rep.start, tz)} – {fmt_time(rep.end, tz)}",
        tzname=tz_label(tz),
        generated=fmt_time(time.time(), tz),
        total=rep.total,
        fmt_pct=lambda v: "-" if v is None else f"{100.0 * v:.3f}%",
        chart=Markup(chart),  # noqa: S704 - svg.py escapes every label it embeds
        sheets=all_sheets,
    )
