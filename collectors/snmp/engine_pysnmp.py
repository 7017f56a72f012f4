"""The reference SNMP engine: pysnmp 7's asyncio API behind the ``Engine`` protocol.

Used where correctness matters more than CPU (tests of the fast engine, one-shot polls) and as
the fallback when the fast engine is unavailable. One pysnmp ``SnmpEngine`` serves every target,
so v3 engine-ID discovery and time sync are cached per agent by pysnmp, not repeated per poll.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from pyasn1.type import univ
from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    Udp6TransportTarget,
    UdpTransportTarget,
    UsmUserData,
    bulk_cmd,
    get_cmd,
    next_cmd,
)
from pysnmp.hlapi.v3arch.asyncio import auth as hauth
from pysnmp.proto import errind, rfc1902, rfc1905

from netmon.config import SnmpCredential

from .engine import ErrorClass, Oid, SnmpError, Target, ValueType, VarBind

_AUTH = {
    "none": hauth.USM_AUTH_NONE,
    "md5": hauth.USM_AUTH_HMAC96_MD5,
    "sha": hauth.USM_AUTH_HMAC96_SHA,
    "sha224": hauth.USM_AUTH_HMAC128_SHA224,
    "sha256": hauth.USM_AUTH_HMAC192_SHA256,
    "sha384": hauth.USM_AUTH_HMAC256_SHA384,
    "sha512": hauth.USM_AUTH_HMAC384_SHA512,
}
_PRIV = {
    "none": hauth.USM_PRIV_NONE,
    "des": hauth.USM_PRIV_CBC56_DES,
    "aes": hauth.USM_PRIV_CFB128_AES,
    "aes128": hauth.USM_PRIV_CFB128_AES,
    # AES-192/256 need a key longer than the hash gives; net-snmp (and the fast engine) extend
    # it as draft-blumenthal-aes-usm-04 does. Cisco's "Reeder" extension (pysnmp's plain
    # usmAesCfb192/256) is not selectable from the credential model.
    "aes192": hauth.USM_PRIV_CFB192_AES_BLUMENTHAL,
    "aes256": hauth.USM_PRIV_CFB256_AES_BLUMENTHAL,
}

# pysnmp error indications -> our classes (by class, most specific first).
_ERRIND: list[tuple[type[Exception], ErrorClass]] = [
    (errind.RequestTimedOut, ErrorClass.TIMEOUT),
    (errind.UnknownUserName, ErrorClass.UNKNOWN_USER),
    (errind.UnknownSecurityName, ErrorClass.UNKNOWN_USER),
    (errind.WrongDigest, ErrorClass.AUTH_FAILURE),
    (errind.AuthenticationFailure, ErrorClass.AUTH_FAILURE),
    (errind.AuthenticationError, ErrorClass.AUTH_FAILURE),
    (errind.UnsupportedAuthProtocol, ErrorClass.AUTH_FAILURE),
    (errind.DecryptionError, ErrorClass.DECRYPTION_ERROR),
    (errind.UnsupportedPrivProtocol, ErrorClass.DECRYPTION_ERROR),
    (errind.UnknownEngineID, ErrorClass.UNKNOWN_ENGINE_ID),
    (errind.EngineIDMismatch, ErrorClass.UNKNOWN_ENGINE_ID),
    (errind.NotInTimeWindow, ErrorClass.NOT_IN_TIME_WINDOW),
    (errind.UnsupportedSecurityLevel, ErrorClass.UNSUPPORTED_SEC_LEVEL),
    (errind.OidNotIncreasing, ErrorClass.LOOP),
    (errind.DeserializationError, ErrorClass.MALFORMED),
    (errind.InvalidMsg, ErrorClass.MALFORMED),
    (errind.EmptyResponse, ErrorClass.MALFORMED),
]

_EXCEPTION_TYPES = {
    rfc1905.NoSuchObject.tagSet: ValueType.NO_SUCH_OBJECT,
    rfc1905.NoSuchInstance.tagSet: ValueType.NO_SUCH_INSTANCE,
    rfc1905.EndOfMibView.tagSet: ValueType.END_OF_MIB_VIEW,
}
_INT_TYPES = {
    rfc1902.Counter32.tagSet: ValueType.COUNTER32,
    rfc1902.Counter64.tagSet: ValueType.COUNTER64,
    rfc1902.Gauge32.tagSet: ValueType.GAUGE32,  # also Unsigned32 (same tag)
    rfc1902.TimeTicks.tagSet: ValueType.TIMETICKS,
    rfc1902.Integer32.tagSet: ValueType.INTEGER,
}


def convert_value(value: Any) -> tuple[ValueType, Any]:
    """A pyasn1 value as (ValueType, plain Python value) per the Engine contract."""
    tag = value.tagSet
    if tag in _EXCEPTION_TYPES:
        return _EXCEPTION_TYPES[tag], None
    if tag in _INT_TYPES:
        return _INT_TYPES[tag], int(value)
    if tag == rfc1902.IpAddress.tagSet:
        return ValueType.IP_ADDRESS, ".".join(str(b) for b in value.asOctets())
    if tag == rfc1902.Opaque.tagSet:
        return ValueType.OPAQUE, bytes(value.asOctets())
    if isinstance(value, univ.OctetString):
        return ValueType.OCTET_STRING, bytes(value.asOctets())
    if isinstance(value, univ.ObjectIdentifier):
        return ValueType.OID, tuple(value)
    if isinstance(value, univ.Null):
        return ValueType.NULL, None
    if isinstance(value, univ.Integer):
        return ValueType.INTEGER, int(value)
    raise SnmpError(ErrorClass.MALFORMED, f"unexpected value type {type(value).__name__}")


def classify(indication: object) -> ErrorClass:
    for cls, kind in _ERRIND:
        if isinstance(indication, cls):
            return kind
    text = str(indication).lower()
    # Some indications arrive as plain strings or generic ErrorIndication with a message.
    if "timeout" in text or "timed out" in text:
        return ErrorClass.TIMEOUT
    if "unknown user" in text:
        return ErrorClass.UNKNOWN_USER
    if "digest" in text or "authentication" in text:
        return ErrorClass.AUTH_FAILURE
    if "decrypt" in text:
        return ErrorClass.DECRYPTION_ERROR
    if "engine" in text:
        return ErrorClass.UNKNOWN_ENGINE_ID
    if "socket" in text or "transport" in text or "unreachable" in text or "refused" in text:
        return ErrorClass.SOCKET
    return ErrorClass.MALFORMED


def auth_data(cred: SnmpCredential) -> CommunityData | UsmUserData:
    """pysnmp credentials; secrets are unwrapped only here, where they are used."""
    if cred.version in ("1", "2c"):
        if cred.community is None:
            raise SnmpError(ErrorClass.AUTH_FAILURE, f"SNMP v{cred.version} needs a community")
        return CommunityData(cred.community.get_secret_value(), mpModel=0 if cred.version == "1" else 1)
    if not cred.user:
        raise SnmpError(ErrorClass.UNKNOWN_USER, "SNMPv3 needs a user name")
    auth_key = cred.auth_key.get_secret_value() if cred.auth_key else None
    priv_key = cred.priv_key.get_secret_value() if cred.priv_key else None
    auth_proto = _AUTH[cred.auth_protocol] if auth_key else hauth.USM_AUTH_NONE
    priv_proto = _PRIV[cred.priv_protocol] if priv_key and auth_key else hauth.USM_PRIV_NONE
    return UsmUserData(cred.user, authKey=auth_key, privKey=priv_key, authProtocol=auth_proto, privProtocol=priv_proto)


class PysnmpEngine:
    """``Engine`` on pysnmp's asyncio high-level API (one SnmpEngine for all targets)."""

    def __init__(self) -> None:
        self._engine = SnmpEngine()
        self._transports: dict[tuple[str, int, float, int], UdpTransportTarget | Udp6TransportTarget] = {}

    async def _transport(self, t: Target) -> UdpTransportTarget | Udp6TransportTarget:
        key = (t.host, t.port, t.timeout, t.retries)
        tr = self._transports.get(key)
        if tr is None:
            cls = Udp6TransportTarget if ":" in t.host else UdpTransportTarget
            try:
                tr = await cls.create((t.host, t.port), timeout=t.timeout, retries=t.retries)
            except Exception as exc:  # resolution / socket errors from pysnmp carry no class of their own
                raise SnmpError(ErrorClass.SOCKET, f"{t.name or t.host}: {type(exc).__name__}") from None
            self._transports[key] = tr
        return tr

    def _context(self, t: Target) -> ContextData:
        return ContextData(contextName=t.credential.context) if t.credential.context else ContextData()

    def _check(self, t: Target, err_ind: object, err_stat: Any, err_idx: Any) -> None:
        if err_ind:
            kind = classify(err_ind)
            raise SnmpError(kind, f"{t.name or t.host}:{t.port}: {err_ind}")
        status = int(err_stat) if err_stat else 0
        if status:
            kind = ErrorClass.NO_SUCH_NAME if status == 2 else ErrorClass.AGENT_ERROR
            raise SnmpError(kind, f"{t.name or t.host}:{t.port}: error-status {status} at varbind {int(err_idx)}")

    async def get(self, target: Target, oids: Sequence[Oid]) -> list[VarBind]:
        tr = await self._transport(target)
        objs = [ObjectType(ObjectIdentity(univ.ObjectIdentifier(o))) for o in oids]
        err_ind, err_stat, err_idx, vbs = await get_cmd(
            self._engine, auth_data(target.credential), tr, self._context(target), *objs, lookupMib=False
        )
        self._check(target, err_ind, err_stat, err_idx)
        out = []
        for vb in vbs:
            vt, val = convert_value(vb[1])
            out.append(VarBind(tuple(vb[0]), vt, val))
        return out

    async def bulk_walk(
        self, target: Target, roots: Sequence[Oid], max_repetitions: int = 25, max_values: int = 1_000_000
    ) -> dict[Oid, list[VarBind]]:
        tr = await self._transport(target)
        creds = auth_data(target.credential)
        ctx = self._context(target)
        result: dict[Oid, list[VarBind]] = {r: [] for r in roots}
        last: dict[Oid, Oid] = {r: r for r in roots}
        active = list(dict.fromkeys(roots))
        total = 0
        while active:
            objs = [ObjectType(ObjectIdentity(univ.ObjectIdentifier(last[r]))) for r in active]
            if target.credential.version == "1":
                err_ind, err_stat, err_idx, vbs = await next_cmd(self._engine, creds, tr, ctx, *objs, lookupMib=False)
                if err_stat and int(err_stat) == 2:  # v1 signals the end of the MIB with noSuchName
                    return result
            else:
                err_ind, err_stat, err_idx, vbs = await bulk_cmd(
                    self._engine, creds, tr, ctx, 0, max_repetitions, *objs, lookupMib=False
                )
            self._check(target, err_ind, err_stat, err_idx)
            n = len(active)
            done: set[Oid] = set()
            progressed = False
            for i, vb in enumerate(vbs):
                root = active[i % n]
                if root in done:
                    continue
                oid = tuple(vb[0])
                vt, val = convert_value(vb[1])
                if vt is ValueType.END_OF_MIB_VIEW or oid[: len(root)] != root:
                    done.add(root)
                    continue
                if oid <= last[root]:
                    raise SnmpError(ErrorClass.LOOP, f"{target.name or target.host}: OIDs do not increase in a walk")
                result[root].append(VarBind(oid, vt, val))
                last[root] = oid
                progressed = True
                total += 1
            if total > max_values:
                raise SnmpError(
                    ErrorClass.MALFORMED, f"{target.name or target.host}: walk exceeded {max_values} values"
                )
            if not progressed:
                break  # an empty or all-finished response: every remaining column has ended
            active = [r for r in active if r not in done]
        return result

    async def close(self) -> None:
        dispatcher = self._engine.transport_dispatcher
        if dispatcher is not None:
            dispatcher.close_dispatcher()
        await asyncio.sleep(0)
