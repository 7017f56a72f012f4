"""Streaming pcap / pcapng reader: bounded memory, clear errors on truncated or corrupt files.

scapy's reader builds a full packet object per frame (tens of µs); bulk analysis needs only
headers, so this reads records straight out of a fixed-size buffer with ``struct`` and hands
the caller (time, linktype, buffer, offset, length) without copying the frame.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20  # read size; memory stays ~2 chunks whatever the file size
MAX_RECORD = 1 << 18  # no real frame is larger (snaplen max 262144); larger means corruption

PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1000),  # little-endian, µs
    b"\xa1\xb2\xc3\xd4": (">", 1000),
    b"\x4d\x3c\xb2\xa1": ("<", 1),  # nanosecond variant
    b"\xa1\xb2\x3c\x4d": (">", 1),
}
PCAPNG_SHB = b"\x0a\x0d\x0d\x0a"


class CaptureError(Exception):
    """The file is not a capture, or is corrupt/truncated at ``offset`` after ``packets`` frames."""

    def __init__(self, path: str, reason: str, offset: int | None = None, packets: int = 0) -> None:
        self.path, self.reason, self.offset, self.packets = path, reason, offset, packets
        where = f" at byte {offset}" if offset is not None else ""
        super().__init__(f"{path}{where}: {reason}")


@dataclass
class CaptureInfo:
    """What the reader learned about the file while streaming it."""

    format: str = ""
    interfaces: list[int] = field(default_factory=list)  # linktype per interface id (pcapng) or [linktype]
    packets: int = 0
    bytes_read: int = 0


Record = tuple[int, int, bytes, int, int]  # time_ns, linktype, buffer, offset, caplen


class CaptureReader:
    """Iterate the frames of a pcap or pcapng file (or stream); ``info`` fills in as it goes."""

    def __init__(self, source: Path | BinaryIO, name: str | None = None) -> None:
        self._path = source if isinstance(source, Path) else None
        self._stream = None if isinstance(source, Path) else source
        self.name: str = name or (str(source) if isinstance(source, Path) else str(getattr(source, "name", "<stream>")))
        self.info = CaptureInfo()

    def __iter__(self) -> Iterator[Record]:
        if self._path is not None:
            try:
                fh: BinaryIO = self._path.open("rb")
            except OSError as exc:
                raise CaptureError(self.name, exc.strerror or str(exc)) from None
            with fh:
                yield from self._read(fh)
        else:
            assert self._stream is not None
            yield from self._read(self._stream)

    def _read(self, fh: BinaryIO) -> Iterator[Record]:
        head = fh.read(4)
        if len(head) < 4:
            raise CaptureError(self.name, "empty or too short to be a pcap/pcapng file", 0)
        if head in PCAP_MAGICS:
            yield from self._pcap(fh, head)
        elif head == PCAPNG_SHB:
            yield from self._pcapng(fh, head)
        else:
            raise CaptureError(self.name, f"not a pcap or pcapng file (magic {head.hex()})", 0)

    def _refill(self, fh: BinaryIO, buf: bytes, base: int, pos: int, need: int = 0) -> tuple[bytes, int, int]:
        out = _refill(fh, buf, base, pos, need)
        self.info.bytes_read = out[1]  # file offset reached, for progress
        return out

    # -- classic pcap --------------------------------------------------------------------
    def _pcap(self, fh: BinaryIO, magic: bytes) -> Iterator[Record]:
        endian, ns_mult = PCAP_MAGICS[magic]
        rest = fh.read(20)
        if len(rest) < 20:
            raise CaptureError(self.name, "truncated pcap file header", 4)
        _vmaj, _vmin, _zone, _sig, _snap, linktype = struct.unpack(endian + "HHiIII", rest)
        linktype &= 0xFFFF  # upper bits carry FCS length flags
        info = self.info
        info.format, info.interfaces = ("pcap-ns" if ns_mult == 1 else "pcap"), [linktype]
        rec = struct.Struct(endian + "IIII").unpack_from
        buf = b""
        pos = 0
        base = 24  # file offset of buf[0]
        n = 0
        while True:
            if len(buf) - pos < 16:
                buf, base, pos = self._refill(fh, buf, base, pos)
                if len(buf) - pos == 0:
                    break
                if len(buf) - pos < 16:
                    raise CaptureError(self.name, "truncated record header", base + pos, n)
            sec, frac, caplen, _orig = rec(buf, pos)
            if caplen > MAX_RECORD:
                raise CaptureError(self.name, f"corrupt record (captured length {caplen})", base + pos, n)
            end = pos + 16 + caplen
            if end > len(buf):
                buf, base, pos = self._refill(fh, buf, base, pos, need=16 + caplen)
                end = pos + 16 + caplen
                if end > len(buf):
                    got = len(buf) - pos - 16
                    raise CaptureError(self.name, f"truncated packet ({got} of {caplen} bytes)", base + pos, n)
            n += 1
            yield sec * 1_000_000_000 + frac * ns_mult, linktype, buf, pos + 16, caplen
            pos = end
            info.packets = n
        info.bytes_read = base + pos

    # -- pcapng -------------------------------------------------------------------------
    def _pcapng(self, fh: BinaryIO, first: bytes) -> Iterator[Record]:
        info = self.info
        info.format = "pcapng"
        buf, pos, base = first, 0, 0
        endian = "<"
        ifaces: list[tuple[int, int, int]] = []  # (linktype, ticks per second, ns multiplier or 0)
        n = 0
        while True:
            if len(buf) - pos < 12:
                buf, base, pos = self._refill(fh, buf, base, pos)
                if len(buf) - pos == 0:
                    break
                if len(buf) - pos < 12:
                    raise CaptureError(self.name, "truncated block header", base + pos, n)
            btype_raw = buf[pos : pos + 4]
            if btype_raw == PCAPNG_SHB:
                bom = buf[pos + 8 : pos + 12]
                if bom == b"\x4d\x3c\x2b\x1a":
                    endian = "<"
                elif bom == b"\x1a\x2b\x3c\x4d":
                    endian = ">"
                else:
                    raise CaptureError(self.name, "corrupt section header (byte-order magic)", base + pos, n)
                ifaces = []  # interface ids are per section
            btype, blen = struct.unpack_from(endian + "II", buf, pos)
            if blen < 12 or blen % 4 or blen > MAX_RECORD + 64:
                raise CaptureError(self.name, f"corrupt block (type {btype:#x}, length {blen})", base + pos, n)
            if pos + blen > len(buf):
                buf, base, pos = self._refill(fh, buf, base, pos, need=blen)
                if pos + blen > len(buf):
                    raise CaptureError(self.name, f"truncated block (type {btype:#x})", base + pos, n)
            if btype == 6:  # enhanced packet block
                ifid, hi, lo, caplen, _orig = struct.unpack_from(endian + "IIIII", buf, pos + 8)
                if ifid >= len(ifaces):
                    raise CaptureError(self.name, f"packet on undeclared interface {ifid}", base + pos, n)
                if 28 + caplen > blen - 4:
                    raise CaptureError(self.name, f"corrupt packet block (captured length {caplen})", base + pos, n)
                lt, tps, mult = ifaces[ifid]
                ticks = (hi << 32) | lo
                n += 1
                info.packets = n
                yield (ticks * mult if mult else ticks * 1_000_000_000 // tps), lt, buf, pos + 28, caplen
            elif btype == 3:  # simple packet block: interface 0, no timestamp
                if not ifaces:
                    raise CaptureError(self.name, "packet before any interface description", base + pos, n)
                (orig,) = struct.unpack_from(endian + "I", buf, pos + 8)
                caplen = min(orig, blen - 16)
                n += 1
                info.packets = n
                yield 0, ifaces[0][0], buf, pos + 12, caplen
            elif btype == 2:  # obsolete packet block
                ifid, _drops, hi, lo, caplen, _orig = struct.unpack_from(endian + "HHIIII", buf, pos + 8)
                if ifid >= len(ifaces) or 28 + caplen > blen - 4:
                    raise CaptureError(self.name, "corrupt packet block", base + pos, n)
                lt, tps, mult = ifaces[ifid]
                ticks = (hi << 32) | lo
                n += 1
                info.packets = n
                yield (ticks * mult if mult else ticks * 1_000_000_000 // tps), lt, buf, pos + 28, caplen
            elif btype == 1:  # interface description
                linktype, _res, _snap = struct.unpack_from(endian + "HHI", buf, pos + 8)
                tps = _tsresol(buf, pos + 16, pos + blen - 4, endian)
                ifaces.append((linktype, tps, 1_000_000_000 // tps if 1_000_000_000 % tps == 0 else 0))
                info.interfaces.append(linktype)
            pos += blen
        info.bytes_read = base + pos


def _tsresol(buf: bytes, off: int, end: int, endian: str) -> int:
    """Ticks per second from the if_tsresol option (default microseconds)."""
    while off + 4 <= end:
        code, length = struct.unpack_from(endian + "HH", buf, off)
        if code == 0:
            break
        if code == 9 and length >= 1:
            v = buf[off + 4]
            return 2 ** (v & 0x7F) if v & 0x80 else 10**v
        off += 4 + ((length + 3) & ~3)
    return 1_000_000


def _refill(fh: BinaryIO, buf: bytes, base: int, pos: int, need: int = 0) -> tuple[bytes, int, int]:
    """Drop consumed bytes and read more; returns (buf, file offset of buf[0], pos=0)."""
    rest = buf[pos:]
    base += pos
    want = max(CHUNK, need - len(rest))
    more = fh.read(want)
    while more and len(rest) + len(more) < need:
        extra = fh.read(need - len(rest) - len(more))
        if not extra:
            break
        more += extra
    return rest + more, base, 0
