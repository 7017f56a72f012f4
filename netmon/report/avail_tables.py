"""The availability report as tables (one model for HTML, CSV and XLSX), bilingual, local time."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import BinaryIO, cast

from ..csvsafe import safe_cell as _safe_cell
from ..timefmt import fmt_duration, fmt_time, tz_label
from .availability import NS, AvailabilityReport, Group

Cell = str | int | float | None

# (zh, en) for every header and label: reports go to NOC staff and to auditors alike.
LABELS: dict[str, tuple[str, str]] = {
    "title": ("网络可用性报告", "Network availability report"),
    "period": ("统计周期", "period"),
    "timezone": ("时区", "time zone"),
    "step": ("采样间隔", "sample step"),
    "generated": ("生成时间", "generated"),
    "summary": ("总览", "Summary"),
    "network": ("网络", "network"),
    "tier": ("层级", "tier"),
    "province": ("地区（省）", "region (province)"),
    "region": ("地区", "region"),
    "site": ("站点", "site"),
    "device": ("设备", "device"),
    "devices": ("设备数", "devices"),
    "never_polled": ("无数据设备", "never polled"),
    "availability": ("可用率 %", "availability %"),
    "polled": ("有数据时长 (分钟)", "polled (min)"),
    "nodata": ("无数据时长 (分钟)", "no data (min)"),
    "behind": ("因上级故障不可达 (分钟)", "unreachable behind a parent (min)"),
    "behind_of": ("受其影响", "behind"),
    "outages": ("故障次数（按根因）", "outages (root causes)"),
    "outage_total": ("故障总时长 (分钟)", "outage total (min)"),
    "longest": ("最长故障 (分钟)", "longest outage (min)"),
    "own_down": ("自身故障时长 (分钟)", "own downtime (min)"),
    "start": ("开始", "start"),
    "end": ("结束", "end"),
    "duration": ("时长 (分钟)", "duration (min)"),
    "ongoing": ("持续中", "ongoing"),
    "cut_off": ("其后不可达设备数", "devices cut off behind it"),
    "cut_off_names": ("其后不可达设备", "devices behind it"),
    "outage_list": ("故障清单（根因）", "Outages (root causes)"),
    "unavailable_chart": ("各层级不可用分钟", "Unavailable minutes per tier"),
    "own": ("自身故障", "own"),
    "behind_short": ("上级故障", "behind a parent"),
    "by": ("按{x}统计", "By {x}"),
    "device_list": ("设备明细", "Devices"),
    "yes": ("是", "yes"),
    "no_data_note": (
        "无数据时长指未采集（netmon 未运行或数据丢失），不计入可用或故障；因上级故障不可达的时间计入不可用，但不计为本设备故障。",
        "No data = nobody polled (netmon stopped or data lost): neither up nor down. Time unreachable behind a failed "
        "parent counts as unavailable but not as an outage of the device: each outage is counted once, at its root cause.",
    ),
}
TIER_ZH = {"central": "中央", "province": "省", "city": "市", "county": "县", "township": "乡镇"}
NET_ZH = {"intranet": "内网", "extranet": "外网"}


def label(key: str, lang: str, **kw: str) -> str:
    """A label in zh, en or both; keyword values are label keys too, translated in the same language."""
    zh, en = LABELS[key]
    zh = zh.format(**{k: LABELS[v][0] for k, v in kw.items()})
    en = en.format(**{k: LABELS[v][1] for k, v in kw.items()})
    return {"zh": zh, "en": en}.get(lang, f"{zh} {en}")


def value_label(kind: str, value: str, lang: str) -> str:
    """Tier and network values shown in the report's language (central -> 中央 central)."""
    zh: str | None
    if kind in ("province", "region") and value == "-":
        value, zh = "centre", "中央"  # the centre has no region path
    else:
        zh = {"tier": TIER_ZH, "network": NET_ZH}.get(kind, {}).get(value)
    if not zh or lang == "en":
        return value
    return zh if lang == "zh" else f"{zh} {value}"


def minutes(ns: float) -> float:
    return round(ns / NS / 60.0, 2)


def pct(v: float | None) -> float | None:
    return None if v is None else round(100.0 * v, 3)


@dataclass
class Sheet:
    key: str
    title: str
    header: list[str]
    rows: list[list[Cell]]


