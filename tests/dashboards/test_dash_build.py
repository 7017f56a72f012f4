"""The committed JSON is what the code generates, valid against the dashboard schema, and the
provisioning files point at it."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
import yaml

from dashboards.render import SCHEMA_VERSION, content_hash, differences, render_all, stamped_hash
from tests.conftest import ROOT, run_netmon

BOARDS = render_all()
SCHEMA = json.loads((ROOT / "dashboards/schema/dashboard.schema.json").read_text())
PROVISIONING = ROOT / "dashboards/provisioning"


def test_committed_json_is_up_to_date(build_dir):
    diffs = differences(build_dir)
    assert not diffs, "dashboards/build/ is stale; run `netmon dashboards build`:\n" + "\n".join(diffs)


def test_build_is_deterministic(tmp_path):
    a = run_netmon("dashboards", "build", "--out", str(tmp_path / "a"))
    b = run_netmon("dashboards", "build", "--out", str(tmp_path / "b"))
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.json"))
    assert len(files) == len(BOARDS) == 11
    for f in files:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_build_check_detects_stale_and_removed_dashboards(tmp_path):
    out = tmp_path / "out"
    assert run_netmon("dashboards", "build", "--out", str(out)).returncode == 0
    assert run_netmon("dashboards", "build", "--out", str(out), "--check").returncode == 0
    f = out / "netmon-national" / "netmon-overview.json"
    f.write_text(f.read_text().replace("National overview", "Old overview"))
    old = out / "netmon-intranet" / "netmon-intranet-old.json"
    old.write_text("{}")
    r = run_netmon("dashboards", "build", "--out", str(out), "--check")
    assert r.returncode == 1
    assert "netmon-overview.json" in r.stderr and "netmon-intranet-old.json" in r.stderr
    r = run_netmon("dashboards", "build", "--out", str(out))
    assert r.returncode == 0 and "removed" in r.stdout and not old.exists()
    assert json.loads(f.read_text())["title"] == BOARDS["netmon-overview"][1]["title"]


def test_build_into_a_file_is_bad_input(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    r = run_netmon("dashboards", "build", "--out", str(f))
    assert r.returncode == 2 and "directory" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_valid_against_dashboard_schema(uid):
    d = BOARDS[uid][1]
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(d), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    assert d["schemaVersion"] >= 39 == SCHEMA_VERSION


def test_schema_rejects_what_grafana_would():
    """The schema is not vacuous: typical mistakes fail it."""
    good = BOARDS["netmon-overview"][1]
    v = jsonschema.Draft202012Validator(SCHEMA)
    bad = [
        {**good, "schemaVersion": 36},
        {**good, "uid": "x" * 41},
        {**good, "panels": [{**good["panels"][0], "gridPos": {"h": 4, "w": 30, "x": 0, "y": 0}}]},
        {
            **good,
            "panels": [
                {
                    **good["panels"][0],
                    "targets": [
                        {"refId": "A", "query": 'from(bucket:"x")', "rawQuery": True, "resultFormat": "time_series"}
                    ],
                }
            ],
        },
        {k: v2 for k, v2 in good.items() if k != "templating"},
    ]
    for b in bad:
        assert list(v.iter_errors(b)), b.get("uid")


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_layout_ids_and_variables(uid):
    d = BOARDS[uid][1]
    ids = [p["id"] for p in d["panels"]]
    assert len(ids) == len(set(ids))
    cells: set[tuple[int, int]] = set()
    for p in d["panels"]:
        g = p["gridPos"]
        assert g["x"] + g["w"] <= 24, p["title"]
        mine = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
        assert not cells & mine, f"{p['title']} overlaps another panel"
        cells |= mine
        refs = [t["refId"] for t in p["targets"]]
        assert len(refs) == len(set(refs))
        for t in p["targets"]:
            # InfluxQL only: one set of dashboards for InfluxDB 1.x, 2.x (DBRP) and 3.x.
            assert t["rawQuery"] is True and re.match(r"^(SELECT|SHOW) ", t["query"])
            assert "SLIMIT" not in t["query"] and "SOFFSET" not in t["query"]  # not in InfluxDB 3's InfluxQL
            assert t["datasource"] == {"type": "influxdb", "uid": "${datasource}"}
    names = [v["name"] for v in d["templating"]["list"]]
    assert names[0] == "datasource" and len(names) == len(set(names))


def test_variables_chain_in_order():
    """network → tier → region → site → device → interface, each filtered by all the levels above."""
    chain = ["network", "tier", "region", "site", "device", "interface"]
    for net in ("intranet", "extranet"):
        vs = {v["name"]: v for v in BOARDS[f"netmon-{net}-device"][1]["templating"]["list"]}
        assert [n for n in vs if n in chain] == chain
        for i, name in enumerate(chain):
            q = vs[name]["query"]
            assert q.startswith("SHOW TAG VALUES FROM ")
            for parent in chain[:i]:
                assert f"${{{parent}:regex}}" in q, (name, parent)
            for child in chain[i + 1 :]:
                assert f"${{{child}:" not in q
        assert vs["network"]["regex"] == f"/^{net}$/"
        assert vs["device"]["multi"] is False and vs["device"]["includeAll"] is False


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_hash_stamp_matches_content(uid):
    d = BOARDS[uid][1]
    assert stamped_hash(d) == content_hash(d)
    # What Grafana adds on save (id, version) does not count as a change...
    assert content_hash({**d, "id": 7, "version": 3}) == stamped_hash(d)
    # ...an edit does.
    assert content_hash({**d, "title": d["title"] + "!"}) != stamped_hash(d)


def test_uids_and_folders_are_stable():
    assert {uid: s.folder.uid for uid, (s, _) in BOARDS.items()} == {
        "netmon-overview": "netmon-national",
        "netmon-self": "netmon-national",
        "netmon-services": "netmon-national",
        **{
            f"netmon-{n}-{k}": f"netmon-{n}"
            for n in ("intranet", "extranet")
            for k in ("region", "device", "links", "compliance")
        },
    }


def test_provisioning_files():
    for name in ("influxdb1.yaml", "influxdb2.yaml"):
        doc = yaml.safe_load((PROVISIONING / "datasources" / name).read_text())
        assert doc["apiVersion"] == 1
        (ds,) = doc["datasources"]
        assert ds["type"] == "influxdb" and ds["uid"] == "netmon-influxdb" and ds["access"] == "proxy"
        assert ds["jsonData"]["dbName"] and ds["jsonData"]["timeInterval"] == "60s"
        assert ds["jsonData"].get("version", "InfluxQL") == "InfluxQL"  # never Flux/SQL
        # Secrets come from Grafana's environment, never the file.
        for v in ds.get("secureJsonData", {}).values():
            assert "${NETMON_" in v
    v2 = yaml.safe_load((PROVISIONING / "datasources/influxdb2.yaml").read_text())["datasources"][0]
    assert v2["jsonData"]["httpHeaderName1"] == "Authorization"
    prov = yaml.safe_load((PROVISIONING / "dashboards/netmon.yaml").read_text())
    (p,) = prov["providers"]
    assert p["type"] == "file" and p["options"]["foldersFromFilesStructure"] is True
    # foldersFromFilesStructure: each folder of the build is one directory.
    dirs = {d.name for d in (ROOT / "dashboards/build").iterdir() if d.is_dir()}
    assert dirs == {s.folder.uid for s, _ in BOARDS.values()}


def test_help_teaches():
    r = run_netmon("dashboards", "--help")
    assert r.returncode == 0 and "build" in r.stdout and "push" in r.stdout
    r = run_netmon("dashboards", "push", "--help")
    assert "NETMON_GRAFANA_TOKEN" in r.stdout and "--force" in r.stdout and "Example" in r.stdout
    r = run_netmon("dashboards", "build", "--help")
    assert "--out" in r.stdout and "Example" in r.stdout
