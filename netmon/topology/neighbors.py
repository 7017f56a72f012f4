"""Observed neighbours (LLDP over SNMP or SSH) and their resolution to inventory devices.

A neighbour is named by what it advertises: its system name (``sysName``, often with a domain
suffix, in any case), its management address, or its chassis id. Each is tried against the
inventory (names, addresses, a ``chassis_id`` tag) and against the chassis ids devices reported
for themselves in their own LLDP walk. What resolves to nothing is an *unknown neighbour*:
listed, never an error.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..inventory import Device, Inventory
from ..model import Point

_MAC = re.compile(r"^[0-9a-f]{2}([:.-]?[0-9a-f]{2}){5}$")


def norm_chassis(text: str) -> str:
    """aa:bb:cc:dd:ee:ff for any MAC spelling (3ce5-a6a1-0001, 3CE5.A6A1.0001, ...); else as is, lower case."""
    t = text.strip().lower()
    hexdigits = re.sub(r"[^0-9a-f]", "", t)
    if len(hexdigits) == 12 and re.fullmatch(r"[0-9a-f:.\- ]+", t):
        return ":".join(hexdigits[i : i + 2] for i in range(0, 12, 2))
    return t


def norm_interface(name: str) -> str:
    """Compare interface names loosely: case, spaces (RGOS "GigabitEthernet 0/1") and the
    usual abbreviations (GE1/0/1, Gi1/0/1, XGE..., Te...)."""
    n = name.strip().lower().replace(" ", "")
    for long, shorts in _ABBR:
        for s in shorts:
            if n.startswith(s) and n[len(s) : len(s) + 1].isdigit():
                return long + n[len(s) :]
    return n


_ABBR = (
    ("tengigabitethernet", ("ten-gigabitethernet", "xgigabitethernet", "xge", "te", "tengige")),
    ("gigabitethernet", ("ge", "gi", "gige", "gei-")),
    ("fastethernet", ("fa", "fe")),
    ("eth-trunk", ("bagg", "bridge-aggregation", "po", "port-channel", "ag", "aggregateport")),
)


@dataclass(frozen=True)
class Neighbour:
    """One row of a device's neighbour table."""

    device: str  # the inventory device that reported it
    local_interface: str
    name: str  # advertised system name
    interface: str  # advertised port
    chassis_id: str = ""
    mgmt_address: str = ""
    source: str = "snmp"  # snmp | ssh
    time_ns: int = 0


@dataclass
class Walk:
    """A device's latest neighbour table: when, from where, and whether LLDP answered at all."""

    device: str
    time_ns: int
    source: str
    lldp: bool = True
    chassis_id: str = ""
    neighbours: list[Neighbour] | None = None


class Resolver:
    def __init__(self, inventory: Inventory, own_chassis: dict[str, str] | None = None) -> None:
        self.inventory = inventory
        self.by_name: dict[str, Device] = {}
        self.by_address: dict[str, Device] = {}
        self.by_chassis: dict[str, Device] = {}
        for d in inventory:
            self.by_name[d.name.lower()] = d
            for k in ("sys_name", "sysname", "hostname"):
                if d.tags.get(k):
                    self.by_name[d.tags[k].lower()] = d
            self.by_address[str(ipaddress.ip_address(d.address))] = d
            for k in ("chassis_id", "mac"):
                if d.tags.get(k):
                    self.by_chassis[norm_chassis(d.tags[k])] = d
        for dev, cid in (own_chassis or {}).items():
            if dev in inventory.devices and cid:
                self.by_chassis.setdefault(norm_chassis(cid), inventory[dev])

    def resolve(self, n: Neighbour) -> tuple[Device | None, str]:
        """(device, how): how is 'name', 'address', 'chassis' or '' when unknown."""
        name = n.name.strip().lower()
        if name:
            d = self.by_name.get(name) or self.by_name.get(name.split(".")[0])
            if d is not None:
                return d, "name"
        if n.mgmt_address:
            try:
                d = self.by_address.get(str(ipaddress.ip_address(n.mgmt_address.strip())))
            except ValueError:
                d = None
            if d is not None:
                return d, "address"
        if n.chassis_id:
            d = self.by_chassis.get(norm_chassis(n.chassis_id))
            if d is not None:
                return d, "chassis"
        return None, ""


def walks_from_points(points: Iterable[Point], max_age_ns: int | None = None, now_ns: int = 0) -> dict[str, Walk]:
    """Each device's latest neighbour table from ``lldp_neighbor`` / ``lldp_walk`` points.

    An SNMP walk is the set of neighbour points stamped with its ``lldp_walk`` time; an SSH
    table the neighbour points of the device's latest SSH collection. The newer source wins.
    """
    walks: dict[tuple[str, str], Walk] = {}
    rows: dict[tuple[str, str], dict[int, list[Neighbour]]] = {}
    for p in points:
        dev = p.tags.get("device", "")
        if not dev or (max_age_ns is not None and now_ns - p.time_ns > max_age_ns):
            continue
        src = p.tags.get("source", "ssh")
        if p.measurement == "lldp_walk":
            w = walks.get((dev, src))
            if w is None or p.time_ns > w.time_ns:
                walks[(dev, src)] = Walk(
                    dev, p.time_ns, src, bool(p.fields.get("lldp_mib", 1)) and not p.fields.get("error"),
                    str(p.fields.get("chassis_id", "") or ""),
                )  # fmt: skip
        elif p.measurement == "lldp_neighbor":
            f = p.fields
            n = Neighbour(
                dev, p.tags.get("local_interface", ""), str(f.get("neighbor_name", "") or ""),
                str(f.get("neighbor_interface", "") or ""), str(f.get("chassis_id", "") or ""),
                str(f.get("mgmt_address", "") or ""), src, p.time_ns,
            )  # fmt: skip
            rows.setdefault((dev, src), {}).setdefault(p.time_ns, []).append(n)
    for (dev, src), by_time in rows.items():
        w = walks.get((dev, src))
        if w is None:  # SSH tables come without a walk point: the latest collection is the table
            t = max(by_time)
            walks[(dev, src)] = Walk(dev, t, src, True, "", by_time[t])
        else:
            w.neighbours = by_time.get(w.time_ns, [])
    out: dict[str, Walk] = {}
    for (dev, _), w in walks.items():
        if w.neighbours is None:
            w.neighbours = []
        # a source that read LLDP beats one that found no LLDP-MIB; then the newer one
        if dev not in out or (w.lldp, w.time_ns) > (out[dev].lldp, out[dev].time_ns):
            out[dev] = w
    return out
