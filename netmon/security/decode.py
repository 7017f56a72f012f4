"""Header decoding for bulk analysis: link layer (Ethernet + VLAN/QinQ, Linux cooked, raw IP,
BSD loopback) down to IPv4/IPv6 and TCP/UDP/ICMP ports. Only headers are read; payload is
left in place as an offset so protocol checks (SNMP community, ...) read it on demand.

Tested packet for packet against scapy and tshark (tests/security/test_decode.py).
"""

from __future__ import annotations

import struct
from typing import NamedTuple

_H = struct.Struct("!H").unpack_from
_HH = struct.Struct("!HH").unpack_from

# DLT/LINKTYPE numbers (tcpdump.org/linktypes.html) we understand.
LT_NULL, LT_ETHERNET, LT_RAW_OPENBSD, LT_RAW = 0, 1, 12, 101
LT_LINUX_SLL, LT_IPV4, LT_IPV6, LT_LINUX_SLL2 = 113, 228, 229, 276
VLAN_TYPES = frozenset({0x8100, 0x88A8, 0x9100})  # 802.1Q, 802.1ad (QinQ), legacy QinQ
IPV6_EXT = frozenset({0, 43, 60})  # hop-by-hop, routing, destination options: skip by length
TCP, UDP, ICMP, ICMP6 = 6, 17, 1, 58


class Decoded(NamedTuple):
    """One IP packet's headers. Addresses are raw bytes (4 or 16); ports 0 when absent."""

    version: int
    src: bytes
    dst: bytes
    proto: int
    sport: int  # ICMP: type
    dport: int  # ICMP: code
    flags: int  # TCP flags byte, else 0
    l4: int  # offset of the L4 payload in the buffer (-1 when absent: non-first fragment, truncated)
    end: int  # end of the captured data
    length: int  # IP total length as sent (header + payload)


def link_to_ip(linktype: int, buf: bytes, off: int, end: int) -> tuple[int, int]:
    """(ethertype-like IP version 4/6 or 0, offset of the IP header)."""
    if linktype == LT_ETHERNET:
        if end - off < 14:
            return 0, off
        et = _H(buf, off + 12)[0]
        off += 14
        while et in VLAN_TYPES:
            if end - off < 4:
                return 0, off
            et = _H(buf, off + 2)[0]
            off += 4
    elif linktype == LT_LINUX_SLL:
        if end - off < 16:
            return 0, off
        et = _H(buf, off + 14)[0]
        off += 16
    elif linktype == LT_LINUX_SLL2:
        if end - off < 20:
            return 0, off
        et = _H(buf, off)[0]
        off += 20
    elif linktype in (LT_RAW, LT_RAW_OPENBSD, LT_IPV4, LT_IPV6):
        if end - off < 1:
            return 0, off
        v = buf[off] >> 4
        return (v if v in (4, 6) else 0), off
    elif linktype == LT_NULL:
        if end - off < 4:
            return 0, off
        fam = buf[off] | buf[off + 3]  # host byte order; AF_INET=2, AF_INET6=24/28/30
        return (4 if fam == 2 else 6 if fam in (24, 28, 30) else 0), off + 4
    else:
        return 0, off
    if et == 0x0800:
        return 4, off
    if et == 0x86DD:
        return 6, off
    return 0, off


def decode(linktype: int, buf: bytes, off: int, caplen: int) -> Decoded | None:
    """Headers of an IP packet, or None for non-IP frames (ARP, STP, LLDP, ...) and runts."""
    end = off + caplen
    ver, off = link_to_ip(linktype, buf, off, end)
    if ver == 4:
        if end - off < 20 or buf[off] >> 4 != 4:
            return None
        ihl = (buf[off] & 0x0F) * 4
        if ihl < 20:
            return None
        total = _H(buf, off + 2)[0]
        proto = buf[off + 9]
        src = buf[off + 12 : off + 16]
        dst = buf[off + 16 : off + 20]
        frag = _H(buf, off + 6)[0] & 0x1FFF
        l4 = off + ihl
        if end > off + total >= l4:
            end = off + total  # drop Ethernet padding
        if frag:
            return Decoded(4, src, dst, proto, 0, 0, 0, -1, end, total)
    elif ver == 6:
        if end - off < 40 or buf[off] >> 4 != 6:
            return None
        total = _H(buf, off + 4)[0] + 40
        proto = buf[off + 6]
        src = buf[off + 8 : off + 24]
        dst = buf[off + 24 : off + 40]
        if end > off + total:
            end = off + total
        l4 = off + 40
        while True:
            if proto in IPV6_EXT:
                if end - l4 < 8:
                    return Decoded(6, src, dst, proto, 0, 0, 0, -1, end, total)
                proto, hlen = buf[l4], (buf[l4 + 1] + 1) * 8
                l4 += hlen
            elif proto == 44:  # fragment header
                if end - l4 < 8:
                    return Decoded(6, src, dst, proto, 0, 0, 0, -1, end, total)
                nxt, frag = buf[l4], _H(buf, l4 + 2)[0] >> 3
                l4 += 8
                proto = nxt
                if frag:
                    return Decoded(6, src, dst, proto, 0, 0, 0, -1, end, total)
            elif proto == 51:  # authentication header
                if end - l4 < 8:
                    return Decoded(6, src, dst, proto, 0, 0, 0, -1, end, total)
                proto, hlen = buf[l4], (buf[l4 + 1] + 2) * 4
                l4 += hlen
            else:
                break
    else:
        return None
    if proto == TCP:
        if end - l4 < 14:
            return Decoded(ver, src, dst, proto, 0, 0, 0, -1, end, total)
        sport, dport = _HH(buf, l4)
        doff = (buf[l4 + 12] >> 4) * 4
        return Decoded(ver, src, dst, proto, sport, dport, buf[l4 + 13], l4 + doff, end, total)
    if proto == UDP:
        if end - l4 < 8:
            return Decoded(ver, src, dst, proto, 0, 0, 0, -1, end, total)
        sport, dport = _HH(buf, l4)
        return Decoded(ver, src, dst, proto, sport, dport, 0, l4 + 8, end, total)
    if proto in (ICMP, ICMP6):
        if end - l4 < 4:
            return Decoded(ver, src, dst, proto, 0, 0, 0, -1, end, total)
        return Decoded(ver, src, dst, proto, buf[l4], buf[l4 + 1], 0, l4 + 4, end, total)
    return Decoded(ver, src, dst, proto, 0, 0, 0, l4, end, total)
