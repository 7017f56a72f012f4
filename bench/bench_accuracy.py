"""Compliance accuracy against hand verdicts: precision/recall of FAIL/WARN, agreement.

    .venv/bin/python bench/bench_accuracy.py DIR      # DIR holds <platform>/*.cfg and expected.yaml

Hand-judged sets in the repository: tests/compliance/public (tuning set), tests/compliance/heldout,
tests/compliance/heldout2 to tests/compliance/heldout5 (held-out sets, first measured blind; figures in docs/COMPLIANCE.md).

A verdict of FAIL or WARN is positive; an agreed positive is the exact expected verdict.
precision = agreed positives / netmon positives, recall = agreed positives / expected positives.
Prints the tuning set's figure first (tests/compliance/public), then DIR's, per platform, and
every disagreement of DIR (file, rule, expected, got, netmon's note).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from netmon.compliance.accuracy import measure, summary  # noqa: E402
from netmon.compliance.rules import load_rules  # noqa: E402

TUNING = ROOT / "tests" / "compliance" / "public"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path, nargs="?", default=TUNING)
    ap.add_argument("--quiet", action="store_true", help="figures only, no disagreement list")
    a = ap.parse_args()
    if not (a.dir / "expected.yaml").is_file():
        print(f"{a.dir}: no expected.yaml", file=sys.stderr)
        return 2
    rules = load_rules()
    tuning = measure(TUNING, rules)
    print(f"tuning set ({TUNING.relative_to(ROOT)}): " + summary(tuning)[0].removeprefix("overall").strip())
    rep = tuning if a.dir.resolve() == TUNING.resolve() else measure(a.dir, rules)
    print(f"\n{a.dir}:")
    for s in summary(rep):
        print("  " + s)
    for p in rep.problems:
        print("  ! " + p)
    if not a.quiet:
        dis = rep.disagreements
        print(f"\n{len(dis)} disagreement(s):")
        for v in dis:
            print(f"  {v.file}  {v.rule}  expected {v.expected}  got {v.got}  -- {v.note[:160]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
