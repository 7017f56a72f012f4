"""Proof that an engine change leaves every report alone: the JSON report (as ``netmon scan
--format json`` renders it, run time taken out) of each configuration under tests/compliance/*/ and
of the bench corpus (bench/out/compliance, made by bench_compliance.py), for every standard, with
the vendor detected and, for the hand-judged sets, with the vendor their folder names.

    .venv/bin/python bench/scan_digest.py OUT.json          # write the reports
    .venv/bin/python bench/scan_digest.py NEW.json OLD.json  # and compare with an earlier run

Files are named relative to the checkout, so a report written in another checkout (``git archive``
of the code before a change) compares too.

Exit 1 when a report differs (the first differences are printed).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from netmon import platforms  # noqa: E402
from netmon.compliance import Standard, load_standard, pack_ids, scan_files  # noqa: E402
from netmon.compliance.reports import render_json  # noqa: E402

SETS = ROOT / "tests" / "compliance"
CORPUS = ROOT / "bench" / "out" / "compliance"


def cases() -> list[tuple[Path, str | None]]:
    out: list[tuple[Path, str | None]] = []
    for p in sorted(SETS.rglob("*.cfg")):
        out.append((p, None))
        if p.parent.name in platforms.platforms():
            out.append((p, p.parent.name))
    out.extend((p, None) for p in sorted(CORPUS.glob("*.cfg")))
    return out


@functools.cache
def standard(pack: str) -> Standard:
    return load_standard(pack)


def report(path: Path, vendor: str | None, pack: str) -> str:
    run = scan_files([path], standard(pack), vendor)
    d = json.loads(render_json(run))
    d.pop("generated_at")  # the only field that changes from run to run
    return json.dumps(d, ensure_ascii=False, indent=1, sort_keys=True)


def main() -> int:
    new = Path(sys.argv[1]).resolve()
    old_path = Path(sys.argv[2]).resolve() if len(sys.argv) > 2 else None
    os.chdir(ROOT)  # reports name files relative to the checkout: two checkouts compare
    reports: dict[str, str] = {}
    for path, vendor in cases():
        rel = path.relative_to(ROOT)
        for std in pack_ids():
            reports[f"{rel} vendor={vendor} {std}"] = report(rel, vendor, std)
    new.write_text(json.dumps(reports, ensure_ascii=False), encoding="utf-8")
    digest = hashlib.sha256(new.read_bytes()).hexdigest()[:16]
    print(f"{len(reports)} reports written to {new} (sha256 {digest})")
    if old_path is None:
        return 0
    old = json.loads(old_path.read_text(encoding="utf-8"))
    diff = [k for k in sorted(set(old) | set(reports)) if old.get(k) != reports.get(k)]
    for k in diff[:10]:
        print(f"DIFFERS: {k}")
    print(f"{len(diff)} of {len(reports)} reports differ" if diff else "all reports identical")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
