"""Just enough BER to read an SNMP message off the wire: version, community, PDU type,
request-id, and the first OID of a v3 Report (which says why authentication failed).
Every read is bounds-checked; anything malformed returns None (this parses untrusted traffic).
"""

from __future__ import annotations

from typing import NamedTuple

PDU_GET, PDU_GETNEXT, PDU_RESPONSE, PDU_SET, PDU_TRAP1, PDU_GETBULK, PDU_INFORM, PDU_TRAP2, PDU_REPORT = (
    0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8,
)  # fmt: skip
REQUESTS = frozenset({PDU_GET, PDU_GETNEXT, PDU_SET, PDU_GETBULK})

# usmStats counters an agent reports when a v3 request fails authentication (RFC 3414 §3.2).
USM_AUTH_FAILURES = {
    "1.3.6.1.6.3.15.1.1.3.0": "unknown user name",
    "1.3.6.1.6.3.15.1.1.5.0": "wrong digest (bad auth key)",
    "1.3.6.1.6.3.15.1.1.6.0": "decryption error (bad priv key)",
}
# v1/v2c agents signal a bad community with an authenticationFailure trap (RFC 3418).
AUTH_FAILURE_TRAP = "1.3.6.1.6.3.1.1.5.5"


class SnmpMessage(NamedTuple):
    version: int  # 0 = v1, 1 = v2c, 3 = v3
    community: bytes | None
    pdu: int  # PDU tag, 0 when encrypted (v3 authPriv)
    request_id: int
    first_oid: str


def _tlv(b: bytes, off: int, end: int) -> tuple[int, int, int]:
    """(tag, value offset, value end) of the TLV at off; raises ValueError if it overruns."""
    if off + 2 > end:
        raise ValueError
    tag, ln = b[off], b[off + 1]
    off += 2
    if ln & 0x80:
        n = ln & 0x7F
        if n == 0 or n > 4 or off + n > end:
            raise ValueError
        ln = int.from_bytes(b[off : off + n], "big")
        off += n
    if off + ln > end:
        raise ValueError
    return tag, off, off + ln


def _int(b: bytes, off: int, end: int) -> int:
    return int.from_bytes(b[off:end], "big", signed=True) if end > off else 0


def _oid(b: bytes, off: int, end: int) -> str:
    if end <= off:
        return ""
    first = b[off]
    parts = [str(min(first // 40, 2)), str(first - 40 * min(first // 40, 2))]
    v = 0
    for c in b[off + 1 : end]:
        v = (v << 7) | (c & 0x7F)
        if not c & 0x80:
            parts.append(str(v))
            v = 0
    return ".".join(parts)


def parse(b: bytes, off: int, end: int) -> SnmpMessage | None:
    try:
        tag, off, end = _tlv(b, off, end)
        if tag != 0x30:
            return None
        tag, v, off = _tlv(b, off, end)
        if tag != 0x02:
            return None
        version = _int(b, v, off)
        community: bytes | None = None
        if version in (0, 1):
            tag, v, off = _tlv(b, off, end)
            if tag != 0x04:
                return None
            community = bytes(b[v:off])
            pdu_off = off
        elif version == 3:
            tag, _v, off = _tlv(b, off, end)  # msgGlobalData
            tag, _v, off = _tlv(b, off, end)  # msgSecurityParameters
            tag, v, off = _tlv(b, off, end)  # scopedPDU or encrypted
            if tag != 0x30:
                return SnmpMessage(3, None, 0, 0, "")
            _t, _v, o = _tlv(b, v, off)  # contextEngineID
            _t, _v, pdu_off = _tlv(b, o, off)  # contextName
        else:
            return None
        pdu, v, pend = _tlv(b, pdu_off, end)
        if pdu == PDU_TRAP1:
            return SnmpMessage(version, community, pdu, 0, "")
        tag, rv, o = _tlv(b, v, pend)
        rid = _int(b, rv, o)
        _t, _v, o = _tlv(b, o, pend)  # error-status
        _t, _v, o = _tlv(b, o, pend)  # error-index
        _t, vl, vlend = _tlv(b, o, pend)  # varbind list
        first_oid = ""
        if vl < vlend:
            _t, vb, vbend = _tlv(b, vl, vlend)
            # v2 traps carry sysUpTime first, then snmpTrapOID; report the trap OID instead.
            t, ov, oend = _tlv(b, vb, vbend)
            first_oid = _oid(b, ov, oend) if t == 0x06 else ""
            if pdu == PDU_TRAP2 and vbend < vlend:
                _t, vb2, vb2end = _tlv(b, vbend, vlend)
                _t, ov, oend = _tlv(b, vb2, vb2end)
                _t, tv, tend = _tlv(b, oend, vb2end)
                first_oid = _oid(b, tv, tend)
        return SnmpMessage(version, community, pdu, rid, first_oid)
    except (ValueError, IndexError):
        return None


def mask(secret: bytes) -> str:
    """A community as it may be shown: first and last character only (never the whole)."""
    s = secret.decode("utf-8", "replace")
    if len(s) <= 3:
        return "*" * max(len(s), 3)
    return f"{s[0]}{'*' * (len(s) - 2)}{s[-1]}"
