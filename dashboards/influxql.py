"""InfluxQL query targets for Grafana panels, and the WHERE clauses every dashboard shares.

grafana-foundation-sdk has no InfluxDB query builder, so a target is a small typed model that
serialises to the JSON Grafana's InfluxDB datasource stores for a raw InfluxQL query. Only
InfluxQL is emitted (never Flux or SQL): the same dashboards then run on InfluxDB 1.x, on 2.x
through its DBRP mapping and on 3.x, whose InfluxQL supports everything used here (subqueries,
SHOW TAG VALUES ... WHERE) but not SLIMIT/SOFFSET, which we therefore never use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import variants as cogvariants
from grafana_foundation_sdk.models.dashboard import AnnotationQuery, DataSourceRef

# Panels and variables name the datasource through the `datasource` variable, so one JSON file
# serves an InfluxDB 1.x datasource and a 2.x one in InfluxQL mode alike.
DATASOURCE = DataSourceRef(type_val="influxdb", uid="${datasource}")

ResultFormat = Literal["time_series", "table"]


@dataclass
class InfluxQLQuery(cogvariants.Dataquery):
    """A raw InfluxQL target as Grafana's InfluxDB datasource saves it."""

    ref_id: str
    query: str
    result_format: ResultFormat = "time_series"
    alias: str | None = None  # legend: $tag_<name> and $col are expanded by Grafana
    hide: bool = False

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "refId": self.ref_id,
            "datasource": DATASOURCE.to_json(),
            "query": self.query,
            "rawQuery": True,
            "resultFormat": self.result_format,
        }
        if self.alias:
            out["alias"] = self.alias
        if self.hide:
            out["hide"] = True
        return out


class InfluxQL(cogbuilder.Builder[InfluxQLQuery]):
    """Builder so a target plugs into the SDK's ``with_target``."""

    def __init__(self, ref_id: str, query: str, *, table: bool = False, alias: str | None = None) -> None:
        self._q = InfluxQLQuery(ref_id, " ".join(query.split()), "table" if table else "time_series", alias)

    def build(self) -> InfluxQLQuery:
        return self._q


def match(tag: str, var: str) -> str:
    """``"tag" =~ /^${var:regex}$/``.

    The `regex` format makes Grafana escape each value (region paths hold '/', interface names
    '/' and '.') and join multiple values as ``(a|b)``; a custom "All" value (``.*``) is left as is.
    """
    return f'"{tag}" =~ /^${{{var}:regex}}$/'


def where(*conds: str, time: bool = True) -> str:
    """AND the conditions, ending with Grafana's ``$timeFilter`` unless ``time`` is false."""
    parts = [c for c in conds if c]
    if time:
        parts.append("$timeFilter")
    return " AND ".join(parts)


def tag_is(tag: str, value: str) -> str:
    """A fixed tag condition (values are ours, never user input: no quote escaping needed)."""
    return f"\"{tag}\" = '{value}'"


class InfluxQLAnnotation(AnnotationQuery):
    """An annotation from an InfluxQL query; ``query`` is the legacy field, ``target`` the current one."""

    def __init__(self, name: str, query: str, text_column: str, icon_color: str = "orange") -> None:
        super().__init__(name=name, datasource=DATASOURCE, enable=True, icon_color=icon_color)
        self.query = " ".join(query.split())
        self.text_column = text_column

    def to_json(self) -> dict[str, object]:
        out = super().to_json()
        out["datasource"] = DATASOURCE.to_json()
        out["query"] = self.query
        out["textColumn"] = self.text_column
        out["target"] = {"refId": "Anno", "query": self.query, "rawQuery": True, "resultFormat": "table"}
        return out


class Annotation(cogbuilder.Builder[AnnotationQuery]):
    def __init__(self, name: str, query: str, text_column: str) -> None:
        self._a = InfluxQLAnnotation(name, query, text_column)

    def build(self) -> AnnotationQuery:
        return self._a
