"""OCSP and CRL reachability of a certificate's own URLs (AIA OCSP, CRL distribution points).

The OCSP request is built with ``cryptography.x509.ocsp`` by hash (issuer name hash and issuer
key hash computed here), because cryptography cannot load an SM2 issuer key; that works the
same for RSA, EC and SM2 chains. An answer is ``good``, ``revoked`` or ``unknown``; a responder
that cannot be reached or answers with an error status is ``error`` with the reason.
"""

from __future__ import annotations

import hashlib
import time

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from .certs import spki
from .result import Revocation

_OCSP_STATUS = {
    ocsp.OCSPCertStatus.GOOD: "good",
    ocsp.OCSPCertStatus.REVOKED: "revoked",
    ocsp.OCSPCertStatus.UNKNOWN: "unknown",
}


def ocsp_request(leaf: x509.Certificate, issuer: x509.Certificate) -> bytes:
    name_hash = hashlib.sha1(leaf.issuer.public_bytes(), usedforsecurity=False).digest()
    key_hash = hashlib.sha1(spki(issuer).key_bits, usedforsecurity=False).digest()
    req = ocsp.OCSPRequestBuilder().add_certificate_by_hash(name_hash, key_hash, leaf.serial_number, hashes.SHA1())  # noqa: S303 - OCSP CertID is SHA-1 by RFC 6960
    return req.build().public_bytes(serialization.Encoding.DER)


def _unreachable(method: str, url: str, t0: float, exc: httpx.HTTPError) -> Revocation:
    if isinstance(exc, httpx.TimeoutException):
        kind = "timeout"
    elif isinstance(exc, httpx.ConnectError):
        kind = "refused" if "refused" in str(exc).lower() else "connect"
    else:
        kind = "http"
    return Revocation(
        method, url, False, "error", (time.perf_counter() - t0) * 1000, kind, str(exc) or type(exc).__name__
    )


async def check_ocsp(
    client: httpx.AsyncClient, url: str, leaf: x509.Certificate, issuer: x509.Certificate | None
) -> Revocation:
    t0 = time.perf_counter()
    if issuer is None:
        return Revocation(
            "ocsp",
            url,
            False,
            "error",
            0.0,
            "no_issuer",
            "the issuer certificate is neither in the chain nor in the CA file",
        )
    try:
        resp = await client.post(
            url, content=ocsp_request(leaf, issuer), headers={"Content-Type": "application/ocsp-request"}
        )
    except httpx.HTTPError as exc:
        return _unreachable("ocsp", url, t0, exc)
    ms = (time.perf_counter() - t0) * 1000
    if resp.status_code != 200:
        return Revocation("ocsp", url, True, "error", ms, "http_status", f"HTTP {resp.status_code}")
    try:
        answer = ocsp.load_der_ocsp_response(resp.content)
    except ValueError as exc:
        return Revocation("ocsp", url, True, "error", ms, "malformed", f"not an OCSP response: {exc}")
    if answer.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        return Revocation(
            "ocsp", url, True, "error", ms, "responder", f"responder status {answer.response_status.name.lower()}"
        )
    if answer.serial_number != leaf.serial_number:
        return Revocation("ocsp", url, True, "error", ms, "mismatch", "the answer is about another certificate")
    status = _OCSP_STATUS[answer.certificate_status]
    detail = ""
    if answer.revocation_time_utc is not None:
        detail = f"revoked at {answer.revocation_time_utc.isoformat()}"
    return Revocation("ocsp", url, True, status, ms, "", detail)


async def check_crl(client: httpx.AsyncClient, url: str, leaf: x509.Certificate) -> Revocation:
    t0 = time.perf_counter()
    try:
        resp = await client.get(url)
    except httpx.HTTPError as exc:
        return _unreachable("crl", url, t0, exc)
    ms = (time.perf_counter() - t0) * 1000
    if resp.status_code != 200:
        return Revocation("crl", url, True, "error", ms, "http_status", f"HTTP {resp.status_code}")
    body = resp.content
    try:
        crl = x509.load_pem_x509_crl(body) if body.lstrip().startswith(b"-----") else x509.load_der_x509_crl(body)
    except ValueError as exc:
        return Revocation("crl", url, True, "error", ms, "malformed", f"not a CRL: {exc}")
    if crl.issuer != leaf.issuer:
        return Revocation("crl", url, True, "error", ms, "mismatch", "the CRL is from another issuer")
    entry = crl.get_revoked_certificate_by_serial_number(leaf.serial_number)
    nu = crl.next_update_utc
    if entry is not None:
        return Revocation("crl", url, True, "revoked", ms, "", f"revoked at {entry.revocation_date_utc.isoformat()}")
    if nu is not None and nu.timestamp() < time.time():
        return Revocation("crl", url, True, "error", ms, "stale", f"CRL expired at {nu.isoformat()}")
    return Revocation("crl", url, True, "good", ms)


async def check_all(
    leaf: x509.Certificate, issuer: x509.Certificate | None, ocsp_urls: list[str], crl_urls: list[str], timeout: float
) -> list[Revocation]:
    out: list[Revocation] = []
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=True, trust_env=False) as client:
        for u in ocsp_urls:
            out.append(await check_ocsp(client, u, leaf, issuer))
        for u in crl_urls:
            out.append(await check_crl(client, u, leaf))
    return out
