"""SnmpPoller: polls devices over an ``Engine`` and turns answers into Points (docs/SCHEMA.md).

Per device it keeps what successive polls need: whether 64-bit counters exist, the cached
static columns (ifName, ifAlias, ifHighSpeed, ifType; re-read every N polls or when ifNumber
changes or sysUpTime goes back), the last counter sample per interface (for rates) and the
health profile that answered. Concurrency: one event loop, a global and a per-site semaphore,
and a per-device time budget; a failing device costs one log line and one ``snmp_reach`` point.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from netmon.config import SnmpSettings
from netmon.inventory import Device, Inventory, Topology
from netmon.inventory.platforms import platform_for_sysobjectid
from netmon.model import Point

from .engine import (
    POLL_CLOCK,
    Engine,
    ErrorClass,
    Oid,
    PollClock,
    SnmpError,
    Target,
    ValueType,
    VarBind,
    format_oid,
    parse_oid,
)
from .health_profiles import FALLBACK, evaluate, load_profiles, profile_for
from .rates import COUNTER_RESET, Sample, rates

log = logging.getLogger("netmon.snmp")

SYS_DESCR = parse_oid("1.3.6.1.2.1.1.1.0")
SYS_OBJECT_ID = parse_oid("1.3.6.1.2.1.1.2.0")
SYS_UPTIME = parse_oid("1.3.6.1.2.1.1.3.0")
SYS_NAME = parse_oid("1.3.6.1.2.1.1.5.0")
IF_NUMBER = parse_oid("1.3.6.1.2.1.2.1.0")

_IF = "1.3.6.1.2.1.2.2.1."
_IFX = "1.3.6.1.2.1.31.1.1.1."
STATIC_COLS: dict[str, Oid] = {
    "ifDescr": parse_oid(_IF + "2"),
    "ifType": parse_oid(_IF + "3"),
    "ifSpeed": parse_oid(_IF + "5"),
    "ifName": parse_oid(_IFX + "1"),
    "ifHighSpeed": parse_oid(_IFX + "15"),
    "ifAlias": parse_oid(_IFX + "18"),
}
STATUS_COLS: dict[str, Oid] = {
    "admin_status": parse_oid(_IF + "7"),
    "oper_status": parse_oid(_IF + "8"),
    "in_discards": parse_oid(_IF + "13"),
    "in_errors": parse_oid(_IF + "14"),
    "out_discards": parse_oid(_IF + "19"),
    "out_errors": parse_oid(_IF + "20"),
    "discontinuity": parse_oid(_IFX + "19"),
}
HC_COLS: dict[str, Oid] = {
    "in_octets": parse_oid(_IFX + "6"),
    "in_ucast_pkts": parse_oid(_IFX + "7"),
    "in_mcast_pkts": parse_oid(_IFX + "8"),
    "in_bcast_pkts": parse_oid(_IFX + "9"),
    "out_octets": parse_oid(_IFX + "10"),
    "out_ucast_pkts": parse_oid(_IFX + "11"),
    "out_mcast_pkts": parse_oid(_IFX + "12"),
    "out_bcast_pkts": parse_oid(_IFX + "13"),
}
C32_COLS: dict[str, Oid] = {
    "in_octets": parse_oid(_IF + "10"),
    "in_ucast_pkts": parse_oid(_IF + "11"),
    "out_octets": parse_oid(_IF + "16"),
    "out_ucast_pkts": parse_oid(_IF + "17"),
    "in_mcast_pkts": parse_oid(_IFX + "2"),
    "in_bcast_pkts": parse_oid(_IFX + "3"),
    "out_mcast_pkts": parse_oid(_IFX + "4"),
    "out_bcast_pkts": parse_oid(_IFX + "5"),
}
# The wall-clock backstop of one poll, as a multiple of the device budget: past it the poll is
# abandoned, and unless the device's own requests used up its budget that is the poller's fault.
WALL_BACKSTOP = 3.0
_COUNTER_TYPES = (ValueType.COUNTER32, ValueType.COUNTER64, ValueType.GAUGE32, ValueType.INTEGER, ValueType.TIMETICKS)


@dataclass
class StaticIf:
    name: str
    alias: str
    descr: str
    if_type: int | None
    speed_mbps: int | None


@dataclass
class DeviceState:
    hc: bool | None = None  # None until the first poll finds out
    static: dict[int, StaticIf] = field(default_factory=dict)
    polls_since_static: int = 0
    if_number: int | None = None
    uptime: int | None = None
    samples: dict[int, Sample] = field(default_factory=dict)
    health_profile: str | None = None


def _text(vb: VarBind | None) -> str:
    if vb is None or vb.value is None:
        return ""
    v = vb.value
    if isinstance(v, bytes):
        return fold(v.decode("utf-8", "replace"))
    if isinstance(v, tuple):
        return format_oid(v)
    return str(v)


def fold(text: str) -> str:
    """One line: NULs dropped, line breaks (multi-line sysDescr) folded to spaces.

    Line protocol, tags and log lines cannot carry a newline, so the Point never holds one.
    """
    return " ".join(text.replace("\x00", "").split())


def _int(vb: VarBind | None) -> int | None:
    if vb is None or vb.type not in _COUNTER_TYPES or not isinstance(vb.value, int):
        return None
    return vb.value


_INT_TYPES = frozenset(_COUNTER_TYPES)
_STATUS_FIELDS = ("oper_status", "admin_status", "in_errors", "out_errors", "in_discards", "out_discards")
_ERROR_FIELDS = ("in_errors", "out_errors", "in_discards", "out_discards")
_NONE: dict[int, int] = {}


def _ints_by_index(vbs: Iterable[VarBind], n: int) -> dict[int, int]:
    """{ifIndex: value} of a column's integer-typed cells (as ``_int`` reads them); ``n`` is the
    column OID's length (IF-MIB tables are indexed by ifIndex alone)."""
    n1 = n + 1
    types = _INT_TYPES
    return {oid[n]: value for oid, kind, value in vbs if len(oid) == n1 and kind in types and isinstance(value, int)}


