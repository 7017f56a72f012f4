"""Reports: JSON, CSV, SARIF (checked against SARIF 2.1.0's required structure with jsonschema),
HTML rendered in headless Chromium, and no secret in any of them."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess

import jsonschema
import pytest

from netmon.compliance import load_waivers, scan_files
from netmon.compliance.html import render_html
from netmon.compliance.reports import render_csv, render_json, render_table
from netmon.compliance.sarif import render_sarif
from tests.conftest import need_binary

from .conftest import ARTIFACTS, CONFIGS, PUBLIC

ALL = sorted(CONFIGS.glob("*.cfg")) + sorted(PUBLIC.glob("*/*.cfg"))
# Secret values in the test material: none may appear in any report.
SECRETS = [
    "SECRET-",
    "ntc123",
    "Test-Community",
    "ntc-private",
    "networktocode",
    "5REUU#ZAO3",
    "$h$6$1234",
    "$c$3$1234",
]

# The parts of the SARIF 2.1.0 schema (sarif-schema-2.1.0.json) that every log must satisfy:
# its "required" properties, enums and minimums for the objects we emit.
SARIF_REQUIRED = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["tool"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id"],
                                            "properties": {
                                                "defaultConfiguration": {
                                                    "type": "object",
                                                    "properties": {
                                                        "level": {"enum": ["none", "note", "warning", "error"]}
                                                    },
                                                }
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message"],
                            "properties": {
                                "message": {"type": "object", "anyOf": [{"required": ["text"]}, {"required": ["id"]}]},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "kind": {"enum": ["notApplicable", "pass", "fail", "review", "open", "informational"]},
                                "ruleIndex": {"type": "integer", "minimum": -1},
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "properties": {"uri": {"type": "string"}},
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "properties": {"startLine": {"type": "integer", "minimum": 1}},
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                                "suppressions": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["kind"],
                                        "properties": {
                                            "kind": {"enum": ["inSource", "external"]},
                                            "status": {"enum": ["accepted", "underReview", "rejected"]},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


@pytest.fixture(scope="module")
def run(l3, tmp_path_factory):
    w = tmp_path_factory.mktemp("w") / "waivers.yaml"
    w.write_text(
        "waivers:\n  - rule: SN-01\n    device: jcy-bb-01\n    reason: lab only\n"
        "    approver: sec officer\n    expires: 2099-01-01\n",
        encoding="utf-8",
    )
    run = scan_files(ALL, l3, waivers=load_waivers(w))
    # Inventory placement, as a scope scan would give it, so the tier and network charts are drawn.
    for i, r in enumerate(run.results):
        r.tags = {
            "device": r.device,
            "tier": ("province", "city", "county", "township")[i % 4],
            "network": ("intranet", "extranet")[i % 2],
        }
    return run


def test_json_counts_are_consistent(run) -> None:
    doc = json.loads(render_json(run))
    assert doc["summary"]["devices"] == len(ALL) == len(doc["devices"])
    total = sum(doc["summary"]["counts"].values())
    assert total == len(ALL) * doc["standard"]["rules"]
    for d in doc["devices"]:
        counted = {k: 0 for k in d["counts"]}
        for f in d["findings"]:
            counted["N/A" if f["waived"] else f["result"]] += 1
        assert counted == d["counts"]
    assert doc["summary"]["waived"] == 1
    assert doc["scores"]["top_failing_clauses"][0]["fail"] >= doc["scores"]["top_failing_clauses"][-1]["fail"]


def test_csv_has_a_row_per_device_and_rule(run) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(run))))
    assert len(rows) == len(ALL) * len(run.standard.rules)
    r = next(x for x in rows if x["device"] == "as2core1" and x["rule"] == "IA-05")
    assert r["result"] == "FAIL" and "132: exec-timeout 0 0" in r["evidence"] and r["clauses"] == "8.1.4.1 b"
    assert r["test_items"] == "L3-CES1-02" and r["remediation"]


def test_sarif_is_valid_and_complete(run) -> None:
    doc = json.loads(render_sarif(run))
    jsonschema.validate(doc, SARIF_REQUIRED)
    drv = doc["runs"][0]["tool"]["driver"]
    results = doc["runs"][0]["results"]
    for res in results:
        assert drv["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
    expected = sum(1 for r in run.results for f in r.findings if f.result in ("FAIL", "WARN", "REVIEW"))
    assert len(results) == expected
    sup = [r for r in results if r.get("suppressions")]
    assert len(sup) == 1 and sup[0]["ruleId"] == "SN-01" and sup[0]["properties"]["device"] == "jcy-bb-01"
    ia05 = next(r for r in results if r["ruleId"] == "IA-05" and r["properties"]["device"] == "as2core1")
    loc = ia05["locations"][0]["physicalLocation"]
    assert loc["region"]["startLine"] == 132 and loc["artifactLocation"]["uri"].endswith("batfish-as2core1.cfg")


def test_no_secret_in_any_report(run) -> None:
    from rich.console import Console

    buf = io.StringIO()
    render_table(run, Console(file=buf, width=250), show_pass=True)
    for text in (render_json(run), render_csv(run), render_sarif(run), render_html(run), buf.getvalue()):
        for s in SECRETS:
            assert s not in text, s
    assert "snmp-server community ****** RW" in render_csv(run)


def test_html_renders_in_headless_chromium(run, tmp_path) -> None:
    chromium = need_binary("chromium")
    html = render_html(run)
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html  # self-contained
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "compliance-report.png"
    base = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    dom = subprocess.run([*base, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=90)
    assert dom.returncode == 0, dom.stderr[-2000:]
    out = dom.stdout
    m = re.search(r'<body[^>]*data-ready="(\d+)"', out)
    assert m, "the report's script did not run"
    bars = int(m.group(1))
    assert bars >= len(ALL) + 3  # a bar per device, clause bars, result segments
    assert not re.search(r"<body[^>]*data-error=", out)
    assert not re.search(r"CONSOLE\(\d+\)|Uncaught", dom.stderr)
    for chart in ("chart-tier", "chart-network", "chart-clauses", "chart-results"):
        assert f'id="{chart}"' in out
    tier_chart = re.search(r'<svg id="chart-tier".*?</svg>', out, re.S).group(0)
    assert tier_chart.count('class="bar"') == 4 and "township" in tier_chart
    assert len(re.findall(r'<tr class="finding', out)) == len(ALL) * len(run.standard.rules)
    # PASS rows are hidden by the filter script, FAIL rows shown
    assert re.search(r'data-result="PASS" style="display: none;"', out)
    shot.unlink(missing_ok=True)
    ss = subprocess.run(
        [*base, f"--screenshot={shot}", "--window-size=1400,2200", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert ss.returncode == 0 and shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
