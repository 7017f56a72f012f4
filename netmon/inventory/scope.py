"""Scope selection shared by every command: ``--scope tier=county --scope region=广东/*``.

Each ``--scope`` is ``key=value``; values separated by commas are alternatives (OR); different
keys combine with AND, and so do repeated keys. Keys: network, tier, region, province, site,
role, vendor, device, and ``tag.NAME``. ``region`` matches a subtree: ``广东`` and ``广东/*``
both select Guangdong and everything under it; other glob patterns (``*/广州``) are matched
against the whole path. ``device`` and ``site`` take globs too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from ..errors import InputError, NetmonError
from .model import Device

KEYS = ("network", "tier", "region", "province", "site", "role", "vendor", "device")


@dataclass(frozen=True, slots=True)
class Term:
    key: str
    values: tuple[str, ...]

    def matches(self, d: Device) -> bool:
        return any(_match(self.key, v, d) for v in self.values)


def _match(key: str, value: str, d: Device) -> bool:
    if key == "region":
        value = value.strip("/")
        prefix = value[:-2] if value.endswith("/*") else value
        if not any(ch in prefix for ch in "*?["):
            return d.region == prefix or d.region.startswith(prefix + "/") or (prefix == "" and True)
        return fnmatchcase(d.region, value)
    if key.startswith("tag."):
        return fnmatchcase(d.tags.get(key[4:], ""), value)
    actual = {
        "network": d.network.value,
        "tier": d.tier.value,
        "province": d.province,
        "site": d.site,
        "role": d.role,
        "vendor": d.vendor,
        "device": d.name,
    }[key]
    return fnmatchcase(actual, value)


@dataclass(frozen=True, slots=True)
class Scope:
    terms: tuple[Term, ...] = ()

    @classmethod
    def parse(cls, specs: Sequence[str] | None) -> Scope:
        terms = []
        for spec in specs or ():
            key, eq, value = spec.partition("=")
            key = key.strip()
            if not eq or not value.strip():
                raise InputError.one("--scope", f"{spec!r} is not KEY=VALUE (e.g. tier=county, region=广东/*)")
            if key not in KEYS and not key.startswith("tag."):
                raise InputError.one("--scope", f"unknown scope key {key!r}; use one of {', '.join(KEYS)} or tag.NAME")
            terms.append(Term(key, tuple(v.strip() for v in value.split(",") if v.strip())))
        return cls(tuple(terms))

    def matches(self, d: Device) -> bool:
        return all(t.matches(d) for t in self.terms)

    def select(self, devices: Iterable[Device]) -> list[Device]:
        return [d for d in devices if self.matches(d)]

    def require(self, devices: Iterable[Device]) -> list[Device]:
        """Like :meth:`select`, but a scope that matches nothing is an :class:`EmptyScope` error:
        every command that takes --scope says so and exits 1 instead of doing nothing quietly."""
        pool = list(devices)
        chosen = self.select(pool)
        if not chosen:
            raise EmptyScope(self, len(pool))
        return chosen

    def __str__(self) -> str:
        return " ".join(f"{t.key}={','.join(t.values)}" for t in self.terms) or "all"


class EmptyScope(NetmonError):
    """No device matches --scope (exit 1): valid syntax, but nothing to work on."""

    def __init__(self, scope: Scope, total: int, what: str = "") -> None:
        self.scope, self.total = scope, total
        super().__init__(
            f"no device matches --scope {scope}{what}; {total} device(s) in the inventory "
            "(check the keys and values with `netmon inventory show`)"
        )
