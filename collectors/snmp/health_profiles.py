"""Vendor health profiles (profiles/*.yaml): which OIDs give CPU, memory, temperature, fans, PSUs.

A profile maps each ``health`` field to a list of sources tried in order (the first that yields a
value wins: a newer MIB first, the legacy one as fallback). A source walks one column and
aggregates its rows (max, sum, avg, count, count_eq) after dropping values outside [min, max]
(firmware placeholders such as -1 or 65535) and optionally keeping only rows whose
``where_oid`` column equals ``where_value`` and multiplying by a ``multiply_oid`` column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from netmon.errors import InputError, Problem

from .engine import Oid, VarBind, format_oid, parse_oid

PROFILE_DIR = Path(__file__).with_name("profiles")
FALLBACK = "host_resources"
HEALTH_FIELDS = (
    "cpu_pct",
    "mem_pct",
    "mem_used_bytes",
    "mem_total_bytes",
    "mem_free_bytes",  # internal: turned into mem_total_bytes, never emitted
    "temp_c",
    "fans_total",
    "fans_failed",
    "psu_total",
    "psu_failed",
)


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    oid: str
    agg: Literal["max", "min", "sum", "avg", "first", "count", "count_eq"] = "max"
    min_: float | None = Field(None, alias="min")
    max_: float | None = Field(None, alias="max")
    scale: float = 1.0
    values: list[int] = Field(default_factory=list)  # count_eq: rows equal to one of these
    exclude: list[int] = Field(default_factory=list)  # count: rows to leave out
    where_oid: str | None = None
    where_value: str | None = None
    multiply_oid: str | None = None

    def columns(self) -> list[Oid]:
        return [parse_oid(o) for o in (self.oid, self.where_oid, self.multiply_oid) if o]


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    platforms: list[str] = Field(default_factory=list)
    fields: dict[str, list[Source]]

    def columns(self) -> list[Oid]:
        out: dict[Oid, None] = {}
        for sources in self.fields.values():
            for s in sources:
                for c in s.columns():
                    out[c] = None
        return list(out)


@cache
def load_profiles(directory: Path = PROFILE_DIR) -> dict[str, Profile]:
    problems: list[Problem] = []
    out: dict[str, Profile] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            prof = Profile.model_validate(raw)
        except yaml.YAMLError as exc:
            problems.append(Problem(str(path), f"not valid YAML: {exc}"))
            continue
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(Problem(str(path), err["msg"], field=".".join(str(p) for p in err["loc"])))
            continue
        unknown = set(prof.fields) - set(HEALTH_FIELDS)
        if unknown:
            problems.append(Problem(str(path), f"unknown health field(s) {sorted(unknown)}", field="fields"))
        out[prof.name] = prof
    if problems:
        raise InputError(problems)
    return out


def profile_for(platform: str | None) -> Profile:
    """The vendor profile for an inventory/detected platform key, else the generic fallback."""
    profiles = load_profiles()
    for p in profiles.values():
        if platform and platform in p.platforms:
            return p
    return profiles[FALLBACK]


def _num(vb: VarBind) -> float | None:
    v = vb.value
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int):
        return float(v)
    if isinstance(v, bytes):
        try:
            return float(v.decode("ascii").strip())
        except (UnicodeDecodeError, ValueError):
            return None
    return None


def _text(vb: VarBind) -> str:
    v = vb.value
    if isinstance(v, tuple):
        return format_oid(v)
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return str(v)


def evaluate_source(src: Source, walked: Mapping[Oid, list[VarBind]]) -> float | None:
    col = parse_oid(src.oid)
    rows = {vb.oid[len(col) :]: vb for vb in walked.get(col, [])}
    if src.where_oid:
        wcol = parse_oid(src.where_oid)
        keep = {vb.oid[len(wcol) :] for vb in walked.get(wcol, []) if _text(vb) == src.where_value}
        rows = {k: v for k, v in rows.items() if k in keep}
    mult: dict[Oid, float] = {}
    if src.multiply_oid:
        mcol = parse_oid(src.multiply_oid)
        mult = {vb.oid[len(mcol) :]: _num(vb) or 0.0 for vb in walked.get(mcol, [])}
    values: list[float] = []
    for idx, vb in rows.items():
        x = _num(vb)
        if x is None:
            continue
        if src.agg in ("count", "count_eq"):
            values.append(x)
            continue
        if (src.min_ is not None and x < src.min_) or (src.max_ is not None and x > src.max_):
            continue
        if src.multiply_oid:
            x *= mult.get(idx, 0.0)
        values.append(x * src.scale)
    if src.agg == "count":
        return float(sum(1 for v in values if int(v) not in src.exclude)) if values else None
    if src.agg == "count_eq":
        return float(sum(1 for v in values if int(v) in src.values)) if values else None
    if not values:
        return None
    if src.agg == "max":
        return max(values)
    if src.agg == "min":
        return min(values)
    if src.agg == "sum":
        return sum(values)
    if src.agg == "avg":
        return sum(values) / len(values)
    return values[0]


@dataclass(frozen=True, slots=True)
class HealthReading:
    profile: str
    fields: dict[str, float | int]


def evaluate(profile: Profile, walked: Mapping[Oid, list[VarBind]]) -> HealthReading:
    """The health fields a profile can read from walked columns (counts as int)."""
    out: dict[str, float | int] = {}
    for name, sources in profile.fields.items():
        for src in sources:
            val = evaluate_source(src, walked)
            if val is not None:
                out[name] = int(val) if name.startswith(("fans_", "psu_")) or name.endswith("_bytes") else val
                break
    free = out.pop("mem_free_bytes", None)
    if "mem_total_bytes" not in out and free is not None and "mem_used_bytes" in out:
        out["mem_total_bytes"] = int(out["mem_used_bytes"]) + int(free)
    if "mem_pct" not in out and out.get("mem_total_bytes") and "mem_used_bytes" in out:
        out["mem_pct"] = round(100.0 * float(out["mem_used_bytes"]) / float(out["mem_total_bytes"]), 2)
    return HealthReading(profile.name, out)


def all_columns(profiles: Iterable[Profile]) -> list[Oid]:
    out: dict[Oid, None] = {}
    for p in profiles:
        for c in p.columns():
            out[c] = None
    return list(out)


def profile_summary() -> list[dict[str, Any]]:
    return [{"name": p.name, "platforms": p.platforms, "fields": sorted(p.fields)} for p in load_profiles().values()]
