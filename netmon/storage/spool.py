"""The durable on-disk spool: every point is here before any sink sees it.

Layout of the spool directory::

    LOCK                       fcntl.flock'ed by the one netmon that owns the spool; holds its pid
    0000000000000001.seg ...   segment files, appended in order, deleted once the sink acknowledged them
    cursor                     "<segment> <offset>": everything before it was acknowledged by the sink
    dead-letter.lp             batches the sink refused (4xx), as line protocol with '#' reason comments

A segment is a sequence of records::

    magic "NMSP" | u32 payload length | u32 CRC-32 | u32 points | u64 written_ns | payload

The CRC covers points, written_ns and the payload (line protocol), so a torn or corrupted
record is detected on replay, reported with a warning, and skipped (the reader re-synchronises
on the next record whose magic and CRC check out). A restarted spool never appends to an old
segment: it starts a new one, so a torn tail stays at the end of a sealed segment.

Durability (``fsync`` setting; the pipeline applies it): a record is written with one
``write()`` before ``submit()`` returns, so a kill -9 of netmon loses nothing that was
acknowledged to the caller; fsync decides what survives a power loss (see docs/STORAGE.md).
The cursor is replaced atomically (rename) but not fsynced: after a power loss the spool may
replay a batch the sink already has, which every sink absorbs (same series + timestamp
overwrites), so the database still holds each point exactly once.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import struct
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..config import SpoolSettings
from ..errors import NetmonError
from ..fsmode import private_dir, write_private

log = logging.getLogger("netmon.storage.spool")

MAGIC = b"NMSP"
_HDR = struct.Struct("<4sIIIQ")
HDR_SIZE = _HDR.size
_META = struct.Struct("<IQ")
_SEG_SUFFIX = ".seg"
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def _why(exc: OSError) -> str:
    """An OS error as the operator needs it: a full disk is named as such."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"{exc.strerror}: the disk holding the spool is full; free space or move spool.dir"
    return exc.strerror or type(exc).__name__


class SpoolLockedError(NetmonError):
    """Another process owns this spool directory."""


class SpoolFullError(NetmonError):
    """The spool's disk refused a write even after dropping the oldest segments."""


