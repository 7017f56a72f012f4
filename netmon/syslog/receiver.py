"""Syslog listeners: UDP (RFC 5426), TCP (RFC 6587) and TLS (RFC 5425), feeding one backlog.

TCP and TLS get back-pressure: when the backlog is full (the archive and spool cannot keep up,
or the spool is nearly full) each connection stops reading, the kernel's window closes and the
sender waits; nothing is dropped. UDP cannot wait: a full backlog drops the datagram, and so
does the kernel when the socket buffer overflows; both are counted (``udp_dropped_backlog``,
``udp_dropped_kernel``, the latter read from /proc/net/udp for our socket).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, NetmonError
from .settings import SyslogSettings, TlsSettings, check_private_file, parse_listen

log = logging.getLogger("netmon.syslog")


@dataclass(slots=True)
class Frame:
    raw: bytes
    source: str
    transport: str  # udp | tcp | tls
    received_ns: int
    error: str = ""  # framing problem: oversize, cut-off frame


class Framer:
    """RFC 6587 framing of one TCP stream: "LEN SP MSG" (octet counting) when a frame starts with
    a digit, else messages ending in LF (non-transparent framing). Over-long frames keep their
    first ``max_message`` bytes and say so; a connection closed inside a frame yields the part."""

    def __init__(self, max_message: int) -> None:
        self.max = max_message
        self.buf = bytearray()
        self._skip = 0  # bytes of an over-long octet-counted frame still to discard
        self._skip_line = False  # discarding the rest of an over-long LF-framed line

    def feed(self, data: bytes) -> list[tuple[bytes, str]]:
        buf = self.buf
        buf += data
        out: list[tuple[bytes, str]] = []
        while buf:
            if self._skip:
                n = min(self._skip, len(buf))
                del buf[:n]
                self._skip -= n
                continue
            if self._skip_line:
                i = buf.find(b"\n")
                if i < 0:
                    buf.clear()
                    break
                del buf[: i + 1]
                self._skip_line = False
                continue
            c = buf[0]
            if 0x30 <= c <= 0x39:  # octet counting
                sp = buf.find(b" ", 0, 12)
                digits = bytes(buf[:sp]) if sp >= 0 else b""
                if sp < 0 and len(buf) < 12 and bytes(buf).isdigit():
                    break  # the length is still arriving
                if sp < 0 or not digits.isdigit() or (len(digits) > 1 and digits[0] == 0x30):
                    # not "LEN SP": take it as an LF-framed line (garbage, counted by the parser)
                    got = self._line()
                    if not got:
                        break
                    out.extend(got)
                    continue
                n = int(digits)
                start = sp + 1
                if n > self.max:
                    if len(buf) < start + self.max:
                        break
                    out.append(
                        (bytes(buf[start : start + self.max]), f"oversize: {n} bytes, kept the first {self.max}")
                    )
                    have = len(buf) - start
                    if have >= n:
                        del buf[: start + n]
                    else:
                        self._skip = n - have
                        buf.clear()
                    continue
                if len(buf) < start + n:
                    break
                out.append((bytes(buf[start : start + n]), ""))
                del buf[: start + n]
            else:
                got = self._line()
                if not got:
                    break
                out.extend(got)
        return out

    def _line(self) -> list[tuple[bytes, str]]:
        buf = self.buf
        i = buf.find(b"\n")
        if i < 0:
            if len(buf) > self.max:
                frame = bytes(buf[: self.max])
                buf.clear()
                self._skip_line = True
                return [(frame, f"oversize: longer than {self.max} bytes, kept the first {self.max}")]
            return []
        frame = bytes(buf[:i]).rstrip(b"\r")
        del buf[: i + 1]
        if not frame.strip(b"\x00 "):
            return [(b"", "")]  # an empty line between messages: nothing to keep
        if len(frame) > self.max:
            return [(frame[: self.max], f"oversize: {len(frame)} bytes, kept the first {self.max}")]
        return [(frame, "")]

    def end(self) -> list[tuple[bytes, str]]:
        """The connection closed: what is left is a cut-off frame (octet counting) or a last
        message without its LF (which many senders do)."""
        if self._skip or not self.buf:
            self.buf.clear()
            return []
        data = bytes(self.buf)
        self.buf.clear()
        sp = data.find(b" ", 0, 12)
        if data[:1].isdigit() and sp > 0 and data[:sp].isdigit():
            n = int(data[:sp])
            return [
                (
                    data[sp + 1 :][: self.max],
                    f"truncated frame: announced {n} bytes, the connection closed after {len(data) - sp - 1}",
                )
            ]
        if data.isdigit():
            return [(data, "truncated frame: the connection closed inside the length")]
        return [(data[: self.max], "")]


class Backlog:
    """Frames between the listeners and the consumer, with back-pressure for streams."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.low_water = maxsize // 2
        self.q: collections.deque[Frame] = collections.deque()
        self.ready = asyncio.Event()
        self.paused: set[asyncio.BaseTransport] = set()
        self.held = False  # the consumer holds back (spool nearly full): streams stay paused

    def full(self) -> bool:
        return len(self.q) >= self.maxsize

    def put(self, f: Frame) -> None:
        self.q.append(f)
        self.ready.set()

    def pause(self, transport: asyncio.BaseTransport) -> None:
        if transport not in self.paused:
            with contextlib.suppress(Exception):
                transport.pause_reading()  # type: ignore[attr-defined]
            self.paused.add(transport)

    async def take(self, n: int) -> list[Frame]:
        while not self.q:
            self.ready.clear()
            await self.ready.wait()
        out = [self.q.popleft() for _ in range(min(n, len(self.q)))]
        if self.paused and len(self.q) <= self.low_water and not self.held:
            self.resume_all()
        return out

    def resume_all(self) -> None:
        for t in self.paused:
            with contextlib.suppress(Exception):
                t.resume_reading()  # type: ignore[attr-defined]
        self.paused.clear()