def _by_index(vbs: Sequence[VarBind], col: Oid) -> dict[int, VarBind]:
    n = len(col)
    out: dict[int, VarBind] = {}
    for vb in vbs:
        if len(vb.oid) == n + 1:  # IF-MIB tables are indexed by ifIndex alone
            out[vb.oid[n]] = vb
    return out


def _is_uplink(s: StaticIf, uplinks: set[str]) -> bool:
    # Inventories name ports as configs do (GigabitEthernet0/1); Cisco's ifName is the short
    # form (Gi0/1) and its ifDescr the long one, so either matches, ignoring case.
    return bool(uplinks) and (s.name.lower() in uplinks or s.descr.lower() in uplinks)


def uplink_interfaces(device: Device, inventory: Inventory | None) -> set[str]:
    """Interface names of this device that carry an uplink (its own or a child's)."""
    names = {u.local_interface for u in device.uplinks if u.local_interface}
    if inventory is not None:
        for other in inventory:
            for u in other.uplinks:
                if u.device == device.name and u.interface:
                    names.add(u.interface)
    return {n.lower() for n in names}


class SnmpPoller:
    """Polls devices; holds per-device state so successive polls give rates.

    ``poll_device(device, target, health)`` returns the Points of one poll (always including
    one ``snmp_reach``); ``poll_many(items, health)`` polls many under the concurrency limits.
    """

    def __init__(
        self,
        engine: Engine,
        settings: SnmpSettings | None = None,
        topology: Topology | None = None,
        *,
        inventory: Inventory | None = None,
        vendor_override: dict[str, str] | None = None,
        device_budget: float | None = None,
    ) -> None:
        s = settings or SnmpSettings()
        self.engine = engine
        self.inventory = inventory if inventory is not None else (topology.inventory if topology else None)
        self.max_repetitions = s.max_repetitions
        self.device_budget = device_budget or s.device_budget
        self.static_refresh_polls = s.static_refresh_polls
        self.vendor_override = vendor_override or {}
        self._global = asyncio.Semaphore(s.concurrency)
        self._per_site_limit = s.per_site_concurrency
        self._sites: dict[str, asyncio.Semaphore] = {}
        self.state: dict[str, DeviceState] = {}
        self._uplinks: dict[str, set[str]] = {}
        # Polls abandoned because netmon itself was behind (no verdict on the device); read and
        # reset by the owner once per cycle.
        self.overloaded_polls = 0
        load_profiles()  # fail early on a broken profile file

    def set_topology(self, topology: Topology) -> None:
        """A reloaded inventory: new uplink tags; per-device state of removed devices is dropped."""
        self.inventory = topology.inventory
        self._uplinks.clear()
        for name in list(self.state):
            if name not in topology.inventory:
                del self.state[name]

    async def poll_many(self, items: Iterable[tuple[Device, Target]], health: bool = False) -> list[Point]:
        async def one(dev: Device, tgt: Target) -> list[Point]:
            site = self._sites.setdefault(dev.site, asyncio.Semaphore(self._per_site_limit))
            async with self._global, site:
                return await self.poll_device(dev, tgt, health)

        results = await asyncio.gather(*(one(d, t) for d, t in items))
        return [p for pts in results for p in pts]

    async def poll_device(self, device: Device, target: Target, health: bool = False) -> list[Point]:
        """The points of one poll: ``snmp_reach`` first, then the data; [] when the poller was
        too busy to reach a verdict (counted in ``overloaded_polls``, never a device-down)."""
        now_ns = time.time_ns()
        t0 = time.monotonic()
        tags = device.point_tags()
        points: list[Point] = []
        counter = [0]
        error = ""
        # The budget is charged with the device's own request time (the engine fills the clock);
        # time spent queued in netmon's event loop is not the device's.
        clock = PollClock(self.device_budget)
        token = POLL_CLOCK.set(clock)
        try:
            async with asyncio.timeout(self.device_budget * WALL_BACKSTOP):
                points = await self._poll(device, target, health, now_ns, counter)
        except SnmpError as exc:
            if exc.kind is ErrorClass.POLLER_OVERLOADED:
                return self._overloaded(device, str(exc))
            error = exc.kind.value
            log.warning(
                "snmp poll failed: device=%s tier=%s site=%s: %s", device.name, device.tier.value, device.site, exc
            )
        except TimeoutError:
            if clock.requests and clock.spent < self.device_budget:
                return self._overloaded(
                    device,
                    f"poll took {time.monotonic() - t0:.1f}s, of which its own requests {clock.spent:.1f}s",
                )
            error = ErrorClass.BUDGET_EXCEEDED.value
            log.warning(
                "snmp poll failed: device=%s tier=%s site=%s: budget_exceeded: no complete answer within %.1fs",
                device.name,
                device.tier.value,
                device.site,
                self.device_budget,
            )
        except OSError as exc:
            error = ErrorClass.SOCKET.value
            log.warning(
                "snmp poll failed: device=%s tier=%s site=%s: socket: %s",
                device.name,
                device.tier.value,
                device.site,
                exc.strerror,
            )
        except Exception as exc:  # an engine bug or an answer it cannot digest must not stop the others
            error = ErrorClass.MALFORMED.value
            log.warning(
                "snmp poll failed: device=%s tier=%s site=%s: malformed: %s",
                device.name,
                device.tier.value,
                device.site,
                type(exc).__name__,
            )
            log.debug("snmp poll of %s failed", device.name, exc_info=True)
        finally:
            POLL_CLOCK.reset(token)
        # The device's own request time when the engine measured it (send to kernel receive);
        # wall time otherwise.
        elapsed_ms = (clock.spent if clock.requests else time.monotonic() - t0) * 1000.0
        reach = Point(
            "snmp_reach",
            dict(tags),
            {"up": 0 if error else 1, "response_ms": round(elapsed_ms, 3), "error": error, "values": counter[0]},
            now_ns,
        )
        return [reach, *points] if not error else [reach]

    def _overloaded(self, device: Device, why: str) -> list[Point]:
        self.overloaded_polls += 1
        log.debug("snmp poll of %s abandoned, poller overloaded: %s", device.name, why)
        return []

    async def _poll(self, device: Device, target: Target, health: bool, now_ns: int, counter: list[int]) -> list[Point]:
        st = self.state.setdefault(device.name, DeviceState())
        tags = device.point_tags()
        sysvb = await self.engine.get(target, [SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, SYS_NAME, IF_NUMBER])
        counter[0] += len(sysvb)
        byoid = {vb.oid: vb for vb in sysvb}
        uptime = _int(byoid.get(SYS_UPTIME))
        if uptime is None:
            raise SnmpError(ErrorClass.MALFORMED, f"{device.name}: no sysUpTime in the answer (noSuchObject)")
        if_number = _int(byoid.get(IF_NUMBER))
        oid_vb = byoid.get(SYS_OBJECT_ID)
        sys_oid = format_oid(oid_vb.value) if oid_vb is not None and isinstance(oid_vb.value, tuple) else ""
        detected = platform_for_sysobjectid(sys_oid) if sys_oid else None
        mismatch = int(detected is not None and detected.key != device.vendor)
        points = [
            Point(
                "snmp_system",
                dict(tags),
                {
                    "uptime_s": uptime / 100.0,
                    "sys_name": _text(byoid.get(SYS_NAME)),
                    "sys_descr": _text(byoid.get(SYS_DESCR)),
                    "sys_object_id": sys_oid,
                    "vendor_detected": detected.key if detected else "",
                    "vendor_mismatch": mismatch,
                },
                now_ns,
            )
        ]
        points += await self._interfaces(device, target, st, uptime, if_number, now_ns, counter)
        if health:
            hp = await self._health(device, target, st, detected.key if detected else None, now_ns, counter)
            if hp is not None:
                points.append(hp)
        st.uptime = uptime
        st.if_number = if_number
        return points

    async def _interfaces(
        self,
        device: Device,
        target: Target,
        st: DeviceState,
        uptime: int,
        if_number: int | None,
        now_ns: int,
        counter: list[int],
    ) -> list[Point]:
        restarted = st.uptime is not None and uptime < st.uptime
        refresh = (
            not st.static
            or st.polls_since_static >= self.static_refresh_polls
            or restarted
            or (if_number is not None and if_number != st.if_number)
        )
        cols: dict[str, Oid] = dict(STATUS_COLS)
        if st.hc is None:
            cols.update({f"hc.{k}": v for k, v in HC_COLS.items()})
            cols.update({f"c32.{k}": v for k, v in C32_COLS.items()})
        elif st.hc:
            cols.update({f"hc.{k}": v for k, v in HC_COLS.items()})
        else:
            cols.update({f"c32.{k}": v for k, v in C32_COLS.items()})
        if refresh:
            cols.update({f"static.{k}": v for k, v in STATIC_COLS.items()})
        started = time.time()
        walked = await self.engine.bulk_walk(target, list(cols.values()), self.max_repetitions)
        # Rates use the middle of the walk, when the agent read its counters on average; a
        # slow walk under load then skews neither this poll's rate nor the next one's.
        sample_time = (started + time.time()) / 2
        counter[0] += sum(len(v) for v in walked.values())
        # Columns as {ifIndex: int value} (what _int would give; other types are absent), read
        # straight from the walk: no VarBind lookups per cell. Static columns keep their VarBinds.
        ints = {
            name: _ints_by_index(walked.get(oid, ()), len(oid))
            for name, oid in cols.items()
            if not name.startswith("static.")
        }
        if st.hc is None:
            st.hc = any(len(vb.oid) == len(HC_COLS["in_octets"]) + 1 for vb in walked.get(HC_COLS["in_octets"], ()))
        if refresh:
            st.static = self._static(
                {name: _by_index(walked.get(oid, []), oid) for name, oid in cols.items() if name.startswith("static.")}
            )
            st.polls_since_static = 0
        else:
            st.polls_since_static += 1
        prefix = "hc." if st.hc else "c32."
        uplinks = self._uplinks.get(device.name)
        if uplinks is None:
            uplinks = self._uplinks[device.name] = uplink_interfaces(device, self.inventory)
        base = device.point_tags()
        points: list[Point] = []
        oper_oid = STATUS_COLS["oper_status"]
        n_oper = len(oper_oid) + 1
        indexes = sorted(
            set(st.static) | {vb.oid[n_oper - 1] for vb in walked.get(oper_oid, ()) if len(vb.oid) == n_oper}
        )
        status = [(name, ints[name]) for name in _STATUS_FIELDS]
        ctrs = [(name, ints.get(prefix + name, _NONE)) for name in HC_COLS]
        errs = [(name, ints[name]) for name in _ERROR_FIELDS]
        disc = ints["discontinuity"]
        hc = bool(st.hc)
        samples = st.samples
        for idx in indexes:
            s = st.static.get(idx) or StaticIf(str(idx), "", "", None, None)
            fields: dict[str, float | int | str | bool] = {}
            for name, col in status:
                v = col.get(idx)
                if v is not None:
                    fields[name] = v
            counters: dict[str, int] = {}
            for name, col in ctrs:
                v = col.get(idx)
                if v is not None:
                    counters[name] = v
            fields.update(counters)
            if s.speed_mbps is not None:
                fields["speed_mbps"] = s.speed_mbps
            fields["hc"] = is_hc = 1 if hc and "in_octets" in counters else 0
            for name, col in errs:
                v = col.get(idx)
                if v is not None:
                    counters[name] = v
            sample = Sample(sample_time, uptime, disc.get(idx), counters, bool(is_hc))
            prev = samples.get(idx)
            if prev is not None:
                fields.update(rates(prev, sample, s.speed_mbps))
                if COUNTER_RESET in fields:
                    log.warning("device %s interface %s: counters reset (no rate this poll)", device.name, s.name)
            samples[idx] = sample
            tags = dict(base)
            tags["ifName"] = s.name
            tags["ifAlias"] = s.alias
            tags["ifIndex"] = str(idx)
            tags["uplink"] = "1" if _is_uplink(s, uplinks) else "0"
            points.append(Point("interface", tags, fields, now_ns))
        return points

    @staticmethod
    def _static(table: dict[str, dict[int, VarBind]]) -> dict[int, StaticIf]:
        out: dict[int, StaticIf] = {}
        idxs = set(table.get("static.ifDescr", {})) | set(table.get("static.ifName", {}))
        for idx in idxs:
            name = _text(table["static.ifName"].get(idx)) or _text(table["static.ifDescr"].get(idx)) or str(idx)
            high = _int(table["static.ifHighSpeed"].get(idx))
            if high is None:  # no ifXTable: ifSpeed is bits/s, capped at 4.29 Gb/s
                sp = _int(table["static.ifSpeed"].get(idx))
                high = sp // 1_000_000 if sp is not None else None
            out[idx] = StaticIf(
                name=name,
                alias=_text(table["static.ifAlias"].get(idx)),
                descr=_text(table["static.ifDescr"].get(idx)),
                if_type=_int(table["static.ifType"].get(idx)),
                speed_mbps=high,
            )
        return out

    async def _health(
        self, device: Device, target: Target, st: DeviceState, detected: str | None, now_ns: int, counter: list[int]
    ) -> Point | None:
        names: list[str] = []
        if st.health_profile:
            names.append(st.health_profile)
        for key in (self.vendor_override.get(device.name), device.vendor, detected):
            if key:
                names.append(profile_for(key).name)
        names.append(FALLBACK)
        profiles = load_profiles()
        for name in dict.fromkeys(names):
            prof = profiles[name]
            walked = await self.engine.bulk_walk(target, prof.columns(), self.max_repetitions)
            counter[0] += sum(len(v) for v in walked.values())
            reading = evaluate(prof, walked)
            if reading.fields:
                st.health_profile = name
                fields: dict[str, float | int | str | bool] = dict(reading.fields)
                fields["profile"] = reading.profile
                return Point("health", device.point_tags(), fields, now_ns)
        return None
