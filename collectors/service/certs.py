"""Reading a presented certificate chain: expiry, names, key and signature algorithms, AIA/CDP URLs.

``cryptography`` parses SM2 certificates (names, dates, extensions) but cannot load an SM2
public key, so the key type and the raw key bits (for the OCSP issuer key hash) come from the
DER of the SubjectPublicKeyInfo, walked here with a minimal TLV reader.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID

from .result import CertInfo

# OIDs cryptography has no name for (GB/T 35276, GM/T 0006).
_OID_NAMES = {
    "1.2.156.10197.1.501": "SM2-with-SM3",
    "1.2.156.10197.1.301": "sm2",
    "1.2.840.10045.2.1": "ec",
    "1.2.840.113549.1.1.1": "rsa",
}


def _tlv(buf: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start of value, end of value) of the DER element at pos."""
    tag = buf[pos]
    n = buf[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(buf[pos : pos + k], "big")
        pos += k
    return tag, pos, pos + n


def _children(buf: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    out = []
    pos = start
    while pos < end:
        tag, vs, ve = _tlv(buf, pos)
        out.append((tag, vs, ve))
        pos = ve
    return out


def _oid(der: bytes) -> str:
    first = der[0]
    parts = [first // 40, first % 40]
    v = 0
    for b in der[1:]:
        v = (v << 7) | (b & 0x7F)
        if not b & 0x80:
            parts.append(v)
            v = 0
    return ".".join(str(p) for p in parts)


@dataclass
class Spki:
    algorithm: str  # OID
    parameter: str | None  # curve OID for EC / SM2
    key_bits: bytes  # the BIT STRING's bits (what an OCSP issuer key hash covers)


def spki(cert: x509.Certificate) -> Spki:
    """The SubjectPublicKeyInfo of a certificate, for any key type (SM2 included)."""
    tbs = cert.tbs_certificate_bytes
    _, s, e = _tlv(tbs, 0)
    kids = _children(tbs, s, e)
    if kids and kids[0][0] == 0xA0:  # [0] EXPLICIT version
        kids = kids[1:]
    _, ks, ke = kids[5]  # serial, signature, issuer, validity, subject, spki
    alg, bits = _children(tbs, ks, ke)[:2]
    parts = _children(tbs, alg[1], alg[2])
    algorithm = _oid(tbs[parts[0][1] : parts[0][2]])
    param = _oid(tbs[parts[1][1] : parts[1][2]]) if len(parts) > 1 and parts[1][0] == 0x06 else None
    return Spki(algorithm, param, tbs[bits[1] + 1 : bits[2]])  # skip the unused-bits byte


def key_type(cert: x509.Certificate) -> str:
    try:
        key = cert.public_key()
    except Exception:
        info = spki(cert)
        return _OID_NAMES.get(info.parameter or "", "") or _OID_NAMES.get(info.algorithm, info.algorithm)
    if isinstance(key, rsa.RSAPublicKey):
        return f"rsa{key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"ec-{key.curve.name}"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(key, ed448.Ed448PublicKey):
        return "ed448"
    return type(key).__name__


def sig_alg(cert: x509.Certificate) -> str:
    oid = cert.signature_algorithm_oid
    return _OID_NAMES.get(oid.dotted_string) or getattr(oid, "_name", "") or oid.dotted_string


def _urls(cert: x509.Certificate) -> tuple[list[str], list[str]]:
    ocsp: list[str] = []
    crl: list[str] = []
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
        ocsp = [
            str(d.access_location.value)
            for d in aia
            if d.access_method == AuthorityInformationAccessOID.OCSP
            and isinstance(d.access_location, x509.UniformResourceIdentifier)
        ]
    except x509.ExtensionNotFound:
        pass
    try:
        cdp = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        for dp in cdp:
            for n in dp.full_name or []:
                if isinstance(n, x509.UniformResourceIdentifier):
                    crl.append(str(n.value))
    except x509.ExtensionNotFound:
        pass
    return ocsp, crl


def name(n: x509.Name) -> str:
    return n.rfc4514_string()


def cert_info(
    chain_der: list[bytes],
    chain_valid: bool | None,
    chain_error: str,
    hostname_ok: bool | None,
    now: float | None = None,
) -> tuple[CertInfo, list[x509.Certificate]]:
    """Facts about the presented chain (leaf first)."""
    certs = [x509.load_der_x509_certificate(d) for d in chain_der]
    leaf = certs[0]
    now = time.time() if now is None else now
    not_after = leaf.not_valid_after_utc.timestamp()
    ocsp, crl = _urls(leaf)
    info = CertInfo(
        subject=name(leaf.subject),
        issuer=name(leaf.issuer),
        not_after_s=int(not_after),
        not_before_s=int(leaf.not_valid_before_utc.timestamp()),
        days_left=(not_after - now) / 86400.0,
        key_type=key_type(leaf),
        sig_alg=sig_alg(leaf),
        serial=leaf.serial_number,
        chain_len=len(certs),
        chain_valid=chain_valid,
        chain_error=chain_error,
        hostname_ok=hostname_ok,
        self_signed=leaf.subject == leaf.issuer,
        ocsp_urls=ocsp,
        crl_urls=crl,
        chain_subjects=[name(c.subject) for c in certs],
    )
    return info, certs


def issuer_of(
    leaf: x509.Certificate, chain: list[x509.Certificate], extra: list[x509.Certificate]
) -> x509.Certificate | None:
    """The certificate that issued ``leaf``: from the presented chain, else the CA file."""
    for c in [*chain[1:], *extra]:
        if c.subject == leaf.issuer:
            return c
    return None
