"""Bounded live capture from an interface (root or CAP_NET_RAW), fed to the same analyzer.

Frames are read raw from scapy's AF_PACKET listen socket (no per-packet dissection) until
``duration`` seconds have passed; an optional BPF filter is compiled by tcpdump, as scapy does.
"""

from __future__ import annotations

import select
import time
from collections.abc import Iterator

from ..errors import InputError, NetmonError
from .capture import Record
from .decode import LT_ETHERNET

LIVE_HELP = "live capture needs root or CAP_NET_RAW (run as root, or use a pcap written by tcpdump)"


def live_records(iface: str, duration: float, bpf: str | None = None) -> Iterator[Record]:
    from scapy.config import conf

    try:
        sock = conf.L2listen(iface=iface, filter=bpf)
    except PermissionError:
        raise NetmonError(LIVE_HELP) from None
    except OSError as exc:
        raise InputError.one(iface, f"cannot capture on this interface: {exc.strerror or exc}") from None
    except Exception as exc:  # scapy raises Scapy_Exception for a bad BPF filter
        raise InputError.one(iface, f"cannot capture: {exc}", field="--filter") from None
    deadline = time.monotonic() + duration
    try:
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([sock], [], [], min(left, 0.5))
            if not ready:
                continue
            _cls, data, ts = sock.recv_raw(65535)
            if not data:
                continue
            t = int(float(ts) * 1e9) if ts else time.time_ns()
            yield t, LT_ETHERNET, data, 0, len(data)
    finally:
        sock.close()
