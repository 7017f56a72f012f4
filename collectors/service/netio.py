"""Timed network phases shared by the probes: resolve, connect, TLS handshake, chain reading.

Phases are separate asyncio steps (not one ``open_connection(ssl=...)``) so each gets its own
latency, as blackbox_exporter reports them. TLS validation is OpenSSL's own (the stdlib ``ssl``
module), which also verifies SM2-with-SM3 signatures; when it fails, a second handshake without
verification reads the chain so the expiry and names of a bad certificate are still reported.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import ssl
from functools import cache
from pathlib import Path

from .result import Phases, ProbeFailed

# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH / _IP_ADDRESS_MISMATCH: the chain is fine, the name is not.
_NAME_MISMATCH = (62, 64)


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


async def resolve(host: str, port: int, ph: Phases) -> list[str]:
    """Addresses of host (an IP literal costs no lookup); dns_ms is recorded."""
    if is_ip(host):
        ph.marks.setdefault("dns", 0.0)
        return [host]
    t0 = ph.begin("dns")
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ProbeFailed("dns", f"cannot resolve {host}: {exc.strerror or exc}") from None
    ph.end("dns", t0)
    addrs = []
    for info in infos:
        a = str(info[4][0])
        if a not in addrs:
            addrs.append(a)
    return addrs


def _os_error(exc: OSError, where: str) -> ProbeFailed:
    if isinstance(exc, ConnectionRefusedError):
        return ProbeFailed("refused", f"{where}: connection refused")
    if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EADDRNOTAVAIL):
        return ProbeFailed("unreachable", f"{where}: {exc.strerror}")
    if isinstance(exc, ConnectionResetError):
        return ProbeFailed("reset", f"{where}: connection reset by peer")
    return ProbeFailed("socket", f"{where}: {exc.strerror or exc}")


async def connect(addrs: list[str], port: int, ph: Phases) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """TCP connect to the first address that answers; connect_ms is recorded."""
    t0 = ph.begin("connect")
    last: ProbeFailed | None = None
    for a in addrs:
        try:
            rw = await asyncio.open_connection(a, port)
        except OSError as exc:
            last = _os_error(exc, f"{a}:{port}")
            continue
        ph.end("connect", t0)
        return rw
    raise last or ProbeFailed("dns", "no address")


@cache
def tls_context(verify: bool, ca_file: Path | None) -> ssl.SSLContext:
    """Contexts are cached: loading the system CA bundle costs ~10 ms, more than a probe."""
    if not verify:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def _chain(writer: asyncio.StreamWriter) -> list[bytes]:
    """The chain as the server sent it, leaf first (DER)."""
    obj = writer.get_extra_info("ssl_object")
    if obj is None:
        return []
    # Python 3.13 has SSLObject.get_unverified_chain(); 3.11/3.12 have it on the C object.
    getter = getattr(obj, "get_unverified_chain", None) or getattr(
        getattr(obj, "_sslobj", None), "get_unverified_chain", None
    )
    if getter is not None:
        out = []
        for c in getter() or []:
            out.append(c if isinstance(c, bytes) else c.public_bytes(ssl._ssl.ENCODING_DER))  # type: ignore[attr-defined]
        if out:
            return out
    leaf = obj.getpeercert(binary_form=True)
    return [leaf] if leaf else []


class TlsOutcome:
    """What the handshake said about the chain."""

    def __init__(self) -> None:
        self.chain: list[bytes] = []
        self.valid: bool | None = None
        self.hostname_ok: bool | None = None
        self.error = ""


async def start_tls(
    writer: asyncio.StreamWriter, server_name: str, verify: bool, ca_file: Path | None, ph: Phases, out: TlsOutcome
) -> None:
    """Upgrade to TLS; tls_ms recorded. A failed validation raises ProbeFailed('cert', ...) after filling ``out``."""
    t0 = ph.begin("tls")
    sni = None if is_ip(server_name) else server_name
    ctx = tls_context(verify, ca_file)
    try:
        await writer.start_tls(ctx, server_hostname=server_name if verify else sni)
    except ssl.SSLCertVerificationError as exc:
        out.error = str(exc.verify_message or exc.reason or exc)
        if exc.verify_code in _NAME_MISMATCH:
            out.valid, out.hostname_ok = True, False
        else:
            out.valid = False
        raise ProbeFailed("cert", f"certificate of {server_name}: {out.error}") from None
    except ssl.SSLError as exc:
        raise ProbeFailed("tls", f"TLS handshake with {server_name}: {exc.reason or exc}") from None
    except OSError as exc:
        raise _os_error(exc, f"TLS handshake with {server_name}") from None
    ph.end("tls", t0)
    out.chain = _chain(writer)
    if verify:
        out.valid, out.hostname_ok = True, True


async def read_chain(addr: str, port: int, server_name: str) -> list[bytes]:
    """A second handshake without verification, to read a chain that did not validate."""
    _, writer = await asyncio.open_connection(addr, port)
    try:
        await writer.start_tls(tls_context(False, None), server_hostname=None if is_ip(server_name) else server_name)
        return _chain(writer)
    finally:
        close(writer)


def close(writer: asyncio.StreamWriter) -> None:
    """Drop the connection at once: a probe never waits for a peer's close_notify."""
    transport = writer.transport
    if transport is not None and not transport.is_closing():
        transport.abort()
