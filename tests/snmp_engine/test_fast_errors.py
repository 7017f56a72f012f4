"""FastEngine's error classes against real snmpd: wrong credentials, silence, missing OIDs,
short tables, v3 engine-state caching and re-sync, and a dead target beside a live one."""

from __future__ import annotations

import asyncio
import os
import socket
import time

import pytest
from pydantic import SecretStr

from collectors.snmp.engine import ErrorClass, SnmpError, Target, ValueType, parse_oid
from collectors.snmp.engine_fast import FastEngine
from netmon.config import SnmpCredential
from netmon.lab.snmpd import Snmpd
from tests.snmp_engine.snmpeng_helpers import netsnmp

SYS_UPTIME = (1, 3, 6, 1, 2, 1, 1, 3, 0)
SYS_NAME = (1, 3, 6, 1, 2, 1, 1, 5, 0)


@pytest.fixture
async def engine():
    e = FastEngine()
    yield e
    await e.close()


def _v3(user: str, auth: str = "none", auth_key: str | None = None, priv: str = "none", priv_key: str | None = None):
    return SnmpCredential(
        version="3",
        user=user,
        auth_protocol=auth,
        priv_protocol=priv,
        auth_key=SecretStr(auth_key) if auth_key else None,
        priv_key=SecretStr(priv_key) if priv_key else None,
    )


async def _kind(engine: FastEngine, target: Target) -> SnmpError:
    with pytest.raises(SnmpError) as info:
        await engine.get(target, [SYS_NAME])
    return info.value


async def test_wrong_community_times_out(engine: FastEngine, snmpd: Snmpd) -> None:
    err = await _kind(engine, Target("127.0.0.1", snmpd.v2c("not-the-community"), snmpd.port, timeout=0.3, retries=1))
    assert err.kind is ErrorClass.TIMEOUT
    assert "not-the-community" not in str(err)
    assert engine.stats.retries == 1


async def test_wrong_auth_key(engine: FastEngine, snmpd: Snmpd) -> None:
    user = snmpd.user("sha256", "aes")
    err = await _kind(engine, Target("127.0.0.1", user.credential(auth_key="wrong-auth-key"), snmpd.port, timeout=1))
    assert err.kind is ErrorClass.AUTH_FAILURE
    assert "wrong-auth-key" not in str(err) and user.auth_key not in str(err)


async def test_wrong_auth_protocol(engine: FastEngine, snmpd: Snmpd) -> None:
    user = snmpd.user("sha", "none")
    cred = _v3(user.name, "md5", user.auth_key)
    err = await _kind(engine, Target("127.0.0.1", cred, snmpd.port, timeout=1))
    assert err.kind is ErrorClass.AUTH_FAILURE


async def test_unknown_user(engine: FastEngine, snmpd: Snmpd) -> None:
    err = await _kind(engine, Target("127.0.0.1", _v3("ghost", "sha", "whatever-1"), snmpd.port, timeout=1))
    assert err.kind is ErrorClass.UNKNOWN_USER
    assert "ghost" in str(err)


@pytest.mark.parametrize("priv", ["aes", "des", "aes256"])
async def test_wrong_priv_key(engine: FastEngine, snmpd: Snmpd, priv: str) -> None:
    user = snmpd.user("sha", priv)
    err = await _kind(
        engine, Target("127.0.0.1", user.credential(priv_key="wrong-priv-key"), snmpd.port, timeout=0.5, retries=0)
    )
    assert err.kind is ErrorClass.DECRYPTION_ERROR
    assert "wrong-priv-key" not in str(err)
    # The same user with the right key works on the same engine afterwards.
    got = await engine.get(Target("127.0.0.1", user.credential(), snmpd.port), [SYS_NAME])
    assert got[0].type is ValueType.OCTET_STRING


async def test_security_level_below_the_users(engine: FastEngine, snmpd: Snmpd) -> None:
    user = snmpd.user("sha", "aes")  # snmpd requires priv for it (rouser ... priv)
    err = await _kind(engine, Target("127.0.0.1", _v3(user.name, "sha", user.auth_key), snmpd.port, timeout=1))
    assert err.kind is ErrorClass.AGENT_ERROR and "authorizationError" in str(err)


async def test_unreachable_port_times_out_within_bound(engine: FastEngine, snmpd: Snmpd) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Nothing listens: the kernel answers ICMP port unreachable, which an unconnected socket
    # cannot tie to a request; the request ends by its own timeout x (retries + 1).
    target = Target("127.0.0.1", snmpd.v2c(), port, timeout=0.2, retries=2)
    start = time.monotonic()
    with pytest.raises(SnmpError) as info:
        await engine.bulk_walk(target, [parse_oid("1.3.6.1.2.1.2.2.1")])
    assert info.value.kind is ErrorClass.TIMEOUT
    assert time.monotonic() - start < 0.2 * 3 + 1.0
    assert "3 x 0.2s" in str(info.value)


