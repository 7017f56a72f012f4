"""What Grafana does with a dashboard's InfluxQL before sending it: resolve the template variables
(each one's own query, in order) and interpolate them and the time macros into panel queries.

Written from Grafana's documented behaviour: the ``${var:regex}`` format escapes each value with
Grafana's escapeRegex (``[\\^$*+?.()|[]{}/]``) and joins several as ``(a|b)``; a custom "All" value
is inserted unformatted; ``$timeFilter`` becomes ``time >= <from>ms and time <= <to>ms``;
``$__interval`` is the range over the panel's data points, no less than the datasource's
minimum interval.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from netmon.lab.influx import Influxd

DB = "netmon"
MIN_INTERVAL_S = 60  # the provisioned datasource's timeInterval
MAX_DATA_POINTS = 1000

_ESCAPE = re.compile(r"[\\^$*+?.()|\[\]{}/]")
_VAR = re.compile(r"\$\{(\w+)(?::(\w+))?\}|\$(\w+)")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def escape_regex(v: str) -> str:
    return _ESCAPE.sub(lambda m: "\\" + m.group(0), v)


@dataclass
class Value:
    values: list[str]
    all_value: str | None = None  # set when "All" with a custom all value is chosen

    def render(self, fmt: str | None) -> str:
        if self.all_value is not None:
            return self.all_value
        if fmt == "regex":
            esc = [escape_regex(v) for v in self.values]
            return esc[0] if len(esc) == 1 else "(" + "|".join(esc) + ")"
        return ",".join(self.values)


def relative_s(expr: str) -> int:
    """'now-6h' or '7d' -> seconds."""
    m = re.fullmatch(r"(?:now-)?(\d+)([smhdw])", expr)
    assert m, f"unsupported relative time {expr!r}"
    return int(m.group(1)) * _UNITS[m.group(2)]


def interpolate(q: str, variables: dict[str, Value], start_ms: int, end_ms: int) -> str:
    interval_s = max(MIN_INTERVAL_S, (end_ms - start_ms) // 1000 // MAX_DATA_POINTS)
    macros = {"timeFilter": f"time >= {start_ms}ms and time <= {end_ms}ms", "__interval": f"{interval_s}s"}

    def sub(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(3)
        if name in macros:
            return macros[name]
        assert name in variables, f"query uses ${name}, which the dashboard does not define: {q}"
        return variables[name].render(m.group(2))

    return _VAR.sub(sub, q)


@dataclass
class Dashboard:
    model: dict[str, Any]
    influx: Influxd
    now_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    variables: dict[str, Value] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)

    @property
    def range_ms(self) -> tuple[int, int]:
        return self.now_ms - relative_s(self.model["time"]["from"]) * 1000, self.now_ms

    def query(self, q: str) -> dict[str, Any]:
        res = self.influx.query(q, db=DB)
        results = res.get("results", [])
        assert isinstance(results, list)
        return results[0] if results else {}

    def resolve(self, choose: dict[str, list[str]] | None = None) -> None:
        """Resolve variables in order like Grafana on load: "All" where offered, else the first option;
        ``choose`` picks values instead (they must be among the options)."""
        choose = choose or {}
        start, end = self.range_ms
        for v in self.model["templating"]["list"]:
            if v["type"] != "query":
                continue
            q = interpolate(v["query"], self.variables, start, end)
            r = self.query(q)
            assert "error" not in r, f"variable {v['name']}: {r.get('error')}\n{q}"
            opts = sorted({row[1] for s in r.get("series", []) for row in s["values"]})
            if v.get("regex"):
                rx = re.compile(v["regex"].strip("/"))
                opts = [o for o in opts if rx.search(o)]
            assert opts, f"variable {v['name']} has no options:\n{q}"
            self.options[v["name"]] = opts
            if v["name"] in choose:
                assert set(choose[v["name"]]) <= set(opts), f"{choose[v['name']]} not among {v['name']} options {opts}"
                self.variables[v["name"]] = Value(choose[v["name"]])
            elif v.get("includeAll"):
                self.variables[v["name"]] = Value(opts, all_value=v.get("allValue"))
            else:
                self.variables[v["name"]] = Value([opts[0]])

    def panel_queries(self) -> list[tuple[str, str]]:
        """(panel title/refId, interpolated query) for every target of every panel."""
        out = []
        for p in self.model["panels"]:
            for panel in [p, *p.get("panels", [])]:
                start, end = self.range_ms
                if panel.get("timeFrom"):
                    start = end - relative_s(panel["timeFrom"]) * 1000
                for t in panel.get("targets", []):
                    out.append(
                        (f"{panel['title']} / {t['refId']}", interpolate(t["query"], self.variables, start, end))
                    )
        return out

    def annotation_queries(self) -> list[tuple[str, str]]:
        start, end = self.range_ms
        return [
            (a["name"], interpolate(a["query"], self.variables, start, end))
            for a in self.model["annotations"]["list"]
            if "query" in a
        ]


def has_data(result: dict[str, Any]) -> bool:
    """At least one series with one non-null value besides the time column."""
    for s in result.get("series", []):
        for row in s.get("values", []):
            if any(v is not None for v in row[1:]):
                return True
    return False
