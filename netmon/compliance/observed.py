"""Compliance that checks what is in effect, not only what is configured.

A configuration can name a log host that never hears from the device, or NTP servers the device
cannot reach. ``gather()`` reads what netmon itself observed about each device over a window
(default 24 h) from the sink: syslog messages received (and their clock skew), SNMP traps by
version, cleartext-SNMP findings of `netmon pcap`; ``apply_observed()`` then adds an
``observed (24 h): ...`` note to the rules it bears on and adjusts a verdict only where the
observation contradicts the configuration:

=====  =====================================================  ===============================
rule   observation                                            adjustment
=====  =====================================================  ===============================
AU-01  no syslog message from the device in the window         PASS -> WARN (not in effect)
AU-03  median |skew| of its timestamps > ``max_skew_s``, or    PASS -> WARN (clock not in sync)
       messages flagged unsynchronised (Cisco ``*``, RFC 5424
       ``timeQuality isSynced=0``)
AU-07  its records are in netmon's archive, kept               REVIEW -> PASS (netmon is the
       ``retention_days`` >= 184                              log host that keeps them)
SN-01  SNMPv1/v2c traps received from it, or cleartext SNMP    PASS -> FAIL (v1/v2c in use)
SN-02  flows involving it seen by `netmon pcap`                note only
=====  =====================================================  ===============================

Everything else is a note; a rule the device has no check for (N/A) is left alone. With no
observations at all (no syslog receiver, nothing in the sink) nothing changes.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ..inventory import Device
from ..storage.base import Query
from .results import DeviceResult, Finding

MIN_SKEW_SAMPLES = 3


@dataclass
class Observed:
    """What netmon saw of one device over ``window_s`` seconds."""

    window_s: float = 86400.0
    syslog_known: bool = False  # a syslog receiver reports into this sink (else: no claim about AU-01)
    syslog_messages: int = 0
    last_syslog_ns: int = 0
    skews: list[float] = field(default_factory=list)
    unsynced: int = 0
    traps_v1v2c: int = 0
    traps_v3: int = 0
    cleartext_snmp: int = 0
    archive_retention_days: int | None = None  # netmon's syslog archive, when it keeps this device's records


@dataclass(frozen=True)
class Limits:
    max_skew_s: float = 10.0


def _when(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9).strftime("%Y-%m-%d %H:%M:%S") if ns else "never"


def _adjust(f: Finding, to: str, note: str) -> None:
    f.notes.append(note)
    if f.result != to:
        f.notes.append(f"verdict {f.result} -> {to} from what netmon observed")
        f.result = to  # type: ignore[assignment]


def apply_observed(result: DeviceResult, obs: Observed, limits: Limits | None = None) -> None:
    """Add observed evidence to the findings of one device (in place)."""
    lim = limits or Limits()
    hours = f"{obs.window_s / 3600:g} h"
    by = {f.rule: f for f in result.findings}
    au01 = by.get("AU-01")
    if au01 is not None and au01.result != "N/A" and obs.syslog_known:
        if obs.syslog_messages == 0:
            note = f"observed ({hours}): no syslog message from this device reached netmon"
            if au01.result == "PASS":
                _adjust(au01, "WARN", note + ": the log host is configured but logging is not in effect")
            else:
                au01.notes.append(note)
        else:
            au01.notes.append(
                f"observed ({hours}): {obs.syslog_messages} syslog messages received, last at {_when(obs.last_syslog_ns)}"
            )
    au03 = by.get("AU-03")
    if au03 is not None and au03.result != "N/A" and obs.syslog_messages:
        if len(obs.skews) >= MIN_SKEW_SAMPLES:
            med = statistics.median(obs.skews)
            note = f"observed ({hours}): device clock {med:+.1f} s from netmon's (median of {len(obs.skews)} syslog timestamps)"
            if abs(med) > lim.max_skew_s:
                if au03.result == "PASS":
                    _adjust(au03, "WARN", note + f", beyond {lim.max_skew_s:g} s: time is not in sync")
                else:
                    au03.notes.append(note)
            else:
                au03.notes.append(note + ": in sync")
        if obs.unsynced:
            note = f"observed ({hours}): {obs.unsynced} messages say the device clock is not synchronised"
            if au03.result == "PASS":
                _adjust(au03, "WARN", note)
            else:
                au03.notes.append(note)
    au07 = by.get("AU-07")
    if au07 is not None and au07.result == "REVIEW" and obs.archive_retention_days and obs.syslog_messages:
        _adjust(
            au07, "PASS",
            f"observed: netmon is this device's log host and keeps its records {obs.archive_retention_days} days (>= 6 months)",
        )  # fmt: skip
    v12 = obs.traps_v1v2c + obs.cleartext_snmp
    for rid in ("SN-01", "SN-02"):
        f = by.get(rid)
        if f is None or f.result == "N/A" or not v12:
            continue
        note = (
            f"observed ({hours}): SNMPv1/v2c in use: {obs.traps_v1v2c} v1/v2c traps received, "
            f"{obs.cleartext_snmp} cleartext SNMP flows seen by netmon pcap"
        )
        if rid == "SN-01" and f.result == "PASS":
            _adjust(f, "FAIL", note)
        else:
            f.notes.append(note)


async def gather(
    query: Query, devices: Iterable[Device], window_s: float = 86400.0, now_ns: int | None = None,
    archive_retention_days: int | None = None,
) -> dict[str, Observed]:  # fmt: skip
    """Observations per device from a sink's ``Query`` (netmon.storage): syslog, snmp_trap and
    security_finding points of the last ``window_s``."""
    now = now_ns or time.time_ns()
    start = now - int(window_s * 1e9)
    out = {d.name: Observed(window_s) for d in devices}
    q = query
    syslog = await q.range("syslog", start, now + 1, fields=["skew_s", "clock_synced"])
    selfs = await q.range("netmon_self", start, now + 1, where={"collector": "syslog"}, fields=["messages_received"])
    known = bool(syslog or selfs)
    for o in out.values():
        o.syslog_known = known
        o.archive_retention_days = archive_retention_days
    for p in syslog:
        ob = out.get(p.tags.get("device", ""))
        if ob is None:
            continue
        ob.syslog_messages += 1
        ob.last_syslog_ns = max(ob.last_syslog_ns, p.time_ns)
        skew = p.fields.get("skew_s")
        if isinstance(skew, int | float):
            ob.skews.append(float(skew))
        if p.fields.get("clock_synced") is False:
            ob.unsynced += 1
    for p in await q.range("snmp_trap", start, now + 1, fields=["count"]):
        ob = out.get(p.tags.get("device", ""))
        if ob is not None:
            if p.tags.get("version") in ("1", "2c"):
                ob.traps_v1v2c += 1
            else:
                ob.traps_v3 += 1
    for p in await q.range("security_finding", start, now + 1, where={"rule": "snmp-v1v2c"}, fields=["packets"]):
        ob = out.get(p.tags.get("device", ""))
        if ob is not None:
            ob.cleartext_snmp += 1
    return out


def observe_run(
    cfg: object, results: list[DeviceResult], devices: Iterable[Device], window_s: float = 86400.0,
    sink: str | None = None,
) -> str:  # fmt: skip
    """Gather from netmon.yaml's sink (or ``sink``, the daemon's ``--sink``) and apply to a scan's
    results; returns a line for the user. A sink that cannot be read changes nothing."""
    import asyncio
    from pathlib import Path

    from ..errors import InputError, NetmonError
    from ..storage import open_query

    path = getattr(cfg, "path", None)
    base = Path(path).resolve().parent if path else None
    retention = None
    if getattr(cfg, "syslog", None):
        from ..syslog.settings import load_syslog_settings

        s = load_syslog_settings(cfg.syslog, str(path or "netmon.yaml"), base)  # type: ignore[attr-defined]
        retention = s.archive.retention_days if s.archive.enabled else None

    async def run() -> dict[str, Observed]:
        q = open_query(sink or cfg.sink, base)  # type: ignore[attr-defined]
        try:
            return await gather(q, devices, window_s, archive_retention_days=retention)
        finally:
            await q.close()

    try:
        obs = asyncio.run(run())
    except (NetmonError, InputError) as exc:
        return f"observed evidence not added: {exc}"
    for r in results:
        o = obs.get(r.device)
        if o is not None:
            apply_observed(r, o)
    seen = sum(1 for o in obs.values() if o.syslog_messages or o.traps_v1v2c or o.traps_v3 or o.cleartext_snmp)
    return f"observed evidence ({window_s / 3600:g} h) from the sink: {seen} of {len(obs)} device(s) seen"
