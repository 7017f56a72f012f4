"""LLDP neighbours over SNMP (IEEE 802.1AB LLDP-MIB): who is at the other end of each port.

An infrequent walk (on the health interval) of ``lldpRemTable`` (chassis id, port id, system
name and description), ``lldpRemManAddrTable`` (management addresses, read from its index),
``lldpLocPortTable`` (our port names) and ``lldpLocChassisId`` (our own chassis id, so other
devices' neighbours can be resolved to us). Agents without ``lldpLocPortTable`` (some Comware
releases) number local ports by ifIndex: ifName names them then.

Points (docs/SCHEMA.md): one ``lldp_neighbor`` per neighbour (tags ``local_interface``,
``source=snmp``, ``lldp_index``) and one ``lldp_walk`` per walk (``neighbors``, ``lldp_mib``,
``chassis_id``, ``error``), so "no neighbour any more" is told apart from "not walked".
Odd values (a chassis id of the wrong length, binary port ids) are kept as hex, never dropped.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence

from netmon.inventory import Device
from netmon.model import FieldValue, Point

from .engine import Engine, Oid, SnmpError, Target, VarBind, parse_oid

log = logging.getLogger("netmon.snmp")

_REM = "1.0.8802.1.1.2.1.4.1.1."
REM_COLS: dict[str, Oid] = {
    "chassis_subtype": parse_oid(_REM + "4"),
    "chassis_id": parse_oid(_REM + "5"),
    "port_subtype": parse_oid(_REM + "6"),
    "port_id": parse_oid(_REM + "7"),
    "port_desc": parse_oid(_REM + "8"),
    "sys_name": parse_oid(_REM + "9"),
    "sys_desc": parse_oid(_REM + "10"),
}
REM_MAN_ADDR_IF_SUBTYPE = parse_oid("1.0.8802.1.1.2.1.4.2.1.3")
LOC_PORT_SUBTYPE = parse_oid("1.0.8802.1.1.2.1.3.7.1.2")
LOC_PORT_ID = parse_oid("1.0.8802.1.1.2.1.3.7.1.3")
LOC_PORT_DESC = parse_oid("1.0.8802.1.1.2.1.3.7.1.4")
LOC_CHASSIS_SUBTYPE = parse_oid("1.0.8802.1.1.2.1.3.1.0")
LOC_CHASSIS_ID = parse_oid("1.0.8802.1.1.2.1.3.2.0")
IF_NAME = parse_oid("1.3.6.1.2.1.31.1.1.1.1")

# LldpChassisIdSubtype / LldpPortIdSubtype values that hold text or an address.
CHASSIS_MAC, CHASSIS_NETWORK_ADDRESS = 4, 5
PORT_MAC, PORT_NETWORK_ADDRESS, PORT_INTERFACE_NAME, PORT_LOCAL = 3, 4, 5, 7


def _text(v: object) -> str | None:
    """Printable text of an OCTET STRING, or None when it is binary."""
    if isinstance(v, bytes):
        try:
            s = v.decode("utf-8").rstrip("\x00")
        except UnicodeDecodeError:
            return None
        return s if s.isprintable() else None
    return str(v) if v is not None else None


def _hex(v: object) -> str:
    return v.hex(":") if isinstance(v, bytes) else str(v or "")


def mac(v: object) -> str:
    """A MAC as aa:bb:cc:dd:ee:ff; any other length stays hex (odd agents send 4 or 8 bytes)."""
    return _hex(v).lower()


def network_address(v: object) -> str:
    """IANA address family octet + address (LLDP's networkAddress subtype)."""
    if isinstance(v, bytes) and len(v) == 5 and v[0] == 1:
        return str(ipaddress.IPv4Address(v[1:]))
    if isinstance(v, bytes) and len(v) == 17 and v[0] == 2:
        return str(ipaddress.IPv6Address(v[1:]))
    return _hex(v)


def chassis_text(subtype: int | None, v: object) -> str:
    if subtype == CHASSIS_MAC:
        return mac(v)
    if subtype == CHASSIS_NETWORK_ADDRESS:
        return network_address(v)
    t = _text(v)
    return t if t is not None else _hex(v)


def port_text(subtype: int | None, v: object, desc: object) -> str:
    if subtype in (PORT_MAC, PORT_NETWORK_ADDRESS):
        # a MAC names no port: the description usually does (Linux lldpd, some APs)
        d = _text(desc)
        return d if d else (mac(v) if subtype == PORT_MAC else network_address(v))
    t = _text(v)
    return t if t is not None else _hex(v)


def _index(vb: VarBind, col: Oid) -> tuple[int, ...]:
    return vb.oid[len(col) :]


def _column(walked: dict[Oid, list[VarBind]], col: Oid) -> dict[tuple[int, ...], object]:
    return {_index(vb, col): vb.value for vb in walked.get(col, [])}


def _man_addresses(vbs: Sequence[VarBind]) -> dict[tuple[int, int, int], str]:
    """(timeMark, localPort, remIndex) -> first management address, from the table's index."""
    out: dict[tuple[int, int, int], str] = {}
    for vb in vbs:
        idx = vb.oid[len(REM_MAN_ADDR_IF_SUBTYPE) :]
        if len(idx) < 5:
            continue
        key, family, n, addr = (idx[0], idx[1], idx[2]), idx[3], idx[4], idx[5:]
        if len(addr) != n or key in out:
            continue
        try:
            if family == 1 and n == 4:
                out[key] = str(ipaddress.IPv4Address(bytes(addr)))
            elif family == 2 and n == 16:
                out[key] = str(ipaddress.IPv6Address(bytes(addr)))
        except ValueError:
            continue
    return out


async def walk(engine: Engine, device: Device, target: Target, now_ns: int, max_repetitions: int = 25) -> list[Point]:
    """The LLDP points of one device; an agent without LLDP-MIB gives one ``lldp_walk`` with lldp_mib=0."""
    tags = device.point_tags()
    try:
        walked = await engine.bulk_walk(
            target, [*REM_COLS.values(), REM_MAN_ADDR_IF_SUBTYPE, LOC_PORT_SUBTYPE, LOC_PORT_ID, LOC_PORT_DESC],
            max_repetitions,
        )  # fmt: skip
        loc = await engine.get(target, [LOC_CHASSIS_SUBTYPE, LOC_CHASSIS_ID])
    except SnmpError as exc:
        return [
            Point(
                "lldp_walk",
                {**tags, "source": "snmp"},
                {"neighbors": 0, "lldp_mib": 0, "error": exc.kind.value},
                now_ns,
            )
        ]
    cols = {name: _column(walked, oid) for name, oid in REM_COLS.items()}
    loc_sub = _column(walked, LOC_PORT_SUBTYPE)
    loc_id = _column(walked, LOC_PORT_ID)
    loc_desc = _column(walked, LOC_PORT_DESC)
    rows = sorted(set().union(*(c.keys() for c in cols.values())))
    if_names: dict[tuple[int, ...], object] = {}
    if rows and not loc_id:
        # no lldpLocPortTable: local port numbers are ifIndexes on these agents
        if_names = _column(await engine.bulk_walk(target, [IF_NAME], max_repetitions), IF_NAME)
    addrs = _man_addresses(walked.get(REM_MAN_ADDR_IF_SUBTYPE, []))
    out: list[Point] = []
    for idx in rows:
        if len(idx) != 3:
            continue  # not (timeMark, localPortNum, remIndex): an agent bug, skip the row
        port = (idx[1],)
        local = None
        if isinstance(loc_sub.get(port), int) and loc_sub[port] in (PORT_INTERFACE_NAME, PORT_LOCAL):
            local = _text(loc_id.get(port))
        local = (
            local or _text(if_names.get(port)) or _text(loc_id.get(port)) or _text(loc_desc.get(port)) or str(idx[1])
        )
        csub = cols["chassis_subtype"].get(idx)
        psub = cols["port_subtype"].get(idx)
        fields: dict[str, FieldValue] = {
            "neighbor_name": (_text(cols["sys_name"].get(idx)) or "").strip(),
            "neighbor_interface": port_text(
                psub if isinstance(psub, int) else None, cols["port_id"].get(idx), cols["port_desc"].get(idx)
            ),
            "chassis_id": chassis_text(csub if isinstance(csub, int) else None, cols["chassis_id"].get(idx)),
            "chassis_id_subtype": csub if isinstance(csub, int) else 0,
            "port_id_subtype": psub if isinstance(psub, int) else 0,
            "mgmt_address": addrs.get((idx[0], idx[1], idx[2]), ""),
        }
        desc = _text(cols["sys_desc"].get(idx))
        if desc:
            fields["neighbor_description"] = " ".join(desc.split())[:200]
        out.append(
            Point(
                "lldp_neighbor",
                {**tags, "local_interface": local, "source": "snmp", "lldp_index": str(idx[2])},
                fields,
                now_ns,
            )
        )
    byoid = {vb.oid: vb.value for vb in loc}
    lsub = byoid.get(LOC_CHASSIS_SUBTYPE)
    own = byoid.get(LOC_CHASSIS_ID)
    summary: dict[str, FieldValue] = {
        "neighbors": len(out),
        "lldp_mib": int(bool(rows or loc_id or isinstance(own, bytes))),
        "error": "",
    }
    if isinstance(own, bytes) and own:
        summary["chassis_id"] = chassis_text(lsub if isinstance(lsub, int) else None, own)
    out.append(Point("lldp_walk", {**tags, "source": "snmp"}, summary, now_ns))
    return out
