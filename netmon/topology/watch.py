"""In the daemon: every neighbour table that arrives is checked for intranet-extranet adjacency.

An LLDP neighbour of an intranet device that resolves to an extranet device (or the reverse)
means a cable, a switch or a misconfigured port joins the classified and the public network:
a ``security_finding`` (rule ``lldp_isolation_breach``, category ``isolation``, critical) is
emitted with the two ends, so the alert rule pages and the finding is stored with the pcap ones.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..inventory import Inventory
from ..model import FieldValue, Point
from .diff import isolation_breach
from .neighbors import Neighbour, Resolver, norm_chassis

RULE = "lldp_isolation_breach"


class IsolationWatch:
    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.resolver = Resolver(inventory)

    def set_inventory(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.resolver = Resolver(inventory)

    def check(self, points: Iterable[Point]) -> list[Point]:
        out: list[Point] = []
        for p in points:
            if p.measurement == "lldp_walk" and p.fields.get("chassis_id"):
                # a device's own chassis id: its neighbours may name it only by that
                dev = self.inventory.devices.get(p.tags.get("device", ""))
                if dev is not None:
                    self.resolver.by_chassis.setdefault(norm_chassis(str(p.fields["chassis_id"])), dev)
                continue
            if p.measurement != "lldp_neighbor":
                continue
            dev = self.inventory.devices.get(p.tags.get("device", ""))
            if dev is None:
                continue
            f = p.fields
            n = Neighbour(
                dev.name, p.tags.get("local_interface", ""), str(f.get("neighbor_name", "") or ""),
                str(f.get("neighbor_interface", "") or ""), str(f.get("chassis_id", "") or ""),
                str(f.get("mgmt_address", "") or ""), p.tags.get("source", "ssh"), p.time_ns,
            )  # fmt: skip
            other, how = self.resolver.resolve(n)
            if other is None or not isolation_breach(dev, other):
                continue
            detail = (
                f"{dev.name} ({dev.network.value}) {n.local_interface} is adjacent to {other.name} "
                f"({other.network.value}) {n.interface} by LLDP ({n.source}, resolved by {how}): the networks touch"
            )
            fields: dict[str, FieldValue] = {
                "src": dev.address, "dst": other.address, "proto": "lldp", "sport": 0, "dport": 0, "packets": 0,
                "bytes": 0, "detail": detail, "first_ns": p.time_ns, "last_ns": p.time_ns,
            }  # fmt: skip
            tags = {**dev.point_tags(), "rule": RULE, "category": "isolation", "severity": "critical"}
            out.append(Point("security_finding", tags, fields, p.time_ns))
        return out
