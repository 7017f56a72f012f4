"""Inventory uplinks proposed from undocumented adjacencies, as YAML ready to paste.

For each adjacency the device farther from the centre (deeper tier; at the same tier and site,
the one that is not a core) gets an uplink to the other. Adjacencies the inventory's own rules
would refuse (across networks, between sites of one tier) are not proposed: they are findings.
"""

from __future__ import annotations

from collections.abc import Iterable

import yaml

from ..inventory import Device, Inventory
from .diff import Adjacency

_ROLE_RANK = {"core": 0, "egress": 1, "firewall": 2, "aggregation": 3, "access": 4}


def _child_parent(a: Device, b: Device) -> tuple[Device, Device] | None:
    if a.network != b.network:
        return None
    if a.tier.depth != b.tier.depth:
        return (a, b) if a.tier.depth > b.tier.depth else (b, a)
    if a.site != b.site:
        return None
    ra, rb = _ROLE_RANK.get(a.role, 5), _ROLE_RANK.get(b.role, 5)
    if ra == rb:
        return None
    return (a, b) if ra > rb else (b, a)


def propose(inventory: Inventory, undocumented: Iterable[Adjacency]) -> str:
    """YAML: per child device its complete new ``uplinks:`` list (existing ones first)."""
    added: dict[str, list[dict[str, str]]] = {}
    skipped: list[str] = []
    for adj in undocumented:
        a, b = inventory[adj.a], inventory[adj.b]
        cp = _child_parent(a, b)
        if cp is None:
            skipped.append(f"{adj.a} {adj.a_interface} <-> {adj.b} {adj.b_interface}")
            continue
        child, parent = cp
        local, remote = (
            (adj.a_interface, adj.b_interface) if child.name == adj.a else (adj.b_interface, adj.a_interface)
        )
        ups = added.setdefault(child.name, [])
        entry = {"device": parent.name, "interface": remote, "local_interface": local}
        if entry not in ups:
            ups.append(entry)
    docs = []
    for name in sorted(added):
        dev = inventory[name]
        existing = [{k: v for k, v in u.model_dump().items() if v} for u in dev.uplinks]
        docs.append({"name": name, "uplinks": existing + [u for u in added[name] if u not in existing]})
    text = "# Proposed by `netmon topology diff --propose` from LLDP neighbours: replace each device's\n"
    text += "# `uplinks:` in the inventory with the list below (existing uplinks are kept first).\n"
    if docs:
        text += yaml.safe_dump({"devices": docs}, allow_unicode=True, sort_keys=False, default_flow_style=None)
    else:
        text += "devices: []\n"
    for s in skipped:
        text += f"# not proposed (the inventory's rules would refuse it; review by hand): {s}\n"
    return text
