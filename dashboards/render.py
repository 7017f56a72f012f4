"""Turn the SDK's dashboard models into the JSON Grafana stores, stamped with a content hash.

The hash (``netmon-hash`` in the description) is what `netmon dashboards push` compares with the
copy in Grafana: when the remote dashboard no longer hashes to the value it carries, someone
changed it in the Grafana UI and push refuses to overwrite it unless told to.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.cog.encoder import JSONEncoder

from .catalog import Spec, specs

# Grafana 10.4/11 (schema 39) reads this model without running its old migrations.
SCHEMA_VERSION = 39
HASH_RE = re.compile(r"\s*\[netmon-hash ([0-9a-f]{16})\]$")
BUILD_DIR = Path(__file__).resolve().parent / "build"

# Grafana's own "Annotations & Alerts" entry, which the UI adds to every dashboard it saves.
_BUILTIN_ANNOTATION = {
    "builtIn": 1,
    "datasource": {"type": "grafana", "uid": "-- Grafana --"},
    "enable": True,
    "hide": True,
    "iconColor": "rgba(0, 211, 255, 1)",
    "name": "Annotations & Alerts",
    "type": "dashboard",
}
# Fields Grafana sets on save, not part of what netmon generates.
_VOLATILE = ("id", "version", "iteration")


def strip_hash(description: str) -> tuple[str, str | None]:
    m = HASH_RE.search(description)
    return (description[: m.start()], m.group(1)) if m else (description, None)


def content_hash(dash: dict[str, Any]) -> str:
    """Hash of a dashboard's content, ignoring Grafana's volatile fields and the hash marker itself."""
    body = {k: v for k, v in dash.items() if k not in _VOLATILE}
    body["description"] = strip_hash(str(body.get("description", "")))[0]
    canon = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canon.encode()).hexdigest()[:16]


def stamped_hash(dash: dict[str, Any]) -> str | None:
    """The hash netmon stamped into this dashboard when it generated it (None: not netmon's)."""
    return strip_hash(str(dash.get("description", "")))[1]


def _finalize(d: dict[str, Any]) -> dict[str, Any]:
    d["schemaVersion"] = SCHEMA_VERSION
    d.pop("style", None)  # removed from the schema in Grafana 9
    d["annotations"] = {"list": [_BUILTIN_ANNOTATION, *d.get("annotations", {}).get("list", [])]}
    for v in d.get("templating", {}).get("list", []):
        v.pop("id", None)  # the SDK's all-zero placeholder id; Grafana keys variables by name
        if v.get("type") != "interval":
            for k in ("auto", "auto_min", "auto_count"):
                v.pop(k, None)
    next_id = 1
    for p in d.get("panels", []):
        for q in [p, *p.get("panels", [])]:
            q["id"] = next_id
            next_id += 1
            if q.get("options") is None:
                q.pop("options", None)
    return d


def render(spec: Spec) -> dict[str, Any]:
    """The dashboard's JSON model, hash-stamped."""
    model = spec.build().build()
    d: dict[str, Any] = _finalize(json.loads(json.dumps(model, cls=JSONEncoder)))
    d["description"] = f"{d.get('description', '')} [netmon-hash {content_hash(d)}]"
    return d


def render_all() -> dict[str, tuple[Spec, dict[str, Any]]]:
    return {s.uid: (s, render(s)) for s in specs()}


def dumps(d: dict[str, Any]) -> str:
    """Stable text: sorted keys so a rebuild from unchanged code is byte-identical."""
    return json.dumps(d, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def expected_files() -> dict[Path, str]:
    """Relative path → content of every built file."""
    return {Path(s.folder.uid) / f"{uid}.json": dumps(d) for uid, (s, d) in render_all().items()}


def write_all(out: Path) -> tuple[list[Path], list[Path]]:
    """Write every dashboard under ``out``; remove netmon JSON no longer generated. Returns (written, removed)."""
    files = expected_files()
    written: list[Path] = []
    for rel, text in files.items():
        path = out / rel
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)  # atomic: a provisioning Grafana never reads half a file
        written.append(path)
    removed = [p for p in stale_files(out, files) if p.exists()]
    for p in removed:
        p.unlink()
    return written, removed


def stale_files(out: Path, files: dict[Path, str] | None = None) -> list[Path]:
    """netmon-*.json files under ``out`` that the code no longer generates."""
    files = expected_files() if files is None else files
    keep = {out / rel for rel in files}
    return sorted(p for p in out.glob("netmon-*/netmon-*.json") if p not in keep)


def differences(out: Path) -> list[str]:
    """Files under ``out`` that differ from what the code generates (empty: up to date)."""
    files = expected_files()
    diffs = []
    for rel, text in files.items():
        path = out / rel
        if not path.exists():
            diffs.append(f"{rel}: missing")
        elif path.read_text(encoding="utf-8") != text:
            diffs.append(f"{rel}: differs from the code")
    diffs += [f"{p.relative_to(out)}: no longer generated" for p in stale_files(out, files)]
    return diffs
