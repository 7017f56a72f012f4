"""Waivers: accepted risks, each with a reason, an approver and an expiry date.

A live waiver hides a FAIL/WARN from scores and ``--fail-on`` (the finding stays in every report,
marked waived). From the day after ``expires`` it no longer hides anything, and the report says
the waiver expired, so forgotten exceptions resurface on their own.

File format (YAML)::

    waivers:
      - rule: SN-01                 # rule id
        device: "gd-*-core*"        # device name glob ...
        # scope: [tier=county]      # ... or inventory scope terms (as --scope), or both
        reason: legacy NMS polls v2c until the 2027 migration
        approver: 张三 (security officer)
        expires: 2027-03-31
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import InputError, Problem
from ..inventory import Device, Scope
from ..yamlio import line_for_loc, line_of, load_yaml
from .results import DeviceResult, WaiverRef


class WaiverEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str = Field(min_length=1)
    device: str | None = None
    scope: list[str] = Field(default_factory=list)
    reason: str = Field(min_length=1)
    approver: str = Field(min_length=1)
    expires: dt.date

    @model_validator(mode="after")
    def _target(self) -> WaiverEntry:
        if not self.device and not self.scope:
            raise ValueError("a waiver needs 'device' (a name glob) or 'scope' (inventory terms)")
        Scope.parse(self.scope)  # raises on a bad term
        return self


@dataclass(frozen=True, slots=True)
class Waiver:
    entry: WaiverEntry
    source: str  # file:line
    scope: Scope

    def applies(self, device: str, rule: str, inv_device: Device | None) -> bool:
        if rule != self.entry.rule:
            return False
        if self.entry.device and not fnmatchcase(device, self.entry.device):
            return False
        if self.entry.scope:
            # Scope terms need inventory facts; a file scanned without inventory cannot match them.
            return inv_device is not None and self.scope.matches(inv_device)
        return True


def load_waivers(path: Path, known_rules: set[str] | None = None) -> list[Waiver]:
    doc = load_yaml(path)
    if doc is None:
        return []
    if not isinstance(doc, dict) or not isinstance(doc.get("waivers"), list):
        raise InputError.one(str(path), "a waivers file is a mapping with a 'waivers:' list", line_of(doc))
    out: list[Waiver] = []
    problems: list[Problem] = []
    for i, raw in enumerate(doc["waivers"]):
        try:
            entry = WaiverEntry.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ("waivers", i, *err["loc"])
                msg = err["msg"].removeprefix("Value error, ")
                if err["type"] == "extra_forbidden":
                    msg = "unknown field"
                elif err["type"] == "missing":
                    msg = "required field is missing"
                problems.append(Problem(str(path), msg, line_for_loc(doc, loc), ".".join(str(p) for p in loc)))
            continue
        except InputError as exc:  # a bad scope term
            problems.extend(
                Problem(str(path), p.reason, line_of(doc["waivers"], i), f"waivers.{i}.scope") for p in exc.problems
            )
            continue
        line = line_of(doc["waivers"], i)
        if known_rules is not None and entry.rule not in known_rules:
            problems.append(Problem(str(path), f"no rule {entry.rule!r}", line, f"waivers.{i}.rule"))
            continue
        out.append(Waiver(entry, f"{path}:{line}", Scope.parse(entry.scope)))
    if problems:
        raise InputError(problems)
    return out


def apply_waivers(
    result: DeviceResult, waivers: list[Waiver], today: dt.date | None = None, inv_device: Device | None = None
) -> None:
    """Attach the first matching waiver (a live one preferred) to each finding it covers."""
    today = today or dt.date.today()
    for f in result.findings:
        matches = [w for w in waivers if w.applies(result.device, f.rule, inv_device)]
        if not matches:
            continue
        live = [w for w in matches if w.entry.expires >= today]
        w = (live or matches)[0]
        e = w.entry
        f.waiver = WaiverRef(e.rule, e.reason, e.approver, e.expires.isoformat(), e.expires < today, w.source)
        if f.waiver.expired:
            f.notes.append(f"waiver expired on {e.expires.isoformat()} ({w.source}); the finding counts again")