def segment_size(settings: SpoolSettings) -> int:
    if settings.segment_bytes:
        return settings.segment_bytes
    # 32 segments per spool: drop-oldest then frees about 3 % at a time.
    return max(64 * 1024, min(64 << 20, settings.max_bytes // 32))


def _crc(points: int, written_ns: int, payload: bytes) -> int:
    return zlib.crc32(payload, zlib.crc32(_META.pack(points, written_ns)))


def encode_record(payload: bytes, points: int, written_ns: int) -> bytes:
    return _HDR.pack(MAGIC, len(payload), _crc(points, written_ns, payload), points, written_ns) + payload


@dataclass
class _Segment:
    seq: int
    path: Path
    size: int = 0
    points: int = 0  # records' points from the read start (cursor) on
    consumed: int = 0  # points handed to the reader
    newest_ns: int = 0  # wall-clock time of the newest record


@dataclass(frozen=True)
class Batch:
    """Records read from the spool in order, to be sent as one write."""

    payload: bytes
    points: int
    end: tuple[int, int]  # (segment, offset) just after the last record


@dataclass
class SpoolCounters:
    dropped_points: int = 0  # overflow (bytes/age/full disk): oldest unsent points dropped
    dropped_segments: int = 0
    full_rejects: int = 0  # points refused because the disk was full even after dropping
    corrupt_records: int = 0  # torn or corrupted records skipped on replay
    corrupt_bytes: int = 0
    cursor_repairs: int = 0  # cursor past a segment's end or inside a record: re-sent from a record boundary
    cursor_resent_bytes: int = 0


class Spool:
    """Segment files + cursor + lock. Not thread-safe except ``sync()``; the pipeline owns it."""

    def __init__(self, directory: Path, settings: SpoolSettings) -> None:
        self.dir = directory
        self.settings = settings
        self.segment_bytes = segment_size(settings)
        self.counters = SpoolCounters()
        self._segs: dict[int, _Segment] = {}
        self._lock_fd = -1
        self._wfd = -1
        self._woff = 0
        self._wseq = 0
        self._rpos = (0, 0)
        self._rfd = -1
        self._rfd_seq = -1
        self._acked = (0, 0)
        self._unread = 0
        self._bytes = 0
        self._fd_lock = threading.Lock()  # fsync runs in a worker thread; rolling closes the fd
        self._dirty = False

    # ---- opening -----------------------------------------------------------------------
    @classmethod
    def open(cls, directory: Path, settings: SpoolSettings) -> Spool:
        directory = Path(directory)
        try:
            private_dir(directory)  # 0700: the spool holds telemetry
        except OSError as exc:
            raise NetmonError(f"cannot create spool directory {directory}: {_why(exc)}") from None
        spool = cls(directory, settings)
        spool._take_lock()
        try:
            spool._load()
            spool._new_segment()
        except OSError as exc:  # a full disk, a read-only or broken filesystem: say so, no traceback
            spool.close()
            raise NetmonError(f"cannot open the spool in {directory}: {_why(exc)}") from None
        except BaseException:
            spool.close()
            raise
        return spool

    def _take_lock(self) -> None:
        path = self.dir / "LOCK"
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise NetmonError(f"cannot open spool lock {path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise SpoolLockedError(
                f"spool {self.dir} is in use by another netmon (pid {holder}); stop it, or give this "
                f"one its own spool.dir"
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError as exc:
            os.close(fd)
            raise NetmonError(f"cannot write the spool lock {path}: {_why(exc)}") from None
        self._lock_fd = fd

    def _load(self) -> None:
        seqs = sorted(int(p.name[: -len(_SEG_SUFFIX)]) for p in self.dir.glob("*" + _SEG_SUFFIX) if p.stem.isdigit())
        cseq, coff = self._read_cursor()
        below = [s for s in seqs if s < cseq]
        if below:
            # ack() deletes finished segments *before* it moves the cursor, so segments behind the
            # cursor mean a cursor that is not what was acknowledged (copied, edited, or its
            # rename outlived the unlinks in a power loss): re-send rather than delete unsent points.
            size = sum(self._path(s).stat().st_size for s in below)
            self.counters.cursor_repairs += 1
            self.counters.cursor_resent_bytes += size
            log.warning(
                "spool %s: cursor (segment %d offset %d) is past %d segments still on disk (%s..%s, %d bytes): "
                "re-sending from the oldest (points the sink may already have are overwritten, not duplicated)",
                self.dir, cseq, coff, len(below), self._path(below[0]).name, self._path(below[-1]).name, size,
            )  # fmt: skip
            cseq, coff = below[0], 0
        for seq in seqs:
            path = self._path(seq)
            seg = _Segment(seq, path, size=path.stat().st_size)
            if seq == cseq:
                coff = self._check_cursor(path, coff, seg.size)
            start = coff if seq == cseq else 0
            seg.points, seg.newest_ns = self._scan(path, start, seg.size)
            self._segs[seq] = seg
            self._bytes += seg.size
            self._unread += seg.points
        first = min(self._segs, default=0)
        self._rpos = (cseq, coff) if cseq in self._segs else (first, 0)
        self._acked = self._rpos
        self._wseq = max(self._segs, default=max(cseq, 0))
        if self._unread:
            log.info(
                "spool %s: %d points in %d segments waiting to be replayed", self.dir, self._unread, len(self._segs)
            )

    def _check_cursor(self, path: Path, off: int, size: int) -> int:
        """The read start for the cursor's segment: the cursor itself when it is a record
        boundary, else a recovery point that re-sends rather than skips.

        A cursor past the segment's end (a segment truncated by a power loss before its
        records were fsynced, a cursor file copied from elsewhere) proves nothing about what
        the sink has: the whole segment is re-sent. A cursor inside a record goes back to that
        record's start. Re-sending is harmless (every sink overwrites the same series and
        timestamp, see the module docstring); skipping would silently lose points.
        """
        if off == 0 or off == size:
            return off
        data = path.read_bytes()[:size] if off < size else b""
        bounds = {0, size}
        pos = 0
        while 0 <= pos and pos + HDR_SIZE <= len(data):
            magic, length, crc, n, wns = _HDR.unpack_from(data, pos)
            body = data[pos + HDR_SIZE : pos + HDR_SIZE + length]
            if magic == MAGIC and len(body) == length and _crc(n, wns, body) == crc:
                bounds.add(pos)
                pos += HDR_SIZE + length
                bounds.add(pos)
                continue
            pos = data.find(MAGIC, pos + 1)
        if off in bounds:
            return off
        start = 0 if off > size else max(b for b in bounds if b <= off)
        self.counters.cursor_repairs += 1
        self.counters.cursor_resent_bytes += min(off, size) - start
        where = "past the end of" if off > size else "inside a record of"
        log.warning(
            "spool %s: cursor offset %d is %s segment %s (%d bytes): re-sending from offset %d (%d bytes "
            "that may reach the sink twice, which overwrites the same points)",
            self.dir, off, where, path.name, size, start, min(off, size) - start,
        )  # fmt: skip
        return start

    @staticmethod
    def _scan(path: Path, start: int, size: int) -> tuple[int, int]:
        """Points and newest write time of the records the reader will deliver from ``start``
        (CRC-checked, re-synchronising past bad records exactly as the reader does)."""
        points = newest = 0
        data = path.read_bytes()[:size]
        off = start
        while off + HDR_SIZE <= len(data):
            magic, length, crc, n, wns = _HDR.unpack_from(data, off)
            body = data[off + HDR_SIZE : off + HDR_SIZE + length]
            if magic == MAGIC and len(body) == length and _crc(n, wns, body) == crc:
                points += n
                newest = max(newest, wns)
                off += HDR_SIZE + length
                continue
            off = data.find(MAGIC, off + 1)
            if off < 0:
                break
        return points, newest or int(path.stat().st_mtime_ns)

    def _read_cursor(self) -> tuple[int, int]:
        try:
            seq, off = (self.dir / "cursor").read_text().split()
            return int(seq), int(off)
        except (OSError, ValueError):
            return (0, 0)

    def _path(self, seq: int) -> Path:
        return self.dir / f"{seq:016d}{_SEG_SUFFIX}"

    # ---- writing -----------------------------------------------------------------------
    def _new_segment(self) -> None:
        self._wseq += 1
        seg = _Segment(self._wseq, self._path(self._wseq), newest_ns=time.time_ns())
        self._wfd = os.open(seg.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._woff = 0
        self._segs[seg.seq] = seg
        if not self._segs or self._rpos[0] not in self._segs:
            self._rpos = (seg.seq, 0)
        if self.settings.fsync in ("always", "batch"):
            self._fsync_dir()

    def _fsync_dir(self) -> None:
        fd = os.open(self.dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _roll(self) -> None:
        with self._fd_lock:
            if self.settings.fsync != "never":
                os.fsync(self._wfd)
            os.close(self._wfd)
            self._wfd = -1
        self._new_segment()

    def append(self, payload: bytes, points: int) -> None:
        """Append one record (written with one write(); fsync is the caller's policy)."""
        now = time.time_ns()
        rec = encode_record(payload, points, now)
        if self._woff and self._woff + len(rec) > self.segment_bytes:
            self._roll()
        self.expire(now)
        while self._bytes + len(rec) > self.settings.max_bytes and self._drop_oldest("spool.max_bytes reached"):
            pass
        for attempt in range(64):
            try:
                self._write_all(rec)
                break
            except OSError as exc:
                if exc.errno not in _NO_SPACE:
                    raise NetmonError(f"spool {self.dir}: cannot write: {exc.strerror}") from None
                with contextlib.suppress(OSError):
                    os.ftruncate(self._wfd, self._woff)  # no half record left behind
                if attempt == 63 or not self._drop_oldest(f"disk full ({exc.strerror})"):
                    self.counters.full_rejects += points
                    raise SpoolFullError(
                        f"spool {self.dir}: disk full ({exc.strerror}); {points} points refused. "
                        "Free space or lower spool.max_bytes below the free space."
                    ) from None
        seg = self._segs[self._wseq]
        self._woff += len(rec)
        seg.size = self._woff
        seg.points += points
        seg.newest_ns = now
        self._bytes += len(rec)
        self._unread += points
        self._dirty = True

    def _write_all(self, rec: bytes) -> None:
        view = memoryview(rec)
        while view:
            n = os.write(self._wfd, view)
            view = view[n:]

    def sync(self) -> None:
        """fsync the segment being written (safe to call from a worker thread)."""
        with self._fd_lock:
            if self._wfd >= 0 and self._dirty:
                self._dirty = False
                os.fsync(self._wfd)

    # ---- bounds --------------------------------------------------------------------------
    def _drop_oldest(self, why: str) -> bool:
        """Drop the oldest sealed segment (counting its unsent points); False if none is left."""
        old = [s for s in self._segs if s != self._wseq]
        if not old:
            return False
        self._drop(min(old), why, "dropped the oldest segment")
        return True

    def _drop(self, seq: int, why: str, what: str) -> None:
        seg = self._segs.pop(seq)
        lost = seg.points - seg.consumed
        self.counters.dropped_points += max(0, lost)
        self.counters.dropped_segments += 1
        self._unread -= lost
        self._bytes -= seg.size
        self._close_reader(seg.seq)
        seg.path.unlink(missing_ok=True)
        if self._rpos[0] == seg.seq:
            self._rpos = (min(self._segs), 0)
        log.warning("spool %s: %s: %s, %d unsent points lost", self.dir, why, what, max(0, lost))

    def expire(self, now_ns: int | None = None) -> None:
        """Drop sealed segments whose newest record is older than spool.max_age."""
        limit = (now_ns or time.time_ns()) - int(self.settings.max_age * 1e9)
        while True:
            old = [s for s in self._segs if s != self._wseq]
            if not old or self._segs[min(old)].newest_ns >= limit:
                return
            self._drop_oldest(f"older than spool.max_age ({self.settings.max_age:.0f}s)")

    # ---- reading ---------------------------------------------------------------------------
    def _reader(self, seq: int) -> int:
        if self._rfd_seq != seq:
            self._close_reader(self._rfd_seq)
            self._rfd = os.open(self._path(seq), os.O_RDONLY)
            self._rfd_seq = seq
        return self._rfd

    def _close_reader(self, seq: int) -> None:
        if self._rfd >= 0 and self._rfd_seq == seq:
            os.close(self._rfd)
            self._rfd, self._rfd_seq = -1, -1

    def read_batch(self, max_points: int, max_bytes: int = 8 << 20) -> Batch | None:
        """The next records (in order) up to about max_points/max_bytes, or None if nothing is waiting."""
        parts: list[bytes] = []
        points = size = 0
        while points < max_points and size < max_bytes:
            rec = self._next_record()
            if rec is None:
                break
            parts.append(rec[0])
            points += rec[1]
            size += len(rec[0])
        if not parts:
            return None
        return Batch(b"".join(parts), points, self._rpos)

    def _next_record(self) -> tuple[bytes, int] | None:
        while True:
            seq, off = self._rpos
            seg = self._segs.get(seq)
            if seg is None:
                later = [s for s in self._segs if s > seq]
                if not later:
                    return None
                self._rpos = (min(later), 0)
                continue
            limit = self._woff if seq == self._wseq else seg.size
            if off >= limit:
                if seq == self._wseq:
                    return None
                self._close_reader(seq)
                self._rpos = (min(s for s in self._segs if s > seq), 0)
                continue
            try:
                fd = self._reader(seq)
            except FileNotFoundError:  # removed behind our back: count it, go on with the rest
                if seq == self._wseq:
                    raise
                self._drop(seq, f"segment {seg.path.name} vanished", "skipped it")
                continue
            hdr = os.pread(fd, HDR_SIZE, off)
            if len(hdr) == HDR_SIZE:
                magic, length, crc, n, wns = _HDR.unpack(hdr)
                if magic == MAGIC and off + HDR_SIZE + length <= limit:
                    payload = os.pread(fd, length, off + HDR_SIZE)
                    if len(payload) == length and _crc(n, wns, payload) == crc:
                        self._rpos = (seq, off + HDR_SIZE + length)
                        seg.consumed += n
                        self._unread -= n
                        return payload, n
            self._skip_bad(seg, off, limit)

    def _skip_bad(self, seg: _Segment, off: int, limit: int) -> None:
        """Move past a torn or corrupted record to the next one whose magic and CRC check out."""
        data = os.pread(self._reader(seg.seq), limit - off, off)
        pos = data.find(MAGIC, 1)
        while pos >= 0:
            if pos + HDR_SIZE <= len(data):
                _, length, crc, n, wns = _HDR.unpack_from(data, pos)
                body = data[pos + HDR_SIZE : pos + HDR_SIZE + length]
                if len(body) == length and _crc(n, wns, body) == crc:
                    break
            pos = data.find(MAGIC, pos + 1)
        skipped = len(data) if pos < 0 else pos
        self.counters.corrupt_records += 1
        self.counters.corrupt_bytes += skipped
        kind = "torn last record (a crash during a write)" if pos < 0 else "corrupted record (bad header or CRC)"
        log.warning("spool segment %s: %s at offset %d: skipped %d bytes", seg.path, kind, off, skipped)
        self._rpos = (seg.seq, off + skipped)

    # ---- acknowledging ---------------------------------------------------------------------
    def ack(self, end: tuple[int, int]) -> None:
        """The sink stored everything before ``end``: delete finished segments, move the cursor."""
        if end <= self._acked:
            return
        self._acked = end
        seq, off = end
        for s in sorted(self._segs):
            seg = self._segs[s]
            done = s < seq or (s == seq and s != self._wseq and off >= seg.size)
            if not done:
                break
            del self._segs[s]
            self._close_reader(s)
            self._bytes -= seg.size
            self._unread -= seg.points - seg.consumed  # nets to 0 unless records were unreadable
            seg.path.unlink(missing_ok=True)
        tmp = self.dir / "cursor.tmp"
        write_private(tmp, f"{seq} {off}\n")
        tmp.replace(self.dir / "cursor")

    # ---- state -----------------------------------------------------------------------------
    @property
    def pending_points(self) -> int:
        """Points written to the spool and not yet read for sending."""
        return max(0, self._unread)

    @property
    def bytes(self) -> int:
        """Size of the segment files on disk (acknowledged records of live segments included)."""
        return self._bytes

    @property
    def pending_bytes(self) -> int:
        """Record bytes after the acknowledged cursor: what is really waiting for the sink."""
        seq, off = self._acked
        return max(0, sum(seg.size - (off if s == seq else 0) for s, seg in self._segs.items() if s >= seq))

    @property
    def segments(self) -> int:
        return len(self._segs)

    def close(self) -> None:
        with self._fd_lock:
            if self._wfd >= 0:
                with contextlib.suppress(OSError):
                    if self.settings.fsync != "never":
                        os.fsync(self._wfd)
                os.close(self._wfd)
                self._wfd = -1
        self._close_reader(self._rfd_seq)
        # An empty last segment is just noise for the next start.
        seg = self._segs.get(self._wseq)
        if seg is not None and seg.size == 0 and self._lock_fd >= 0:
            seg.path.unlink(missing_ok=True)
            del self._segs[self._wseq]
        if self._lock_fd >= 0:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = -1
