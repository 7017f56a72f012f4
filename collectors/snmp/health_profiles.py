"""Vendor health profiles: which OIDs give CPU, memory, temperature, fans, PSUs.

The profiles are data in the platform registry: each platform folder's ``health.yaml``
(netmon/platforms/<key>/health.yaml, inherited through ``extends:``) and the generic
HOST-RESOURCES fallback in ``netmon/platforms/common/health.yaml``. A profile maps each
``health`` field to a list of sources tried in order (the first that yields a value wins: a
newer MIB first, the legacy one as fallback). A source walks one column and aggregates its rows
(max, sum, avg, count, count_eq) after dropping values outside [min, max] (firmware placeholders
such as -1 or 65535) and optionally keeping only rows whose ``where_oid`` column equals
``where_value`` and multiplying by a ``multiply_oid`` column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from netmon.platforms import common, platforms
from netmon.platforms.model import HEALTH_FIELDS
from netmon.platforms.model import HealthSource as Source
from netmon.platforms.registry import derived

from .engine import Oid, VarBind, format_oid, parse_oid

FALLBACK = "host_resources"
__all__ = [
    "FALLBACK",
    "HEALTH_FIELDS",
    "HealthReading",
    "Profile",
    "Source",
    "evaluate",
    "load_profiles",
    "profile_for",
]


def _columns(src: Source) -> list[Oid]:
    return [parse_oid(o) for o in (src.oid, src.where_oid, src.multiply_oid) if o]


@dataclass(frozen=True)
class Profile:
    name: str
    platforms: list[str] = field(default_factory=list)
    fields: dict[str, list[Source]] = field(default_factory=dict)

    def columns(self) -> list[Oid]:
        out: dict[Oid, None] = {}
        for sources in self.fields.values():
            for s in sources:
                for c in _columns(s):
                    out[c] = None
        return list(out)


@derived
@cache
def load_profiles() -> dict[str, Profile]:
    """Every platform's profile (named after the platform) plus the fallback; a broken platform
    folder is an InputError naming its file and line (raised by the registry)."""
    out = {key: Profile(key, [key], dict(p.health)) for key, p in platforms().items() if p.health}
    out[FALLBACK] = Profile(FALLBACK, [], dict(common().fallback_health))
    return out


def profile_for(platform: str | None) -> Profile:
    """The profile of an inventory/detected platform key, else the generic fallback."""
    profiles = load_profiles()
    if platform and platform in profiles and platform != FALLBACK:
        return profiles[platform]
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
