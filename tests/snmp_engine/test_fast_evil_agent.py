"""FastEngine against a tiny "evil agent" on 127.0.0.1 that answers with crafted bytes:
loops, endless tables, truncated and garbage datagrams, wrong ids, answers from another
address, tooBig. Every case ends in a classified SnmpError (or success) in bounded time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from pydantic import SecretStr

from collectors.snmp import ber
from collectors.snmp.engine import ErrorClass, Oid, SnmpError, Target
from collectors.snmp.engine_fast import FastEngine
from netmon.config import SnmpCredential

ROOT = (1, 3, 6, 1, 2, 1, 2, 2, 1, 2)
Reply = Callable[[ber.CommunityHead, list[Oid], bytes], list[bytes]]


def response(
    head: ber.CommunityHead,
    varbinds: list[bytes],
    *,
    status: int = 0,
    index: int = 0,
    rid: int | None = None,
    community: bytes | None = None,
) -> bytes:
    """A v2c Response built by hand (values given as encoded TLVs after each OID)."""
    vbl = ber.tlv(ber.SEQUENCE, b"".join(ber.tlv(ber.SEQUENCE, v) for v in varbinds))
    body = ber.enc_int(head.request_id if rid is None else rid) + ber.enc_int(status) + ber.enc_int(index) + vbl
    return ber.enc_community_message(
        head.version, head.community if community is None else community, ber.tlv(ber.RESPONSE, body)
    )


def octets_vb(oid: Oid, value: bytes = b"x") -> bytes:
    return ber.enc_oid(oid) + ber.tlv(ber.OCTET_STRING, value)


class EvilAgent(asyncio.DatagramProtocol):
    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.transport: asyncio.DatagramTransport | None = None
        self.requests = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr) -> None:
        self.requests += 1
        head = ber.community_head(data)
        oids = [vb.oid for vb in ber.varbinds_of(data, head.vb_start, head.vb_end)]
        for out in self.reply(head, oids, data):
            self.transport.sendto(out, addr)


@pytest.fixture
async def evil():
    """start(reply) -> (Target, agent); every agent and the engine are closed after the test."""
    loop = asyncio.get_running_loop()
    transports = []
    engine = FastEngine()

    async def start(reply: Reply, timeout: float = 0.5, retries: int = 0, version: str = "2c"):
        transport, agent = await loop.create_datagram_endpoint(lambda: EvilAgent(reply), local_addr=("127.0.0.1", 0))
        transports.append(transport)
        port = transport.get_extra_info("sockname")[1]
        cred = SnmpCredential(version=version, community=SecretStr("evil"))
        return Target("127.0.0.1", cred, port, timeout=timeout, retries=retries, name="evil"), agent

    yield engine, start
    await engine.close()
    for t in transports:
        t.close()


async def test_looping_agent(evil) -> None:
    engine, start = evil
    target, _ = await start(lambda h, oids, raw: [response(h, [octets_vb((*ROOT, 1))] * 5)])
    with pytest.raises(SnmpError) as info:
        await engine.bulk_walk(target, [ROOT])
    assert info.value.kind is ErrorClass.LOOP and "non-increasing" in str(info.value)


async def test_agent_going_backwards(evil) -> None:
    engine, start = evil
    target, _ = await start(lambda h, oids, raw: [response(h, [octets_vb((*ROOT, 5)), octets_vb((*ROOT, 3))])])
    with pytest.raises(SnmpError) as info:
        await engine.bulk_walk(target, [ROOT])
    assert info.value.kind is ErrorClass.LOOP


async def test_table_that_never_ends(evil) -> None:
    engine, start = evil

    def endless(h, oids, raw):  # always 10 more rows after the one asked for
        last = oids[0][-1] if len(oids[0]) > len(ROOT) else 0
        return [response(h, [octets_vb((*ROOT, last + k)) for k in range(1, 11)])]

    target, agent = await start(endless)
    with pytest.raises(SnmpError) as info:
        await engine.bulk_walk(target, [ROOT], max_values=1000)
    assert info.value.kind is ErrorClass.MALFORMED and "max_values" in str(info.value)
    assert agent.requests == 101


async def test_truncated_response(evil) -> None:
    engine, start = evil
    target, _ = await start(lambda h, oids, raw: [response(h, [octets_vb((*ROOT, 1), b"y" * 50)])[:-20]])
    with pytest.raises(SnmpError) as info:
        await engine.get(target, [(*ROOT, 1)])
    assert info.value.kind is ErrorClass.MALFORMED
    assert engine.stats.garbage == 1


async def test_bad_varbind_after_a_good_header_fails_at_once(evil) -> None:
    engine, start = evil
    bad = ber.enc_oid((*ROOT, 1)) + bytes([ber.COUNTER32, 7]) + b"\x01" * 7  # a 7-byte Counter32
    target, _ = await start(lambda h, oids, raw: [response(h, [bad])], timeout=30)
    with pytest.raises(SnmpError) as info:
        await asyncio.wait_for(engine.get(target, [(*ROOT, 1)]), 5)  # long before the 30 s timeout
    assert info.value.kind is ErrorClass.MALFORMED and "Counter32" in str(info.value)


async def test_garbage_and_wrong_ids_are_dropped(evil) -> None:
    engine, start = evil

    def noisy(h, oids, raw):
        return [
            b"\x00\x01garbage",
            response(h, [octets_vb(oids[0], b"spoof")], rid=h.request_id + 1),  # unknown id
            response(h, [octets_vb(oids[0], b"spoof")], community=b"other"),  # wrong community
            response(h, [octets_vb(oids[0], b"real")]),
            response(h, [octets_vb(oids[0], b"late duplicate")]),  # no longer waited for: unknown id
        ]

    target, _ = await start(noisy)
    got = await engine.get(target, [(*ROOT, 1)])
    assert got[0].value == b"real"
    await asyncio.sleep(0.05)
    s = engine.stats
    assert (s.garbage, s.unknown_id, s.auth_dropped) == (1, 2, 1)


async def test_response_from_another_address_is_dropped(evil) -> None:
    engine, start = evil
    loop = asyncio.get_running_loop()
    other, _ = await loop.create_datagram_endpoint(asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0))
    try:

        def from_elsewhere(h, oids, raw):
            # The right id and community, but sent from another port: a spoof.
            client = ("127.0.0.1", engine._sockets.raw[2].getsockname()[1])
            other.sendto(response(h, [octets_vb(oids[0])]), client)
            return []

        target, _ = await start(from_elsewhere, timeout=0.3)
        with pytest.raises(SnmpError) as info:
            await engine.get(target, [(*ROOT, 1)])
        assert info.value.kind is ErrorClass.TIMEOUT
        assert engine.stats.wrong_address == 1
    finally:
        other.close()


async def test_too_big_shrinks_max_repetitions(evil) -> None:
    engine, start = evil
    rows = 30

    def picky(h, oids, raw):
        if h.error_index > 4:  # GETBULK max-repetitions arrives in the error-index field
            return [response(h, [octets_vb(o) for o in oids], status=1)]
        last = oids[0][-1] if len(oids[0]) > len(ROOT) else 0
        vbs = [octets_vb((*ROOT, k), b"%d" % k) for k in range(last + 1, min(last + h.error_index, rows) + 1)]
        if vbs and last + h.error_index >= rows:  # the table ends: the next column follows
            vbs.append(ber.enc_oid((*ROOT[:-1], 3, 1)) + bytes([ber.INTEGER, 1, 6]))
        return [response(h, vbs)]

    target, _ = await start(picky)
    got = await engine.bulk_walk(target, [ROOT], max_repetitions=25)
    assert [vb.value for vb in got[ROOT]] == [b"%d" % k for k in range(1, rows + 1)]


async def test_v1_end_of_mib_by_no_such_name(evil) -> None:
    engine, start = evil

    def v1(h, oids, raw):
        assert h.tag == ber.GETNEXT
        last = oids[0][-1] if len(oids[0]) > len(ROOT) else 0
        if last >= 3:
            return [response(h, [ber.enc_oid(oids[0]) + b"\x05\x00"], status=2, index=1)]
        return [response(h, [octets_vb((*ROOT, last + 1))])]

    target, _ = await start(v1, version="1")
    got = await engine.bulk_walk(target, [ROOT])
    assert [vb.oid for vb in got[ROOT]] == [(*ROOT, 1), (*ROOT, 2), (*ROOT, 3)]


async def test_agent_error_status(evil) -> None:
    engine, start = evil
    target, _ = await start(lambda h, oids, raw: [response(h, [octets_vb(o) for o in oids], status=5, index=1)])
    with pytest.raises(SnmpError) as info:
        await engine.get(target, [(*ROOT, 1)])
    assert info.value.kind is ErrorClass.AGENT_ERROR and "genErr" in str(info.value)


async def test_not_an_ip_address(evil) -> None:
    engine, _ = evil
    cred = SnmpCredential(version="2c", community=SecretStr("x"))
    with pytest.raises(SnmpError) as info:
        await engine.get(Target("router.example", cred, 161, name="r1"), [ROOT])
    assert info.value.kind is ErrorClass.SOCKET and "r1" in str(info.value)


# --- a v3 agent that answers discovery, then signs its responses with a key of its choice ----

ENGINE_ID = b"\x80\x00\x1f\x88\x04evil-agent"


class EvilV3Agent(asyncio.DatagramProtocol):
    def __init__(self, sign_with: bytes) -> None:
        from collectors.snmp.usm import UsmKeys, UsmParams

        self.keys = UsmKeys(UsmParams(b"op", "sha", sign_with, "none", b""), ENGINE_ID)
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr) -> None:
        head = ber.v3_head(data)
        _, _, ps, pe = ber.scoped_pdu(data, head.data_pos, head.data_end)
        _tag, rid, *_ = ber.pdu_head(data, ps, pe)
        if not head.user:  # discovery: report usmStatsUnknownEngineIDs with our engine ID
            vb = ber.enc_oid((1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0)) + ber.enc_int(1, ber.COUNTER32)
            pdu = ber.tlv(
                ber.REPORT, ber.enc_int(rid) + ber.enc_int(0) + ber.enc_int(0) + ber.tlv(0x30, ber.tlv(0x30, vb))
            )
            msg, _ = ber.enc_v3_message(
                head.msg_id, 0, ENGINE_ID, 1, 10, b"", 0, b"", ber.enc_scoped_pdu(ENGINE_ID, b"", pdu)
            )
        else:
            vb = ber.enc_oid((1, 3, 6, 1, 2, 1, 1, 5, 0)) + ber.tlv(ber.OCTET_STRING, b"evil")
            pdu = ber.tlv(
                ber.RESPONSE, ber.enc_int(rid) + ber.enc_int(0) + ber.enc_int(0) + ber.tlv(0x30, ber.tlv(0x30, vb))
            )
            msg, off = ber.enc_v3_message(head.msg_id, ber.FLAG_AUTH, ENGINE_ID, 1, 10, b"op", 12, b"",
                                          ber.enc_scoped_pdu(ENGINE_ID, b"", pdu))  # fmt: skip
            self.keys.sign(msg, off)
        self.transport.sendto(bytes(msg), addr)


@pytest.mark.parametrize("key, ok", [(b"the-right-key", True), (b"an-attackers-key", False)])
async def test_v3_response_hmac_is_verified(key: bytes, ok: bool) -> None:
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: EvilV3Agent(key), local_addr=("127.0.0.1", 0))
    engine = FastEngine()
    try:
        cred = SnmpCredential(version="3", user="op", auth_protocol="sha", auth_key=SecretStr("the-right-key"))
        target = Target("127.0.0.1", cred, transport.get_extra_info("sockname")[1], timeout=0.3, retries=0)
        if ok:
            got = await engine.get(target, [(1, 3, 6, 1, 2, 1, 1, 5, 0)])
            assert got[0].value == b"evil"
        else:
            with pytest.raises(SnmpError) as info:
                await engine.get(target, [(1, 3, 6, 1, 2, 1, 1, 5, 0)])
            assert info.value.kind is ErrorClass.AUTH_FAILURE and "HMAC" in str(info.value)
            assert engine.stats.auth_dropped == 1
    finally:
        await engine.close()
        transport.close()


@pytest.mark.parametrize("port", [0, 70000])
async def test_port_out_of_range(evil, port: int) -> None:
    engine, _ = evil
    cred = SnmpCredential(version="2c", community=SecretStr("x"))
    with pytest.raises(SnmpError) as info:
        await engine.get(Target("127.0.0.1", cred, port), [ROOT])
    assert info.value.kind is ErrorClass.SOCKET and str(port) in str(info.value)


async def test_v2c_credential_without_community(evil) -> None:
    engine, _ = evil
    with pytest.raises(SnmpError) as info:
        await engine.get(Target("127.0.0.1", SnmpCredential(version="2c"), 161), [ROOT])
    assert info.value.kind is ErrorClass.AUTH_FAILURE and "community" in str(info.value)


async def test_v3_priv_without_auth_is_refused(evil) -> None:
    engine, _ = evil
    cred = SnmpCredential(version="3", user="u", priv_protocol="aes", priv_key=SecretStr("priv-key-1"))
    with pytest.raises(SnmpError) as info:
        await engine.get(Target("127.0.0.1", cred, 161), [ROOT])
    assert info.value.kind is ErrorClass.UNSUPPORTED_SEC_LEVEL and "priv-key-1" not in str(info.value)
