"""Bounded live capture from an interface (root or CAP_NET_RAW), fed to the same analyzer.

Frames are read raw from scapy's AF_PACKET listen socket (no per-packet dissection) until
``duration`` seconds have passed; an optional BPF filter is compiled by tcpdump, as scapy does.
"""

from __future__ import annotations

import logging
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError, NetmonError
from .capture import Record
from .decode import LT_ETHERNET, LT_RAW

LIVE_HELP = "live capture needs root or CAP_NET_RAW (run as root, or use a pcap written by tcpdump)"


def live_records(iface: str, duration: float, bpf: str | None = None) -> Iterator[Record]:
    """Open the interface now (errors surface here), then yield frames until ``duration`` is up."""
    from scapy.arch.linux import L2ListenSocket
    from scapy.error import Scapy_Exception

    try:
        socket.if_nametoindex(iface)
    except OSError:
        known = ", ".join(name for _i, name in socket.if_nameindex())
        raise InputError.one(iface, f"no such interface here (known: {known})", field="--live") from None
    linktype = _linktype(iface)
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)  # "unable to guess type" for lo/tun: we know
    try:
        sock = L2ListenSocket(iface=iface, filter=bpf)
    except PermissionError:
        raise NetmonError(LIVE_HELP) from None
    except OSError as exc:
        raise InputError.one(iface, f"cannot capture on this interface: {exc.strerror or exc}") from None
    except Scapy_Exception as exc:  # a BPF filter tcpdump cannot compile
        raise InputError.one(iface, f"cannot capture: {exc}", field="--filter") from None
    return _frames(sock, duration, linktype)


def _linktype(iface: str) -> int:
    """AF_PACKET framing: Ethernet header for Ethernet and loopback; bare IP for tun/ppp-like (ARPHRD_NONE)."""
    try:
        arphrd = int(Path(f"/sys/class/net/{iface}/type").read_text())
    except (OSError, ValueError):
        return LT_ETHERNET
    return LT_RAW if arphrd in (65534, 512, 776) else LT_ETHERNET  # none, ppp, sit


def _frames(sock: Any, duration: float, linktype: int) -> Iterator[Record]:
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
            yield t, linktype, data, 0, len(data)
    finally:
        sock.close()
