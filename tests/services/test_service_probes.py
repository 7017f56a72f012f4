"""Service probes against real servers on 127.0.0.1 (tests/services/conftest.py), checked against openssl."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import time

import pytest
from cryptography import x509

from collectors.service import ServiceSettings, Target, probe, run_targets
from collectors.service.certs import cert_info
from tests.services.conftest import HOST

SETTINGS = ServiceSettings(vantage="central", timeout=5)


def run(t: Target, settings: ServiceSettings = SETTINGS):
    return asyncio.run(probe(t, settings))


def openssl_not_after(path) -> float:
    out = subprocess.run(
        ["openssl", "x509", "-in", str(path), "-noout", "-enddate"], capture_output=True, text=True, check=True
    ).stdout
    return dt.datetime.strptime(out.strip().split("=", 1)[1], "%b %d %H:%M:%S %Y %Z").replace(tzinfo=dt.UTC).timestamp()


def openssl_ocsp(lab, issuer, cert, url) -> str:
    out = subprocess.run(["openssl", "ocsp", "-issuer", str(issuer), "-cert", str(cert), "-url", url, "-noverify"],
                         capture_output=True, text=True, timeout=20).stdout  # fmt: skip
    return out.split(":", 1)[1].split()[0]  # "<file>: good|revoked|unknown"


def test_https_valid_phases_match_and_revocation(svc_lab):
    ca = svc_lab.d / "rsa" / "root.pem"
    t = Target(name="gd-portal", kind="http", url=svc_lab.url("valid"), ca_file=ca, match="政务服务", revocation=True)
    r, ph = run(t)
    assert r.up, r.detail
    assert r.fields["status_code"] == 200 and r.fields["content_match"] == 1
    assert {"connect", "tls", "first_byte", "transfer"} <= set(ph.marks)
    assert sum(ph.marks.values()) <= ph.total_ms()
    c = r.cert
    assert c is not None and c.chain_valid and c.hostname_ok and c.chain_len == 2
    assert c.not_after_s == int(openssl_not_after(svc_lab.rsa.d / "valid.pem"))
    # 200 days from when the lab made it (the lab may be minutes old on a slow run): the days left
    # are the certificate's own not-after seen from now
    assert 199 < c.days_left <= 200 and abs(c.days_left - (c.not_after_s - time.time()) / 86400) < 0.001
    statuses = {(x.method, x.status) for x in r.revocation}
    assert statuses == {("ocsp", "good"), ("crl", "good")}
    assert (
        openssl_ocsp(svc_lab, svc_lab.rsa.d / "inter.pem", svc_lab.rsa.d / "valid.pem", svc_lab.rsa.ocsp_url) == "good"
    )


@pytest.mark.parametrize(
    ("variant", "server_name", "error", "valid", "hostname_ok"),
    [
        ("expired", None, "cert", False, None),
        ("wronghost", HOST, "cert", True, False),
        ("selfsigned", None, "cert", False, None),
        ("soon", None, "", True, True),
    ],
)
def test_tls_certificates(svc_lab, variant, server_name, error, valid, hostname_ok):
    t = Target(name=variant, kind="tls", host="127.0.0.1", port=svc_lab.https[variant].port, server_name=server_name,
               ca_file=svc_lab.d / "rsa" / "root.pem")  # fmt: skip
    r, _ = run(t)
    assert r.error == error, r.detail
    assert r.up is (error == "")
    c = r.cert
    assert c is not None, "the chain is read even when it does not validate"
    assert c.chain_valid is valid and c.hostname_ok is hostname_ok
    assert c.not_after_s == int(openssl_not_after(svc_lab.rsa.d / f"{variant}.pem"))
    if variant == "expired":
        assert c.days_left < 0 and "expired" in r.detail
    if variant == "selfsigned":
        assert c.self_signed and c.chain_len == 1
    if variant == "soon":
        assert 11.9 < c.days_left < 12.1  # the alert rule's < 30 days case


def test_revoked_certificate_ocsp_and_crl(svc_lab):
    t = Target(name="rev", kind="tls", host="127.0.0.1", port=svc_lab.https["revoked"].port, ca_file=svc_lab.d / "rsa" / "root.pem",
               revocation=True)  # fmt: skip
    r, _ = run(t)
    assert not r.up and r.error == "revoked"
    assert {(x.method, x.status) for x in r.revocation} == {("ocsp", "revoked"), ("crl", "revoked")}
    assert (
        openssl_ocsp(svc_lab, svc_lab.rsa.d / "inter.pem", svc_lab.rsa.d / "revoked.pem", svc_lab.rsa.ocsp_url)
        == "revoked"
    )


def test_sm2_chain(svc_lab):
    sm2 = svc_lab.sm2
    t = Target(
        name="sm2",
        kind="tls",
        host="127.0.0.1",
        port=svc_lab.https["sm2"].port,
        server_name=HOST,
        ca_file=sm2.root,
        revocation=True,
    )
    r, _ = run(t)
    assert r.up, r.detail
    c = r.cert
    assert c is not None and c.sig_alg == "SM2-with-SM3" and c.chain_valid and c.hostname_ok
    assert c.issuer == "CN=netmon test SM2 intermediate,C=CN"
    truth = subprocess.run(["openssl", "verify", "-CAfile", str(sm2.root), "-untrusted", str(sm2.inter), str(sm2.served.cert)],
                           capture_output=True, text=True)  # fmt: skip
    assert truth.returncode == 0
    assert [(x.method, x.status) for x in r.revocation] == [("ocsp", "good")]
    # Against the RSA root the SM2 chain must not validate.
    r2, _ = run(t.model_copy(update={"ca_file": svc_lab.d / "rsa" / "root.pem", "revocation": False}))
    assert not r2.up and r2.cert is not None and r2.cert.chain_valid is False
    # A leaf with an SM2 key (TLS on Debian's OpenSSL cannot serve it): read from its DER.
    der = x509.load_pem_x509_certificate(sm2.sm2_leaf.read_bytes()).public_bytes(
        __import__("cryptography").hazmat.primitives.serialization.Encoding.DER
    )
    info, _ = cert_info([der], None, "", None)
    assert info.key_type == "sm2" and info.sig_alg == "SM2-with-SM3"
    assert info.not_after_s == int(openssl_not_after(sm2.sm2_leaf)) and 44.9 < info.days_left < 45.1


def test_http_redirects_status_and_gbk(svc_lab):
    ca = svc_lab.d / "rsa" / "root.pem"
    base = {"kind": "http", "ca_file": ca}
    r, _ = run(Target(name="a", url=svc_lab.url("valid", "/redirect"), **base))
    assert r.up and r.fields["redirects"] == 1 and r.fields["status_code"] == 200
    r, _ = run(Target(name="b", url=svc_lab.url("valid", "/redirect"), redirects="none", **base))
    assert not r.up and r.error == "status" and r.fields["status_code"] == 302
    r, _ = run(Target(name="c", url=svc_lab.url("valid", "/redirect"), redirects="none", expect_status=[302], **base))
    assert r.up
    r, _ = run(Target(name="d", url=svc_lab.url("valid", "/away"), redirects="same-host", **base))
    assert not r.up and r.error == "redirect" and "another host" in r.detail
    r, _ = run(Target(name="e", url=svc_lab.url("valid", "/loop"), max_redirects=3, **base))
    assert not r.up and r.error == "redirect" and r.fields["redirects"] == 4
    r, _ = run(Target(name="f", url=svc_lab.url("valid", "/500"), **base))
    assert not r.up and r.error == "status" and r.fields["status_code"] == 500
    r, _ = run(Target(name="g", url=f"http://127.0.0.1:{svc_lab.http.port}/gbk", match="一网通办", kind="http"))
    assert r.up and r.fields["content_match"] == 1
    r, _ = run(Target(name="h", url=f"http://127.0.0.1:{svc_lab.http.port}/", match="不存在的文字", kind="http"))
    assert not r.up and r.error == "match" and r.fields["content_match"] == 0
    r, _ = run(Target(name="i", url=svc_lab.url("expired"), **base))
    assert not r.up and r.error == "cert" and r.cert is not None and r.cert.days_left < 0
    r, _ = run(Target(name="j", url=svc_lab.url("selfsigned"), verify=False, kind="http"))
    assert r.up and r.cert is not None and r.cert.chain_valid is None


def test_dns(svc_lab):
    srv = f"127.0.0.1:{svc_lab.dns_port}"
    r, ph = run(Target(name="a", kind="dns", server=srv, query=HOST, expect=["127.0.0.1"]))
    assert r.up and r.fields["answers"] == "127.0.0.1" and r.fields["rcode"] == "NOERROR" and "dns" in ph.marks
    r, _ = run(Target(name="b", kind="dns", server=srv, query="mail.gd.gov.test", expect=["127.0.0.1"]))
    assert not r.up and r.error == "answer" and r.fields["expected_ok"] == 0 and "127.0.0.9" in r.detail
    r, _ = run(Target(name="c", kind="dns", server=srv, query="nope.gd.gov.test"))
    assert not r.up and r.error == "rcode" and r.fields["rcode"] == "NXDOMAIN"
    r, _ = run(Target(name="d", kind="dns", server=srv, query="nope.gd.gov.test", expect_rcode="NXDOMAIN"))
    assert r.up
    r, _ = run(Target(name="e", kind="dns", server=srv, query=HOST, transport="tcp", expect=["127.0.0.1"]))
    assert r.up


def test_hung_servers_are_bounded_and_do_not_delay_others(svc_lab):
    """A TLS server that accepts and never answers, and a DNS server that never answers."""
    targets = [
        Target(name="hang-tls", kind="tls", host="127.0.0.1", port=svc_lab.hang.port, timeout=1),
        Target(name="hang-https", kind="http", url=f"https://127.0.0.1:{svc_lab.hang.port}/", timeout=1),
        Target(name="hang-dns", kind="dns", server=f"127.0.0.1:{svc_lab.dns_hole.port}", query=HOST, timeout=1),
        Target(name="refused", kind="tcp", host="127.0.0.1", port=svc_lab.closed_port),
        Target(name="unresolvable", kind="tcp", host="no-such-host.invalid", port=80),
        Target(name="ok", kind="http", url=svc_lab.url("valid"), ca_file=svc_lab.d / "rsa" / "root.pem"),
    ]
    points = asyncio.run(run_targets(targets, SETTINGS))
    by = {p.tags["target"]: p.fields for p in points if p.measurement == "service"}
    assert set(by) == {t.name for t in targets}
    assert by["hang-tls"]["error"] == "timeout" and "TLS handshake" in str(by["hang-tls"]["detail"])
    assert by["hang-https"]["error"] == "timeout" and "TLS handshake" in str(by["hang-https"]["detail"])
    assert by["hang-dns"]["error"] == "timeout" and "DNS" in str(by["hang-dns"]["detail"])
    assert by["refused"]["error"] == "refused"
    assert by["unresolvable"]["error"] == "dns"
    assert by["ok"]["up"] == 1 and by["ok"]["status_code"] == 200
    for name in ("hang-tls", "hang-https", "hang-dns"):
        assert by[name]["up"] == 0


def test_points_carry_target_tags_and_vantage(svc_lab):
    t = Target(name="gd-portal", kind="tcp", host="127.0.0.1", port=svc_lab.https["valid"].port, network="extranet", tier="province",
               region="广东/广州", site="政务中心", tags={"owner": "gd"}, vantages=["广东", "central"])  # fmt: skip
    s = ServiceSettings(vantage="广东", targets=[t])
    assert s.mine() == [t] and ServiceSettings(vantage="浙江", targets=[t]).mine() == []
    (p,) = asyncio.run(run_targets(s.mine(), s))
    assert p.measurement == "service" and p.fields["up"] == 1
    assert p.tags == {"target": "gd-portal", "kind": "tcp", "vantage": "广东", "network": "extranet", "tier": "province",
                      "region": "广东/广州", "province": "广东", "site": "政务中心", "owner": "gd"}  # fmt: skip
