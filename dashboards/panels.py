"""Panel helpers on top of grafana-foundation-sdk builders, with netmon's defaults.

Each helper takes InfluxQL targets and the few choices that differ between panels (unit,
thresholds, size); the rest (datasource, legend, colours) is set once here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grafana_foundation_sdk.builders import common as cb
from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.builders import stat as stat_b
from grafana_foundation_sdk.builders import statetimeline, timeseries
from grafana_foundation_sdk.builders import table as table_b
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models.dashboard import (
    DataTransformerConfig,
    DynamicConfigValue,
    FieldColorModeId,
    Threshold,
    ThresholdsMode,
    ValueMap,
    ValueMappingResult,
)

from .influxql import DATASOURCE, InfluxQL

Steps = Sequence[tuple[float | None, str]]

# Availability: below 99 % is worth a look, below 95 % is an outage somewhere.
AVAILABILITY_STEPS: Steps = ((None, "red"), (95, "orange"), (99, "green"))
# Link utilisation: sustained 70 % starts queueing on small county/township links.
UTIL_STEPS: Steps = ((None, "green"), (70, "orange"), (90, "red"))
# Compliance score (MLPS 2.0): 80 % is the usual pass mark of an assessment.
SCORE_STEPS: Steps = ((None, "red"), (60, "orange"), (80, "green"))
ZERO_IS_GOOD: Steps = ((None, "green"), (1, "red"))

UP_DOWN = {"0": ("down", "red"), "1": ("up", "green")}
# IF-MIB ifOperStatus enumeration.
IF_OPER_STATUS = {
    "1": ("up", "green"),
    "2": ("down", "red"),
    "3": ("testing", "blue"),
    "4": ("unknown", "gray"),
    "5": ("dormant", "purple"),
    "6": ("notPresent", "gray"),
    "7": ("lowerLayerDown", "orange"),
}


def thresholds(steps: Steps) -> db.ThresholdsConfig:
    return db.ThresholdsConfig().mode(ThresholdsMode.ABSOLUTE).steps([Threshold(v, c) for v, c in steps])


def mappings(values: dict[str, tuple[str, str]]) -> list[Any]:
    return [ValueMap({k: ValueMappingResult(text=t, color=c) for k, (t, c) in values.items()})]


def transform(id_: str, options: dict[str, object]) -> DataTransformerConfig:
    return DataTransformerConfig(id_val=id_, options=options)


def top_n(sort_field: str, n: int = 10) -> list[DataTransformerConfig]:
    """Sort descending and keep n rows: done in Grafana, because InfluxDB 3 has no SLIMIT."""
    return [
        transform("sortBy", {"fields": {}, "sort": [{"field": sort_field, "desc": True}]}),
        transform("limit", {"limitField": n}),
    ]


def _size(p: Any, w: int, h: int, description: str) -> Any:
    p = p.span(w).height(h).datasource(DATASOURCE)
    return p.description(description) if description else p


def ts(
    title: str,
    targets: list[InfluxQL],
    unit: str,
    *,
    w: int = 12,
    h: int = 8,
    description: str = "",
    negative: str | None = None,
    steps: Steps | None = None,
    min_: float | None = None,
    max_: float | None = None,
) -> timeseries.Panel:
    """A time series; series whose name matches ``negative`` (a regex) are drawn below the axis (out vs in)."""
    p = (
        timeseries.Panel()
        .title(title)
        .targets(list(targets))
        .unit(unit)
        .line_width(1)
        .fill_opacity(10)
        .show_points(common.VisibilityMode.NEVER)
        .legend(
            cb.VizLegendOptions()
            .display_mode(common.LegendDisplayMode.TABLE)
            .placement(common.LegendPlacement.BOTTOM)
            .show_legend(True)
            .calcs(["mean", "max", "lastNotNull"])
        )
        .tooltip(cb.VizTooltipOptions().mode(common.TooltipDisplayMode.MULTI).sort(common.SortOrder.DESCENDING))
    )
    if negative:
        p = p.override_by_regexp(negative, [DynamicConfigValue("custom.transform", "negative-Y")])
    if steps:
        p = p.thresholds(thresholds(steps)).thresholds_style(
            cb.GraphThresholdsStyleConfig().mode(common.GraphTresholdsStyleMode.DASHED)
        )
    if min_ is not None:
        p = p.min(min_)
    if max_ is not None:
        p = p.max(max_)
    return _size(p, w, h, description)


def stat(
    title: str,
    targets: list[InfluxQL],
    unit: str = "none",
    *,
    w: int = 6,
    h: int = 4,
    description: str = "",
    steps: Steps | None = None,
    value_mappings: dict[str, tuple[str, str]] | None = None,
) -> stat_b.Panel:
    p = (
        stat_b.Panel()
        .title(title)
        .targets(list(targets))
        .unit(unit)
        .color_mode(common.BigValueColorMode.BACKGROUND if steps else common.BigValueColorMode.VALUE)
        .graph_mode(common.BigValueGraphMode.NONE)
        .reduce_options(cb.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
    )
    if steps:
        p = p.thresholds(thresholds(steps))
    if value_mappings:
        p = p.mappings(mappings(value_mappings))
    return _size(p, w, h, description)


def table(
    title: str,
    targets: list[InfluxQL],
    *,
    w: int = 12,
    h: int = 8,
    description: str = "",
    transformations: list[DataTransformerConfig] | None = None,
    units: dict[str, str] | None = None,
    steps: Steps | None = None,
    links: dict[str, str] | None = None,
) -> table_b.Panel:
    """A table of InfluxQL ``resultFormat: table`` results. ``units`` and ``links`` are per column name."""
    p = table_b.Panel().title(title).targets(list(targets)).cell_height(common.TableCellHeight.SM)
    if transformations:
        p = p.transformations(transformations)
    if steps:
        p = p.thresholds(thresholds(steps))
    for col, unit in (units or {}).items():
        props = [DynamicConfigValue("unit", unit)]
        if steps:
            props.append(DynamicConfigValue("custom.cellOptions", {"type": "color-background", "mode": "basic"}))
        p = p.override_by_name(col, props)
    for col, url in (links or {}).items():
        p = p.override_by_name(col, [DynamicConfigValue("links", [{"title": "Open", "url": url}])])
    return _size(p, w, h, description)


def timeline(
    title: str,
    targets: list[InfluxQL],
    *,
    w: int = 12,
    h: int = 8,
    description: str = "",
    value_mappings: dict[str, tuple[str, str]] | None = None,
    steps: Steps | None = None,
    unit: str = "none",
) -> statetimeline.Panel:
    p = (
        statetimeline.Panel()
        .title(title)
        .targets(list(targets))
        .unit(unit)
        .show_value(common.VisibilityMode.NEVER)
        .merge_values(True)
        .row_height(0.8)
    )
    if value_mappings:
        p = p.mappings(mappings(value_mappings))
    if steps:
        p = p.thresholds(thresholds(steps)).color_scheme(db.FieldColor().mode(FieldColorModeId.THRESHOLDS))
    return _size(p, w, h, description)


def row(title: str) -> db.Row:
    return db.Row(title)
