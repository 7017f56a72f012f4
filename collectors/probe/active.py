"""ICMP echo and TCP-SYN probes with scapy over raw sockets: loss, latency and jitter.

Each run sends ``count`` packets spaced ``interval`` apart and times every answer from the
kernel timestamps scapy records (sent_time / reply time). A TCP probe counts a SYN-ACK or a
RST as an answer: either proves the device's stack answered, which is what latency measures.
"""

from __future__ import annotations

import errno
import ipaddress
import itertools
import logging
import random
import socket
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from netmon.errors import NetmonError

RAW_HELP = (
    "active probes send raw packets: run netmon as root or give the interpreter CAP_NET_RAW "
    "(setcap cap_net_raw+ep $(readlink -f .venv/bin/python))"
)


def check_raw_sockets() -> None:
    """Raise NetmonError with a clear remedy if this process may not open raw sockets."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()
    except PermissionError:
        raise NetmonError(RAW_HELP) from None
    except OSError as exc:
        if exc.errno in (errno.EPERM, errno.EACCES):
            raise NetmonError(RAW_HELP) from None
        raise NetmonError(f"cannot open a raw socket: {exc.strerror or exc}") from None


@dataclass
class ProbeResult:
    target: str
    kind: str  # icmp | tcp
    sent: int
    rtts_ms: list[float] = field(default_factory=list)  # in send order, answered packets only
    error: str = ""

    @property
    def received(self) -> int:
        return len(self.rtts_ms)

    @property
    def loss_pct(self) -> float:
        return 100.0 * (self.sent - self.received) / self.sent if self.sent else 0.0

    @property
    def jitter_ms(self) -> float:
        """Mean absolute difference of consecutive RTTs (RFC 3550 §6.4.1 style, unsmoothed)."""
        r = self.rtts_ms
        if len(r) < 2:
            return 0.0
        return statistics.fmean(abs(b - a) for a, b in itertools.pairwise(r))

    def fields(self) -> dict[str, float | int | str | bool]:
        out: dict[str, float | int | str | bool] = {
            "sent": self.sent, "received": self.received, "loss_pct": round(self.loss_pct, 3),
            "jitter_ms": round(self.jitter_ms, 4),
        }  # fmt: skip
        if self.rtts_ms:
            out.update(
                rtt_min_ms=round(min(self.rtts_ms), 4),
                rtt_avg_ms=round(statistics.fmean(self.rtts_ms), 4),
                rtt_max_ms=round(max(self.rtts_ms), 4),
            )
        if self.error:
            out["error"] = self.error
        return out


# A run that ends this much past scapy's deadline was starved inside netmon (see probe()): on a
# quiet machine scapy returns ~0.07 s after it; 0.25 s let a reader starved just past the deadline
# lose answers uncounted (daemon test with four CPU hogs: 1 failure in 4 runs, 0 in 6 at 0.12 s).
LATE_S = 0.12
LATE_RETRIES = 2


def probe(target: str, kind: str, count: int, interval: float, timeout: float, tcp_port: int = 22) -> ProbeResult:
    """One run of ``count`` spaced probes of ``kind`` to ``target``; never raises for network trouble."""
    from scapy.error import Scapy_Exception
    from scapy.layers.inet import ICMP, IP, TCP
    from scapy.layers.inet6 import ICMPv6EchoRequest, IPv6
    from scapy.sendrecv import sr

    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)  # per-packet "MAC not found" noise on stderr
    v6 = ipaddress.ip_address(target).version == 6
    ident = random.randrange(1, 0xFFFF)
    l3 = IPv6(dst=target) if v6 else IP(dst=target)
    if kind == "icmp":
        pkts = [l3 / (ICMPv6EchoRequest(id=ident, seq=i) if v6 else ICMP(id=ident, seq=i)) for i in range(count)]
    else:
        base = random.randrange(20000, 60000 - count)
        seq = random.randrange(1 << 32)
        pkts = [l3 / TCP(sport=base + i, dport=tcp_port, flags="S", seq=seq) for i in range(count)]
    res = ProbeResult(target, kind, count)
    # Each concurrent run sniffs with a socket of its own and, unfiltered, dissects every reply of
    # every other run in Python. A BPF filter on its own replies is asked for; on loopback scapy
    # still returned replies the filter excludes, so correctness rests on the matching below and
    # on the late-run retry, never on the filter.
    if kind == "icmp":
        bpf = f"icmp6 and ip6[44:2] == {ident}" if v6 else f"icmp and icmp[4:2] == {ident}"
    else:
        bpf = f"tcp and dst portrange {base}-{base + count - 1}"
    from scapy.layers.inet6 import ICMPv6EchoReply

    def real_answer(r: Any) -> bool:
        # An ICMP error quoting our probe (unreachable, prohibited) is an answer to scapy, not to us.
        if kind == "tcp":
            return bool(r.haslayer(TCP)) and not r.haslayer(ICMP)
        if v6:
            return bool(r.haslayer(ICMPv6EchoReply))
        return bool(r.haslayer(ICMP)) and int(r[ICMP].type) == 0

    got: dict[int, tuple[float, float]] = {}  # packet index -> (sent time, rtt ms)
    index = {id(p): i for i, p in enumerate(pkts)}  # scapy pairs the very objects it was given
    todo = list(range(count))
    bpf_or_none: str | None = bpf
    late = 0.0
    for _attempt in range(1 + LATE_RETRIES):
        t0 = time.monotonic()
        batch = [pkts[i] for i in todo]
        try:
            try:
                ans, _unans = sr(batch, inter=interval, timeout=timeout, verbose=0, threaded=False, filter=bpf_or_none)
            except Scapy_Exception:
                if bpf_or_none is None:
                    raise
                bpf_or_none = None  # no tcpdump/libpcap to compile the filter: unfiltered, as before
                ans, _unans = sr(batch, inter=interval, timeout=timeout, verbose=0, threaded=False)
        except PermissionError:
            raise NetmonError(RAW_HELP) from None
        except OSError as exc:  # no route, interface down, ...
            res.error = exc.strerror or str(exc)
            return res
        for snd, rcv in ans:
            i = index.get(id(snd))
            if i is not None and i not in got and real_answer(rcv):
                sent = float(snd.sent_time or 0)
                got[i] = (sent, max((float(rcv.time) - sent) * 1000.0, 0.0))
        todo = [i for i in todo if i not in got]
        # scapy stops reading at its deadline: a run that ended well past it had its reader
        # starved by this process (or the machine), and answers still in the socket buffer were
        # never read. That is netmon's delay, not the device's loss: probe the missing ones again.
        late = time.monotonic() - t0 - ((len(batch) - 1) * interval + timeout)
        if not todo or late <= LATE_S:
            break
    else:
        if todo:
            res.error = f"netmon was behind: the probe run ended {late:.1f} s late {1 + LATE_RETRIES} times"
    res.rtts_ms = [rtt for _t, rtt in sorted(got.values())]
    return res
