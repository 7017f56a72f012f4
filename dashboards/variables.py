"""Template variables: the datasource picker and the chain network → tier → region → site → device → interface.

Each level lists the tag values that exist under every level above it (``SHOW TAG VALUES ...
WHERE`` on the parents), so choosing a province narrows the sites, and a site the devices.
"""

from __future__ import annotations

from dataclasses import dataclass

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.models.dashboard import VariableRefresh, VariableSort

from .influxql import DATASOURCE, match

# Every device reports snmp_reach each poll, so it lists every device the poller knows of.
INVENTORY_MEASUREMENT = "snmp_reach"

# Custom "All" value: a regex matching everything keeps the query short on a network of
# thousands of devices (Grafana would otherwise expand All into one alternation of every value).
ALL = ".*"


@dataclass(frozen=True)
class Level:
    name: str  # variable name and tag key
    label: str
    measurement: str = INVENTORY_MEASUREMENT
    tag: str | None = None  # tag key when not the variable name

    @property
    def key(self) -> str:
        return self.tag or self.name


CHAIN: tuple[Level, ...] = (
    Level("network", "Network 网络"),
    Level("tier", "Tier 层级"),
    Level("region", "Region 地区"),
    Level("site", "Site 站点"),
    Level("device", "Device 设备"),
    Level("interface", "Interface 接口", measurement="interface", tag="ifName"),
)


def datasource_variable() -> db.DatasourceVariable:
    """Any InfluxDB datasource (1.x, or 2.x/3.x in InfluxQL mode); the provisioned one is the default."""
    return db.DatasourceVariable("datasource").label("Datasource 数据源").type("influxdb").regex("")


def chain(
    names: list[str],
    *,
    network: str | None = None,
    single: frozenset[str] = frozenset(),
) -> list[db.QueryVariable]:
    """Query variables for the named levels of the chain, in chain order.

    ``network`` pins the network level to one value (the dashboards of a network's folder);
    names in ``single`` take one value and no "All" (the device dashboard's device).
    """
    out: list[db.QueryVariable] = []
    parents: list[Level] = []
    for lvl in CHAIN:
        if lvl.name not in names:
            continue
        conds = [match(p.key, p.name) for p in parents]
        q = f'SHOW TAG VALUES FROM "{lvl.measurement}" WITH KEY = "{lvl.key}"'
        if conds:
            q += " WHERE " + " AND ".join(conds)
        v = (
            db.QueryVariable(lvl.name)
            .label(lvl.label)
            .datasource(DATASOURCE)
            .query(q)
            # Re-read on time range change: a device added since the page loaded appears.
            .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
            .sort(VariableSort.ALPHABETICAL_ASC)
        )
        if lvl.name == "network" and network is not None:
            v = v.regex(f"/^{network}$/").multi(False).include_all(False)
        elif lvl.name in single:
            v = v.multi(False).include_all(False)
        else:
            v = v.multi(True).include_all(True).all_value(ALL)
        out.append(v)
        parents.append(lvl)
    return out


def query_variable(name: str, label: str, query: str, *, multi: bool = True) -> db.QueryVariable:
    """A stand-alone query variable (compliance standard, netmon instance)."""
    v = (
        db.QueryVariable(name)
        .label(label)
        .datasource(DATASOURCE)
        .query(query)
        .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(VariableSort.ALPHABETICAL_ASC)
    )
    return v.multi(True).include_all(True).all_value(ALL) if multi else v.multi(False).include_all(False)
