"""Independent truths for the fast engine's tests: net-snmp's own output, parsed carefully.

``snmpbulkwalk -m "" -On -Oe -Ot -Ox`` prints one varbind per line as ``.OID = TYPE: value``:
no MIBs (so no display hints rewrite values), numeric OIDs, numeric enums, TimeTicks as a
bare number (-Ot), and every OCTET STRING as hex (-Ox), which wraps after 16 bytes onto
continuation lines — so a line that does not start with ``.`` continues the previous value.
"""

from __future__ import annotations

import subprocess

from collectors.snmp.engine import Oid, ValueType, VarBind, parse_oid

NETSNMP_FLAGS = ["-m", "", "-On", "-Oe", "-Ot", "-Ox", "-r", "1", "-t", "5"]
_TYPED = {
    "INTEGER": ValueType.INTEGER,
    "Counter32": ValueType.COUNTER32,
    "Gauge32": ValueType.GAUGE32,
    "Counter64": ValueType.COUNTER64,
    "Timeticks": ValueType.TIMETICKS,
    "UInteger32": ValueType.GAUGE32,
}
_EXCEPTIONS = {
    "No Such Object available on this agent at this OID": ValueType.NO_SUCH_OBJECT,
    "No Such Instance currently exists at this OID": ValueType.NO_SUCH_INSTANCE,
    "No more variables left in this MIB View (It is past the end of the MIB tree)": ValueType.END_OF_MIB_VIEW,
}
Row = tuple[Oid, ValueType, object]


def parse_netsnmp(text: str) -> list[Row]:
    entries: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith(".") and " = " in line:
            oid, _, rest = line.partition(" = ")
            entries.append([oid, rest])
        elif entries:
            entries[-1][1] += "\n" + line
        elif line.strip():
            raise ValueError(f"unexpected net-snmp output line: {line!r}")
    return [_row(oid, rest) for oid, rest in entries]


def _row(oid_text: str, rest: str) -> Row:
    oid = parse_oid(oid_text)
    rest = rest.strip()
    if rest in _EXCEPTIONS:
        return oid, _EXCEPTIONS[rest], None
    if rest == '""':
        return oid, ValueType.OCTET_STRING, b""
    if rest.isdigit():  # -Ot: TimeTicks as a bare number
        return oid, ValueType.TIMETICKS, int(rest)
    kind, _, value = rest.partition(": ")
    if kind in _TYPED:
        return oid, _TYPED[kind], int(value.split()[0])
    if kind == "Hex-STRING":
        return oid, ValueType.OCTET_STRING, bytes.fromhex(value.replace("\n", " "))
    if kind == "STRING":  # only printable strings reach here (we ask for -Ox); strip the quotes
        return oid, ValueType.OCTET_STRING, value[1:-1].replace('\\"', '"').replace("\\\\", "\\").encode()
    if kind == "OID":
        return oid, ValueType.OID, parse_oid(value)
    if kind == "IpAddress":
        return oid, ValueType.IP_ADDRESS, value
    if kind == "Opaque":
        return oid, ValueType.OPAQUE, value
    if kind == "NULL" or rest == "NULL":
        return oid, ValueType.NULL, None
    raise ValueError(f"unparsed net-snmp value {rest!r} at {oid_text}")


def netsnmp(tool: str, auth: list[str], host: str, port: int, *oids: str, extra: list[str] | None = None) -> list[Row]:
    proc = subprocess.run(
        [
            tool,
            *NETSNMP_FLAGS,
            *(extra or []),
            *auth,
            f"udp6:[{host}]:{port}" if ":" in host else f"udp:{host}:{port}",
            *oids,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if proc.returncode != 0:
        raise AssertionError(f"{tool} failed ({proc.returncode}): {proc.stderr.strip()}")
    return parse_netsnmp(proc.stdout)


def walk_truth(auth: list[str], host: str, port: int, roots: list[str]) -> list[Row]:
    rows: list[Row] = []
    v1 = "-v1" in auth  # v1 has no GETBULK: snmpwalk walks with GETNEXT
    for root in roots:
        rows += netsnmp("snmpwalk" if v1 else "snmpbulkwalk", auth, host, port, root, extra=[] if v1 else ["-Cr25"])
    # At the end of an agent's MIB snmpbulkwalk prints the endOfMibView exceptions of the last
    # response; they mark where the walk stopped and are not values of the table.
    return [r for r in rows if r[1] is not ValueType.END_OF_MIB_VIEW]


def rows_of(result: dict[Oid, list[VarBind]]) -> list[Row]:
    return [(vb.oid, vb.type, vb.value) for vbs in result.values() for vb in vbs]


COUNTERS = {ValueType.COUNTER32, ValueType.COUNTER64, ValueType.TIMETICKS}


def assert_bracketed(before: list[Row], got: list[Row], after: list[Row], what: str) -> int:
    """``got`` (polled between the two truths) must hold the same OIDs and types in the same
    order, and each value equal to one truth's — or, for counters, between the two.

    Returns how many values were compared."""
    assert [r[0] for r in got] == [r[0] for r in before] or [r[0] for r in got] == [r[0] for r in after], (
        f"{what}: OID lists differ: {len(got)} values vs {len(before)}/{len(after)} from net-snmp"
    )
    truth_b = {r[0]: r for r in before}
    truth_a = {r[0]: r for r in after}
    for oid, vtype, value in got:
        b = truth_b.get(oid) or truth_a[oid]
        a = truth_a.get(oid) or b
        assert vtype in (b[1], a[1]), f"{what}: {oid}: type {vtype} vs net-snmp {b[1]}"
        if value in (b[2], a[2]):
            continue
        assert vtype in COUNTERS and isinstance(value, int), f"{what}: {oid}: {value!r} vs net-snmp {b[2]!r}/{a[2]!r}"
        assert b[2] <= value <= a[2], f"{what}: {oid}: counter {value} not between {b[2]} and {a[2]}"  # type: ignore[operator]
    return len(got)
