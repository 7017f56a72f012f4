"""Which points and alerts a rule, route or silence applies to.

Device selection reuses ``netmon.inventory.Scope`` (``tier=county``, ``region=广东/*``,
``tag.NAME=...``): the same words select devices on the command line and in alert rules.
A point whose device is not in the inventory (``netmon_self``, a trap from an agent added
since) is matched on its own tags with the same semantics.
"""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase
from types import SimpleNamespace
from typing import cast

from ..inventory import Device, Inventory, Scope


def _pseudo_device(tags: Mapping[str, str]) -> Device:
    region = tags.get("region", "")
    region = "" if region == "-" else region
    province = tags.get("province", "")
    ns = SimpleNamespace(
        name=tags.get("device", ""),
        region=region,
        province="" if province == "-" else province,
        network=SimpleNamespace(value=tags.get("network", "")),
        tier=SimpleNamespace(value=tags.get("tier", "")),
        site=tags.get("site", ""),
        role=tags.get("role", ""),
        vendor=tags.get("vendor", ""),
        tags={},
    )
    return cast(Device, ns)


class DeviceSelector:
    """A Scope evaluated per device name, cached (the inventory does not change under a running engine)."""

    def __init__(self, scope: Scope, inventory: Inventory | None) -> None:
        self.scope = scope
        self.inventory = inventory
        self._cache: dict[str, bool] = {}

    @property
    def everything(self) -> bool:
        return not self.scope.terms

    def matches(self, tags: Mapping[str, str]) -> bool:
        if not self.scope.terms:
            return True
        name = tags.get("device", "")
        hit = self._cache.get(name)
        if hit is not None:
            return hit
        dev = self.inventory.devices.get(name) if self.inventory is not None and name else None
        if dev is not None:
            hit = self.scope.matches(dev)
            self._cache[name] = hit
            return hit
        return self.scope.matches(_pseudo_device(tags))


def tags_match(patterns: Mapping[str, tuple[str, ...]], tags: Mapping[str, str]) -> bool:
    """Every key's value matches one of its glob patterns (a missing tag is the empty string)."""
    for key, alts in patterns.items():
        v = tags.get(key, "")
        if not any(fnmatchcase(v, a) for a in alts):
            return False
    return True


def split_matchers(specs: list[str]) -> tuple[Scope, dict[str, tuple[str, ...]]]:
    """``KEY=VALUE`` matchers of routes and silences: scope keys go to a Scope, others match labels.

    Raises the InputError of Scope.parse, or ValueError for a spec that is not KEY=VALUE.
    """
    from ..inventory.scope import KEYS

    scope_specs: list[str] = []
    labels: dict[str, tuple[str, ...]] = {}
    for spec in specs:
        key, eq, value = spec.partition("=")
        key = key.strip()
        if not eq or not key or not value.strip():
            raise ValueError(f"{spec!r} is not KEY=VALUE (e.g. tier=province, severity=critical)")
        if key in KEYS or key.startswith("tag."):
            scope_specs.append(spec)
        else:
            labels[key] = labels.get(key, ()) + tuple(v.strip() for v in value.split(",") if v.strip())
    return Scope.parse(scope_specs), labels


class LabelMatcher:
    """Matches alert labels: scope keys with Scope semantics, any other key by glob."""

    def __init__(self, specs: list[str], inventory: Inventory | None) -> None:
        scope, self.labels = split_matchers(specs)
        self.devices = DeviceSelector(scope, inventory)
        self.specs = list(specs)

    def matches(self, labels: Mapping[str, str]) -> bool:
        return tags_match(self.labels, labels) and self.devices.matches(labels)
