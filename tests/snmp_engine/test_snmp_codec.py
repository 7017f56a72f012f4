"""The BER codec and USM crypto against independent implementations (pyasn1/pysnmp, RFC test
vectors), and hypothesis fuzzing: any datagram decodes or raises SnmpError(MALFORMED)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyasn1.codec.ber import decoder, encoder
from pyasn1.type import univ
from pysnmp.proto import api

from collectors.snmp import ber
from collectors.snmp.engine import ErrorClass, SnmpError, ValueType
from collectors.snmp.engine_fast import FastEngine, _Pending
from collectors.snmp.usm import KeyExtension, UsmKeys, UsmParams, extend_key, localized_key

arcs = st.lists(st.integers(0, 2**32 - 1), max_size=20)
oids = st.tuples(st.integers(0, 1), st.integers(0, 39)).map(tuple) | st.tuples(st.just(2), st.integers(0, 2**20)).map(
    tuple
)
full_oids = st.builds(lambda head, tail: head + tuple(tail), oids, arcs)


# --- encoding against pyasn1 ------------------------------------------------------------------


@given(full_oids)
def test_oid_encoding_matches_pyasn1_and_round_trips(oid) -> None:
    assert ber.enc_oid(oid) == encoder.encode(univ.ObjectIdentifier(oid))
    assert ber.dec_oid_body(ber.enc_oid_body(oid)) == oid


@given(st.integers(-(2**63), 2**63))
def test_integer_encoding_matches_pyasn1(value: int) -> None:
    ours = ber.enc_int(value)
    assert decoder.decode(ours, asn1Spec=univ.Integer())[0] == value
    theirs = encoder.encode(univ.Integer(value))
    # X.690 8.3.2 wants the shortest form; pyasn1 pads some negatives (-128 as FF 80).
    assert ours == theirs or (len(ours) < len(theirs) and value < 0)
    assert len(ours) - 2 == max(1, (value + (value < 0)).bit_length() // 8 + 1)


# --- decoding what pysnmp encodes ---------------------------------------------------------------

P = api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]


def pysnmp_response(varbinds, request_id: int = 4242, community: str = "c0mm") -> bytes:
    pdu = P.GetResponsePDU()
    P.apiPDU.set_defaults(pdu)
    P.apiPDU.set_request_id(pdu, request_id)
    P.apiPDU.set_varbinds(pdu, varbinds)
    msg = P.Message()
    P.apiMessage.set_defaults(msg)
    P.apiMessage.set_community(msg, community)
    P.apiMessage.set_pdu(msg, pdu)
    return encoder.encode(msg)


values = st.one_of(
    st.integers(-(2**31), 2**31 - 1).map(lambda v: (P.Integer(v), ValueType.INTEGER, v)),
    st.binary(max_size=300).map(lambda v: (P.OctetString(v), ValueType.OCTET_STRING, v)),
    full_oids.map(lambda v: (P.ObjectIdentifier(v), ValueType.OID, v)),
    st.tuples(*[st.integers(0, 255)] * 4).map(
        lambda q: (P.IpAddress(".".join(map(str, q))), ValueType.IP_ADDRESS, ".".join(map(str, q)))
    ),
    st.integers(0, 2**32 - 1).map(lambda v: (P.Counter32(v), ValueType.COUNTER32, v)),
    st.integers(0, 2**32 - 1).map(lambda v: (P.Gauge32(v), ValueType.GAUGE32, v)),
    st.integers(0, 2**32 - 1).map(lambda v: (P.TimeTicks(v), ValueType.TIMETICKS, v)),
    st.integers(0, 2**64 - 1).map(lambda v: (P.Counter64(v), ValueType.COUNTER64, v)),
    st.binary(max_size=20).map(lambda v: (P.Opaque(v), ValueType.OPAQUE, v)),
    st.just((P.Null(""), ValueType.NULL, None)),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(full_oids, values), max_size=12))
def test_decodes_what_pysnmp_encodes(rows) -> None:
    data = pysnmp_response([(oid, v[0]) for oid, v in rows])
    head = ber.community_head(data)
    assert (head.version, head.community, head.request_id, head.tag) == (1, b"c0mm", 4242, ber.RESPONSE)
    got = ber.varbinds_of(data, head.vb_start, head.vb_end)
    assert [(vb.oid, vb.type, vb.value) for vb in got] == [(oid, v[1], v[2]) for oid, v in rows]


def test_exception_values() -> None:
    oid = (1, 3, 6, 1, 2, 1, 1, 1, 0)
    for tag, vtype in (
        (0x80, ValueType.NO_SUCH_OBJECT),
        (0x81, ValueType.NO_SUCH_INSTANCE),
        (0x82, ValueType.END_OF_MIB_VIEW),
    ):
        vbl = ber.tlv(ber.SEQUENCE, ber.tlv(ber.SEQUENCE, ber.enc_oid(oid) + bytes([tag, 0])))
        assert ber.dec_varbinds(vbl, 2, len(vbl)) == [(oid, vtype, None)]


@pytest.mark.parametrize(
    "value, why",
    [
        (bytes([ber.COUNTER32, 6]) + b"\x01" * 6, "Counter32 length"),
        (bytes([ber.COUNTER64, 0]), "Counter64 length"),
        (bytes([ber.IP_ADDRESS, 3, 1, 2, 3]), "IpAddress of 3"),
        (bytes([ber.INTEGER, 0]), "INTEGER length"),
        (bytes([0x80, 1, 0]), "exception value with content"),
        (bytes([0x47, 1, 0]), "unknown value tag"),
        (bytes([ber.OBJECT_ID, 2, 0x2B, 0x86]), "ends inside"),
        (bytes([ber.OCTET_STRING, 0x80]), "indefinite length"),
    ],
)
def test_strict_value_checks(value: bytes, why: str) -> None:
    vbl = ber.tlv(ber.SEQUENCE, ber.tlv(ber.SEQUENCE, ber.enc_oid((1, 3, 6, 1)) + value))
    with pytest.raises(SnmpError) as info:
        ber.varbinds_of(vbl, 2, len(vbl))
    assert info.value.kind is ErrorClass.MALFORMED
    assert why.lower().split()[0] in str(info.value).lower()


# --- fuzz -----------------------------------------------------------------------------------


def _decode_any(data: bytes) -> None:
    """What the engine does with a datagram, minus the socket."""
    version = ber.message_version(data)
    if version == 3:
        head = ber.v3_head(data)
        if head.data_tag == ber.SEQUENCE:
            _, _, ps, pe = ber.scoped_pdu(data, head.data_pos, head.data_end)
            _, _, _, _, vs, ve = ber.pdu_head_checked(data, ps, pe)
            ber.varbinds_of(data, vs, ve)
    else:
        head2 = ber.community_head(data)
        ber.varbinds_of(data, head2.vb_start, head2.vb_end)


def _only_malformed(data: bytes) -> None:
    try:
        _decode_any(data)
    except SnmpError as e:
        assert e.kind is ErrorClass.MALFORMED


@settings(max_examples=3000)
@given(st.binary(max_size=200))
def test_fuzz_random_bytes(data: bytes) -> None:
    _only_malformed(data)


SAMPLE_V2C = pysnmp_response(
    [
        ((1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1), P.Counter32(123456)),
        ((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 1), P.Counter64(2**40)),
        ((1, 3, 6, 1, 2, 1, 1, 1, 0), P.OctetString(b"Huawei VRP")),
        ((1, 3, 6, 1, 4, 1, 2011, 300000), P.IpAddress("10.0.0.1")),
    ]
)
_scoped = ber.enc_scoped_pdu(b"\x80\x00\x1f\x88\x04abc", b"", SAMPLE_V2C[SAMPLE_V2C.index(b"\xa2") :])
_v3, _off = ber.enc_v3_message(77, 3, b"\x80\x00\x1f\x88\x04abc", 5, 1000, b"netmon", 12, b"", _scoped)
SAMPLE_V3 = bytes(_v3)


@settings(max_examples=3000)
@given(st.sampled_from([SAMPLE_V2C, SAMPLE_V3]), st.integers(0, 400), st.integers(0, 255), st.integers(0, 400))
def test_fuzz_mutated_messages(sample: bytes, pos: int, byte: int, cut: int) -> None:
    data = bytearray(sample)
    data[pos % len(data)] = byte
    _only_malformed(bytes(data))
    _only_malformed(bytes(data[: cut % (len(data) + 1)]))
    _only_malformed(sample[: cut % (len(sample) + 1)])


@settings(max_examples=1500, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from([SAMPLE_V2C, SAMPLE_V3]), st.integers(0, 400), st.integers(0, 255), st.binary(max_size=8))
def test_fuzz_engine_datagram_handler(sample: bytes, pos: int, byte: int, tail: bytes) -> None:
    """The socket callback itself: it must never raise, whatever arrives for a waiting request."""
    import asyncio

    async def run() -> None:
        engine = FastEngine()
        fut = asyncio.get_running_loop().create_future()
        params = UsmParams(b"netmon", "sha", b"auth-pass-1", "aes", b"priv-pass-1")
        for rid, version in ((4242, 1), (77, 3)):
            engine._pending[rid] = _Pending(
                ("127.0.0.1", 161),
                version,
                b"c0mm",
                future=fut,
                keys=UsmKeys(params, b"\x80\x00\x1f\x88\x04abc"),
                params=params,
            )
        data = bytearray(sample)
        data[pos % len(data)] = byte
        engine._on_datagram(bytes(data) + tail, ("127.0.0.1", 161))
        if fut.done() and fut.exception() is not None:
            assert isinstance(fut.exception(), SnmpError)

    asyncio.run(run())


# --- USM keys and ciphers -------------------------------------------------------------------

ENGINE = bytes.fromhex("000000000000000000000002")


def test_rfc3414_a3_key_localisation() -> None:
    assert localized_key(b"maplesyrup", ENGINE, "md5").hex() == "526f5eed9fcce26f8964c2930787d82b"
    assert localized_key(b"maplesyrup", ENGINE, "sha1").hex() == "6695febc9288e36282235fc7151f128497b38f3f"


@pytest.mark.parametrize("hash_name", ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"])
def test_localisation_matches_pysnmp(hash_name: str) -> None:
    from pysnmp.proto.secmod.rfc3414 import localkey

    h = getattr(hashlib, hash_name)
    ku = localkey.hash_passphrase(univ.OctetString(b"a-Pass-phrase"), h)
    want = bytes(localkey.localize_key(ku, univ.OctetString(ENGINE), h))
    assert localized_key(b"a-Pass-phrase", ENGINE, hash_name) == want


@pytest.mark.parametrize("size", [24, 32])
@pytest.mark.parametrize("hash_name", ["md5", "sha1"])
def test_key_extensions_match_pysnmp(size: int, hash_name: str) -> None:
    from pysnmp.proto.secmod.eso.priv import aes192, aes256
    from pysnmp.proto.secmod.rfc3414 import localkey
    from pysnmp.proto.secmod.rfc3414.auth import hmacmd5, hmacsha

    auth = hmacmd5.HmacMd5.SERVICE_ID if hash_name == "md5" else hmacsha.HmacSha.SERVICE_ID
    blumenthal = aes192.AesBlumenthal192() if size == 24 else aes256.AesBlumenthal256()
    reeder = aes192.Aes192() if size == 24 else aes256.Aes256()
    kul = localized_key(b"priv-Pass-phrase", ENGINE, hash_name)
    ours_b = extend_key(kul, size, ENGINE, hash_name, KeyExtension.BLUMENTHAL)
    ours_r = extend_key(kul, size, ENGINE, hash_name, KeyExtension.REEDER)
    ku = localkey.hash_passphrase(univ.OctetString(b"priv-Pass-phrase"), getattr(hashlib, hash_name))
    assert ours_b == bytes(blumenthal.localize_key(auth, ku, univ.OctetString(ENGINE)))
    assert ours_r == bytes(reeder.localize_key(auth, ku, univ.OctetString(ENGINE)))
    assert ours_b != ours_r and ours_b[: len(kul)] == kul


@pytest.mark.parametrize("priv", ["des", "aes", "aes192", "aes256"])
def test_cipher_round_trip_and_salt_changes(priv: str) -> None:
    keys = UsmKeys(UsmParams(b"u", "sha256", b"auth-pass-1", priv, b"priv-pass-1"), ENGINE)
    plain = ber.enc_scoped_pdu(ENGINE, b"", ber.enc_pdu(ber.GET, 1, [(1, 3, 6, 1, 2, 1, 1, 3, 0)]))
    c1, s1 = keys.encrypt(plain, 3, 4000)
    c2, s2 = keys.encrypt(plain, 3, 4000)
    assert s1 != s2 and c1 != c2  # a fresh salt per message
    assert keys.decrypt(c1, s1, 3, 4000)[: len(plain)] == plain
    with pytest.raises(SnmpError) as info:
        keys.decrypt(c1, s1[:7], 3, 4000)
    assert info.value.kind is ErrorClass.DECRYPTION_ERROR


@pytest.mark.parametrize(
    "auth, size", [("md5", 12), ("sha", 12), ("sha224", 16), ("sha256", 24), ("sha384", 32), ("sha512", 48)]
)
def test_sign_and_verify(auth: str, size: int) -> None:
    keys = UsmKeys(UsmParams(b"u", auth, b"auth-pass-1", "none", b""), ENGINE)
    msg, off = ber.enc_v3_message(5, 1 | 4, ENGINE, 1, 2, b"u", keys.auth_len, b"", _scoped)
    keys.sign(msg, off)
    head = ber.v3_head(bytes(msg))
    assert len(head.auth_params) == size and head.auth_offset == off
    assert keys.verify(bytes(msg), off, head.auth_params)
    tampered = bytearray(msg)
    tampered[-1] ^= 1
    assert not keys.verify(bytes(tampered), off, head.auth_params)
    assert "auth-pass" not in repr(keys) and "auth-pass" not in repr(UsmParams(b"u", auth, b"auth-pass-1", "none", b""))


def test_long_form_lengths_are_accepted() -> None:
    """BER allows a long-form length where a short one would do (some agents send it)."""
    oid = (1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1)
    value = bytes([ber.COUNTER32, 0x81, 4, 0xB2, 0xD0, 0x5E, 0x00])
    vb = bytes([ber.SEQUENCE, 0x82, 0]) + bytes([len(ber.enc_oid(oid)) + len(value)])
    vbl = ber.tlv(ber.SEQUENCE, vb + ber.enc_oid(oid) + value)
    assert ber.varbinds_of(vbl, 2, len(vbl)) == [(oid, ValueType.COUNTER32, 0xB2D05E00)]