class _Stream(asyncio.Protocol):
    def __init__(self, server: Listeners, kind: str) -> None:
        self.server = server
        self.kind = kind
        self.framer = Framer(server.settings.max_message)
        self.transport: asyncio.Transport | None = None
        self.peer = ""
        self.last = time.monotonic()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        peer = transport.get_extra_info("peername")
        self.peer = _addr(peer[0]) if peer else "?"
        s = self.server
        if len(s.conns) >= s.settings.max_connections:
            s.counts["connections_refused"] += 1
            transport.close()
            return
        s.conns.add(self)
        s.counts["connections"] += 1
        if s.backlog.full() or s.backlog.held:
            s.backlog.pause(transport)

    def data_received(self, data: bytes) -> None:
        self.last = time.monotonic()
        s = self.server
        now = time.time_ns()
        for raw, err in self.framer.feed(data):
            if raw or err:
                s.backlog.put(Frame(raw, self.peer, self.kind, now, err))
        if (s.backlog.full() or s.backlog.held) and self.transport is not None:
            s.backlog.pause(self.transport)

    def eof_received(self) -> bool | None:
        self._flush()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._flush()
        self.server.conns.discard(self)
        if self.transport is not None:
            self.server.backlog.paused.discard(self.transport)

    def _flush(self) -> None:
        now = time.time_ns()
        for raw, err in self.framer.end():
            self.server.backlog.put(Frame(raw, self.peer, self.kind, now, err))


class _Datagram(asyncio.DatagramProtocol):
    def __init__(self, server: Listeners) -> None:
        self.server = server
        self.max = server.settings.max_message

    def datagram_received(self, data: bytes, addr: Any) -> None:
        s = self.server
        if s.backlog.full():
            s.counts["udp_dropped_backlog"] += 1
            return
        err = ""
        if len(data) > self.max:
            err = f"oversize: {len(data)} bytes, kept the first {self.max}"
            data = data[: self.max]
        s.backlog.put(Frame(data, _addr(addr[0]), "udp", time.time_ns(), err))


def _addr(host: str) -> str:
    return host.removeprefix("::ffff:")  # IPv4 senders on a dual-stack socket


def udp_kernel_drops(sock: socket.socket) -> int | None:
    """Datagrams the kernel dropped for this socket (buffer full), from /proc/net/udp[6]."""
    try:
        inode = os.fstat(sock.fileno()).st_ino
    except OSError:
        return None
    for name in ("/proc/net/udp", "/proc/net/udp6"):
        with contextlib.suppress(OSError):
            for line in Path(name).read_text().splitlines()[1:]:
                cols = line.split()
                if len(cols) >= 13 and cols[9] == str(inode):
                    return int(cols[12])
    return None


def tls_context(
    t: TlsSettings, source: str, resolve_password: Callable[[], str | None] | None = None
) -> ssl.SSLContext:
    """Server context: TLS 1.2+, the configured certificate; client certificates when a CA is given."""
    check_private_file(t.key, "syslog.tls.key", source)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(str(t.cert), str(t.key))
    except (OSError, ssl.SSLError) as exc:
        raise InputError.one(source, f"cannot load {t.cert} / {t.key}: {exc}", field="syslog.tls") from None
    if t.ca is not None:
        try:
            ctx.load_verify_locations(str(t.ca))
        except (OSError, ssl.SSLError) as exc:
            raise InputError.one(source, f"cannot load CA {t.ca}: {exc}", field="syslog.tls.ca") from None
        ctx.verify_mode = ssl.CERT_REQUIRED if t.require_client_cert else ssl.CERT_OPTIONAL
    elif t.require_client_cert:
        raise InputError.one(
            source, "require_client_cert needs `ca:` to verify them", field="syslog.tls.require_client_cert"
        )
    return ctx


