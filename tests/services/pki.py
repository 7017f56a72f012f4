"""Certificates the service tests make: an RSA hierarchy (cryptography) and an SM2 one (openssl).

Debian's OpenSSL 3.0 cannot put an SM2 *server* key into a TLS handshake ("unknown certificate
type"), so the SM2 chain served over TLS has SM2 root and intermediate CAs, SM2-with-SM3
signatures throughout, and an ECDSA P-256 leaf key signed by the SM2 intermediate. A pure SM2
leaf (SM2 key) is also made, as a file, to read with the certificate parser.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass
class Issued:
    cert: Path
    key: Path
    chain: Path  # leaf + intermediates, what a server presents
    serial: int
    not_after: dt.datetime


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_key(key, path: Path) -> None:
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    path.chmod(0o600)


def _pem(c: x509.Certificate) -> bytes:
    return c.public_bytes(serialization.Encoding.PEM)


class RsaPki:
    """Root -> intermediate -> leaves, with OCSP (AIA) and CRL (CDP) URLs in every leaf."""

    def __init__(self, d: Path, ocsp_url: str, crl_url: str) -> None:
        self.d, self.ocsp_url, self.crl_url = d, ocsp_url, crl_url
        d.mkdir(parents=True, exist_ok=True)
        self.root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.root = self._ca(
            _name("netmon test RSA root"), self.root_key, _name("netmon test RSA root"), self.root_key, None
        )
        self.int_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.inter = self._ca(_name("netmon test RSA intermediate"), self.int_key, self.root.subject, self.root_key, 0)
        (d / "root.pem").write_bytes(_pem(self.root))
        (d / "inter.pem").write_bytes(_pem(self.inter))
        _write_key(self.int_key, d / "inter.key")
        self.issued: list[tuple[int, dt.datetime, str, bool]] = []  # serial, not_after, subject, revoked

    def _ca(self, subject, key, issuer, ikey, pathlen):
        b = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(NOW - dt.timedelta(days=30))
            .not_valid_after(NOW + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=pathlen), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        )  # fmt: skip
        return b.sign(ikey, hashes.SHA256())

    def leaf(self, name: str, hosts: list[str], days: float = 90, start_days: float = -1, revoked: bool = False,
             self_signed: bool = False) -> Issued:  # fmt: skip
        key = ec.generate_private_key(ec.SECP256R1())
        subject = _name(hosts[0])
        issuer, ikey = (subject, key) if self_signed else (self.inter.subject, self.int_key)
        sans = [
            x509.IPAddress(__import__("ipaddress").ip_address(h)) if h[0].isdigit() else x509.DNSName(h) for h in hosts
        ]
        not_after = NOW + dt.timedelta(days=days)
        serial = x509.random_serial_number()
        b = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(serial).not_valid_before(NOW + dt.timedelta(days=start_days)).not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        )  # fmt: skip
        if not self_signed:
            b = b.add_extension(
                x509.AuthorityInformationAccess(
                    [
                        x509.AccessDescription(
                            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(self.ocsp_url)
                        )
                    ]
                ),
                critical=False,
            ).add_extension(
                x509.CRLDistributionPoints(
                    [x509.DistributionPoint([x509.UniformResourceIdentifier(self.crl_url)], None, None, None)]
                ),
                critical=False,
            )
        cert = b.sign(ikey, hashes.SHA256())
        cp, kp, chp = self.d / f"{name}.pem", self.d / f"{name}.key", self.d / f"{name}-chain.pem"
        cp.write_bytes(_pem(cert))
        _write_key(key, kp)
        chp.write_bytes(_pem(cert) + (b"" if self_signed else _pem(self.inter)))
        if not self_signed:
            self.issued.append((serial, not_after, hosts[0], revoked))
        return Issued(cp, kp, chp, serial, not_after)

    def write_crl(self) -> Path:
        b = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.inter.subject)
            .last_update(NOW - dt.timedelta(hours=1))
        )
        b = b.next_update(NOW + dt.timedelta(days=7))
        for serial, _, _, revoked in self.issued:
            if revoked:
                b = b.add_revoked_certificate(
                    x509.RevokedCertificateBuilder()
                    .serial_number(serial)
                    .revocation_date(NOW - dt.timedelta(hours=2))
                    .build()
                )
        path = self.d / "inter.crl"
        path.write_bytes(b.sign(self.int_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER))
        return path

    def write_index(self) -> Path:
        """openssl ca's index.txt: what `openssl ocsp` answers from."""
        lines = []
        for serial, not_after, subj, revoked in self.issued:
            exp = not_after.strftime("%y%m%d%H%M%SZ")
            rev = (NOW - dt.timedelta(hours=2)).strftime("%y%m%d%H%M%SZ") if revoked else ""
            lines.append(f"{'R' if revoked else 'V'}\t{exp}\t{rev}\t{serial:X}\tunknown\t/C=CN/CN={subj}\n")
        path = self.d / "index.txt"
        path.write_text("".join(lines))
        path.with_name("index.txt.attr").write_text("unique_subject = no\n")  # several leaves share a subject
        return path


