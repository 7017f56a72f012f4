"""Prometheus Alertmanager, API v2: POST /api/v2/alerts; a resolve carries endsAt."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from ..rootcause import impact_text
from .http import HttpNotifier, dumps
from .message import Notice

_LABEL_RE = re.compile(r"[^A-Za-z0-9_]")


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def am_alert(n: Notice) -> dict[str, object]:
    a = n.alert
    labels = {"alertname": a.rule, "severity": a.severity, "netmon_id": a.id}
    for k, v in a.labels.items():
        if v and k not in labels:
            labels[_LABEL_RE.sub("_", k)] = v
    ann = {"summary": a.summary_en, "summary_zh": a.summary_zh}
    if a.impact.get("devices"):
        ann["impact"] = impact_text(a.impact, "en")
        ann["impact_zh"] = impact_text(a.impact, "zh")
    if a.flapping:
        ann["flapping"] = "true"
    out: dict[str, object] = {"labels": labels, "annotations": ann, "startsAt": _iso(a.fired or a.started or n.at)}
    if n.kind == "resolved":
        out["endsAt"] = _iso(a.resolved or n.at)
    return out


class AlertmanagerNotifier(HttpNotifier):
    kind = "alertmanager"
    max_batch = 500  # AM takes a list; its own grouping makes the messages

    def __init__(self, name: str, url: str, resend: float, timeout: float, retries: int, backoff: float) -> None:
        super().__init__(name, timeout, retries, backoff, "en", None)
        self.url = url.rstrip("/") + "/api/v2/alerts"
        self.resend = resend

    async def deliver(self, notices: list[Notice]) -> None:
        # the newest notice per alert wins (a firing then resolved pair in one batch -> resolved)
        latest: dict[str, Notice] = {}
        for n in notices:
            latest[n.alert.id] = n
        await self.post(self.url, dumps([am_alert(n) for n in latest.values()]), {})
