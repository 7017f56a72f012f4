"""SNMP trap and inform receiver (pysnmp, v1/v2c communities and v3 USM users).

Each trap becomes an ``snmp_trap`` Point with the sending device's inventory tags; linkDown and
linkUp also become ``interface`` points (``source=trap``, ``oper_status``) so the same rules
that watch polled interfaces fire at once, before the next poll. Traps from agents not in the
inventory, garbage datagrams, wrong communities and v3 messages with wrong keys are counted
and dropped; nothing here raises into the event loop.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pysnmp.carrier.asyncio.dgram import udp, udp6
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import ntfrcv
from pysnmp.proto.api import v2c

from ..alerting.config import TrapSettings
from ..errors import InputError, NetmonError
from ..inventory import Device, Inventory
from ..model import FieldValue, Point
from ..secrets import SecretStore
from ..storage.base import Query
from ..yamlio import load_yaml

log = logging.getLogger("netmon.traps")

SNMP_TRAP_OID = "1.3.6.1.6.3.1.1.4.1.0"
SNMP_TRAP_ADDRESS = "1.3.6.1.6.3.18.1.3.0"
IF_INDEX = "1.3.6.1.2.1.2.2.1.1."
IF_DESCR = "1.3.6.1.2.1.2.2.1.2."
IF_ADMIN = "1.3.6.1.2.1.2.2.1.7."
IF_OPER = "1.3.6.1.2.1.2.2.1.8."
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1."
DEFAULT_OIDS = Path(__file__).with_name("oids.yaml")

_AUTH = {
    "md5": config.USM_AUTH_HMAC96_MD5,
    "sha": config.USM_AUTH_HMAC96_SHA,
    "sha224": config.USM_AUTH_HMAC128_SHA224,
    "sha256": config.USM_AUTH_HMAC192_SHA256,
    "sha384": config.USM_AUTH_HMAC256_SHA384,
    "sha512": config.USM_AUTH_HMAC384_SHA512,
}
_PRIV = {
    "none": config.USM_PRIV_NONE,
    "des": config.USM_PRIV_CBC56_DES,
    "aes": config.USM_PRIV_CFB128_AES,
    "aes128": config.USM_PRIV_CFB128_AES,
    "aes192": config.USM_PRIV_CFB192_AES,
    "aes256": config.USM_PRIV_CFB256_AES,
}
# pysnmp's own drop counters (MIB scalars it increments), reported under these names.
_DROP_COUNTERS = {
    "asn1_parse_errors": ("__SNMPv2-MIB", "snmpInASNParseErrs"),
    "bad_community": ("__SNMPv2-MIB", "snmpInBadCommunityNames"),
    "bad_version": ("__SNMPv2-MIB", "snmpInBadVersions"),
    "v3_unknown_user": ("__SNMP-USER-BASED-SM-MIB", "usmStatsUnknownUserNames"),
    "v3_unknown_engine": ("__SNMP-USER-BASED-SM-MIB", "usmStatsUnknownEngineIDs"),
    "v3_wrong_digest": ("__SNMP-USER-BASED-SM-MIB", "usmStatsWrongDigests"),
    "v3_decryption_error": ("__SNMP-USER-BASED-SM-MIB", "usmStatsDecryptionErrors"),
    "v3_not_in_time_window": ("__SNMP-USER-BASED-SM-MIB", "usmStatsNotInTimeWindows"),
    "v3_unsupported_level": ("__SNMP-USER-BASED-SM-MIB", "usmStatsUnsupportedSecLevels"),
}


def _guarded(base: type[Any], counts: dict[str, int]) -> type[Any]:
    """The pysnmp transport, with every datagram's processing fenced: pyasn1 raises TypeError and
    friends on some garbage, which would otherwise escape into the event loop uncounted."""

    class Guarded(base):  # type: ignore[misc, valid-type]
        def datagram_received(self, datagram: bytes, address: Any) -> None:
            counts["datagrams"] += 1
            self.loop.call_soon(self._guarded_receive, address, datagram)

        def _guarded_receive(self, address: Any, datagram: bytes) -> None:
            try:
                if self._callback_function is not None:
                    self._callback_function(self, address, datagram)
            except Exception as exc:
                counts["garbage"] += 1
                log.debug("undecodable datagram from %s dropped: %s", address, type(exc).__name__)

    return Guarded


@dataclass(frozen=True)
class TrapDef:
    name: str
    category: str
    link: str = ""  # "down" / "up" for link traps


def load_trap_table(extra: Path | None = None) -> dict[str, TrapDef]:
    """The OID table: oids.yaml plus an operator's file; problems name the file and OID."""
    table: dict[str, TrapDef] = {}
    for path in [DEFAULT_OIDS, *([extra] if extra else [])]:
        doc = load_yaml(path)
        traps = doc.get("traps") if isinstance(doc, dict) else None
        if not isinstance(traps, dict):
            raise InputError.one(str(path), "a trap table is a mapping with `traps:` OID: {name, category}")
        for oid, spec in traps.items():
            oid = str(oid).strip(".")
            if not all(p.isdigit() for p in oid.split(".")) or not isinstance(spec, dict) or "name" not in spec:
                raise InputError.one(str(path), f"trap {oid}: write OID: {{name: NAME, category: CATEGORY}}", field=oid)
            table[oid] = TrapDef(str(spec["name"]), str(spec.get("category", "vendor")), str(spec.get("link", "")))
    return table