async def test_get_exceptions_match_net_snmp(engine: FastEngine, snmpd: Snmpd) -> None:
    oids = ["1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.99.0", "1.3.6.1.2.1.1.5.1", "1.3.6.1.2.1.1.3.0"]
    got = await engine.get(Target("127.0.0.1", snmpd.v2c(), snmpd.port), [parse_oid(o) for o in oids])
    truth = netsnmp("snmpget", ["-v2c", "-c", snmpd.community], "127.0.0.1", snmpd.port, *oids)
    assert [vb.type for vb in got] == [t[1] for t in truth]
    assert got[1].type is ValueType.NO_SUCH_OBJECT and got[2].type is ValueType.NO_SUCH_INSTANCE
    assert got[0].value == truth[0][2]


async def test_v1_get_missing_oid_is_no_such_object(engine: FastEngine, snmpd: Snmpd) -> None:
    cred = SnmpCredential(version="1", community=SecretStr(snmpd.community))
    got = await engine.get(Target("127.0.0.1", cred, snmpd.port), [SYS_NAME, (1, 3, 6, 1, 2, 1, 99, 0), SYS_UPTIME])
    assert [vb.type for vb in got] == [ValueType.OCTET_STRING, ValueType.NO_SUCH_OBJECT, ValueType.TIMETICKS]


async def test_walk_past_end_of_mib_and_empty_and_short_columns(engine: FastEngine, snmpd: Snmpd) -> None:
    target = Target("127.0.0.1", snmpd.v2c(), snmpd.port)
    roots = [
        parse_oid("1.3.6.1.2.1.2.2.1.2"),
        parse_oid("1.3.6.1.2.1.2.2.1.99"),
        parse_oid("1.3.6.1.2.1.1.9.1.2"),
        parse_oid("2.99"),
    ]
    got = await engine.bulk_walk(target, roots, max_repetitions=3)
    assert got[roots[1]] == [] and got[roots[3]] == []  # empty column; past the end of the MIB
    names = netsnmp("snmpbulkwalk", ["-v2c", "-c", snmpd.community], "127.0.0.1", snmpd.port, "1.3.6.1.2.1.2.2.1.2")
    assert [(vb.oid, vb.value) for vb in got[roots[0]]] == [(r[0], r[2]) for r in names]
    sysor = netsnmp("snmpbulkwalk", ["-v2c", "-c", snmpd.community], "127.0.0.1", snmpd.port, "1.3.6.1.2.1.1.9.1.2")
    assert [(vb.oid, vb.value) for vb in got[roots[2]]] == [(r[0], r[2]) for r in sysor]
    assert len(sysor) != len(names)  # columns of different lengths, walked side by side


async def test_max_values_cap(engine: FastEngine, snmpd: Snmpd) -> None:
    target = Target("127.0.0.1", snmpd.v2c(), snmpd.port)
    with pytest.raises(SnmpError) as info:
        await engine.bulk_walk(target, [parse_oid("1.3.6.1.2.1.1.9")], max_repetitions=5, max_values=10)
    assert info.value.kind is ErrorClass.MALFORMED and "max_values=10" in str(info.value)


async def test_v3_discovery_is_cached_and_resyncs_time(engine: FastEngine, snmpd: Snmpd) -> None:
    user = snmpd.user("sha", "aes")
    target = Target("127.0.0.1", user.credential(), snmpd.port)
    await engine.get(target, [SYS_UPTIME])
    first = engine.stats.requests
    await engine.get(target, [SYS_UPTIME])
    assert engine.stats.requests == first + 1  # no second discovery
    state = engine._engines[("127.0.0.1", snmpd.port)]
    # Our clock runs 1,000 s ahead (a suspended poller): the agent answers notInTimeWindow,
    # we take its time and the same call succeeds.
    state.time += 1000
    before = engine.stats.requests
    got = await engine.get(target, [SYS_UPTIME])
    assert got[0].type is ValueType.TIMETICKS
    assert engine.stats.requests == before + 2
    assert state.now()[1] < 900


async def test_v3_engine_id_change_rediscovers(engine: FastEngine, snmpd: Snmpd) -> None:
    user = snmpd.user("md5", "des")
    target = Target("127.0.0.1", user.credential(), snmpd.port)
    await engine.get(target, [SYS_UPTIME])
    state = engine._engines[("127.0.0.1", snmpd.port)]
    real = state.engine_id
    state.engine_id = b"\x80\x00\x1f\x88\x04stale-engine"  # as if the device had been replaced
    got = await engine.get(target, [SYS_UPTIME])
    assert got[0].type is ValueType.TIMETICKS
    assert engine._engines[("127.0.0.1", snmpd.port)].engine_id == real


