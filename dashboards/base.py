"""The frame every netmon dashboard shares: uid, tags, time range, datasource variable, links."""

from __future__ import annotations

from collections.abc import Sequence

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.models.dashboard import DashboardCursorSync, DashboardLinkType

from .variables import datasource_variable

NETWORKS = ("intranet", "extranet")
NETWORK_LABEL = {"intranet": "内网 intranet", "extranet": "外网 extranet"}
TIERS = ("central", "province", "city", "county", "township")


def new(
    uid: str,
    title: str,
    description: str,
    *,
    tags: Sequence[str] = (),
    time_from: str = "now-6h",
    refresh: str = "1m",
    variables: Sequence[db.QueryVariable] = (),
) -> db.Dashboard:
    d = (
        db.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(["netmon", *tags])
        .time(time_from, "now")
        .refresh(refresh)
        .timezone("browser")
        .tooltip(DashboardCursorSync.CROSSHAIR)
        .editable()
        .with_variable(datasource_variable())
        # A drop-down of every netmon dashboard, carrying the chosen variables and time range.
        .link(
            db.DashboardLink("netmon dashboards")
            .type(DashboardLinkType.DASHBOARDS)
            .tags(["netmon"])
            .as_dropdown(True)
            .include_vars(True)
            .keep_time(True)
        )
    )
    for v in variables:
        d = d.with_variable(v)
    return d