def parse_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    host = host.strip("[]") or "0.0.0.0"
    try:
        ipaddress.ip_address(host)
        p = int(port)
        if not 0 < p < 65536:
            raise ValueError
    except ValueError:
        raise InputError.one(
            "netmon.yaml", f"{listen!r} is not HOST:PORT (e.g. 0.0.0.0:162)", field="alerting.traps.listen"
        ) from None
    return host, p


class TrapReceiver:
    """Receives traps on ``settings.listen`` and hands Points to ``emit`` (on the event loop)."""

    def __init__(
        self,
        settings: TrapSettings,
        inventory: Inventory | None,
        emit: Callable[[list[Point]], object],
        secrets: SecretStore | None = None,
        source: str = "netmon.yaml",
    ) -> None:
        self.settings = settings
        self.emit = emit
        self.table = load_trap_table(settings.vendor_oids)
        self.by_address: dict[str, Device] = {}
        if inventory is not None:
            for d in inventory:
                self.by_address[str(ipaddress.ip_address(d.address))] = d
        self.counts: dict[str, int] = {
            "datagrams": 0,
            "received": 0,
            "garbage": 0,
            "unknown_agent": 0,
            "unmapped": 0,
            "errors": 0,
        }
        self._secrets = secrets or SecretStore()
        self._source = source
        # (device, ifIndex) -> {"ifName": ..., "uplink": "0"/"1"} from the last poll: a linkDown
        # often carries only ifIndex (IF-MIB's minimum), and rules need the name (learn()).
        self.interfaces: dict[tuple[str, str], dict[str, str]] = {}
        self._if_time: dict[tuple[str, str], int] = {}
        self.engine: engine.SnmpEngine | None = None
        self.address: tuple[str, int] = parse_listen(settings.listen)

    def start(self) -> None:
        """Bind and start receiving (needs a running asyncio loop). InputError for bad secrets."""
        eng = engine.SnmpEngine()
        host, port = self.address
        tr = udp6 if ":" in host else udp
        domain = tr.DOMAIN_NAME
        # Bind here, not inside pysnmp (which binds later in a task), so "address in use" or
        # "permission denied" (port 162 needs root or CAP_NET_BIND_SERVICE) is reported now.
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            raise NetmonError(f"trap receiver cannot listen on {host}:{port}: {exc.strerror}") from None
        sock.setblocking(False)
        config.add_transport(eng, domain, _guarded(tr.UdpAsyncioTransport, self.counts)().open_server_mode(sock=sock))
        where = f"{self._source}: alerting.traps"
        for i, ref in enumerate(self.settings.communities):
            community = self._secrets.resolve(ref, where).get_secret_value()
            config.add_v1_system(eng, f"c{i}", community)
        for u in self.settings.users:
            auth = self._secrets.resolve(u.auth_key, where).get_secret_value()
            priv = self._secrets.resolve(u.priv_key, where).get_secret_value() if u.priv_key else None
            priv_proto = _PRIV[u.priv_protocol] if priv else config.USM_PRIV_NONE
            for eid in [None, *u.engine_ids]:  # None: informs, for which we are authoritative
                kw: dict[str, Any] = {}
                if eid is not None:
                    kw["securityEngineId"] = v2c.OctetString(hexValue=eid.removeprefix("0x"))
                config.add_v3_user(eng, u.user, _AUTH[u.auth_protocol], auth, priv_proto, priv, **kw)
        ntfrcv.NotificationReceiver(eng, self._on_trap)
        self.engine = eng
        log.info("trap receiver listening on %s:%d", host, port)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.close_dispatcher()
            self.engine = None

    def stats(self) -> dict[str, int]:
        out = dict(self.counts)
        if self.engine is not None:
            mib = self.engine.get_mib_builder()
            for name, (module, sym) in _DROP_COUNTERS.items():
                try:
                    (obj,) = mib.import_symbols(module, sym)
                    out[name] = int(obj.syntax)
                except Exception:
                    out[name] = 0
        return out

    # --- interface names from the last poll ---------------------------------------------------
    def learn(self, points: Iterable[Point]) -> int:
        """Remember ifIndex -> ifName (and uplink) from polled ``interface`` points (as the SNMP
        collector emits or the sink stored them); the newest point of an ifIndex wins (indexes
        are renumbered after a reboot). Returns how many interfaces are known."""
        for p in points:
            if p.measurement != "interface" or p.tags.get("source") == "trap":
                continue
            dev, idx, name = p.tags.get("device", ""), p.tags.get("ifIndex", ""), p.tags.get("ifName", "")
            if not (dev and idx and name):
                continue
            key = (dev, idx)
            if p.time_ns >= self._if_time.get(key, 0):
                self._if_time[key] = p.time_ns
                self.interfaces[key] = {"ifName": name, "uplink": p.tags.get("uplink", "")}
        return len(self.interfaces)

    async def learn_from(self, query: Query) -> int:
        """:meth:`learn` from the latest ``interface`` point of every series in a database."""
        return self.learn(await query.latest("interface", fields=["oper_status"]))

    # --- decoding ----------------------------------------------------------------------------
    def _on_trap(
        self,
        snmp_engine: engine.SnmpEngine,
        state_ref: Any,
        ctx_engine: Any,
        ctx_name: Any,
        var_binds: Any,
        cb_ctx: Any,
    ) -> None:
        try:
            ctx = snmp_engine.observer.get_execution_context("rfc3412.receiveMessage:request")
            addr = ctx["transportAddress"][0]
            mp = int(ctx.get("messageProcessingModel", 1))
            points = self.decode(str(addr), {0: "1", 1: "2c", 3: "3"}.get(mp, str(mp)), var_binds)
        except Exception:  # a trap we cannot decode is counted, never raised into pysnmp
            self.counts["errors"] += 1
            log.exception("cannot decode a trap")
            return
        if points:
            try:
                self.emit(points)
            except Exception:
                self.counts["errors"] += 1
                log.exception("trap consumer failed")

    def decode(self, agent: str, version: str, var_binds: Any) -> list[Point]:
        vb = {str(oid): val for oid, val in var_binds}
        trap_oid = str(vb.get(SNMP_TRAP_OID, "")).strip(".")
        dev = self.by_address.get(agent)
        if dev is None and SNMP_TRAP_ADDRESS in vb:
            # forwarded by a relay (or a v1 agent-addr): the original agent is in the varbinds
            try:
                original = str(ipaddress.ip_address(bytes(vb[SNMP_TRAP_ADDRESS].asOctets())))
            except (ValueError, AttributeError):
                original = ""
            if original in self.by_address:
                agent, dev = original, self.by_address[original]
        if dev is None and not self.settings.accept_unknown_agents:
            self.counts["unknown_agent"] += 1
            log.info("trap %s from unknown agent %s dropped", trap_oid, agent)
            return []
        self.counts["received"] += 1
        tdef = self.table.get(trap_oid)
        if tdef is None:
            self.counts["unmapped"] += 1
        tags = dev.point_tags() if dev is not None else {"device": agent}
        iface: dict[str, str] = {}
        fields: dict[str, FieldValue] = {"count": 1, "agent": agent}
        for oid, val in vb.items():
            if oid.startswith(IF_INDEX):
                iface["ifIndex"] = str(int(val))
            elif oid.startswith(IF_NAME):
                iface["ifName"] = str(val)
            elif oid.startswith(IF_DESCR):
                iface.setdefault("ifDescr", str(val))
            elif oid.startswith(IF_OPER):
                fields["oper_status"] = int(val)
                iface.setdefault("ifIndex", oid[len(IF_OPER) :])
            elif oid.startswith(IF_ADMIN):
                fields["admin_status"] = int(val)
                iface.setdefault("ifIndex", oid[len(IF_ADMIN) :])
        if "ifName" not in iface and "ifDescr" in iface:
            iface["ifName"] = iface["ifDescr"]
        iface.pop("ifDescr", None)
        polled: dict[str, str] = {}
        if dev is not None and iface.get("ifIndex"):
            polled = self.interfaces.get((dev.name, iface["ifIndex"]), {})
            if "ifName" not in iface and polled:
                iface["ifName"] = polled["ifName"]
            elif "ifName" not in iface:
                log.info(
                    "trap %s from %s names only ifIndex %s, which the last poll did not show",
                    trap_oid, dev.name, iface["ifIndex"],
                )  # fmt: skip
        detail = "; ".join(
            f"{o}={v.prettyPrint()}" for o, v in vb.items() if o not in (SNMP_TRAP_OID, "1.3.6.1.2.1.1.3.0")
        )
        fields["detail"] = detail[:1000]
        trap_tags = {
            **tags,
            "trap": tdef.name if tdef else trap_oid,
            "category": tdef.category if tdef else "unmapped",
            "vendor_trap": trap_oid,
            "version": version,
            **iface,
        }
        points = [Point("snmp_trap", trap_tags, fields)]
        if tdef is not None and tdef.link and iface.get("ifIndex"):
            # The trap's meaning wins over its ifOperStatus varbind (which may say lowerLayerDown):
            # the interface rules ask oper_status == 2 / == 1.
            ifields: dict[str, FieldValue] = {"oper_status": 2 if tdef.link == "down" else 1}
            if "admin_status" in fields:
                ifields["admin_status"] = fields["admin_status"]
            itags = {**tags, **iface, "source": "trap"}
            if polled.get("uplink") and polled["ifName"] == iface.get("ifName"):
                itags["uplink"] = polled["uplink"]  # the poller's verdict (it knows children's uplinks too)
            points.append(Point("interface", itags, ifields, points[0].time_ns))
        return points
