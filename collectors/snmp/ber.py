"""A lean BER codec for SNMP messages (RFC 3416 PDUs in RFC 1157/1901/3412 messages).

Only what a manager needs: encode requests (GET, GETNEXT, GETBULK with NULL values) and
decode responses straight into Python ints/bytes/OID tuples. The response path is the hot
loop of polling, so it is written flat (index arithmetic on ``bytes``, no objects per TLV);
it checks every length against its enclosing one, and anything that does not parse raises
``SnmpError(MALFORMED)`` — callers never see IndexError and co.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .engine import ErrorClass, Oid, SnmpError, ValueType, VarBind

# Universal and SNMP application tags (RFC 2578 / 3416).
INTEGER = 0x02
OCTET_STRING = 0x04
NULL = 0x05
OBJECT_ID = 0x06
SEQUENCE = 0x30
IP_ADDRESS = 0x40
COUNTER32 = 0x41
GAUGE32 = 0x42
TIMETICKS = 0x43
OPAQUE = 0x44
COUNTER64 = 0x46
NO_SUCH_OBJECT = 0x80
NO_SUCH_INSTANCE = 0x81
END_OF_MIB_VIEW = 0x82

# PDU tags (context-specific, constructed).
GET = 0xA0
GETNEXT = 0xA1
RESPONSE = 0xA2
SET = 0xA3
TRAP_V1 = 0xA4
GETBULK = 0xA5
INFORM = 0xA6
TRAP_V2 = 0xA7
REPORT = 0xA8

V1 = 0
V2C = 1
V3 = 3

_MAX_U32 = 0xFFFFFFFF
_MAX_U64 = 0xFFFFFFFFFFFFFFFF
# First byte of an OID (< 0x80) -> its first two arcs (X.690 8.19.4).
_FIRST = tuple((0, b) if b < 40 else (1, b - 40) if b < 80 else (2, b - 80) for b in range(128))
_NULL_VALUE = b"\x05\x00"


def malformed(reason: str) -> SnmpError:
    return SnmpError(ErrorClass.MALFORMED, reason)


# --- encoding -------------------------------------------------------------------------------


def enc_len(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        return bytes((tag, n)) + content
    return bytes((tag,)) + enc_len(n) + content


def enc_int(value: int, tag: int = INTEGER) -> bytes:
    # Minimal two's complement; one extra bit keeps positive values positive.
    size = (value + (value < 0)).bit_length() // 8 + 1
    return tlv(tag, value.to_bytes(size, "big", signed=True))


def enc_oid_body(oid: Oid) -> bytes:
    if len(oid) < 2 or oid[0] > 2 or (oid[0] < 2 and oid[1] >= 40):
        raise ValueError(f"not an encodable OID: {'.'.join(map(str, oid))}")
    out = bytearray()
    for arc in (oid[0] * 40 + oid[1], *oid[2:]):
        if arc < 0x80:
            if arc < 0:
                raise ValueError("negative OID arc")
            out.append(arc)
            continue
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out.extend(reversed(chunk))
    return bytes(out)


def enc_oid(oid: Oid) -> bytes:
    return tlv(OBJECT_ID, enc_oid_body(oid))


# The encoded "OID + NULL" varbind of each requested OID: a walk asks for the same column
# instances every poll of every device alike (ifHCInOctets.25), so each is encoded once
# (bounded: cleared when full).
_VB_CACHE: dict[Oid, bytes] = {}
_VB_CACHE_MAX = 100_000


def _null_varbind(oid: Oid) -> bytes:
    vb = _VB_CACHE.get(oid)
    if vb is None:
        vb = tlv(SEQUENCE, enc_oid(oid) + _NULL_VALUE)
        if len(_VB_CACHE) >= _VB_CACHE_MAX:
            _VB_CACHE.clear()
        _VB_CACHE[oid] = vb
    return vb


def enc_pdu(tag: int, request_id: int, oids: Sequence[Oid], a: int = 0, b: int = 0) -> bytes:
    """A request PDU with NULL values; ``a``/``b`` are error-status/index, or for GETBULK
    non-repeaters/max-repetitions."""
    get = _VB_CACHE.get
    vbs = b"".join([get(o) or _null_varbind(o) for o in oids])
    return tlv(tag, enc_int(request_id) + enc_int(a) + enc_int(b) + tlv(SEQUENCE, vbs))


def enc_community_message(version: int, community: bytes, pdu: bytes) -> bytes:
    return tlv(SEQUENCE, enc_int(version) + tlv(OCTET_STRING, community) + pdu)


# --- decoding primitives --------------------------------------------------------------------


def header(buf: bytes, pos: int, limit: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the TLV at ``pos``, all within ``limit``."""
    if pos + 2 > limit:
        raise malformed("truncated TLV header")
    tag = buf[pos]
    if tag & 0x1F == 0x1F:
        raise malformed("multi-byte tags are not used by SNMP")
    n = buf[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        if k == 0:
            raise malformed("indefinite length is not allowed in SNMP")
        if k > 4 or pos + k > limit:
            raise malformed("bad long-form length")
        n = int.from_bytes(buf[pos : pos + k], "big")
        pos += k
    end = pos + n
    if end > limit:
        raise malformed(f"length {n} runs past the end of its container")
    return tag, pos, end


def expect(buf: bytes, pos: int, limit: int, tag: int, what: str) -> tuple[int, int]:
    t, start, end = header(buf, pos, limit)
    if t != tag:
        raise malformed(f"{what}: expected tag 0x{tag:02x}, got 0x{t:02x}")
    return start, end


def dec_int(buf: bytes, pos: int, limit: int, what: str) -> tuple[int, int]:
    """An INTEGER at pos -> (value, next position)."""
    start, end = expect(buf, pos, limit, INTEGER, what)
    if end == start or end - start > 9:
        raise malformed(f"{what}: bad INTEGER length {end - start}")
    return int.from_bytes(buf[start:end], "big", signed=True), end


def dec_octets(buf: bytes, pos: int, limit: int, what: str) -> tuple[bytes, int]:
    start, end = expect(buf, pos, limit, OCTET_STRING, what)
    return buf[start:end], end


# The same OIDs come back every poll (and every device has ifHCInOctets.1), so decoded OIDs
# are remembered by their encoding: varbind decoding is one dict lookup per name (bounded:
# cleared when full). Multi-byte arcs (ifIndex >= 128, enterprise numbers) need a Python loop.
_OID_CACHE: dict[bytes, Oid] = {}
_OID_CACHE_MAX = 100_000


def dec_oid_body(raw: bytes) -> Oid:
    if not raw:
        raise malformed("empty OID")
    if raw.isascii():  # every arc < 128: the common case, decoded in C
        return _FIRST[raw[0]] + tuple(raw[1:])
    hit = _OID_CACHE.get(raw)
    if hit is not None:
        return hit
    oid = _dec_oid_arcs(raw)
    if len(_OID_CACHE) >= _OID_CACHE_MAX:
        _OID_CACHE.clear()
    _OID_CACHE[raw] = oid
    return oid


def _remember_oid(raw: bytes) -> Oid:
    """dec_oid_body, remembered for the next poll (bounded: cleared when full)."""
    oid = dec_oid_body(raw)
    if len(_OID_CACHE) >= _OID_CACHE_MAX:
        _OID_CACHE.clear()
    _OID_CACHE[raw] = oid
    return oid


def _dec_oid_arcs(raw: bytes) -> Oid:
    if raw[-1] & 0x80:
        raise malformed("OID ends inside a sub-identifier")
    arcs: list[int] = []
    acc = 0
    first = True
    for byte in raw:
        if acc == 0 and byte == 0x80:
            raise malformed("OID sub-identifier with a leading 0x80 pad")
        acc = (acc << 7) | (byte & 0x7F)
        if byte & 0x80:
            if acc > _MAX_U64:
                raise malformed("OID sub-identifier too large")
            continue
        if first:
            arcs.extend((0, acc) if acc < 40 else (1, acc - 40) if acc < 80 else (2, acc - 80))
            first = False
        else:
            arcs.append(acc)
        acc = 0
    return tuple(arcs)


# --- varbinds -------------------------------------------------------------------------------

_T_INTEGER = ValueType.INTEGER
_T_OCTETS = ValueType.OCTET_STRING
_T_OID = ValueType.OID
_T_IP = ValueType.IP_ADDRESS
_T_C32 = ValueType.COUNTER32
_T_G32 = ValueType.GAUGE32
_T_TT = ValueType.TIMETICKS
_T_OPAQUE = ValueType.OPAQUE
_T_C64 = ValueType.COUNTER64
_EMPTY = {
    NULL: ValueType.NULL,
    NO_SUCH_OBJECT: ValueType.NO_SUCH_OBJECT,
    NO_SUCH_INSTANCE: ValueType.NO_SUCH_INSTANCE,
    END_OF_MIB_VIEW: ValueType.END_OF_MIB_VIEW,
}
_U32 = {COUNTER32: _T_C32, GAUGE32: _T_G32, TIMETICKS: _T_TT}


def dec_varbinds(buf: bytes, pos: int, end: int) -> list[VarBind]:
    """The varbinds of a VarBindList whose content is buf[pos:end] (the hot loop)."""
    out: list[VarBind] = []
    append = out.append
    from_bytes = int.from_bytes
    new = tuple.__new__  # VarBind(...) goes through a Python-level __new__; this is C
    vb = VarBind
    cached = _OID_CACHE.get
    u32 = _U32.get
    while pos < end:
        # VarBind ::= SEQUENCE { name OBJECT IDENTIFIER, value }
        if pos + 2 > end or buf[pos] != SEQUENCE:
            raise malformed("varbind is not a SEQUENCE")
        n = buf[pos + 1]
        if n & 0x80:
            _, pos, vb_end = header(buf, pos, end)
        else:
            pos += 2
            vb_end = pos + n
            if vb_end > end:
                raise malformed("varbind runs past the end of the list")
        if pos + 2 > vb_end or buf[pos] != OBJECT_ID:
            raise malformed("varbind name is not an OID")
        n = buf[pos + 1]
        if n & 0x80:
            _, pos, o_end = header(buf, pos, vb_end)
        else:
            pos += 2
            o_end = pos + n
            if o_end > vb_end:
                raise malformed("OID runs past the end of its varbind")
        raw = buf[pos:o_end]
        oid = cached(raw)  # the same OIDs come back every poll: one dict lookup
        if oid is None:
            oid = _remember_oid(raw)
        if o_end + 2 > vb_end:
            raise malformed("varbind without a value")
        tag = buf[o_end]
        n = buf[o_end + 1]
        if n & 0x80:
            tag, pos, v_end = header(buf, o_end, vb_end)
            n = v_end - pos  # the content length, whatever form encoded it
        else:
            pos = o_end + 2
            v_end = pos + n
        if v_end != vb_end:
            raise malformed("value length does not fill its varbind")
        if tag == COUNTER64:  # most cells of an interface poll
            if n == 0 or n > 9:
                raise malformed(f"bad Counter64 length {n}")
            v = from_bytes(buf[pos:v_end], "big")
            if v > _MAX_U64:
                raise malformed("Counter64 out of range")
            append(new(vb, (oid, _T_C64, v)))
        elif (kind := u32(tag)) is not None:
            if n == 0 or n > 5:
                raise malformed(f"bad {kind.value} length {n}")
            v = from_bytes(buf[pos:v_end], "big")
            if v > _MAX_U32:
                raise malformed(f"{kind.value} out of range")
            append(new(vb, (oid, kind, v)))
        elif tag == INTEGER:
            if n == 0 or n > 9:
                raise malformed(f"bad INTEGER length {n}")
            append(new(vb, (oid, _T_INTEGER, from_bytes(buf[pos:v_end], "big", signed=True))))
        elif tag == OCTET_STRING:
            append(new(vb, (oid, _T_OCTETS, buf[pos:v_end])))
        elif tag == OBJECT_ID:
            append(new(vb, (oid, _T_OID, dec_oid_body(buf[pos:v_end]))))
        elif tag == IP_ADDRESS:
            if n != 4:
                raise malformed(f"IpAddress of {n} bytes")
            append(new(vb, (oid, _T_IP, "%d.%d.%d.%d" % tuple(buf[pos:v_end]))))  # noqa: UP031
        elif tag in _EMPTY:
            if n:
                raise malformed("NULL/exception value with content")
            append(new(vb, (oid, _EMPTY[tag], None)))
        elif tag == OPAQUE:
            append(new(vb, (oid, _T_OPAQUE, buf[pos:v_end])))
        else:
            raise malformed(f"unknown value tag 0x{tag:02x}")
        pos = vb_end
    return out


# --- PDUs and messages ----------------------------------------------------------------------


@dataclass(slots=True)
class Pdu:
    tag: int
    request_id: int
    error_status: int
    error_index: int
    varbinds: list[VarBind]


def pdu_head(buf: bytes, pos: int, limit: int) -> tuple[int, int, int, int, int, int]:
    """(tag, request-id, error-status, error-index, varbind list start, end) of a PDU."""
    tag, start, end = header(buf, pos, limit)
    if tag not in (RESPONSE, REPORT, GET, GETNEXT, GETBULK, SET, INFORM, TRAP_V2):
        raise malformed(f"unexpected PDU tag 0x{tag:02x}")
    rid, p = dec_int(buf, start, end, "request-id")
    es, p = dec_int(buf, p, end, "error-status")
    ei, p = dec_int(buf, p, end, "error-index")
    vstart, vend = expect(buf, p, end, SEQUENCE, "varbind list")
    if vend != end:
        raise malformed("trailing bytes after the varbind list")
    return tag, rid, es, ei, vstart, vend


def decode_pdu(buf: bytes, pos: int, limit: int) -> Pdu:
    tag, rid, es, ei, vstart, vend = pdu_head(buf, pos, limit)
    return Pdu(tag, rid, es, ei, dec_varbinds(buf, vstart, vend))


@dataclass(slots=True)
class CommunityHead:
    """A v1/v2c message up to its request-id; the varbinds are decoded on demand."""

    version: int
    community: bytes
    tag: int
    request_id: int
    error_status: int
    error_index: int
    vb_start: int
    vb_end: int


def community_head(buf: bytes) -> CommunityHead:
    try:
        start, end = expect(buf, 0, len(buf), SEQUENCE, "message")
        if end != len(buf):
            raise malformed("trailing bytes after the message")
        version, p = dec_int(buf, start, end, "version")
        community, p = dec_octets(buf, p, end, "community")
        tag, rid, es, ei, vs, ve = pdu_head(buf, p, end)
    except SnmpError:
        raise
    except (IndexError, ValueError, TypeError, OverflowError) as e:
        raise malformed(f"undecodable message ({type(e).__name__})") from None
    return CommunityHead(version, community, tag, rid, es, ei, vs, ve)


def varbinds_of(buf: bytes, start: int, end: int) -> list[VarBind]:
    """dec_varbinds with every low-level failure classified as MALFORMED."""
    try:
        return dec_varbinds(buf, start, end)
    except SnmpError:
        raise
    except (IndexError, ValueError, TypeError, OverflowError) as e:
        raise malformed(f"undecodable varbind ({type(e).__name__})") from None


def message_version(buf: bytes) -> int:
    """The version field of any SNMP message (0, 1 or 3)."""
    try:
        start, end = expect(buf, 0, len(buf), SEQUENCE, "message")
        version, _ = dec_int(buf, start, end, "version")
    except SnmpError:
        raise
    except (IndexError, ValueError, TypeError, OverflowError) as e:
        raise malformed(f"undecodable message ({type(e).__name__})") from None
    return version


# --- SNMPv3 framing (RFC 3412 message, RFC 3414 USM security parameters) ----------------------

FLAG_AUTH = 0x01
FLAG_PRIV = 0x02
FLAG_REPORTABLE = 0x04
USM_MODEL = 3
MAX_MESSAGE_SIZE = 65507


def enc_scoped_pdu(context_engine_id: bytes, context_name: bytes, pdu: bytes) -> bytes:
    return tlv(SEQUENCE, tlv(OCTET_STRING, context_engine_id) + tlv(OCTET_STRING, context_name) + pdu)


def enc_v3_message(
    msg_id: int,
    flags: int,
    engine_id: bytes,
    boots: int,
    time: int,
    user: bytes,
    auth_len: int,
    priv_params: bytes,
    data: bytes,
) -> tuple[bytearray, int]:
    """A v3 message with ``auth_len`` zero bytes as msgAuthenticationParameters; returns the
    message and the offset of those bytes (where the HMAC goes). ``data`` is the encoded
    ScopedPDU, or an OCTET STRING TLV of the encrypted one."""
    head = enc_int(3) + tlv(
        SEQUENCE,
        enc_int(msg_id) + enc_int(MAX_MESSAGE_SIZE) + tlv(OCTET_STRING, bytes((flags,))) + enc_int(USM_MODEL),
    )
    pre_auth = tlv(OCTET_STRING, engine_id) + enc_int(boots) + enc_int(time) + tlv(OCTET_STRING, user)
    auth = tlv(OCTET_STRING, bytes(auth_len))
    usm_body = pre_auth + auth + tlv(OCTET_STRING, priv_params)
    usm = tlv(SEQUENCE, usm_body)
    sec = tlv(OCTET_STRING, usm)
    outer = bytes((SEQUENCE,)) + enc_len(len(head) + len(sec) + len(data))
    # Where the auth bytes sit: after every header and field that precedes them.
    offset = (
        len(outer) + len(head) + (len(sec) - len(usm)) + (len(usm) - len(usm_body))
        + len(pre_auth) + (len(auth) - auth_len)
    )  # fmt: skip
    msg = bytearray(outer)
    msg += head
    msg += sec
    msg += data
    return msg, offset


@dataclass(slots=True)
class V3Head:
    """A v3 message decoded up to its (possibly encrypted) data."""

    msg_id: int
    max_size: int
    flags: int
    security_model: int
    engine_id: bytes
    boots: int
    time: int
    user: bytes
    auth_params: bytes
    auth_offset: int  # absolute offset of auth_params in the message
    priv_params: bytes
    data_tag: int  # SEQUENCE (plaintext ScopedPDU) or OCTET_STRING (encrypted)
    data_pos: int  # where the msgData TLV starts
    data_start: int  # its content (the ciphertext when encrypted)
    data_end: int


def v3_head(buf: bytes) -> V3Head:
    try:
        return _v3_head(buf)
    except SnmpError:
        raise
    except (IndexError, ValueError, TypeError, OverflowError) as e:
        raise malformed(f"undecodable v3 message ({type(e).__name__})") from None


def _v3_head(buf: bytes) -> V3Head:
    start, end = expect(buf, 0, len(buf), SEQUENCE, "message")
    if end != len(buf):
        raise malformed("trailing bytes after the message")
    version, p = dec_int(buf, start, end, "msgVersion")
    if version != 3:
        raise malformed(f"msgVersion {version}, expected 3")
    hs, he = expect(buf, p, end, SEQUENCE, "msgGlobalData")
    msg_id, q = dec_int(buf, hs, he, "msgID")
    max_size, q = dec_int(buf, q, he, "msgMaxSize")
    flags_raw, q = dec_octets(buf, q, he, "msgFlags")
    if len(flags_raw) != 1:
        raise malformed("msgFlags is not one byte")
    model, q = dec_int(buf, q, he, "msgSecurityModel")
    if q != he:
        raise malformed("trailing bytes in msgGlobalData")
    if model != USM_MODEL:
        raise malformed(f"msgSecurityModel {model}, only USM (3) is spoken")
    ss, se = expect(buf, he, end, OCTET_STRING, "msgSecurityParameters")
    us, ue = expect(buf, ss, se, SEQUENCE, "UsmSecurityParameters")
    if ue != se:
        raise malformed("trailing bytes in msgSecurityParameters")
    engine_id, q = dec_octets(buf, us, ue, "msgAuthoritativeEngineID")
    boots, q = dec_int(buf, q, ue, "msgAuthoritativeEngineBoots")
    etime, q = dec_int(buf, q, ue, "msgAuthoritativeEngineTime")
    if not (0 <= boots <= 0x7FFFFFFF and 0 <= etime <= 0x7FFFFFFF):
        raise malformed("engine boots/time out of range")
    user, q = dec_octets(buf, q, ue, "msgUserName")
    a_start, a_end = expect(buf, q, ue, OCTET_STRING, "msgAuthenticationParameters")
    priv, q = dec_octets(buf, a_end, ue, "msgPrivacyParameters")
    if q != ue:
        raise malformed("trailing bytes in UsmSecurityParameters")
    tag, ds, de = header(buf, se, end)
    if tag not in (SEQUENCE, OCTET_STRING) or de != end:
        raise malformed("bad msgData")
    return V3Head(
        msg_id, max_size, flags_raw[0], model, engine_id, boots, etime, user,
        buf[a_start:a_end], a_start, priv, tag, se, ds, de,
    )  # fmt: skip


def scoped_pdu(buf: bytes, pos: int, limit: int, padded: bool = False) -> tuple[bytes, bytes, int, int]:
    """(contextEngineID, contextName, PDU start, PDU limit) of a ScopedPDU at ``pos``.

    ``padded``: decrypted DES plaintext may carry up to 7 bytes of padding after it."""
    try:
        start, end = expect(buf, pos, limit, SEQUENCE, "ScopedPDU")
        if not padded and end != limit:
            raise malformed("trailing bytes after the ScopedPDU")
        ceid, p = dec_octets(buf, start, end, "contextEngineID")
        cname, p = dec_octets(buf, p, end, "contextName")
    except SnmpError:
        raise
    except (IndexError, ValueError, TypeError, OverflowError) as e:
        raise malformed(f"undecodable ScopedPDU ({type(e).__name__})") from None
    return ceid, cname, p, end


def pdu_head_checked(buf: bytes, pos: int, limit: int) -> tuple[int, int, int, int, int, int]:
    try:
        return pdu_head(buf, pos, limit)
    except SnmpError:
        raise
    except (IndexError, ValueError, TypeError, OverflowError) as e:
        raise malformed(f"undecodable PDU ({type(e).__name__})") from None
