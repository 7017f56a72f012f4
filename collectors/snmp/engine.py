"""The contract between the SNMP collector and the SNMP engines that speak the protocol.

Two engines implement it: ``engine_pysnmp`` (the library, the reference) and ``engine_fast``
(a lean BER codec on one asyncio UDP socket; tested value-for-value against pysnmp and net-snmp).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple, Protocol

from netmon.config import SnmpCredential

Oid = tuple[int, ...]


def parse_oid(text: str) -> Oid:
    return tuple(int(p) for p in text.strip().lstrip(".").split(".") if p)


def format_oid(oid: Oid) -> str:
    return ".".join(map(str, oid))


class ValueType(str, Enum):
    INTEGER = "Integer"
    OCTET_STRING = "OctetString"
    OID = "ObjectIdentifier"
    IP_ADDRESS = "IpAddress"
    COUNTER32 = "Counter32"
    GAUGE32 = "Gauge32"
    TIMETICKS = "TimeTicks"
    OPAQUE = "Opaque"
    COUNTER64 = "Counter64"
    NULL = "Null"
    NO_SUCH_OBJECT = "noSuchObject"
    NO_SUCH_INSTANCE = "noSuchInstance"
    END_OF_MIB_VIEW = "endOfMibView"


# Python representation of values: INTEGER/Counter*/Gauge/TimeTicks -> int; OctetString/
# Opaque -> bytes; OID -> Oid tuple; IpAddress -> str dotted quad; Null and the three
# exceptions -> None.
Value = int | bytes | str | Oid | None


class VarBind(NamedTuple):
    oid: Oid
    type: ValueType
    value: Value


class ErrorClass(str, Enum):
    TIMEOUT = "timeout"
    AUTH_FAILURE = "auth_failure"  # wrong auth key / wrong auth protocol (usmStatsWrongDigests)
    UNKNOWN_USER = "unknown_user"  # usmStatsUnknownUserNames
    UNKNOWN_ENGINE_ID = "unknown_engine_id"
    DECRYPTION_ERROR = "decryption_error"  # usmStatsDecryptionErrors / bad priv key
    NOT_IN_TIME_WINDOW = "not_in_time_window"
    UNSUPPORTED_SEC_LEVEL = "unsupported_security_level"
    MALFORMED = "malformed"  # undecodable or inconsistent response
    NO_SUCH_NAME = "no_such_name"  # v1-style error-status in a response
    AGENT_ERROR = "agent_error"  # other non-zero error-status
    LOOP = "loop"  # a walk whose OIDs do not increase
    SOCKET = "socket"  # local socket error (unreachable, refused)
    BUDGET_EXCEEDED = "budget_exceeded"
    # Not the device's fault: its answer was lost inside netmon (socket buffer overflowed while
    # the event loop was behind). The poll says nothing about the device.
    POLLER_OVERLOADED = "poller_overloaded"


class SnmpError(Exception):
    """A classified failure; ``str()`` is one clear line and never holds a secret."""

    def __init__(self, kind: ErrorClass, message: str) -> None:
        super().__init__(f"{kind.value}: {message}")
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Target:
    host: str  # IPv4 or IPv6 literal
    credential: SnmpCredential
    port: int = 161
    timeout: float = 2.0
    retries: int = 1
    name: str = ""  # device name, for messages

    @property
    def key(self) -> tuple[str, int]:
        return (self.host, self.port)


@dataclass(slots=True)
class PollClock:
    """A device's own request time during one poll (seconds from each send to its answer, or
    the full time-out when none came). The device budget is charged with this, not with the
    wall clock: time a poll spent waiting for netmon's event loop is netmon's, not the device's.
    Engines that cannot time their requests leave it at 0 (the poller's wall-clock backstop applies).
    """

    budget: float
    spent: float = 0.0
    requests: int = 0
    timeouts: int = 0


# Set by the poller around one device's poll; read by the engine in the same task.
POLL_CLOCK: ContextVar[PollClock | None] = ContextVar("netmon_poll_clock", default=None)


class Engine(Protocol):
    async def get(self, target: Target, oids: Sequence[Oid]) -> list[VarBind]:
        """One GET; exceptions (noSuchObject...) come back as VarBinds, not errors."""
        ...

    async def bulk_walk(
        self, target: Target, roots: Sequence[Oid], max_repetitions: int = 25, max_values: int = 1_000_000
    ) -> dict[Oid, list[VarBind]]:
        """Walk several columns side by side with GETBULK (v2c/v3; GETNEXT for v1).

        Returns each root's varbinds in OID order, stopping a column at its end (an OID
        outside the root, endOfMibView). Raises SnmpError(LOOP) when an agent returns
        non-increasing OIDs and MALFORMED past max_values.
        """
        ...

    async def close(self) -> None: ...
