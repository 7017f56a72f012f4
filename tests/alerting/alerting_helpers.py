"""Test plumbing for alerting: a recording HTTP(S) server, a self-signed certificate, an engine factory."""

from __future__ import annotations

import datetime as dt
import http.server
import ipaddress
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from netmon.model import Point

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "configs" / "inventory" / "small.yaml"
T0 = 1_800_000_000.0


def self_signed(dirpath: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1/localhost and its key, made with `cryptography`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = dirpath / "cert.pem", dirpath / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Recorder:
    """An HTTP(S) server on 127.0.0.1 that records requests and answers as told."""

    requests: list[Request] = field(default_factory=list)
    status: int = 200
    answer: bytes = b'{"errcode":0,"errmsg":"ok"}'
    delay: float = 0.0
    fail_first: int = 0  # answer 500 to this many requests first
    cond: threading.Condition = field(default_factory=threading.Condition)
    server: http.server.ThreadingHTTPServer | None = None

    def start(self, tls: tuple[Path, Path] | None = None) -> Recorder:
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if rec.delay:
                    time.sleep(rec.delay)
                with rec.cond:
                    rec.requests.append(Request(self.path, dict(self.headers), body, time.time()))
                    failing = rec.fail_first > 0
                    rec.fail_first -= 1 if failing else 0
                    rec.cond.notify_all()
                status = 500 if failing else rec.status
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(rec.answer)))
                    self.end_headers()
                    self.wfile.write(rec.answer)
                except OSError:
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(tls[0]), str(tls[1]))
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.scheme = "https" if tls else "http"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}"

    def wait(self, n: int, timeout: float = 10.0) -> list[Request]:
        """Wait until n requests arrived (or time out) and return them."""
        with self.cond:
            self.cond.wait_for(lambda: len(self.requests) >= n, timeout)
            return list(self.requests)

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def reach(dev: Any, up: int, t: float) -> Point:
    return Point(
        "snmp_reach", dev.point_tags(), {"up": up, "response_ms": 5.0, "error": "" if up else "timeout"}, int(t * 1e9)
    )


def iface(dev: Any, idx: int, t: float, **fields: Any) -> Point:
    tags = {**dev.point_tags(), "ifIndex": str(idx), "ifName": f"GE0/0/{idx}", "uplink": "0"}
    return Point("interface", tags, fields, int(t * 1e9))
