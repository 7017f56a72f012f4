"""FastEngine: SNMP v1/v2c/v3 over one asyncio UDP socket per address family.

Why not pysnmp: pyasn1 decoding costs 60-86 µs CPU per value (PERFORMANCE-NOTES.md); the
lean codec in ``ber`` decodes straight into ints/bytes/tuples. Design:

- one socket per family for all targets (SO_RCVBUF raised to 4 MiB: bursts of responses from
  many agents otherwise overflow the kernel's default 208 KiB and are dropped), read by our
  own reader that drains every queued datagram per wake-up with ``recvmsg`` (the kernel's
  receive timestamp and its drop counter come with each one);
- a request's time runs from its send to the kernel's receive timestamp of the answer, and a
  time-out first drains the socket: an answer that arrived while the event loop was busy
  elsewhere counts, so a slow poller never makes a device time out. The time is charged to
  the poll's ``PollClock`` (the device budget). A time-out during which the kernel dropped
  datagrams for a full buffer is ``POLLER_OVERLOADED``, not the device's fault;
- each request waits on a future keyed by request-id (v1/v2c) or msgID (v3, equal to the
  PDU's request-id); a response from another address, with an unknown id or that does not
  decode is counted in ``stats`` and dropped — it never reaches the event loop's handler;
- per-target timeout and retries with the same id, so a late answer to the first try still
  counts;
- walks send one GETBULK for all still-open columns and build the next one from each
  column's last OID; a column ends at the first OID outside its root or at endOfMibView;
- v3: engine-ID/boots/time discovered once per agent address and cached; a notInTimeWindow
  report re-syncs the clock and retries once; an unknownEngineID report re-discovers once;
  agents drop what they cannot decrypt without a report, so until encryption has worked once
  for a user an authNoPriv probe runs alongside to tell a wrong priv key from a dead agent.

Errors are ``SnmpError`` with an ``ErrorClass``; messages name the target, never a secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import itertools
import os
import random
import socket
import struct
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

from netmon.config import SnmpCredential

from . import ber
from .engine import POLL_CLOCK, ErrorClass, Oid, SnmpError, Target, ValueType, VarBind
from .usm import EngineState, UsmKeys, UsmParams, classify_report, keys_for

RCVBUF = 4 << 20
_LINUX = sys.platform.startswith("linux")
# Linux socket options (asm-generic): kernel receive time (CLOCK_REALTIME timespec) and the
# count of datagrams the socket dropped for a full receive buffer, as ancillary data.
SO_TIMESTAMPNS = 35
SO_RXQ_OVFL = 40
_ANC_SIZE = socket.CMSG_SPACE(16) + socket.CMSG_SPACE(4)
_DRAIN_MAX = 2048  # datagrams per wake-up, so other callbacks still get their turn
_END = ValueType.END_OF_MIB_VIEW
_ERROR_STATUS = {
    1: "tooBig", 2: "noSuchName", 3: "badValue", 4: "readOnly", 5: "genErr", 6: "noAccess",
    7: "wrongType", 8: "wrongLength", 9: "wrongEncoding", 10: "wrongValue", 11: "noCreation",
    12: "inconsistentValue", 13: "resourceUnavailable", 14: "commitFailed", 15: "undoFailed",
    16: "authorizationError", 17: "notWritable", 18: "inconsistentName",
}  # fmt: skip
_VERSION = {"1": ber.V1, "2c": ber.V2C, "3": ber.V3}


@dataclass
class EngineStats:
    """Counters of what the socket saw; dropped datagrams never raise."""

    requests: int = 0
    retries: int = 0
    timeouts: int = 0
    responses: int = 0
    garbage: int = 0  # datagrams that do not decode as an SNMP message
    wrong_address: int = 0  # a pending id, but from another address than the target's
    unknown_id: int = 0  # no request waits for this id (late, duplicate or spoofed)
    auth_dropped: int = 0  # v3 responses failing HMAC, wrong level or wrong community
    malformed: int = 0  # matched a request but its PDU did not decode
    socket_errors: int = 0
    kernel_drops: int = 0  # datagrams the kernel dropped for a full receive buffer (SO_RXQ_OVFL)
    overloaded: int = 0  # time-outs while the kernel dropped datagrams: the poller's fault

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(slots=True)
class _Pending:
    addr: tuple[str, int]
    version: int
    community: bytes = b""
    keys: UsmKeys | None = None  # v3 with auth: verify/decrypt with these
    params: UsmParams | None = None
    future: asyncio.Future[_Reply | None] | None = None
    note: str = ""  # what went wrong with data from this address while waiting
    note_kind: ErrorClass = ErrorClass.MALFORMED
    rx: float = 0.0  # kernel receive time (time.time() scale) of the matched answer


@dataclass(slots=True)
class _Reply:
    pdu: ber.Pdu
    v3: ber.V3Head | None = None


@dataclass(slots=True)
class _Addr:
    family: int
    sockaddr: tuple[str, int]


@dataclass
class _Transports:
    raw: dict[int, socket.socket] = field(default_factory=dict)


class FastEngine:
    """The ``Engine`` protocol on a lean codec; create inside the event loop that uses it."""

    def __init__(self, rcvbuf: int = RCVBUF, gather_s: float = 0.0) -> None:
        self.rcvbuf = rcvbuf
        # > 0: after the socket turns readable, wait this long before reading, so the answers
        # of several polls are read in one wake-up (netmon run; response times come from the
        # kernel's receive timestamps, so they do not grow by it).
        self.gather_s = gather_s
        self.stats = EngineStats()
        self._pending: dict[int, _Pending] = {}
        self._ids = itertools.count(random.randrange(1, 1 << 30))
        self._sockets = _Transports()
        self._addrs: dict[tuple[str, int], _Addr] = {}
        self._engines: dict[tuple[str, int], EngineState] = {}
        self._discovering: dict[tuple[str, int], asyncio.Future[EngineState]] = {}
        self._params: dict[int, tuple[SnmpCredential, UsmParams]] = {}
        self._priv_ok: set[tuple[tuple[str, int], UsmParams]] = set()
        self._probes: dict[tuple[tuple[str, int], UsmParams], asyncio.Future[bool]] = {}
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- public API (collectors.snmp.engine.Engine) ------------------------------------

    async def get(self, target: Target, oids: Sequence[Oid]) -> list[VarBind]:
        """One GET; noSuchObject & co come back as VarBinds (v1 noSuchName too)."""
        want = [tuple(o) for o in oids]
        if not want:
            return []
        version = _version(target)
        if version != ber.V1:
            pdu = await self._request(target, ber.GET, want)
            _check_status(target, pdu)
            if len(pdu.varbinds) != len(want):
                raise _malformed(target, f"GET of {len(want)} OIDs answered with {len(pdu.varbinds)}")
            return pdu.varbinds
        # v1 reports a missing OID as noSuchName at its index: drop it and ask again.
        missing: set[int] = set()
        while True:
            ask = [i for i in range(len(want)) if i not in missing]
            if not ask:
                return [VarBind(o, ValueType.NO_SUCH_OBJECT, None) for o in want]
            pdu = await self._request(target, ber.GET, [want[i] for i in ask])
            if pdu.error_status == 2 and 1 <= pdu.error_index <= len(ask):
                missing.add(ask[pdu.error_index - 1])
                continue
            _check_status(target, pdu)
            if len(pdu.varbinds) != len(ask):
                raise _malformed(target, f"GET of {len(ask)} OIDs answered with {len(pdu.varbinds)}")
            got = dict(zip(ask, pdu.varbinds, strict=True))
            return [got.get(i) or VarBind(want[i], ValueType.NO_SUCH_OBJECT, None) for i in range(len(want))]

    async def bulk_walk(
        self, target: Target, roots: Sequence[Oid], max_repetitions: int = 25, max_values: int = 1_000_000
    ) -> dict[Oid, list[VarBind]]:
        """Walk the subtrees under ``roots`` side by side (see Engine.bulk_walk)."""
        uniq = list(dict.fromkeys(tuple(r) for r in roots))
        result: dict[Oid, list[VarBind]] = {r: [] for r in uniq}
        for r in uniq:
            if len(r) < 2:
                raise ValueError(f"walk root {r!r} is not an OID")
        lists = [result[r] for r in uniq]
        lasts: list[Oid] = list(uniq)
        # Every OID of the subtree is < root with its last arc + 1 (tuple order = OID order).
        ends = [(*r[:-1], r[-1] + 1) for r in uniq]
        active = list(range(len(uniq)))
        v1 = _version(target) == ber.V1
        reps = max(1, max_repetitions)
        total = 0
        while active:
            oids = [lasts[i] for i in active]
            if v1:
                pdu = await self._request(target, ber.GETNEXT, oids)
            else:
                pdu = await self._request(target, ber.GETBULK, oids, 0, reps)
            if pdu.error_status:
                if v1 and pdu.error_status == 2 and 1 <= pdu.error_index <= len(active):
                    del active[pdu.error_index - 1]  # v1 end of MIB view for this column
                    continue
                if pdu.error_status == 1 and reps > 1:  # tooBig: ask for less
                    reps = max(1, reps // 2)
                    continue
                _check_status(target, pdu)
            vbs = pdu.varbinds
            if not vbs:
                raise _malformed(target, "empty response to a walk request")
            n = len(active)
            closed: list[int] = []
            for c, i in enumerate(active):
                end = ends[i]
                last = lasts[i]
                out = lists[i]
                before = len(out)
                for vb in vbs[c::n]:
                    oid = vb[0]
                    if oid >= end or vb[1] is _END:
                        closed.append(i)
                        break
                    if oid <= last:
                        raise SnmpError(
                            ErrorClass.LOOP,
                            f"{_who(target)}: agent returned non-increasing OID {ber_oid(oid)} after {ber_oid(last)}",
                        )
                    out.append(vb)
                    last = oid
                lasts[i] = last
                total += len(out) - before
            if total > max_values:
                raise _malformed(target, f"walk exceeded max_values={max_values} (a table that never ends?)")
            if closed:
                active = [i for i in active if i not in closed]
        return result

    async def close(self) -> None:
        self._closed = True
        same_loop = self._loop is asyncio.get_running_loop()
        for p in list(self._pending.values()):
            if same_loop and p.future is not None and not p.future.done():
                p.future.set_exception(SnmpError(ErrorClass.SOCKET, "engine closed"))
        for sock in self._sockets.raw.values():
            if same_loop and self._loop is not None:
                self._loop.remove_reader(sock.fileno())
            sock.close()
        self._sockets = _Transports()

    def forget(self, target: Target) -> None:
        """Drop cached v3 engine state of a target (the next request discovers again)."""
        self._engines.pop(self._addr(target).sockaddr, None)

    # --- requests -------------------------------------------------------------------------

    async def _request(self, target: Target, tag: int, oids: Sequence[Oid], a: int = 0, b: int = 0) -> ber.Pdu:
        if _version(target) == ber.V3:
            return await self._request_v3(target, tag, oids, a, b)
        cred = target.credential
        if cred.community is None:
            raise SnmpError(
                ErrorClass.AUTH_FAILURE, f"{_who(target)}: SNMP v{cred.version} credential without a community"
            )
        community = cred.community.get_secret_value().encode()
        rid = self._next_id()
        packet = ber.enc_community_message(_version(target), community, ber.enc_pdu(tag, rid, oids, a, b))
        addr = self._addr(target)
        pend = _Pending(addr.sockaddr, _version(target), community)
        reply = await self._exchange(target, addr, rid, packet, pend)
        return reply.pdu

    async def _request_v3(self, target: Target, tag: int, oids: Sequence[Oid], a: int, b: int) -> ber.Pdu:
        params = self._usm(target.credential)
        addr = self._addr(target)
        resynced = rediscovered = False
        while True:
            state = await self._engine_state(target, addr)
            keys = keys_for(params, state.engine_id) if params.auth != "none" else None
            mid = self._next_id()
            packet = self._v3_packet(mid, params, keys, state, ber.enc_pdu(tag, mid, oids, a, b))
            pend = _Pending(addr.sockaddr, ber.V3, keys=keys, params=params)
            # An agent silently drops what it cannot decrypt (a parse error, not a report), so
            # a wrong priv key looks like a dead agent. Until encryption has worked once for
            # this user, an authNoPriv probe runs alongside: answered while the encrypted
            # request is not means the auth key is right and the priv key or protocol wrong.
            probe = None
            key = (addr.sockaddr, params)
            if params.priv != "none" and key not in self._priv_ok:
                probe = self._probes.get(key)
                if probe is None or probe.get_loop() is not asyncio.get_running_loop():
                    probe = asyncio.ensure_future(self._probe_auth(target, addr, params, state))
                    self._probes[key] = probe  # one probe at a time per user and agent
                    probe.add_done_callback(functools.partial(self._probe_done, key))
            try:
                reply = await self._exchange(target, addr, mid, packet, pend)
            except SnmpError as e:
                if probe is not None and e.kind is ErrorClass.TIMEOUT and await asyncio.shield(probe):
                    raise SnmpError(
                        ErrorClass.DECRYPTION_ERROR,
                        f"{_who(target)}: no answer to encrypted requests while authNoPriv ones of user "
                        f"{params.user.decode(errors='replace')!r} are answered: wrong priv key or priv protocol",
                    ) from None
                raise
            pdu, head = reply.pdu, reply.v3
            if pdu.tag != ber.REPORT:
                if head is not None and keys is not None:
                    state.update(head.boots, head.time)  # authenticated: the agent's clock
                if probe is not None:
                    self._priv_ok.add(key)
                return pdu
            kind = classify_report(pdu.varbinds[0].oid) if pdu.varbinds else ErrorClass.AGENT_ERROR
            if kind is ErrorClass.NOT_IN_TIME_WINDOW and not resynced and head is not None:
                state.update(head.boots, head.time)
                resynced = True
                continue
            if kind is ErrorClass.UNKNOWN_ENGINE_ID and not rediscovered:
                self._engines.pop(addr.sockaddr, None)
                rediscovered = True
                continue
            what = ber_oid(pdu.varbinds[0].oid) if pdu.varbinds else "an empty report"
            raise SnmpError(
                kind,
                f"{_who(target)}: agent reported {_REPORT_TEXT.get(kind, what)} (user {params.user.decode(errors='replace')!r})",
            )

    def _probe_done(self, key: tuple[tuple[str, int], UsmParams], _fut: asyncio.Future[bool]) -> None:
        self._probes.pop(key, None)

    async def _probe_auth(self, target: Target, addr: _Addr, params: UsmParams, state: EngineState) -> bool:
        """True when the agent answers an authNoPriv GET of this user with a valid HMAC."""
        probe = UsmParams(params.user, params.auth, params.auth_password, "none", b"", params.context)
        keys = keys_for(probe, state.engine_id)
        mid = self._next_id()
        packet = self._v3_packet(mid, probe, keys, state, ber.enc_pdu(ber.GET, mid, [(1, 3, 6, 1, 2, 1, 1, 3, 0)]))
        try:
            reply = await self._exchange(target, addr, mid, packet, _Pending(addr.sockaddr, ber.V3, keys=keys))
        except SnmpError:
            return False
        if reply.pdu.tag != ber.REPORT:
            return True  # a response, even authorizationError, passed the agent's HMAC check
        kind = classify_report(reply.pdu.varbinds[0].oid) if reply.pdu.varbinds else ErrorClass.AGENT_ERROR
        return kind in (ErrorClass.UNSUPPORTED_SEC_LEVEL, ErrorClass.NOT_IN_TIME_WINDOW)

    def _v3_packet(self, mid: int, params: UsmParams, keys: UsmKeys | None, state: EngineState, pdu: bytes) -> bytes:
        boots, etime = state.now()
        scoped = ber.enc_scoped_pdu(state.engine_id, params.context, pdu)
        flags = params.flags | ber.FLAG_REPORTABLE
        priv_params = b""
        if keys is not None and params.priv != "none":
            cipher, priv_params = keys.encrypt(scoped, boots, etime)
            scoped = ber.tlv(ber.OCTET_STRING, cipher)
        auth_len = keys.auth_len if keys is not None else 0
        msg, offset = ber.enc_v3_message(
            mid, flags, state.engine_id, boots, etime, params.user, auth_len, priv_params, scoped
        )
        if keys is not None:
            keys.sign(msg, offset)
        return bytes(msg)

    async def _engine_state(self, target: Target, addr: _Addr) -> EngineState:
        state = self._engines.get(addr.sockaddr)
        if state is not None:
            return state
        running = self._discovering.get(addr.sockaddr)
        if running is not None and running.get_loop() is asyncio.get_running_loop():
            return await asyncio.shield(running)
        fut: asyncio.Future[EngineState] = asyncio.get_running_loop().create_future()
        self._discovering[addr.sockaddr] = fut
        try:
            state = await self._discover(target, addr)
        except BaseException as e:
            fut.set_exception(e)
            fut.exception()  # waiters get it; do not warn when there are none
            raise
        finally:
            self._discovering.pop(addr.sockaddr, None)
        fut.set_result(state)
        self._engines[addr.sockaddr] = state
        return state

    async def _discover(self, target: Target, addr: _Addr) -> EngineState:
        """RFC 3414 4: an empty unauthenticated GET makes the agent report its engine ID,
        boots and time."""
        mid = self._next_id()
        probe = EngineState(b"", 0, 0)
        packet = self._v3_packet(mid, _DISCOVERY, None, probe, ber.enc_pdu(ber.GET, mid, ()))
        reply = await self._exchange(target, addr, mid, packet, _Pending(addr.sockaddr, ber.V3))
        head = reply.v3
        if head is None or not head.engine_id:
            raise _malformed(target, "engine-ID discovery returned no engine ID")
        if not 5 <= len(head.engine_id) <= 32:
            raise _malformed(target, f"engine ID of {len(head.engine_id)} bytes (RFC 3411: 5..32)")
        return EngineState(head.engine_id, head.boots, head.time)

    async def _exchange(self, target: Target, addr: _Addr, rid: int, packet: bytes, pend: _Pending) -> _Reply:
        if self._closed:
            raise SnmpError(ErrorClass.SOCKET, "engine closed")
        clock = POLL_CLOCK.get()
        if clock is not None and clock.spent >= clock.budget:
            raise SnmpError(
                ErrorClass.BUDGET_EXCEEDED,
                f"{_who(target)}: its requests took {clock.spent:.1f}s, the device budget is {clock.budget:g}s",
            )
        sock = self._socket(addr.family)
        loop = asyncio.get_running_loop()
        self._pending[rid] = pend
        self.stats.requests += 1
        drops_before = self.stats.kernel_drops
        try:
            for attempt in range(max(0, target.retries) + 1):
                if attempt:
                    self.stats.retries += 1
                fut: asyncio.Future[_Reply | None] = loop.create_future()
                pend.future = fut
                sent = time.time()
                try:
                    try:
                        sock.sendto(packet, addr.sockaddr)
                    except BlockingIOError:  # send buffer full: wait until it drains
                        await loop.sock_sendto(sock, packet, addr.sockaddr)
                except (OSError, ValueError) as e:  # e.g. no route to the address family
                    self.stats.socket_errors += 1
                    raise SnmpError(ErrorClass.SOCKET, f"{_who(target)}: cannot send: {e}") from None
                timer = loop.call_later(target.timeout, self._expire, fut, addr.family)
                try:
                    reply = await fut
                finally:
                    timer.cancel()
                if clock is not None:
                    clock.requests += 1
                    # Answered: send to kernel receive. Not answered: the whole time-out.
                    clock.spent += max(0.0, pend.rx - sent) if reply is not None and pend.rx else target.timeout
                if reply is not None:
                    return reply
                if clock is not None:
                    clock.timeouts += 1
            self.stats.timeouts += 1
            if self.stats.kernel_drops > drops_before:
                # Our socket buffer overflowed while we waited: the answer may well have come.
                self.stats.overloaded += 1
                raise SnmpError(
                    ErrorClass.POLLER_OVERLOADED,
                    f"{_who(target)}: no response, but netmon's socket dropped "
                    f"{self.stats.kernel_drops - drops_before} datagrams meanwhile (poller overloaded)",
                )
            if pend.note:
                raise SnmpError(pend.note_kind, f"{_who(target)}: no valid response; {pend.note}")
            tries = max(0, target.retries) + 1
            raise SnmpError(ErrorClass.TIMEOUT, f"{_who(target)}: no response in {tries} x {target.timeout:g}s")
        finally:
            self._pending.pop(rid, None)

    # --- receiving --------------------------------------------------------------------------

    def _expire(self, fut: asyncio.Future[_Reply | None], family: int) -> None:
        """A request's time-out: first take what the kernel already holds (the answer may have
        arrived while the loop was busy), then give up on it."""
        if not fut.done():
            sock = self._sockets.raw.get(family)
            if sock is not None:
                self._drain(sock)
        if not fut.done():
            fut.set_result(None)

    def _ready(self, sock: socket.socket) -> None:
        """The socket turned readable: read it ``gather_s`` later. On a VM each wake-up of the
        event loop costs more CPU than decoding the answer it brings; answers of polls started
        together arrive within a millisecond or two, and are then read in one wake-up."""
        loop = self._loop
        if self.gather_s <= 0 or loop is None:
            self._drain(sock)
            return
        loop.remove_reader(sock.fileno())
        loop.call_later(self.gather_s, self._gathered, sock)

    def _gathered(self, sock: socket.socket) -> None:
        if self._closed or sock.fileno() < 0 or self._loop is None:
            return
        self._drain(sock)
        self._loop.add_reader(sock.fileno(), self._ready, sock)

    def _drain(self, sock: socket.socket) -> None:
        """Read every queued datagram (up to _DRAIN_MAX), with kernel receive time and drop count."""
        for _ in range(_DRAIN_MAX):
            try:
                data, anc, _flags, raw_addr = sock.recvmsg(65535, _ANC_SIZE)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                # ICMP errors on an unconnected socket cannot be tied to a request: the request
                # times out, the count says why.
                self.stats.socket_errors += 1
                continue
            rx = 0.0
            for level, kind, cdata in anc:
                if level != socket.SOL_SOCKET:
                    continue
                if kind == SO_TIMESTAMPNS and len(cdata) >= 16:
                    sec, nsec = struct.unpack_from("@qq", cdata)
                    rx = sec + nsec * 1e-9
                elif kind == SO_RXQ_OVFL and len(cdata) >= 4:
                    self.stats.kernel_drops = struct.unpack_from("@I", cdata)[0]
            self._on_datagram(data, (str(raw_addr[0]), int(raw_addr[1])), rx or time.time())

    def _on_datagram(self, data: bytes, addr: tuple[str, int], rx: float = 0.0) -> None:
        try:
            version = ber.message_version(data)
            if version == ber.V3:
                self._on_v3(data, addr, rx)
            else:
                self._on_community(data, addr, rx)
        except SnmpError as e:
            self.stats.garbage += 1
            self._note(addr, f"undecodable datagram from {addr[0]}:{addr[1]}: {e}")

    def _match(self, rid: int, addr: tuple[str, int]) -> _Pending | None:
        pend = self._pending.get(rid)
        if pend is None:
            self.stats.unknown_id += 1
            return None
        if pend.addr != addr:
            self.stats.wrong_address += 1
            return None
        if pend.future is None or pend.future.done():
            self.stats.unknown_id += 1  # a duplicate: its request was already answered
            return None
        return pend

    def _on_community(self, data: bytes, addr: tuple[str, int], rx: float = 0.0) -> None:
        head = ber.community_head(data)
        pend = self._match(head.request_id, addr)
        if pend is None:
            return
        if head.version != pend.version or head.community != pend.community or head.tag != ber.RESPONSE:
            self.stats.auth_dropped += 1
            return
        assert pend.future is not None
        try:
            vbs = ber.varbinds_of(data, head.vb_start, head.vb_end)
        except SnmpError as e:
            self.stats.malformed += 1
            pend.future.set_exception(SnmpError(ErrorClass.MALFORMED, f"response from {addr[0]}:{addr[1]}: {e}"))
            return
        self.stats.responses += 1
        pend.rx = rx
        pend.future.set_result(_Reply(ber.Pdu(head.tag, head.request_id, head.error_status, head.error_index, vbs)))

    def _on_v3(self, data: bytes, addr: tuple[str, int], rx: float = 0.0) -> None:
        head = ber.v3_head(data)
        pend = self._match(head.msg_id, addr)
        if pend is None:
            return
        assert pend.future is not None
        keys = pend.keys
        if head.flags & ber.FLAG_AUTH:
            if keys is None or not keys.verify(data, head.auth_offset, head.auth_params):
                # Possibly spoofed: ignore it and keep waiting for the real answer.
                self.stats.auth_dropped += 1
                if not pend.note:
                    pend.note, pend.note_kind = "a response failed HMAC verification", ErrorClass.AUTH_FAILURE
                return
        try:
            if head.flags & ber.FLAG_PRIV:
                if keys is None or head.data_tag != ber.OCTET_STRING or not head.flags & ber.FLAG_AUTH:
                    raise ber.malformed("encrypted data where none was expected")
                plain = keys.decrypt(data[head.data_start : head.data_end], head.priv_params, head.boots, head.time)
                _, _, ps, pe = ber.scoped_pdu(plain, 0, len(plain), padded=True)
                buf = plain
            else:
                if head.data_tag != ber.SEQUENCE:
                    raise ber.malformed("encrypted data without the privacy flag")
                _, _, ps, pe = ber.scoped_pdu(data, head.data_pos, head.data_end)
                buf = data
            tag, rid, es, ei, vs, ve = ber.pdu_head_checked(buf, ps, pe)
            if tag == ber.RESPONSE and pend.params is not None and pend.params.flags & ~head.flags & 3:
                # A response below the requested security level is not to be trusted.
                self.stats.auth_dropped += 1
                return
            if tag not in (ber.RESPONSE, ber.REPORT):
                raise ber.malformed(f"unexpected PDU 0x{tag:02x}")
            vbs = ber.varbinds_of(buf, vs, ve)
        except SnmpError as e:
            self.stats.malformed += 1
            kind = e.kind if e.kind is ErrorClass.DECRYPTION_ERROR else ErrorClass.MALFORMED
            if kind is ErrorClass.MALFORMED and head.flags & ber.FLAG_PRIV:
                kind = ErrorClass.DECRYPTION_ERROR  # authentic, yet it does not decrypt to BER
            pend.future.set_exception(SnmpError(kind, f"response from {addr[0]}:{addr[1]}: {e}"))
            return
        self.stats.responses += 1
        pend.rx = rx
        pend.future.set_result(_Reply(ber.Pdu(tag, rid, es, ei, vbs), head))

    def _note(self, addr: tuple[str, int], why: str) -> None:
        for p in self._pending.values():
            if p.addr == addr and not p.note:
                p.note = why

    # --- plumbing ---------------------------------------------------------------------------

    def _next_id(self) -> int:
        rid = next(self._ids)
        if rid >= 0x7FFFFFFF:  # request-id and msgID are Integer32 (msgID 0..2^31-1)
            self._ids = itertools.count(1)
            rid = next(self._ids)
        return rid

    def _addr(self, target: Target) -> _Addr:
        key = target.key
        found = self._addrs.get(key)
        if found is None:
            try:
                ip = ipaddress.ip_address(target.host.strip("[]"))
            except ValueError:
                raise SnmpError(
                    ErrorClass.SOCKET, f"{_who(target)}: {target.host!r} is not an IPv4 or IPv6 address"
                ) from None
            if not 0 < int(target.port) < 65536:
                raise SnmpError(ErrorClass.SOCKET, f"{_who(target)}: UDP port {target.port} is out of range")
            family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            found = _Addr(family, (ip.compressed, int(target.port)))
            self._addrs[key] = found
        return found

    def _socket(self, family: int) -> socket.socket:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            # Used from a new event loop (a CLI calling asyncio.run twice): the old loop's
            # sockets and waiters are dead; start afresh, keeping the v3 engine cache.
            self._loop = loop
            for old in self._sockets.raw.values():
                old.close()  # the old loop is closed: its reader went with it
            self._sockets = _Transports()
            self._pending.clear()
            self._discovering.clear()
        sock = self._sockets.raw.get(family)
        if sock is not None:
            return sock
        sock = socket.socket(family, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            _raise_buffers(sock, self.rcvbuf)
            if _LINUX:
                for opt in (SO_TIMESTAMPNS, SO_RXQ_OVFL):
                    with contextlib.suppress(OSError):
                        sock.setsockopt(socket.SOL_SOCKET, opt, 1)
            sock.bind(("::", 0) if family == socket.AF_INET6 else ("0.0.0.0", 0))
            loop.add_reader(sock.fileno(), self._ready, sock)
        except BaseException:
            sock.close()
            raise
        self._sockets.raw[family] = sock
        return sock

    def _usm(self, cred: SnmpCredential) -> UsmParams:
        hit = self._params.get(id(cred))
        if hit is not None and hit[0] is cred:
            return hit[1]
        if not cred.user:
            raise SnmpError(ErrorClass.UNKNOWN_USER, "SNMPv3 credential without a user name")
        auth = cred.auth_protocol
        priv = cred.priv_protocol
        if priv != "none" and auth == "none":
            raise SnmpError(ErrorClass.UNSUPPORTED_SEC_LEVEL, "SNMPv3 privacy needs an auth protocol too")
        auth_pw = cred.auth_key.get_secret_value().encode() if cred.auth_key is not None else b""
        priv_pw = cred.priv_key.get_secret_value().encode() if cred.priv_key is not None else b""
        if auth != "none" and not auth_pw:
            raise SnmpError(ErrorClass.AUTH_FAILURE, f"user {cred.user!r}: {auth} auth without an auth key")
        if priv != "none" and not priv_pw:
            raise SnmpError(ErrorClass.DECRYPTION_ERROR, f"user {cred.user!r}: {priv} privacy without a priv key")
        params = UsmParams(cred.user.encode(), auth, auth_pw, priv, priv_pw, cred.context.encode())
        self._params[id(cred)] = (cred, params)
        return params


_DISCOVERY = UsmParams(b"", "none", b"", "none", b"")
_REPORT_TEXT = {
    ErrorClass.UNSUPPORTED_SEC_LEVEL: "usmStatsUnsupportedSecLevels (security level not allowed for this user)",
    ErrorClass.NOT_IN_TIME_WINDOW: "usmStatsNotInTimeWindows (clock out of sync after a re-sync)",
    ErrorClass.UNKNOWN_USER: "usmStatsUnknownUserNames (no such user)",
    ErrorClass.UNKNOWN_ENGINE_ID: "usmStatsUnknownEngineIDs (engine ID changed)",
    ErrorClass.AUTH_FAILURE: "usmStatsWrongDigests (wrong auth key or protocol)",
    ErrorClass.DECRYPTION_ERROR: "usmStatsDecryptionErrors (wrong priv key or protocol)",
}


def _raise_buffers(sock: socket.socket, size: int) -> None:
    """Ask for ``size`` bytes of receive buffer; as root past net.core.rmem_max."""
    force = getattr(socket, "SO_RCVBUFFORCE", None)
    if force is not None and os.geteuid() == 0:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, force, size)
            return
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)


def _version(target: Target) -> int:
    return _VERSION[target.credential.version]


def _who(target: Target) -> str:
    where = f"{target.host}:{target.port}"
    return f"{target.name} ({where})" if target.name else where


def _malformed(target: Target, why: str) -> SnmpError:
    return SnmpError(ErrorClass.MALFORMED, f"{_who(target)}: {why}")


def _check_status(target: Target, pdu: ber.Pdu) -> None:
    if pdu.error_status == 0:
        return
    name = _ERROR_STATUS.get(pdu.error_status, str(pdu.error_status))
    kind = ErrorClass.NO_SUCH_NAME if pdu.error_status == 2 else ErrorClass.AGENT_ERROR
    raise SnmpError(kind, f"{_who(target)}: agent answered error-status {name} at index {pdu.error_index}")


def ber_oid(oid: Oid) -> str:
    return ".".join(map(str, oid))