def _ossl(*args: str, cwd: Path) -> None:
    r = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)}: {r.stderr}")


@dataclass
class Sm2Chain:
    root: Path
    inter: Path
    served: Issued  # ECDSA leaf under SM2 CAs, served over TLS
    sm2_leaf: Path  # a leaf with an SM2 key (read from file)


def make_sm2(d: Path, host: str, ocsp_url: str) -> Sm2Chain:
    d.mkdir(parents=True, exist_ok=True)
    ca_ext = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
    (d / "ca.ext").write_text(ca_ext)
    (d / "leaf.ext").write_text(
        f"basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:{host},IP:127.0.0.1\nauthorityInfoAccess=OCSP;URI:{ocsp_url}\n"
    )
    sm2 = ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2"]
    _ossl(*sm2, "-out", "root.key", cwd=d)
    _ossl("req", "-new", "-x509", "-key", "root.key", "-sm3", "-subj", "/C=CN/CN=netmon test SM2 root", "-days", "3650",
          "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "root.pem", cwd=d)  # fmt: skip
    _ossl(*sm2, "-out", "inter.key", cwd=d)
    _ossl(
        "req",
        "-new",
        "-key",
        "inter.key",
        "-sm3",
        "-subj",
        "/C=CN/CN=netmon test SM2 intermediate",
        "-out",
        "inter.csr",
        cwd=d,
    )
    _ossl("x509", "-req", "-in", "inter.csr", "-CA", "root.pem", "-CAkey", "root.key", "-sm3", "-days", "1825",
          "-extfile", "ca.ext", "-set_serial", "4096", "-out", "inter.pem", cwd=d)  # fmt: skip
    _ossl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "leaf.key", cwd=d)
    _ossl("req", "-new", "-key", "leaf.key", "-subj", f"/C=CN/CN={host}", "-out", "leaf.csr", cwd=d)
    _ossl("x509", "-req", "-in", "leaf.csr", "-CA", "inter.pem", "-CAkey", "inter.key", "-sm3", "-days", "200",
          "-extfile", "leaf.ext", "-set_serial", "8193", "-out", "leaf.pem", cwd=d)  # fmt: skip
    _ossl(*sm2, "-out", "sm2leaf.key", cwd=d)
    _ossl("req", "-new", "-key", "sm2leaf.key", "-sm3", "-subj", f"/C=CN/CN={host}", "-out", "sm2leaf.csr", cwd=d)
    _ossl("x509", "-req", "-in", "sm2leaf.csr", "-CA", "inter.pem", "-CAkey", "inter.key", "-sm3", "-days", "45",
          "-extfile", "leaf.ext", "-set_serial", "8194", "-out", "sm2leaf.pem", cwd=d)  # fmt: skip
    (d / "leaf-chain.pem").write_bytes((d / "leaf.pem").read_bytes() + (d / "inter.pem").read_bytes())
    (d / "leaf.key").chmod(0o600)
    c = x509.load_pem_x509_certificate((d / "leaf.pem").read_bytes())
    na = (NOW + dt.timedelta(days=200)).strftime("%y%m%d%H%M%SZ")
    (d / "index.txt").write_text(f"V\t{na}\t\t2001\tunknown\t/C=CN/CN={host}\n")
    return Sm2Chain(d / "root.pem", d / "inter.pem", Issued(d / "leaf.pem", d / "leaf.key", d / "leaf-chain.pem", c.serial_number,
                    c.not_valid_after_utc), d / "sm2leaf.pem")  # fmt: skip
