"""SARIF 2.1.0 output, so findings land in code-scanning tools next to the archived configs.

One result per failing, warning or review finding (passes are not alerts). The location is the
configuration file and the first evidence line; a waived finding carries an accepted external
suppression with the waiver's reason, so tools show it as suppressed rather than dropping it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .results import Finding
from .scanner import ScanRun

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"FAIL": "error", "WARN": "warning", "REVIEW": "note"}


def _level(f: Finding) -> str:
    if f.result == "FAIL" and f.severity != "high":
        return "warning"
    return _LEVEL[f.result]


def _uri(source: str) -> str:
    if source.startswith("archive:"):
        return source.replace(":", "/", 1).split("@", 1)[0] + ".cfg"
    p = Path(source)
    try:
        return p.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return p.resolve().as_uri()


def render_sarif(run: ScanRun) -> str:
    std = run.standard
    rules = list(std.rules)
    index = {r.id: i for i, r in enumerate(rules)}
    descriptors = [
        {
            "id": r.id,
            "name": r.title.en,
            "shortDescription": {"text": f"{r.title.en} / {r.title.zh}"},
            "fullDescription": {"text": r.rationale},
            "help": {"text": f"Clauses: {', '.join(std.clauses_of(r)) or '-'}. {r.rationale}"},
            "defaultConfiguration": {"level": "error" if r.severity == "high" else "warning"},
            "properties": {
                "tags": [r.category, std.id],
                "severity": r.severity,
                "clauses": std.clauses_of(r),
                "testItems": std.test_items_of(r),
            },
        }
        for r in rules
    ]
    results: list[dict[str, Any]] = []
    for dr in run.results:
        for f in dr.findings:
            if f.result not in _LEVEL:
                continue
            ev = next((e for e in f.evidence if e.line > 0), None)
            physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(dr.source)}}
            if ev is not None:
                physical["region"] = {"startLine": ev.line, "snippet": {"text": ev.text}}
            msg = f"{dr.device}: {f.rule} {f.result} — {f.title_en}"
            detail = (ev.note if ev and ev.note else "") or (f.notes[0] if f.notes else "")
            if detail:
                msg += f": {detail}"
            res: dict[str, Any] = {
                "ruleId": f.rule,
                "ruleIndex": index[f.rule],
                "kind": "review" if f.result == "REVIEW" else "fail",
                "level": _level(f),
                "message": {"text": msg},
                "locations": [{"physicalLocation": physical}],
                "partialFingerprints": {"deviceRule/v1": f"{dr.device}/{f.rule}"},
                "properties": {
                    "device": dr.device,
                    "vendor": dr.vendor,
                    "result": f.result,
                    "clauses": f.clauses,
                    "evidence": [f"{e.line}: {e.text}" for e in f.evidence],
                    "remediation": f.remediation,
                },
            }
            if f.waiver is not None and not f.waiver.expired:
                res["suppressions"] = [
                    {
                        "kind": "external",
                        "status": "accepted",
                        "justification": f"{f.waiver.reason} (approved by {f.waiver.approver}, "
                        f"expires {f.waiver.expires})",
                    }
                ]
            results.append(res)
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "netmon-compliance", "semanticVersion": "0.1.0", "rules": descriptors}},
                "results": results,
                "properties": {"standard": std.id, "level": std.level},
            }
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)