async def test_dead_target_never_delays_live_one(engine: FastEngine, snmpd: Snmpd) -> None:
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # receives, never answers
    silent.bind(("127.0.0.1", 0))
    try:
        dead = Target(
            "127.0.0.1",
            snmpd.user("sha", "aes").credential(),
            silent.getsockname()[1],
            timeout=1.0,
            retries=1,
            name="dead",
        )
        live = Target("127.0.0.1", snmpd.user("sha", "aes").credential(), snmpd.port, name="live")
        done: list[str] = []
        roots = [parse_oid("1.3.6.1.2.1.2.2.1"), parse_oid("1.3.6.1.2.1.31.1.1.1")]

        async def poll(t: Target) -> None:
            try:
                await engine.bulk_walk(t, roots)
                done.append(f"{t.name}:ok")
            except SnmpError as e:
                done.append(f"{t.name}:{e.kind.value}")

        dead_task = asyncio.ensure_future(poll(dead))
        await poll(live)
        assert done == ["live:ok"] and not dead_task.done()  # live finished while dead still waits
        await dead_task
        assert done == ["live:ok", "dead:timeout"]
    finally:
        silent.close()


async def test_concurrent_first_requests_share_one_discovery(snmpd: Snmpd) -> None:
    engine = FastEngine()
    try:
        target = Target("127.0.0.1", snmpd.user("sha512", "aes256").credential(), snmpd.port)
        got = await asyncio.gather(*(engine.get(target, [SYS_UPTIME]) for _ in range(20)))
        assert all(g[0].type is ValueType.TIMETICKS for g in got)
        # 20 GETs, one discovery, one shared authNoPriv probe, maybe one time re-sync
        assert engine.stats.requests <= 20 + 1 + 1 + 1
        assert len(engine._engines) == 1
    finally:
        await engine.close()


async def test_close_fails_waiting_requests(snmpd: Snmpd) -> None:
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    engine = FastEngine()
    try:
        target = Target("127.0.0.1", snmpd.v2c(), silent.getsockname()[1], timeout=30)
        task = asyncio.ensure_future(engine.get(target, [SYS_UPTIME]))
        await asyncio.sleep(0.05)
        await engine.close()
        with pytest.raises(SnmpError) as info:
            await asyncio.wait_for(task, 5)
        assert info.value.kind is ErrorClass.SOCKET
    finally:
        silent.close()


def test_engine_survives_a_second_event_loop(snmpd: Snmpd) -> None:
    """`netmon poll --interval` style: asyncio.run twice with the same engine."""
    engine = FastEngine()
    target = Target("127.0.0.1", snmpd.user("sha", "aes").credential(), snmpd.port)
    first = asyncio.run(engine.get(target, [SYS_UPTIME]))
    second = asyncio.run(engine.get(target, [SYS_UPTIME]))
    assert first[0].type is second[0].type is ValueType.TIMETICKS
    asyncio.run(engine.close())


async def test_ipv6_target(tmp_path) -> None:
    from netmon.lab.snmpd import start_snmpd

    try:
        agent = start_snmpd(tmp_path, host="::1", users=[])
    except RuntimeError as e:
        pytest.skip(f"no IPv6 loopback here: {e}")
    engine = FastEngine()
    try:
        got = await engine.bulk_walk(Target("::1", agent.v2c(), agent.port), [parse_oid("1.3.6.1.2.1.1")])
        truth = netsnmp("snmpbulkwalk", ["-v2c", "-c", agent.community], "::1", agent.port, "1.3.6.1.2.1.1.1")
        assert got[parse_oid("1.3.6.1.2.1.1")][0].value == truth[0][2]
    finally:
        await engine.close()
        agent.stop()


async def test_one_socket_with_a_large_receive_buffer(engine: FastEngine, snmpd: Snmpd) -> None:
    for cred in (snmpd.v2c(), snmpd.user("md5", "none").credential()):
        await engine.get(Target("127.0.0.1", cred, snmpd.port), [SYS_UPTIME])
    assert list(engine._sockets.raw) == [socket.AF_INET]  # v2c and v3 share one socket
    sock = engine._sockets.raw[socket.AF_INET]
    got = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    if os.geteuid() == 0:
        assert got >= 4 << 20  # the kernel reports double what was set
    else:
        assert got > 0  # capped by net.core.rmem_max without root
