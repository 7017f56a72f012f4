"""Real servers on 127.0.0.1 for the service probe tests and the bench (threads and processes)."""

from __future__ import annotations

import contextlib
import http.server
import socket
import ssl
import threading
from pathlib import Path

from netmon.lab.procs import Proc, free_port, start, wait_for

PORTAL_BODY = "欢迎访问广东省政务服务网 portal ok".encode()
GBK_BODY = "<html><head></head><body>广东政务服务 一网通办</body></html>".encode("gb18030")


class Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, Path] = {}  # noqa: RUF012 - served paths (CRLs)
    seen_auth: list[str] = []  # noqa: RUF012 - Authorization headers received (secret header test)
    other_host = "http://127.0.0.2:9/"

    def log_message(self, *args):  # quiet
        pass

    def _send(self, code: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", headers=()) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        if self.headers.get("Authorization"):
            self.seen_auth.append(self.headers["Authorization"])
        p = self.path
        if p in self.files:
            self._send(200, self.files[p].read_bytes(), "application/pkix-crl")
        elif p in ("/", "/index.html"):
            self._send(200, PORTAL_BODY)
        elif p == "/gbk":
            self._send(200, GBK_BODY, "text/html; charset=GBK")
        elif p == "/redirect":
            self._send(302, b"", headers=[("Location", "/")])
        elif p == "/loop":
            self._send(302, b"", headers=[("Location", "/loop")])
        elif p == "/away":
            self._send(302, b"", headers=[("Location", self.other_host)])
        elif p == "/500":
            self._send(500, b"internal error")
        else:
            self._send(404, b"not found")


class ThreadedServer:
    def __init__(self, chain: Path | None = None, key: Path | None = None) -> None:
        self.port = free_port()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.httpd.daemon_threads = True
        if chain is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(chain, key)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Blackhole:
    """Accepts TCP connections (or takes UDP datagrams) and never answers: a hung TLS server / DNS server."""

    def __init__(self, kind: int = socket.SOCK_STREAM) -> None:
        self.port = free_port(kind)
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.bind(("127.0.0.1", self.port))
        self.conns: list[socket.socket] = []
        if kind == socket.SOCK_STREAM:
            self.sock.listen(64)
            self.thread = threading.Thread(target=self._accept, daemon=True)
            self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)  # held open, never read or written

    def close(self) -> None:
        for c in self.conns:
            with contextlib.suppress(OSError):
                c.close()
        self.sock.close()


def ocsp_responder(d: Path, index: Path, ca: Path, signer: Path, key: Path, port: int) -> Proc:
    # OpenSSL 3.0's -port takes a number (it listens on every address); tests only talk to 127.0.0.1.
    argv = ["openssl", "ocsp", "-index", str(index), "-port", str(port), "-CA", str(ca), "-rsigner", str(signer),
            "-rkey", str(key), "-nmin", "5", "-ignore_err"]  # fmt: skip
    p = start("openssl-ocsp", argv, d / f"ocsp-{port}.log")
    # Not a probe connection: the single-threaded responder would stall on a connection that sends nothing.
    wait_for(lambda: "waiting for OCSP client" in p.log_tail(5), 10, "openssl ocsp", p.popen)
    return p


def dnsmasq(d: Path, records: dict[str, str], binary: str = "dnsmasq") -> tuple[Proc, int]:
    """dnsmasq answering only the given A records (no upstream, no /etc/hosts)."""
    port = free_port(socket.SOCK_DGRAM)
    args = [binary, "--keep-in-foreground", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--bind-interfaces",
            "--listen-address=127.0.0.1", f"--port={port}", "--pid-file=", "--user=root", "--log-facility=-",
            "--local=/gov.test/"]  # names under gov.test that are not listed answer NXDOMAIN  # fmt: skip
    args += [f"--host-record={name},{addr}" for name, addr in records.items()]
    p = start("dnsmasq", args, d / "dnsmasq.log")

    def answers() -> bool:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.3)
        try:
            s.sendto(bytes.fromhex("abcd01000001000000000000") + b"\x01x\x00\x00\x01\x00\x01", ("127.0.0.1", port))
            s.recv(512)
            return True
        except OSError:
            return False
        finally:
            s.close()

    wait_for(answers, 10, "dnsmasq", p.popen)
    return p, port
