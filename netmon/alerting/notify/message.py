"""What a notifier sends: a snapshot of the alert and why it is sent, rendered as text/markdown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from ..rootcause import impact_text
from ..state import Alert

Kind = Literal["firing", "resolved", "repeat", "escalation", "flapping", "test"]

_KIND_ZH = {
    "firing": "告警",
    "resolved": "恢复",
    "repeat": "重复提醒",
    "escalation": "升级",
    "flapping": "抖动",
    "test": "测试",
}
_SEV_ZH = {"critical": "紧急", "major": "重要", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Notice:
    kind: Kind
    alert: Alert  # a snapshot, safe to read from another task
    at: float

    @property
    def firing(self) -> bool:
        return self.kind != "resolved"


def _ts(t: float | None) -> str:
    if not t:
        return "-"
    return datetime.fromtimestamp(t, UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S %z")


def title(notices: list[Notice], lang: str) -> str:
    n = notices[0]
    a = n.alert
    more = f" (+{len(notices) - 1})" if len(notices) > 1 else ""
    if lang == "zh":
        return f"[{_KIND_ZH[n.kind]}][{_SEV_ZH.get(a.severity, a.severity)}] {a.summary_zh}{more}"
    return f"[{n.kind.upper()}][{a.severity}] {a.summary_en}{more}"


def _lines(n: Notice, lang: str) -> list[str]:
    a = n.alert
    where = " / ".join(
        x for x in (a.labels.get("network", ""), a.labels.get("tier", ""), a.labels.get("region", "")) if x
    )
    if lang == "zh":
        out = [
            f"**{_KIND_ZH[n.kind]} · {_SEV_ZH.get(a.severity, a.severity)}** {a.summary_zh}",
            f"- 规则：{a.rule}　编号：`{a.id}`",
            f"- 位置：{where or '-'}　站点：{a.labels.get('site', '-')}",
            f"- 开始：{_ts(a.fired or a.started)}" + (f"　恢复：{_ts(a.resolved)}" if n.kind == "resolved" else ""),
        ]
        if a.impact.get("devices"):
            out.append(f"- 根因：{a.labels.get('device', '')}，{impact_text(a.impact, 'zh')}")
        if n.kind == "flapping":
            out.append("- 状态反复变化，暂停通知直至稳定")
        if n.kind == "escalation":
            out.append(f"- 未在规定时间内确认，已升级（第 {a.level + 1} 级）")
        return out
    out = [
        f"**{n.kind.upper()} · {a.severity}** {a.summary_en}",
        f"- rule: {a.rule}  id: `{a.id}`",
        f"- where: {where or '-'}  site: {a.labels.get('site', '-')}",
        f"- since: {_ts(a.fired or a.started)}" + (f"  resolved: {_ts(a.resolved)}" if n.kind == "resolved" else ""),
    ]
    if a.impact.get("devices"):
        out.append(f"- root cause: {a.labels.get('device', '')}; {impact_text(a.impact, 'en')}")
    if n.kind == "flapping":
        out.append("- state keeps changing; notifications held until it settles")
    if n.kind == "escalation":
        out.append(f"- not acknowledged in time: escalated (level {a.level + 1})")
    return out


def markdown(notices: list[Notice], language: str) -> str:
    langs = ["zh", "en"] if language == "both" else [language]
    blocks: list[str] = []
    for lang in langs:
        for n in notices:
            blocks.append("\n".join(_lines(n, lang)))
    footer = "ack: `netmon alerts ack ID`"
    return "\n\n".join([*blocks, footer])


def plain(notices: list[Notice], language: str) -> str:
    return markdown(notices, language).replace("**", "").replace("`", "")