class Listeners:
    """Binds the configured listeners and puts every frame in ``backlog``."""

    def __init__(self, settings: SyslogSettings, source: str = "netmon.yaml") -> None:
        self.settings = settings
        self.source = source
        self.backlog = Backlog(settings.queue)
        self.conns: set[_Stream] = set()
        self.counts: collections.Counter[str] = collections.Counter()
        self.addresses: dict[str, tuple[str, int]] = {}
        self._servers: list[asyncio.AbstractServer] = []
        self._udp: asyncio.DatagramTransport | None = None
        self._udp_sock: socket.socket | None = None
        self._idle_task: asyncio.Task[None] | None = None
        self.udp_rcvbuf = 0

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        s = self.settings
        ctx = tls_context(s.tls, self.source) if s.tls is not None else None
        try:
            if s.udp:
                host, port = parse_listen(s.udp)
                sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
                _bind(sock, host, port, "udp")
                self.udp_rcvbuf = _grow_rcvbuf(sock, s.udp_rcvbuf)
                self._udp_sock = sock
                self._udp, _ = await loop.create_datagram_endpoint(lambda: _Datagram(self), sock=sock)
                self.addresses["udp"] = sock.getsockname()[:2]
            for kind, listen in (("tcp", s.tcp), ("tls", s.tls.listen if s.tls else "")):
                if not listen:
                    continue
                host, port = parse_listen(listen)
                sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                _bind(sock, host, port, kind)

                def factory(k: str = kind) -> _Stream:
                    return _Stream(self, k)

                srv = await loop.create_server(
                    factory, sock=sock, ssl=ctx if kind == "tls" else None, backlog=1024,
                    ssl_handshake_timeout=s.tls.handshake_timeout if kind == "tls" and s.tls else None,
                )  # fmt: skip
                self._servers.append(srv)
                self.addresses[kind] = sock.getsockname()[:2]
        except BaseException:
            await self.close()
            raise
        self._idle_task = asyncio.create_task(self._idle_loop(), name="syslog-idle")
        for kind, (h, p) in self.addresses.items():
            log.info("syslog: receiving %s on %s:%d", kind.upper(), h, p)

    async def _idle_loop(self) -> None:
        timeout = self.settings.idle_timeout
        while True:
            await asyncio.sleep(min(timeout / 4, 30.0))
            now = time.monotonic()
            for c in list(self.conns):
                if now - c.last > timeout and c.transport is not None and c.transport not in self.backlog.paused:
                    self.counts["connections_idle_closed"] += 1
                    c.transport.close()

    def stats(self) -> dict[str, int]:
        out = dict(self.counts)
        out["connections_open"] = len(self.conns)
        out["backlog"] = len(self.backlog.q)
        if self._udp_sock is not None:
            drops = udp_kernel_drops(self._udp_sock)
            out["udp_dropped_kernel"] = drops or 0
        out.setdefault("udp_dropped_backlog", 0)
        out["udp_rcvbuf"] = self.udp_rcvbuf
        return out

    async def close(self) -> None:
        if self._idle_task is not None:
            self._idle_task.cancel()
        for srv in self._servers:
            srv.close()
        for c in list(self.conns):
            if c.transport is not None:
                c.transport.close()
        for srv in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(srv.wait_closed(), 2)
        self._servers.clear()
        if self._udp is not None:
            self._udp.close()
            self._udp = None


def _bind(sock: socket.socket, host: str, port: int, kind: str) -> None:
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        hint = " (ports below 1024 need root or CAP_NET_BIND_SERVICE)" if port < 1024 else ""
        raise NetmonError(f"syslog cannot listen on {kind} {host}:{port}: {exc.strerror}{hint}") from None


def _grow_rcvbuf(sock: socket.socket, want: int) -> int:
    """Ask for ``want`` bytes of receive buffer; as root past net.core.rmem_max (SO_RCVBUFFORCE)."""
    force = getattr(socket, "SO_RCVBUFFORCE", None)
    if force is not None and os.geteuid() == 0:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, force, want)
    got = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    if got < want:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, want)
        got = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    if got < want:
        log.warning("syslog: UDP receive buffer is %d bytes, not the %d asked (raise net.core.rmem_max)", got, want)
    return int(got)
