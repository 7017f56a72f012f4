"""One set of real servers for every service probe test (module-scoped: PKI, HTTPS, OCSP, DNS)."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from netmon.lab.procs import Proc, free_port
from tests.conftest import need_binary
from tests.services.pki import RsaPki, Sm2Chain, make_sm2
from tests.services.servers import Blackhole, Handler, ThreadedServer, dnsmasq, ocsp_responder

HOST = "portal.gd.gov.test"


@dataclass
class SvcLab:
    d: Path
    rsa: RsaPki
    sm2: Sm2Chain
    https: dict[str, ThreadedServer] = field(default_factory=dict)
    http: ThreadedServer | None = None
    hang: Blackhole | None = None
    dns_hole: Blackhole | None = None
    dns_port: int = 0
    procs: list[Proc] = field(default_factory=list)
    closed_port: int = 0

    def url(self, variant: str, path: str = "/") -> str:
        return f"https://127.0.0.1:{self.https[variant].port}{path}"


@pytest.fixture(scope="package")
def svc_lab(tmp_path_factory: pytest.TempPathFactory):
    need_binary("openssl")
    d = tmp_path_factory.mktemp("svc")
    ocsp_port, sm2_ocsp_port = free_port(), free_port()
    http = ThreadedServer()
    rsa = RsaPki(d / "rsa", f"http://127.0.0.1:{ocsp_port}/", f"http://127.0.0.1:{http.port}/inter.crl")
    leaves = {
        "valid": rsa.leaf("valid", [HOST, "127.0.0.1"], days=200),
        "soon": rsa.leaf("soon", [HOST, "127.0.0.1"], days=12),
        "expired": rsa.leaf("expired", [HOST, "127.0.0.1"], days=-3, start_days=-100),
        "wronghost": rsa.leaf("wronghost", ["other.gov.test"], days=200),
        "selfsigned": rsa.leaf("selfsigned", [HOST, "127.0.0.1"], days=200, self_signed=True),
        "revoked": rsa.leaf("revoked", [HOST, "127.0.0.1"], days=200, revoked=True),
    }
    Handler.files = {"/inter.crl": rsa.write_crl()}
    index = rsa.write_index()
    sm2 = make_sm2(d / "sm2", HOST, f"http://127.0.0.1:{sm2_ocsp_port}/")
    lab = SvcLab(d, rsa, sm2, http=http)
    try:
        for name, iss in leaves.items():
            lab.https[name] = ThreadedServer(iss.chain, iss.key)
        lab.https["sm2"] = ThreadedServer(sm2.served.chain, sm2.served.key)
        lab.procs.append(
            ocsp_responder(
                d / "rsa", index, d / "rsa" / "inter.pem", d / "rsa" / "inter.pem", d / "rsa" / "inter.key", ocsp_port
            )
        )
        lab.procs.append(
            ocsp_responder(
                d / "sm2", d / "sm2" / "index.txt", sm2.inter, sm2.inter, d / "sm2" / "inter.key", sm2_ocsp_port
            )
        )
        lab.hang = Blackhole()
        lab.dns_hole = Blackhole(socket.SOCK_DGRAM)
        lab.closed_port = free_port()
        dm = need_binary("dnsmasq")
        p, lab.dns_port = dnsmasq(
            d, {HOST: "127.0.0.1", "www.gd.gov.test": "127.0.0.1", "mail.gd.gov.test": "127.0.0.9"}, dm
        )
        lab.procs.append(p)
        yield lab
    finally:
        for p in lab.procs:
            p.stop()
        for s in [*lab.https.values(), http]:
            s.close()
        for b in (lab.hang, lab.dns_hole):
            if b is not None:
                b.close()
