"""TCP connect and TLS certificate probes (expiry, chain, host name, OCSP/CRL)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from cryptography import x509

from .certs import cert_info, issuer_of
from .netio import TlsOutcome, close, connect, read_chain, resolve, start_tls
from .result import CertInfo, Phases, ProbeFailed, ProbeResult, Revocation
from .revocation import check_all
from .settings import ServiceSettings, Target


@cache
def _ca_certs(path: Path | None) -> list[x509.Certificate]:
    if path is None:
        return []
    try:
        return x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError):
        return []


async def certificate(
    target: Target,
    settings: ServiceSettings,
    addr: str,
    port: int,
    server_name: str,
    out: TlsOutcome,
    timeout: float,
    ph: Phases,
) -> tuple[CertInfo | None, list[Revocation]]:
    """Cert facts from the handshake (or a second, unverified one when validation failed), then revocation."""
    chain = out.chain
    if not chain:
        try:
            chain = await read_chain(addr, port, server_name)
        except (OSError, ValueError):
            return None, []
    if not chain:
        return None, []
    checked = target.verify or target.ca_file is not None
    info, certs = cert_info(chain, out.valid if checked else None, out.error, out.hostname_ok if checked else None)
    revs: list[Revocation] = []
    if target.revocation:
        ca = target.ca_file or settings.ca_file
        issuer = issuer_of(certs[0], certs, _ca_certs(ca))
        t0 = ph.begin("revocation")  # a timeout now is the OCSP responder's or the CRL server's
        revs = await check_all(certs[0], issuer, info.ocsp_urls, info.crl_urls, timeout)
        ph.end("revocation", t0)
    return info, revs


def cert_verdict(info: CertInfo | None, target: Target) -> tuple[str, str]:
    """('', '') when the certificate is acceptable, else (error, detail)."""
    if info is None:
        return "tls", "no certificate presented"
    if info.days_left <= 0:
        return "cert", f"certificate expired {-info.days_left:.1f} days ago"
    if target.verify and info.chain_valid is False:
        return "cert", info.chain_error or "chain does not validate"
    if target.verify and info.hostname_ok is False:
        return "cert", info.chain_error or "host name mismatch"
    return "", ""


async def probe_tcp(target: Target, settings: ServiceSettings, ph: Phases) -> ProbeResult:
    assert target.host and target.port
    addrs = await resolve(target.host, target.port, ph)
    _, writer = await connect(addrs, target.port, ph)
    close(writer)
    return ProbeResult(True)


async def probe_tls(target: Target, settings: ServiceSettings, ph: Phases, timeout: float) -> ProbeResult:
    assert target.host and target.port
    name = target.server_name or target.host
    addrs = await resolve(target.host, target.port, ph)
    _, writer = await connect(addrs, target.port, ph)
    peer = writer.get_extra_info("peername")
    addr = str(peer[0]) if peer else addrs[0]
    out = TlsOutcome()
    failure: ProbeFailed | None = None
    try:
        await start_tls(writer, name, target.verify, target.ca_file or settings.ca_file, ph, out)
    except ProbeFailed as exc:
        if exc.error != "cert":
            raise
        failure = exc
    finally:
        close(writer)
    info, revs = await certificate(target, settings, addr, target.port, name, out, timeout, ph)
    error, detail = cert_verdict(info, target)
    if failure is not None and not error:
        error, detail = failure.error, failure.detail
    if not error and any(r.status == "revoked" for r in revs):
        error, detail = "revoked", next(r.detail for r in revs if r.status == "revoked")
    return ProbeResult(not error, error, detail, cert=info, revocation=revs)
