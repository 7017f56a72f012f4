"""The independent truth: net-snmp's snmpget/snmpbulkwalk output, parsed.

``-m "" -On -Oe -Ot -Ox``: no MIBs, numeric OIDs and enums, TimeTicks as a number, strings
as hex (continuation lines for long strings are joined).
"""

from __future__ import annotations

import subprocess

FLAGS = ["-m", "", "-On", "-Oe", "-Ot", "-Ox", "-r", "1", "-t", "5"]


def v2c(community: str) -> list[str]:
    return ["-v2c", "-c", community]


def _parse(out: str) -> dict[str, object]:
    rows: dict[str, object] = {}
    last = None
    for line in out.splitlines():
        if not line.startswith("."):
            if last is not None and isinstance(rows[last], bytes):
                rows[last] = rows[last] + bytes.fromhex(line.replace(" ", ""))  # type: ignore[operator]
            continue
        oid, _, rest = line.partition(" = ")
        oid = oid.lstrip(".")
        typ, _, val = rest.partition(": ")
        if typ in ("INTEGER", "Counter32", "Counter64", "Gauge32", "Timeticks", "UInteger32"):
            rows[oid] = int(val.split()[0])
        elif typ == "Hex-STRING":
            rows[oid] = bytes.fromhex(val.replace(" ", ""))
        elif typ == "STRING":
            rows[oid] = val.strip('"').encode()
        elif typ == "OID":
            rows[oid] = val.lstrip(".")
        elif rest.startswith('""'):
            rows[oid] = b""
        else:
            rows[oid] = val or rest
        last = oid
    return rows


def bulkwalk(port: int, auth: list[str], root: str) -> dict[str, object]:
    out = subprocess.run(
        ["snmpbulkwalk", *FLAGS, *auth, f"127.0.0.1:{port}", root],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return _parse(out)


def get(port: int, auth: list[str], *oids: str) -> dict[str, object]:
    out = subprocess.run(
        ["snmpget", *FLAGS, *auth, f"127.0.0.1:{port}", *oids], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return _parse(out)


def column(rows: dict[str, object], col: str) -> dict[int, object]:
    """Rows of one IF-MIB-style column keyed by the (single) index."""
    out: dict[int, object] = {}
    for oid, v in rows.items():
        if oid.startswith(col + "."):
            rest = oid[len(col) + 1 :]
            if rest.isdigit():
                out[int(rest)] = v
    return out


def column_any(rows: dict[str, object], col: str) -> list[object]:
    """Values of one column, whatever its index shape (entity tables, scalars)."""
    col = col.lstrip(".")
    return [v for oid, v in rows.items() if oid.startswith(col + ".")]
