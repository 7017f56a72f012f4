"""Every panel query of every dashboard, variables resolved as Grafana would, returns data from a
real InfluxDB 1.x; the variable chain narrows exactly as the inventory says it should."""

from __future__ import annotations

import pytest

from dashboards.render import render_all
from netmon.inventory import load_inventory
from tests.conftest import ROOT
from tests.dashboards.dash_grafana_sim import Dashboard, has_data

BOARDS = render_all()


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_every_panel_returns_data(loaded, uid):
    dash = Dashboard(BOARDS[uid][1], loaded.influx)
    dash.resolve()
    queries = dash.panel_queries()
    assert queries, f"{uid} has no panel queries"
    empty, errors = [], []
    for title, q in queries:
        r = dash.query(q)
        if "error" in r:
            errors.append(f"{title}: {r['error']}\n    {q}")
        elif not has_data(r):
            empty.append(f"{title}\n    {q}")
    assert not errors, "queries rejected by InfluxDB:\n" + "\n".join(errors)
    assert not empty, f"empty panels (sources {loaded.source}):\n" + "\n".join(empty)


@pytest.mark.parametrize("uid", [u for u in sorted(BOARDS) if u.endswith("-device")])
def test_annotation_queries_run(loaded, uid):
    dash = Dashboard(BOARDS[uid][1], loaded.influx)
    dash.resolve()
    for name, q in dash.annotation_queries():
        r = dash.query(q)
        assert "error" not in r, f"{name}: {r['error']}"


def _inventory_truth(loaded):
    """Devices the database knows of, with their inventory placement (the independent truth)."""
    inv = load_inventory([ROOT / "configs/inventory/small.yaml"])
    names = {
        row[1]
        for s in loaded.influx.query('SHOW TAG VALUES FROM "snmp_reach" WITH KEY = "device"', db="netmon")["results"][
            0
        ]["series"]
        for row in s["values"]
    }
    return [d for d in inv if d.name in names]


@pytest.mark.parametrize("net", ["intranet", "extranet"])
def test_chain_narrows_like_the_inventory(loaded, net):
    """Pick a concrete tier, region path (with '/', escaped by the regex format) and site: each
    level's options are exactly the inventory's devices under the levels chosen above it."""
    devices = [d for d in _inventory_truth(loaded) if d.network.value == net and d.tier.value == "county"]
    if not devices:
        pytest.skip(f"no {net} county devices in the loaded data")
    target = devices[0]
    dash = Dashboard(BOARDS[f"netmon-{net}-device"][1], loaded.influx)
    dash.resolve({"tier": ["county"], "region": [target.region], "site": [target.site]})
    assert dash.options["network"] == [net]
    assert dash.options["tier"] == sorted({d.tier.value for d in _inventory_truth(loaded) if d.network.value == net})
    assert dash.options["region"] == sorted({d.region for d in devices})
    assert dash.options["site"] == sorted({d.site for d in devices if d.region == target.region})
    assert dash.options["device"] == sorted(
        d.name for d in devices if d.region == target.region and d.site == target.site
    )
    # The device's interfaces come from its own interface points only.
    ifs = loaded.influx.query(
        f'SHOW TAG VALUES FROM "interface" WITH KEY = "ifName" WHERE "device" = \'{dash.options["device"][0]}\'',
        db="netmon",
    )
    truth = sorted({row[1] for s in ifs["results"][0].get("series", []) for row in s["values"]})
    assert dash.options["interface"] == truth
    # And with those concrete choices every panel still has data.
    empty = [t for t, q in dash.panel_queries() if not has_data(dash.query(q))]
    assert not empty, empty


def test_multi_value_selection_escapes_region_paths(loaded):
    """Two regions chosen at once become (a|b) with '/' escaped; both regions' sites are offered."""
    regions = sorted({d.region for d in _inventory_truth(loaded) if d.network.value == "intranet" and "/" in d.region})
    if len(regions) < 2:
        pytest.skip("fewer than two multi-level intranet regions in the data")
    dash = Dashboard(BOARDS["netmon-intranet-region"][1], loaded.influx)
    dash.resolve({"region": regions[:2]})
    sites = sorted(
        {d.site for d in _inventory_truth(loaded) if d.network.value == "intranet" and d.region in regions[:2]}
    )
    assert dash.options["site"] == sites


def test_the_lab_demo_fed_the_core_panels(loaded) -> None:
    """The panels are proven on data the real main job stored from the lab, not only on generated points."""
    for m in ("snmp_reach", "snmp_system", "interface", "alert", "compliance", "compliance_rule", "netmon_self"):
        assert loaded.source[m].startswith("demo"), loaded.source
