"""Traceroute-style path check: do a target's packets cross the devices the topology expects?

The topology's primary uplinks give the expected device sequence (county → city → province →
central, or the reverse from a central poller). A traceroute (ICMP echo with TTL 1..N) gives
the addresses that answered each hop; each is mapped back to a device through its management
address, the inventory tag ``hop_addresses`` and ``probe.hop_addresses`` (routers answer from
the interface facing the prober, not their management address). A hop that answered as a
different device, or an address no device owns (an unexpected link, the Internet), is a
changed path; hops that stayed silent match anything (ICMP rate limits are normal).
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass
from typing import Any

from netmon.errors import InputError, NetmonError
from netmon.inventory import Device, Inventory, Topology

from .active import RAW_HELP

HopAnswer = tuple[str | None, bool]  # (responder address or None for silence, destination reached)


def hop_index(inv: Inventory, extra: dict[str, list[str]]) -> dict[str, str]:
    """Address -> device name for every address a device may answer a traceroute from."""
    idx: dict[str, str] = {}
    for d in inv:
        idx[d.address] = d.name
        for a in d.tags.get("hop_addresses", "").replace(";", ",").split(","):
            if a.strip():
                idx[str(ipaddress.ip_address(a.strip()))] = d.name
    for name, addrs in extra.items():
        for a in addrs:
            idx[str(ipaddress.ip_address(a))] = name
    return idx


def expected_path(topo: Topology, vantage: str | None, target: str) -> list[str]:
    """Devices a packet from behind ``vantage`` crosses to ``target`` along primary uplinks."""
    down = topo.path_to_root(target)
    if vantage is None:
        return list(reversed(down))
    up = topo.path_to_root(vantage)
    for i, n in enumerate(up):
        if n in down:
            return up[: i + 1] + list(reversed(down[: down.index(n)]))
    raise InputError.one("probe.path.vantage", f"{vantage} and {target} share no path to a common root")


def traceroute(target: str, max_hops: int, timeout: float, retries: int = 1) -> list[HopAnswer]:
    """Answers per TTL (index 0 = TTL 1), cut after the destination answered."""
    from scapy.layers.inet import ICMP, IP
    from scapy.layers.inet6 import ICMPv6EchoReply, ICMPv6EchoRequest, IPv6
    from scapy.sendrecv import sr

    v6 = ipaddress.ip_address(target).version == 6
    ident = random.randrange(1, 0xFFFF)
    answers: dict[int, HopAnswer] = {}
    todo = list(range(1, max_hops + 1))
    for _ in range(retries + 1):
        if not todo:
            break
        pkts: list[Any]
        if v6:
            pkts = [IPv6(dst=target, hlim=t) / ICMPv6EchoRequest(id=ident, seq=t) for t in todo]
        else:
            pkts = [IP(dst=target, ttl=t) / ICMP(id=ident, seq=t) for t in todo]
        try:
            ans, _ = sr(pkts, timeout=timeout, verbose=0, inter=0.002, threaded=False)
        except PermissionError:
            raise NetmonError(RAW_HELP) from None
        except OSError:
            break
        for s, r in ans:
            ttl = int(s.hlim if v6 else s.ttl)
            reached = bool(r.haslayer(ICMPv6EchoReply)) if v6 else (r.haslayer(ICMP) and int(r[ICMP].type) == 0)
            answers[ttl] = (str(r.src), bool(reached))
        last = min((t for t, (_a, done) in answers.items() if done), default=None)
        todo = [t for t in todo if t not in answers and (last is None or t < last)]
    last = min((t for t, (_a, done) in answers.items() if done), default=max_hops)
    return [answers.get(t, (None, False)) for t in range(1, last + 1)]


@dataclass
class PathResult:
    target: Device
    expected: list[str]
    observed: list[str]  # device name, raw address for unknown responders, "*" for silence
    reached: bool
    ok: bool
    detail: str


def compare(target: Device, expected: list[str], hops: list[HopAnswer], index: dict[str, str]) -> PathResult:
    observed = [index.get(a, a) if a else "*" for a, _ in hops]
    reached = bool(hops) and hops[-1][1]
    mismatch = [(i, o) for i, o in enumerate(observed) if o != "*" and (i >= len(expected) or o != expected[i])]
    if reached and len(observed) != len(expected) and not mismatch:
        mismatch = [(min(len(observed), len(expected)) - 1, observed[-1])]
    if mismatch:
        i, o = mismatch[0]
        want = expected[i] if i < len(expected) else "(no more hops)"
        detail = f"hop {i + 1}: expected {want}, got {o}"
        return PathResult(target, expected, observed, reached, False, detail)
    if not reached:
        return PathResult(target, expected, observed, reached, False, "destination not reached")
    return PathResult(target, expected, observed, reached, True, "")
