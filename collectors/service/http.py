"""HTTP(S) probe: status, latency split (DNS, connect, TLS, first byte, transfer), content match,
redirect policy. HTTP/1.1 framing is h11's; the phases are separate asyncio steps (netio)."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urljoin, urlsplit

import h11

from netmon.model import FieldValue

from .netio import TlsOutcome, close, connect, resolve, start_tls
from .result import CertInfo, Phases, ProbeFailed, ProbeResult, Revocation
from .settings import ServiceSettings, Target
from .tls import cert_verdict, certificate

_CHARSET = re.compile(rb"charset=([\w.-]+)", re.I)


def _decode(body: bytes, content_type: bytes) -> str:
    """Government portals still serve GBK/GB18030: honour the declared charset, else try UTF-8 then GB18030."""
    m = _CHARSET.search(content_type)
    for enc in ([m.group(1).decode()] if m else []) + ["utf-8", "gb18030"]:
        try:
            return body.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", "replace")


class _Hop:
    """One request/response exchange on its own connection."""

    def __init__(self) -> None:
        self.status = 0
        self.headers: dict[bytes, bytes] = {}
        self.body = bytearray()
        self.http_version = ""


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: Target, settings: ServiceSettings,
    host_header: str, path: str, ph: Phases,
) -> _Hop:  # fmt: skip
    conn = h11.Connection(h11.CLIENT)
    headers = [("Host", host_header), ("User-Agent", settings.user_agent), ("Accept", "*/*"), ("Connection", "close")]
    headers += [(k, v) for k, v in target.header_items() if k.lower() not in ("host", "connection")]
    writer.write(
        conn.send(h11.Request(method=target.method, target=path, headers=headers)) + conn.send(h11.EndOfMessage())
    )
    await writer.drain()
    hop = _Hop()
    t0 = ph.begin("first_byte")
    first = True
    t_body = 0.0
    while True:
        try:
            ev = conn.next_event()
        except h11.RemoteProtocolError as exc:
            raise ProbeFailed("protocol", f"bad HTTP response: {exc}") from None
        if ev is h11.NEED_DATA:
            try:
                chunk = await reader.read(65536)
            except OSError as exc:
                raise ProbeFailed("reset", f"reading the response: {exc.strerror or exc}") from None
            if first and chunk:
                ph.end("first_byte", t0)
                t_body = ph.begin("transfer")
                first = False
            conn.receive_data(chunk)
            continue
        if isinstance(ev, h11.Response):
            hop.status = ev.status_code
            hop.http_version = ev.http_version.decode()
            hop.headers = {k.lower(): v for k, v in ev.headers}
        elif isinstance(ev, h11.Data):
            room = target.max_body_bytes - len(hop.body)
            if room > 0:
                hop.body += ev.data[:room]
            if len(hop.body) >= target.max_body_bytes:
                break  # enough to match; don't download a huge page every minute
        elif isinstance(ev, h11.EndOfMessage | h11.ConnectionClosed):
            break
    if first:
        raise ProbeFailed("protocol", "the server closed the connection without answering")
    ph.end("transfer", t_body)
    return hop


async def probe_http(target: Target, settings: ServiceSettings, ph: Phases, timeout: float) -> ProbeResult:
    assert target.url
    url = target.url
    first_host = urlsplit(url).hostname or ""
    redirects = 0
    cert: CertInfo | None = None
    revs: list[Revocation] = []
    cert_failure: tuple[str, str] | None = None
    while True:
        u = urlsplit(url)
        https = u.scheme == "https"
        host = u.hostname or ""
        port = u.port or (443 if https else 80)
        addrs = await resolve(host, port, ph)
        reader, writer = await connect(addrs, port, ph)
        try:
            if https:
                out = TlsOutcome()
                try:
                    await start_tls(writer, host, target.verify, target.ca_file or settings.ca_file, ph, out)
                except ProbeFailed as exc:
                    if exc.error != "cert":
                        raise
                    cert_failure = (exc.error, exc.detail)
                if cert is None:  # the certificate of the URL as configured (not of a redirect target)
                    peer = writer.get_extra_info("peername")
                    cert, revs = await certificate(
                        target, settings, str(peer[0]) if peer else addrs[0], port, host, out, timeout, ph
                    )
                if cert_failure is not None:
                    break
            path = (u.path or "/") + (f"?{u.query}" if u.query else "")
            default_port = port == (443 if https else 80)
            hop = await _exchange(
                reader, writer, target, settings, host if default_port else f"{host}:{port}", path, ph
            )
        finally:
            close(writer)
        location = hop.headers.get(b"location")
        if 300 <= hop.status < 400 and location and target.redirects != "none":
            nxt = urljoin(url, location.decode("latin-1"))
            if target.redirects == "same-host" and urlsplit(nxt).hostname != first_host:
                return _result(
                    target, hop, redirects, ph, cert, revs, ("redirect", f"redirect to another host refused: {nxt}")
                )
            redirects += 1
            if redirects > target.max_redirects:
                return _result(
                    target, hop, redirects, ph, cert, revs, ("redirect", f"more than {target.max_redirects} redirects")
                )
            url = nxt
            continue
        return _result(target, hop, redirects, ph, cert, revs, None)
    assert cert_failure is not None
    error, detail = cert_verdict(cert, target) if cert is not None else ("", "")
    if not error:
        error, detail = cert_failure
    return ProbeResult(False, error, detail, {"redirects": redirects}, cert, revs)


def _shown(url: str) -> str:
    """A URL as stored in a point: no query or fragment (a Location header can carry a session token)."""
    u = urlsplit(url)
    return f"{u.scheme}://{u.hostname or ''}{f':{u.port}' if u.port else ''}{u.path}"


def _result(
    target: Target,
    hop: _Hop,
    redirects: int,
    ph: Phases,
    cert: CertInfo | None,
    revs: list[Revocation],
    failure: tuple[str, str] | None,
) -> ProbeResult:
    fields: dict[str, FieldValue] = {
        "status_code": hop.status,
        "redirects": redirects,
        "body_bytes": len(hop.body),
        "http_version": hop.http_version,
    }
    error, detail = failure or ("", "")
    ok_status = hop.status in target.expect_status if target.expect_status else 200 <= hop.status < 300
    if not error and not ok_status:
        error, detail = (
            "status",
            f"HTTP {hop.status}" + (f", expected {target.expect_status}" if target.expect_status else ""),
        )
    if target.match is not None:
        found = re.search(target.match, _decode(bytes(hop.body), hop.headers.get(b"content-type", b""))) is not None
        fields["content_match"] = int(found)
        if not error and not found:
            error, detail = "match", f"body does not contain /{target.match}/"
    if not error and cert is not None:
        error, detail = cert_verdict(cert, target) if target.verify else ("", "")
    return ProbeResult(not error, error, detail, fields, cert, revs)