def _group_row(g: Group, lang: str) -> list[Cell]:
    return [
        value_label(g.kind, g.name, lang), g.devices, g.never_polled, pct(g.availability), minutes(g.polled_ns),
        minutes(g.nodata_ns), minutes(g.behind_ns), g.outages, minutes(g.outage_ns), minutes(g.longest_ns),
    ]  # fmt: skip


def sheets(rep: AvailabilityReport, lang: str, tz: tzinfo) -> list[Sheet]:  # fmt: skip
    L = lambda k, **kw: label(k, lang, **kw)  # noqa: E731
    gcols = [
        "devices",
        "never_polled",
        "availability",
        "polled",
        "nodata",
        "behind",
        "outages",
        "outage_total",
        "longest",
    ]
    out = [
        Sheet(
            "summary",
            L("summary"),
            [L("period"), L("timezone"), L("step"), *[L(c) for c in gcols]],
            [
                [
                    f"{fmt_time(rep.start, tz)} – {fmt_time(rep.end, tz)}",
                    tz_label(tz),
                    fmt_duration(rep.step_ns / NS, lang if lang != "both" else "en"),
                    *_group_row(rep.total, lang)[1:],
                ]
            ],
        ),
    ]
    for kind in ("network", "tier", "province", "site"):
        out.append(
            Sheet(
                kind,
                L("by", x=kind),
                [L(kind), *[L(c) for c in gcols]],
                [_group_row(g, lang) for g in rep.groups[kind]],
            )
        )
    tags = {d.device: d.tags for d in rep.devices}
    out.append(
        Sheet(
            "outages",
            L("outage_list"),
            [
                L("device"),
                L("tier"),
                L("region"),
                L("start"),
                L("end"),
                L("duration"),
                L("ongoing"),
                L("cut_off"),
                L("cut_off_names"),
            ],
            [
                [
                    o.device,
                    value_label("tier", tags.get(o.device, {}).get("tier", ""), lang),
                    value_label("region", tags.get(o.device, {}).get("region", ""), lang),
                    fmt_time(o.start, tz),
                    fmt_time(o.end, tz),
                    minutes(o.down_ns),
                    L("yes") if o.ongoing else "",
                    len(o.behind),
                    " ".join(sorted(o.behind)[:20]) + (" …" if len(o.behind) > 20 else ""),
                ]
                for o in rep.outages
            ],
        )
    )
    dcols = ["device", "network", "tier", "region", "site", "availability", "polled", "nodata", "own_down", "behind", "behind_of",
             "outages", "outage_total", "longest"]  # fmt: skip
    out.append(
        Sheet(
            "devices",
            L("device_list"),
            [L(c) for c in dcols],
            [
                [
                    d.device,
                    value_label("network", d.tags.get("network", ""), lang),
                    value_label("tier", d.tags.get("tier", ""), lang),
                    value_label("region", d.tags.get("region", ""), lang),
                    d.tags.get("site", ""),
                    pct(d.availability),
                    minutes(d.polled_ns),
                    minutes(d.nodata_ns(rep.period_ns)),
                    minutes(d.own_down_ns),
                    minutes(d.behind_ns),
                    " ".join(sorted(d.behind_causes)),
                    len(d.outages),
                    minutes(d.outage_ns),
                    minutes(d.longest_ns),
                ]
                for d in rep.devices
            ],
        )
    )
    return out


def safe_cell(v: Cell) -> Cell:
    """Spreadsheet formula injection (OWASP): netmon.csvsafe's rule, cell types kept."""
    return cast(Cell, _safe_cell(v))


def to_csv(all_sheets: list[Sheet]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for sh in all_sheets:
        w.writerow([safe_cell(f"# {sh.title}")])
        w.writerow([safe_cell(h) for h in sh.header])
        for r in sh.rows:
            w.writerow(["" if c is None else safe_cell(c) for c in r])
        w.writerow([])
    return buf.getvalue()


def to_xlsx(all_sheets: list[Sheet], path: Path | BinaryIO) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for sh in all_sheets:
        ws = wb.create_sheet(sh.key)
        ws.append([safe_cell(h) for h in sh.header])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in sh.rows:
            ws.append([safe_cell(c) for c in r])
        ws.freeze_panes = "A2"
        for col in ws.columns:
            width = max(len(str(c.value or "")) for c in col[:200])
            ws.column_dimensions[col[0].column_letter].width = min(60, max(10, width + 2))
    wb.save(path)
