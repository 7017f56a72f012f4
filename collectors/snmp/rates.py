"""Counters to rates, telling a 32-bit wrap from a restart or counter reset.

A device restart (sysUpTime going back) or a counter discontinuity (ifCounterDiscontinuityTime
changing) makes every delta meaningless: no rate is produced for that poll, never a spike.
Otherwise a 32-bit counter that went down wrapped once (add 2**32); a 64-bit counter that went
down was reset (no rate).

A 32-bit counter cleared without a discontinuity change (``clear counters`` on many devices)
looks exactly like a wrap, and the "wrap" gives a rate near 2**32 bytes per interval (2.5 Gb/s
on a 100 Mb/s link). So when a wrap was assumed and the bit rate exceeds the interface speed
(ifHighSpeed/ifSpeed) by more than SPEED_TOLERANCE, the sample is a counter reset: no rate,
the sample becomes the new baseline and ``counter_reset = 1`` is reported on the point (the
poller logs device and interface). Rates above the speed *without* a counter going down are
kept: they come from a misreported speed (tunnels, SVIs and LAGs often report a nominal one),
not from a reset, and dropping them would blank those interfaces for good.
"""

from __future__ import annotations

from dataclasses import dataclass

WRAP32 = 1 << 32
# Rates a little above the nominal speed happen (sampling jitter, framing counted in octets).
SPEED_TOLERANCE = 1.10
COUNTER_RESET = "counter_reset"


@dataclass(frozen=True, slots=True)
class Sample:
    """One poll of one interface's counters."""

    time_s: float  # collection time (monotonic enough: wall clock of the poll)
    uptime_ticks: int | None  # sysUpTime (1/100 s) of the same poll
    discontinuity: int | None  # ifCounterDiscontinuityTime
    counters: dict[str, int]
    hc: bool  # 64-bit counters


def counter_delta(prev: int, cur: int, hc: bool) -> int | None:
    """cur - prev for a counter; a 32-bit wrap is corrected, a 64-bit decrease is a reset."""
    if cur >= prev:
        return cur - prev
    if hc:
        return None
    return cur + WRAP32 - prev


def restarted(prev: Sample, cur: Sample) -> bool:
    if prev.uptime_ticks is not None and cur.uptime_ticks is not None and cur.uptime_ticks < prev.uptime_ticks:
        return True
    if prev.discontinuity is not None and cur.discontinuity is not None and cur.discontinuity != prev.discontinuity:
        return True
    return prev.hc != cur.hc  # the device switched counter width: not comparable


# (rate field, counter, multiplier)
RATE_FIELDS: tuple[tuple[str, str, int], ...] = (
    ("in_bps", "in_octets", 8),
    ("out_bps", "out_octets", 8),
    ("in_pps", "in_ucast_pkts", 1),
    ("out_pps", "out_ucast_pkts", 1),
    ("in_errors_ps", "in_errors", 1),
    ("out_errors_ps", "out_errors", 1),
    ("in_discards_ps", "in_discards", 1),
    ("out_discards_ps", "out_discards", 1),
)
# Packet rates count all casts when the device has them.
_PKT_EXTRA = {"in_pps": ("in_mcast_pkts", "in_bcast_pkts"), "out_pps": ("out_mcast_pkts", "out_bcast_pkts")}


# Each rate field with every counter it sums, in the order they are added.
_PLAN: tuple[tuple[str, tuple[str, ...], int], ...] = tuple(
    (name, (counter, *_PKT_EXTRA.get(name, ())), mult) for name, counter, mult in RATE_FIELDS
)


def rates(prev: Sample, cur: Sample, speed_mbps: int | None) -> dict[str, float]:
    """Rates between two samples; empty after a restart or a non-positive interval, only
    ``{"counter_reset": 1}`` after a counter reset (64-bit decrease, or a 32-bit "wrap" faster
    than the link)."""
    dt = cur.time_s - prev.time_s
    if dt <= 0 or restarted(prev, cur):
        return {}
    out: dict[str, float] = {}
    wrapped: list[str] = []
    pc, cc, hc = prev.counters, cur.counters, cur.hc
    for name, counters, mult in _PLAN:
        total = 0
        ok = False
        for c in counters:
            a = pc.get(c)
            b = cc.get(c)
            if a is None or b is None:
                continue
            if b >= a:
                total += b - a
            elif hc:
                return {COUNTER_RESET: 1}  # a 64-bit counter went back: the interface's counters were reset
            else:
                total += b + WRAP32 - a
                wrapped.append(name)
            ok = True
        if ok:
            out[name] = total * mult / dt
    if speed_mbps and wrapped:
        limit = speed_mbps * 1_000_000 * SPEED_TOLERANCE
        if any(out.get(f"{d}_bps", 0.0) > limit for d in ("in", "out") if f"{d}_bps" in wrapped):
            return {COUNTER_RESET: 1}
    if speed_mbps:
        for direction in ("in", "out"):
            bps = out.get(f"{direction}_bps")
            if bps is not None:
                out[f"{direction}_util_pct"] = round(100.0 * bps / (speed_mbps * 1_000_000), 4)
    return out
